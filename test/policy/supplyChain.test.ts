/**
 * The supply-chain policies beyond the coverage cases: every way a verifier can trust
 * the wrong thing, Binary Authorization rules that verify nothing, and that the key
 * policies accept asymmetric signing keys (which cannot rotate) and nothing else.
 */
import { locationOfSigningKey } from "../../policy-pack/policies/supplyChain";
import { gcpEu, mandatory, res, run, awsEu } from "./harness";
import { attestor, binauthz, EU_SIGNING_ARN, imagePolicy, REQUIRE, US_SIGNING_ARN } from "./supplyChainCases";

const VERIFY = "meridian-kubernetes-image-verification-domain-key";
const BINAUTHZ = "meridian-gcp-binauthz-policy-require-attestation";
const messages = (name: string, ...r: Parameters<typeof run>[1]) => mandatory(run(name, r)).filter((v) => v.policy === name).map((v) => v.message);

describe(VERIFY, () => {
  it("passes the domain's own key, by PEM + annotation (AWS, GCP) or by KMS reference (Azure)", () => {
    expect(messages(VERIFY, imagePolicy(`awskms:///${EU_SIGNING_ARN}`))).toEqual([]);
    expect(messages(VERIFY, imagePolicy("gcpkms://projects/p/locations/europe-west1/keyRings/r/cryptoKeys/k"))).toEqual([]);
    expect(messages(VERIFY, imagePolicy("azurekms://meridian-eu.vault.azure.net/k", { key: { kms: "azurekms://meridian-eu.vault.azure.net/k", hashAlgorithm: "sha256" } }))).toEqual([]);
  });

  it.each([
    ["a key.kms of the other domain", imagePolicy(`awskms:///${EU_SIGNING_ARN}`, { key: { kms: `awskms:///${US_SIGNING_ARN}` } }), /key\.kms 'awskms:\/\/\/arn:aws:kms:us-east-1.* outside the eu domain/],
    ["a GCP key of the other domain", imagePolicy("gcpkms://projects/p/locations/us-central1/keyRings/r/cryptoKeys/k"), /'us-central1' \(domain us\)/],
    ["a PEM whose key is not named", imagePolicy(""), /does not name the KMS key it came from/],
    ["warn mode", imagePolicy(`awskms:///${EU_SIGNING_ARN}`, undefined, "warn"), /spec\.mode is 'warn'/],
    ["a keyless (public-good) authority", imagePolicy(`awskms:///${EU_SIGNING_ARN}`, { keyless: { url: "https://fulcio.sigstore.dev" } }), /is keyless/],
    ["a static pass authority", imagePolicy(`awskms:///${EU_SIGNING_ARN}`, { static: { action: "pass" } }), /is static/],
    ["a non-KMS key reference", imagePolicy("k8s://ns/secret"), /is not a KMS key reference/],
  ])("refuses %s", (_, r, message) => {
    const m = messages(VERIFY, r);
    expect(m.length).toBeGreaterThan(0);
    expect(m.join("\n")).toMatch(message);
  });

  it("refuses an attestor without keys or with a non-KMS key", () => {
    const empty = res("gcp:binaryauthorization/attestor:Attestor", "a0", { attestationAuthorityNote: { noteReference: "n", publicKeys: [] } }, { provider: gcpEu });
    expect(messages(VERIFY, empty)).toEqual(["attestationAuthorityNote.publicKeys is empty: the attestor verifies nothing"]);
    expect(messages(VERIFY, attestor("ni:///sha-256;abc")).join()).toMatch(/is not a Cloud KMS key/);
  });

  it("reads the location of each cloud's key reference", () => {
    expect(locationOfSigningKey(`awskms:///${EU_SIGNING_ARN}`)).toEqual({ cloud: "aws", location: "eu-central-1" });
    expect(locationOfSigningKey("//cloudkms.googleapis.com/v1/projects/p/locations/europe-west1/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1")).toEqual({ cloud: "gcp", location: "europe-west1" });
    expect(locationOfSigningKey("azurekms://v.vault.azure.net/k")).toEqual({ cloud: "azure" });
    expect(locationOfSigningKey("cosign.pub")).toBeUndefined();
  });
});

describe(BINAUTHZ, () => {
  it.each([
    ["no attestor", binauthz({ ...REQUIRE, requireAttestationsBies: [] }), /names no attestor/],
    ["dry-run enforcement", binauthz({ ...REQUIRE, enforcementMode: "DRYRUN_AUDIT_LOG_ONLY" }), /enforcementMode is 'DRYRUN_AUDIT_LOG_ONLY'/],
    ["a per-cluster ALWAYS_ALLOW rule", binauthz(REQUIRE, [{ cluster: "europe-west1.c", evaluationMode: "ALWAYS_ALLOW", enforcementMode: "ENFORCED_BLOCK_AND_AUDIT_LOG" }]), /clusterAdmissionRules\[0\]\.evaluationMode is 'ALWAYS_ALLOW'/],
  ])("refuses %s", (_, r, message) => {
    expect(messages(BINAUTHZ, r).join("\n")).toMatch(message);
  });
});

describe("key rotation policies and asymmetric signing keys", () => {
  it("AWS: a SIGN_VERIFY key needs no rotation (it cannot rotate) but stays single-region; an encryption key still must rotate", () => {
    const key = (p: Record<string, unknown>) => res("aws:kms/key:Key", "k", { multiRegion: false, ...p }, { provider: awsEu });
    expect(messages("meridian-aws-kms-key-rotate", key({ keyUsage: "SIGN_VERIFY", enableKeyRotation: false }))).toEqual([]);
    expect(messages("meridian-aws-kms-key-rotate", key({ keyUsage: "SIGN_VERIFY", multiRegion: true }))).toHaveLength(1);
    expect(messages("meridian-aws-kms-key-rotate", key({ keyUsage: "ENCRYPT_DECRYPT", enableKeyRotation: false }))).toEqual(["enableKeyRotation must be true"]);
  });

  it("GCP: an ASYMMETRIC_SIGN key needs no rotation period; an ENCRYPT_DECRYPT key does", () => {
    const key = (p: Record<string, unknown>) => res("gcp:kms/cryptoKey:CryptoKey", "k", { keyRing: "projects/p/locations/europe-west1/keyRings/r", ...p }, { provider: gcpEu });
    expect(messages("meridian-gcp-kms-key-rotate", key({ purpose: "ASYMMETRIC_SIGN" }))).toEqual([]);
    expect(messages("meridian-gcp-kms-key-rotate", key({ purpose: "ENCRYPT_DECRYPT" })).join()).toMatch(/rotationPeriod must be set/);
  });
});
