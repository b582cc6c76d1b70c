/** Pass/fail cases for the supply-chain policies (policy-pack/policies/supplyChain.ts), in the shapes components/supply-chain creates. */
import type { Case } from "./cases";
import { gcpEu, k8sEu, res } from "./harness";

const CIP = "kubernetes:policy.sigstore.dev/v1beta1:ClusterImagePolicy";
export const EU_SIGNING_ARN = "arn:aws:kms:eu-central-1:123456789012:key/5160-eu";
export const US_SIGNING_ARN = "arn:aws:kms:us-east-1:123456789012:key/5160-us";
const EU_VERSION = "projects/p-eu/locations/europe-west1/keyRings/eu/cryptoKeys/eu-signing/cryptoKeyVersions/1";
const US_VERSION = "projects/p-us/locations/us-central1/keyRings/us/cryptoKeys/us-signing/cryptoKeyVersions/1";
const PEM = "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n";

export function imagePolicy(keyRef: string, authority: Record<string, unknown> = { key: { data: PEM, hashAlgorithm: "sha256" } }, mode = "enforce") {
  return res(
    CIP,
    "signed-images",
    {
      apiVersion: "policy.sigstore.dev/v1beta1",
      kind: "ClusterImagePolicy",
      metadata: { name: "meridian-eu-signed-images", annotations: { "meridian.io/signing-key": keyRef } },
      spec: { mode, images: [{ glob: "123456789012.dkr.ecr.eu-central-1.amazonaws.com/meridian/eu/**" }], authorities: [{ name: "eu-aws-signing-key", ...authority }] },
    },
    { provider: k8sEu },
  );
}

const CIP_ALPHA = "kubernetes:policy.sigstore.dev/v1alpha1:ClusterImagePolicy";
/** The same policy under the older API version, which policy-controller still serves. */
const alpha = (r: ReturnType<typeof imagePolicy>) => ({ ...r, type: CIP_ALPHA, urn: r.urn.replace(CIP, CIP_ALPHA) });

export function attestor(keyId: string) {
  return res("gcp:binaryauthorization/attestor:Attestor", "attestor", { name: "meridian-eu-signed", attestationAuthorityNote: { noteReference: "n", publicKeys: [{ id: keyId, pkixPublicKey: { publicKeyPem: PEM, signatureAlgorithm: "ECDSA_P256_SHA256" } }] } }, { provider: gcpEu });
}

export function binauthz(rule: Record<string, unknown>, clusterRules: Record<string, unknown>[] = []) {
  return res("gcp:binaryauthorization/policy:Policy", "binauthz", { globalPolicyEvaluationMode: "ENABLE", defaultAdmissionRule: rule, clusterAdmissionRules: clusterRules }, { provider: gcpEu });
}

export const REQUIRE = { evaluationMode: "REQUIRE_ATTESTATION", enforcementMode: "ENFORCED_BLOCK_AND_AUDIT_LOG", requireAttestationsBies: ["projects/p-eu/attestors/meridian-eu-signed"] };

export const SUPPLY_CHAIN_CASES: Record<string, Case[]> = {
  "meridian-kubernetes-image-verification-domain-key": [
    { type: CIP, pass: [imagePolicy(`awskms:///${EU_SIGNING_ARN}`)], fail: [imagePolicy(`awskms:///${US_SIGNING_ARN}`)], expect: "outside the eu domain: admission would trust another domain's signatures" },
    { type: CIP_ALPHA, pass: [alpha(imagePolicy(`awskms:///${EU_SIGNING_ARN}`))], fail: [alpha(imagePolicy(`awskms:///${EU_SIGNING_ARN}`, undefined, "warn"))], expect: "spec.mode is 'warn'" },
    {
      type: "gcp:binaryauthorization/attestor:Attestor",
      pass: [attestor(`//cloudkms.googleapis.com/v1/${EU_VERSION}`)],
      fail: [attestor(`//cloudkms.googleapis.com/v1/${US_VERSION}`)],
      expect: "is a key in 'us-central1' (domain us), outside the eu domain",
    },
  ],
  "meridian-gcp-binauthz-policy-require-attestation": [
    { type: "gcp:binaryauthorization/policy:Policy", pass: [binauthz(REQUIRE)], fail: [binauthz({ evaluationMode: "ALWAYS_ALLOW", enforcementMode: "ENFORCED_BLOCK_AND_AUDIT_LOG" })], expect: "defaultAdmissionRule.evaluationMode is 'ALWAYS_ALLOW'" },
  ],
};
