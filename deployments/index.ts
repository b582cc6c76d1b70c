/**
 * `pulumi up -s eu` (or `us`) in deployments/: Pulumi Deployments settings for that domain's
 * fleet stacks. Runs under the same runtime settings as the fleet program (Pulumi.yaml:
 * tsx, types checked by `npm test`). Proven offline by mock tests (test/deployments) and on
 * the real CLI up to the first Pulumi Cloud resource (test/e2e/config.e2e.test.ts);
 * there is no Pulumi Cloud on the development network. See docs/deployments.md.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ZodError } from "zod";
import { FleetConfigError, FleetConfigErrors, loadFleet } from "../automation/fleet";
import { formatZodIssue } from "../automation/fleet/zodErrors";
import { FleetDeployments, type FleetDeploymentsArgs } from "../components/deployments";
import { deploymentsArgs, deploymentsConfig } from "./program";

const stackConfig = new pulumi.Config();
const SETTINGS_KEY = `${pulumi.getProject()}:settings`;

/** Bad input is the user's to fix: one line naming the file and key, never a stack trace. */
function inputProblem(e: unknown, settings: unknown): pulumi.RunError {
  if (e instanceof ZodError) {
    const { key, detail } = formatZodIssue(e.issues[0], settings);
    return new pulumi.RunError(`deployments/Pulumi.${pulumi.getStack()}.yaml: ${SETTINGS_KEY}${key === "(file)" ? "" : `.${key}`}: ${detail}`);
  }
  if (e instanceof FleetConfigError || e instanceof FleetConfigErrors) return new pulumi.RunError(e.message);
  return new pulumi.RunError(`deployments/Pulumi.${pulumi.getStack()}.yaml: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
}

/** Read and check this stack's settings and the fleet; every problem here is the user's input. */
function checkedArgs(): FleetDeploymentsArgs {
  const settings: unknown = stackConfig.requireObject("settings");
  try {
    const config = deploymentsConfig.parse(settings);
    const fleet = loadFleet(path.resolve(__dirname, "..", "stacks"));
    // Only with a `passphrase` secrets provider; a KMS provider needs OIDC, not a secret.
    const passphrase = stackConfig.getSecret("passphrase");
    return deploymentsArgs(fleet, config, pulumi.getStack(), passphrase === undefined ? {} : { passphrase });
  } catch (e) {
    throw inputProblem(e, settings);
  }
}

const args = checkedArgs();
const deployments = new FleetDeployments(`meridian-${args.domain}`, args);
export const stacks = deployments.stackNames;
export const policyGroup = deployments.policyGroupName;
