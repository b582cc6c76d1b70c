/**
 * Supply chain (SUP-01, SUP-02): admission verifies images with the stack's own domain's
 * signing key, and GKE Binary Authorization requires that attestation. A verifier keyed by
 * another domain's key would admit what the other domain signed; an ALWAYS_ALLOW or
 * attestor-less Binary Authorization policy verifies nothing.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { resourcePolicy, type ResourceCheckContext } from "../lib/define";
import { describeLocation, isAllowed, locationOfGcpName, regionOfArn } from "../lib/location";
import { arrayAt, at, UNKNOWN } from "../lib/values";
import type { Cloud } from "../lib/catalogue";

const SOC2_CHANGE = ["SOC2 CC7.1", "SOC2 CC8.1"];
const CLUSTER_IMAGE_POLICIES = ["kubernetes:policy.sigstore.dev/v1beta1:ClusterImagePolicy", "kubernetes:policy.sigstore.dev/v1alpha1:ClusterImagePolicy"];
const ATTESTOR = "gcp:binaryauthorization/attestor:Attestor";
const BINAUTHZ_POLICY = "gcp:binaryauthorization/policy:Policy";
/** Set by components/supply-chain on every ClusterImagePolicy: the key its PEM came from. */
const SIGNING_KEY_ANNOTATION = "meridian.io/signing-key";

/** The cloud and location a cosign KMS reference (or a BinAuthz Cloud KMS key id) names, when its text carries one. */
export function locationOfSigningKey(ref: string): { cloud: Cloud; location: string } | { cloud: Cloud; location?: undefined } | undefined {
  if (ref.startsWith("awskms://")) {
    const arn = ref.replace(/^awskms:\/\/[^/]*\//, "");
    const region = regionOfArn(arn);
    return region ? { cloud: "aws", location: region } : { cloud: "aws" };
  }
  if (ref.startsWith("gcpkms://") || ref.startsWith("//cloudkms.googleapis.com/")) {
    const location = locationOfGcpName(ref.replace(/^gcpkms:\/\/|^\/\/cloudkms\.googleapis\.com\/v1\//, ""));
    return location ? { cloud: "gcp", location } : { cloud: "gcp" };
  }
  if (ref.startsWith("azurekms://")) return { cloud: "azure" };
  return undefined;
}

function judgeKeyRef(ctx: ResourceCheckContext, where: string, ref: string): void {
  const loc = locationOfSigningKey(ref);
  if (loc === undefined) {
    ctx.report(`${where} '${ref}' is not a KMS key reference (awskms://, gcpkms://, azurekms://)`);
  } else if (loc.location !== undefined && !isAllowed(ctx.cfg, loc.cloud, loc.location)) {
    ctx.report(`${where} '${ref}' is a key in ${describeLocation(ctx.cfg, loc.cloud, loc.location)}, outside the ${ctx.cfg.domain ?? "stack's"} domain: admission would trust another domain's signatures`);
  }
  // An Azure Key Vault host carries no location; the program's residency types and the
  // same-domain StackReference are the check there (docs/supply-chain.md).
}

export const verificationKeyDomain: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-kubernetes-image-verification-domain-key",
    area: "kubernetes",
    rules: ["SUP-01"],
    description: "Signature verification (policy-controller ClusterImagePolicy, Binary Authorization attestor) is keyed by a KMS key of the stack's own domain, enforced, with no keyless or pass-through authority.",
    why: "A verifier keyed by the other domain's key admits what the other domain signed; warn mode, keyless public-good or static-pass authorities admit unsigned or foreign images.",
    remediation:
      "Use components/supply-chain ImageVerification with the domain's SigningKey: `spec.mode: enforce`, every authority `key.data` (with the `meridian.io/signing-key` annotation naming the KMS key) or `key.kms` of a key in the domain; attestor public keys `//cloudkms.googleapis.com/v1/…/locations/<domain region>/…`.",
    severity: "critical",
    enforcementLevel: "mandatory",
    frameworks: SOC2_CHANGE,
    types: [...CLUSTER_IMAGE_POLICIES, ATTESTOR],
  },
  (r, ctx) => {
    if (r.type === ATTESTOR) {
      const keys = arrayAt(r.props, "attestationAuthorityNote.publicKeys");
      if (keys === UNKNOWN) return ctx.unknown(`${r.name}.attestationAuthorityNote.publicKeys`);
      if (keys.length === 0) ctx.report("attestationAuthorityNote.publicKeys is empty: the attestor verifies nothing");
      keys.forEach((k, i) => {
        const id = at(k, "id");
        if (id === UNKNOWN) return ctx.unknown(`${r.name}.attestationAuthorityNote.publicKeys[${i}].id`);
        if (typeof id !== "string" || !id.startsWith("//cloudkms.googleapis.com/")) {
          ctx.report(`attestationAuthorityNote.publicKeys[${i}] is not a Cloud KMS key (id '${String(id)}'): the domain's key lives in its KMS`);
        } else {
          judgeKeyRef(ctx, `attestationAuthorityNote.publicKeys[${i}].id`, id);
        }
      });
      return;
    }
    const mode = at(r.props, "spec.mode");
    if (mode !== UNKNOWN && mode !== undefined && mode !== "enforce") ctx.report(`spec.mode is '${String(mode)}': verification must enforce`);
    const authorities = arrayAt(r.props, "spec.authorities");
    if (authorities === UNKNOWN) return ctx.unknown(`${r.name}.spec.authorities`);
    if (authorities.length === 0) ctx.report("spec.authorities is empty");
    const annotation = at(r.props, ["metadata", "annotations", SIGNING_KEY_ANNOTATION]);
    authorities.forEach((a, i) => {
      const where = `spec.authorities[${i}]`;
      if (at(a, "keyless") !== undefined || at(a, "static") !== undefined) {
        ctx.report(`${where} is ${at(a, "keyless") !== undefined ? "keyless" : "static"}: only the domain's KMS signing key may admit images`);
        return;
      }
      const kms = at(a, "key.kms");
      const data = at(a, "key.data");
      if (kms === UNKNOWN || data === UNKNOWN || annotation === UNKNOWN) return ctx.unknown(`${r.name}.${where}.key`);
      if (typeof kms === "string" && kms !== "") return judgeKeyRef(ctx, `${where}.key.kms`, kms);
      if (typeof data === "string" && data !== "") {
        if (typeof annotation !== "string" || annotation === "") {
          ctx.report(`${where}.key.data is a public key but metadata.annotations['${SIGNING_KEY_ANNOTATION}'] does not name the KMS key it came from, so its domain cannot be judged`);
          return;
        }
        return judgeKeyRef(ctx, `metadata.annotations['${SIGNING_KEY_ANNOTATION}']`, annotation);
      }
      ctx.report(`${where} has no key (key.kms or key.data)`);
    });
  },
);

function judgeRule(ctx: ResourceCheckContext, where: string, rule: unknown): void {
  const mode = at(rule, "evaluationMode");
  const enforcement = at(rule, "enforcementMode");
  const attestors = arrayAt(rule, "requireAttestationsBies");
  if (mode === UNKNOWN || enforcement === UNKNOWN || attestors === UNKNOWN) return ctx.unknown(where);
  if (mode !== "REQUIRE_ATTESTATION") {
    ctx.report(`${where}.evaluationMode is '${String(mode)}': every image must need the domain attestor's attestation (REQUIRE_ATTESTATION)`);
  } else if (attestors.length === 0) {
    ctx.report(`${where} requires attestation but names no attestor (requireAttestationsBies is empty)`);
  }
  if (enforcement !== "ENFORCED_BLOCK_AND_AUDIT_LOG") ctx.report(`${where}.enforcementMode is '${String(enforcement)}': must be ENFORCED_BLOCK_AND_AUDIT_LOG`);
}

export const binauthzRequireAttestation: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-gcp-binauthz-policy-require-attestation",
    area: "gcp",
    rules: ["SUP-02"],
    description: "The GKE Binary Authorization policy requires an attestation by an attestor for every image (default and per-cluster rules), blocking what fails.",
    why: "GKE clusters enforce the project's singleton policy: ALWAYS_ALLOW, dry-run or a rule without attestors admits any image.",
    remediation:
      "Set `defaultAdmissionRule: { evaluationMode: \"REQUIRE_ATTESTATION\", enforcementMode: \"ENFORCED_BLOCK_AND_AUDIT_LOG\", requireAttestationsBies: [<domain attestor>] }` and the same in every `clusterAdmissionRules` entry.",
    severity: "critical",
    enforcementLevel: "mandatory",
    frameworks: SOC2_CHANGE,
    types: [BINAUTHZ_POLICY],
  },
  (r, ctx) => {
    judgeRule(ctx, "defaultAdmissionRule", at(r.props, "defaultAdmissionRule"));
    const clusters = arrayAt(r.props, "clusterAdmissionRules");
    if (clusters === UNKNOWN) return ctx.unknown(`${r.name}.clusterAdmissionRules`);
    clusters.forEach((rule, i) => judgeRule(ctx, `clusterAdmissionRules[${i}]`, rule));
  },
);

export const supplyChainPolicies: readonly ResourceValidationPolicy[] = [verificationKeyDomain, binauthzRequireAttestation];
