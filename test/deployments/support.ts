/** The reference fleet with each domain's control plane declared as Deployments need it, and the committed deployments configs. */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { loadFleet, type Fleet } from "../../automation/fleet";
import type { DomainControlPlane } from "../../automation/fleet/controlPlane";
import { deploymentsConfig, type DeploymentsConfig } from "../../deployments/program";
import { REFERENCE_STACKS } from "../support/fleetDir";

const ROOT = path.resolve(__dirname, "..", "..");

/** As fleet.yaml `domains:` would declare it (the schema key lands with controlplane-config): an in-domain Pulumi Cloud and the domain's KMS key. */
export const CONTROL_PLANES: Record<"eu" | "us", DomainControlPlane> = {
  eu: { backend: "https://pulumi.eu.example.com", secretsProvider: "awskms://alias/meridian-state-eu?region=eu-central-1", evidenceStore: "s3://meridian-evidence-eu?region=eu-central-1" },
  us: { backend: "https://pulumi.us.example.com", secretsProvider: "awskms://alias/meridian-state-us?region=us-east-1", evidenceStore: "s3://meridian-evidence-us?region=us-east-1" },
};

export function withControlPlanes(fleet: Fleet, planes: Partial<Record<"eu" | "us", DomainControlPlane>> = CONTROL_PLANES): Fleet {
  return { ...fleet, settings: { ...fleet.settings, controlPlane: planes } };
}

export const referenceFleet = (): Fleet => withControlPlanes(loadFleet(REFERENCE_STACKS));

export const configOf = (domain: string): DeploymentsConfig =>
  deploymentsConfig.parse((parse(fs.readFileSync(path.join(ROOT, "deployments", `Pulumi.${domain}.yaml`), "utf8")) as { config: Record<string, unknown> }).config["meridian-deployments:settings"]);
