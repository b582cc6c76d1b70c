import * as gcp from "../sdk/gcp";
import type * as pulumi from "@pulumi/pulumi";
import { gcpSecretDefaults, type StoreTarget } from "./spec";
import type { CloudSecretsSpec, CloudSecretsSide } from "./index";

/**
 * GCP Secret Manager with the domain CMK. Secret Manager encrypts with a customer-managed key
 * through its service agent, so the agent gets `cryptoKeyEncrypterDecrypter` on the domain key
 * (in the cluster's region: a replica's key must be in the replica's location). Tenant
 * secrets use user-managed replication in that region only; tenants never need KMS rights.
 */
export function createGcpSecrets(name: string, spec: CloudSecretsSpec, parent: pulumi.Resource): CloudSecretsSide {
  if (spec.key.cloud !== "gcp") throw new Error(`ExternalSecrets ${name}: key: a GCP cluster needs the domain's Cloud KMS key`);
  if (spec.gcp === undefined) throw new Error(`ExternalSecrets ${name}: gcp.project: required on GCP`);
  const project = spec.gcp.project;
  const agent = new gcp.projects.ServiceIdentity(`${name}-secretmanager-agent`, { project, service: "secretmanager.googleapis.com" }, { parent });
  new gcp.kms.CryptoKeyIAMMember(
    `${name}-secretmanager-cmek`,
    { cryptoKeyId: spec.key.cryptoKeyId, role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", member: agent.member },
    { parent },
  );
  const target: StoreTarget<pulumi.Input<string>> = { cloud: "gcp", project, clusterName: spec.clusterName, clusterLocation: spec.region };
  return {
    targetFor: () => target,
    key: spec.key,
    secretDefaults: gcpSecretDefaults(spec.region, spec.key.cryptoKeyId),
  };
}
