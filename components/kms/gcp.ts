import * as gcp from "../sdk/gcp";
import type * as pulumi from "@pulumi/pulumi";
import { gcpLabels, type KeyRef } from "../residency";
import type { KeySpec } from "./index";

const DAY_SECONDS = 86400;

/** GCP Cloud KMS: a regional key ring (never `global`) and an HSM key rotated every `rotationDays`. */
export function createGcpKey(name: string, spec: KeySpec, parent: pulumi.Resource): Extract<KeyRef, { cloud: "gcp" }> {
  const labels = gcpLabels(spec.tags);
  // Key rings cannot be deleted in GCP at all; protect is the honest default.
  const ring = new gcp.kms.KeyRing(`${name}-ring`, { name: `meridian-${spec.domain}-${name}`, location: spec.region }, { parent, protect: spec.protect });
  const key = new gcp.kms.CryptoKey(
    `${name}-key`,
    {
      name: `meridian-${spec.domain}-${name}`,
      keyRing: ring.id,
      purpose: "ENCRYPT_DECRYPT",
      rotationPeriod: `${spec.rotationDays * DAY_SECONDS}s`,
      versionTemplate: { algorithm: "GOOGLE_SYMMETRIC_ENCRYPTION", protectionLevel: spec.protectionLevel },
      destroyScheduledDuration: `${30 * DAY_SECONDS}s`,
      labels,
    },
    { parent, protect: spec.protect },
  );
  return { cloud: "gcp", cryptoKeyId: key.id };
}
