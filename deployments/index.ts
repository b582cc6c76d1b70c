/**
 * `pulumi up -s eu` (or `us`) in deployments/: Pulumi Deployments settings for that domain's
 * fleet stacks. Proven offline by mock tests only (test/deployments); there is no Pulumi
 * Cloud on the development network. See docs/deployments.md.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { loadFleet } from "../automation/fleet";
import { FleetDeployments } from "../components/deployments";
import { deploymentsArgs, deploymentsConfig } from "./program";

const stackConfig = new pulumi.Config();
const config = deploymentsConfig.parse(stackConfig.requireObject("settings"));
const fleet = loadFleet(path.resolve(__dirname, "..", "stacks"));
// Only with a `passphrase` secrets provider; a KMS provider needs OIDC, not a secret.
const passphrase = stackConfig.getSecret("passphrase");
const deployments = new FleetDeployments(`meridian-${config.domain}`, deploymentsArgs(fleet, config, pulumi.getStack(), passphrase === undefined ? {} : { passphrase }));

export const stacks = deployments.stackNames;
export const policyGroup = deployments.policyGroupName;
