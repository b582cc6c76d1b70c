import * as gcp from "../sdk/gcp";
import * as pulumi from "@pulumi/pulumi";
import { gcpLabels, type KeyRef, type SigningKeyRef } from "../residency";
import { SIGNING_ALGORITHM, type SigningKeySpec } from "./index";

const DAY_SECONDS = 86400;

/**
 * Cloud KMS `ASYMMETRIC_SIGN` EC P-256 in the domain's regional key ring (the residency
 * key's ring). No rotation period: Cloud KMS refuses one for asymmetric keys.
 */
export function createGcpSigningKey(
  name: string,
  spec: SigningKeySpec,
  home: Extract<KeyRef, { cloud: "gcp" }>,
  parent: pulumi.Resource,
): { ref: Extract<SigningKeyRef, { cloud: "gcp" }>; kmsUri: pulumi.Output<string> } {
  const keyRing = pulumi.output(home.cryptoKeyId).apply(keyRingOf);
  const key = new gcp.kms.CryptoKey(
    `${name}-key`,
    {
      name: `meridian-${spec.domain}-${name}`,
      keyRing,
      purpose: "ASYMMETRIC_SIGN",
      versionTemplate: { algorithm: SIGNING_ALGORITHM.gcp, protectionLevel: spec.protectionLevel },
      destroyScheduledDuration: `${30 * DAY_SECONDS}s`,
      labels: gcpLabels(spec.tags),
    },
    { parent, protect: spec.protect },
  );
  const version = gcp.kms.getKMSCryptoKeyVersionOutput({ cryptoKey: key.id }, { parent });
  const publicKeyPem = version.publicKeys.apply((keys) => {
    const pem = keys[0]?.pem;
    if (!pem) throw new pulumi.ResourceError(`signing key ${name}: Cloud KMS returned no public key for its primary version`, parent);
    return pem;
  });
  return {
    ref: { cloud: "gcp", cryptoKeyId: key.id, cryptoKeyVersionId: version.name, publicKeyPem },
    kmsUri: pulumi.interpolate`gcpkms://${key.id}`,
  };
}

/** `projects/p/locations/l/keyRings/r/cryptoKeys/k` → `projects/p/locations/l/keyRings/r`. */
export function keyRingOf(cryptoKeyId: string): string {
  const m = /^(projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+)\/cryptoKeys\/[^/]+$/.exec(cryptoKeyId);
  if (!m) throw new Error(`signing key: "${cryptoKeyId}" is not a Cloud KMS crypto key id`);
  return m[1];
}
