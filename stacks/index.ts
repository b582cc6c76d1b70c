/**
 * Pulumi entry point (`main` in Pulumi.yaml). The fleet model is read from this directory
 * (`stackConfigDir: stacks`), so the stack's references come from `meridian:dependsOn`.
 * `MERIDIAN_STACKS_DIR` points it at another fleet directory (the e2e tests' local fleet,
 * whose Pulumi.yaml sets the same `stackConfigDir`).
 */
import { loadFleet } from "../automation/fleet";
import { runStack } from "./program";

export = async () => runStack(loadFleet(process.env.MERIDIAN_STACKS_DIR || __dirname));
