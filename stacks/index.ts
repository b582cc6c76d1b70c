/**
 * Pulumi entry point (`main` in Pulumi.yaml). The fleet model is read from this directory
 * (`stackConfigDir: stacks`), so the stack's references come from `meridian:dependsOn`.
 */
import { loadFleet } from "../automation/fleet";
import { runStack } from "./program";

export = async () => runStack(loadFleet(__dirname));
