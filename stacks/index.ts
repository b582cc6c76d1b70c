/**
 * Pulumi entry point (`main` in Pulumi.yaml). The fleet model is read from this directory
 * (`stackConfigDir: stacks`), so the stack's references come from `meridian:dependsOn`.
 * `MERIDIAN_STACKS_DIR` points it at another fleet directory (the e2e tests' local fleet,
 * whose Pulumi.yaml sets the same `stackConfigDir`).
 */
import * as pulumi from "@pulumi/pulumi";
import { FleetConfigError, FleetConfigErrors, loadFleet } from "../automation/fleet";
import { runStack } from "./program";

export = async () => {
  try {
    return await runStack(loadFleet(process.env.MERIDIAN_STACKS_DIR || __dirname));
  } catch (e) {
    // Bad config is the user's to fix: one line per problem naming file and key, no stack trace.
    if (e instanceof FleetConfigError || e instanceof FleetConfigErrors) throw new pulumi.RunError(e.message);
    throw e;
  }
};
