import * as gcp from "../sdk/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { SigningKeyHandle, Domain } from "../residency";
import type { AuthorityKey } from "./spec";

/** BinAuthz names the KMS key version this way in an attestor's public key id. */
export function cloudKmsKeyId(cryptoKeyVersionId: string): string {
  return `//cloudkms.googleapis.com/v1/${cryptoKeyVersionId}`;
}

export function gcpAuthorityKey(key: Extract<SigningKeyHandle<Domain>, { cloud: "gcp" }>): pulumi.Output<AuthorityKey> {
  return pulumi.output(key.publicKeyPem).apply((data) => ({ data, hashAlgorithm: "sha256" as const }));
}

/**
 * GKE Binary Authorization, the cloud's own admission check beside policy-controller's: a
 * Container Analysis note, an attestor holding the domain signing key's public half (keyed
 * by its Cloud KMS version id), and the project policy — require that attestation for
 * every image, block and audit-log, with Google's own system images allowed
 * (`globalPolicyEvaluationMode: ENABLE`). The policy is a project singleton: one GKE
 * workload stack per domain project owns it (docs/supply-chain.md).
 */
export function createBinaryAuthorization(
  name: string,
  domain: Domain,
  key: Extract<SigningKeyHandle<Domain>, { cloud: "gcp" }>,
  parent: pulumi.Resource,
): { attestor: pulumi.Output<string>; policy: gcp.binaryauthorization.Policy } {
  const note = new gcp.containeranalysis.Note(
    `${name}-binauthz-note`,
    { name: `meridian-${domain}-signed`, attestationAuthority: { hint: { humanReadableName: `meridian ${domain} image signing key` } } },
    { parent },
  );
  const attestor = new gcp.binaryauthorization.Attestor(
    `${name}-binauthz-attestor`,
    {
      name: `meridian-${domain}-signed`,
      description: `Images signed by the ${domain} domain's Cloud KMS signing key`,
      attestationAuthorityNote: {
        noteReference: note.name,
        publicKeys: [
          {
            id: pulumi.output(key.cryptoKeyVersionId).apply(cloudKmsKeyId),
            pkixPublicKey: { publicKeyPem: key.publicKeyPem, signatureAlgorithm: "ECDSA_P256_SHA256" },
          },
        ],
      },
    },
    { parent },
  );
  const policy = new gcp.binaryauthorization.Policy(
    `${name}-binauthz-policy`,
    {
      description: `meridian ${domain}: every image needs an attestation by the domain signing key`,
      globalPolicyEvaluationMode: "ENABLE",
      defaultAdmissionRule: {
        evaluationMode: "REQUIRE_ATTESTATION",
        enforcementMode: "ENFORCED_BLOCK_AND_AUDIT_LOG",
        requireAttestationsBies: [attestor.name],
      },
    },
    { parent },
  );
  return { attestor: attestor.name, policy };
}
