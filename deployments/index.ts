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

const config = deploymentsConfig.parse(new pulumi.Config().requireObject("settings"));
const fleet = loadFleet(path.resolve(__dirname, "..", "stacks"));
const deployments = new FleetDeployments(`meridian-${config.domain}`, deploymentsArgs(fleet, config, pulumi.getStack()));

export const stacks = deployments.stackNames;
export const policyGroup = deployments.policyGroupName;
