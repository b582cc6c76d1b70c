/** The EU test stack's control plane (harness EU config): state in S3 eu-central-1, its KMS key, evidence in an Azure container. */
import type { PackConfig } from "../../policy-pack/evaluate";

export const EU_CONTROL_PLANE: NonNullable<PackConfig["controlPlane"]> = {
  backend: "s3://meridian-state-eu?region=eu-central-1",
  secretsProvider: "awskms://alias/meridian-state-eu?region=eu-central-1",
  evidenceStore: "azblob://evidence?storage_account=meridianeu",
  locations: { evidenceStore: "westeurope" },
};
