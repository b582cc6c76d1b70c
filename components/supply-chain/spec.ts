/**
 * Shared types, the pinned chart and image table, and the pure builders of what admission
 * verifies (policy-controller values and the ClusterImagePolicy), testable without mocks.
 */
import type * as k8s from "@pulumi/kubernetes";
import { z } from "zod";
import type { Cloud, Domain } from "../residency";

/**
 * The sigstore policy-controller chart and the images it runs, pinned. The chart is pulled
 * from the domain registry's OCI chart mirror (`oci://<prefix>charts`), the images from the
 * domain registry's `mirror/` path: `crane copy` keeps digests, so the digest of the mirror
 * copy is the upstream one. The webhook digest is upstream's for v0.8.2 (chart 0.6.5's own
 * default); the leases-cleanup (kubectl) digest is a PLACEHOLDER to fill from the mirror.
 */
export const POLICY_CONTROLLER = {
  chart: "policy-controller",
  version: "0.6.5",
  appVersion: "0.8.2",
  images: {
    webhook: { path: "mirror/sigstore/policy-controller/policy-controller", digest: "sha256:f291fce5b9c1a69ba54990eda7e0fe4114043b1afefb0f4ee3e6f84ec9ef1605" },
    leasesCleanup: { path: "mirror/chainguard/kubectl", digest: "sha256:0000000000000000000000000000000000000000000000000000000000000000" },
  },
} as const;

/** The webhook's ServiceAccount, named so the Azure federated credential can name its subject. */
export const WEBHOOK_SERVICE_ACCOUNT = "policy-controller-webhook";

/** Default namespace of the verifier; exempt from its own webhook (it must start before it can verify). */
export const DEFAULT_NAMESPACE = "meridian-supply-chain";

const DIGEST = /^sha256:[a-f0-9]{64}$/;
const IMAGE_PREFIX = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?\/([a-z0-9._/-]*\/)?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const pinnedImage = z.strictObject({ repository: z.string().min(1), version: z.string().regex(DIGEST, "a sha256 digest"), pullPolicy: z.literal("IfNotPresent") });

/** The chart values we set, typed and validated before they reach the chart. */
export const policyControllerValues = z.strictObject({
  installCRDs: z.literal(true),
  webhook: z.strictObject({
    replicaCount: z.number().int().min(2),
    image: pinnedImage,
    failurePolicy: z.literal("Fail"),
    /** `no-match-policy: deny`: an image no ClusterImagePolicy covers is refused, not waved through. */
    configData: z.strictObject({ "no-match-policy": z.literal("deny") }),
    namespaceSelector: z.strictObject({
      matchExpressions: z.tuple([z.strictObject({ key: z.literal("kubernetes.io/metadata.name"), operator: z.literal("NotIn"), values: z.array(z.string().regex(DNS_LABEL)).min(1) })]),
    }),
    serviceAccount: z.strictObject({ create: z.literal(true), name: z.string().regex(DNS_LABEL), annotations: z.record(z.string(), z.string()) }),
    env: z.record(z.string(), z.string()),
    volumes: z.array(z.record(z.string(), z.unknown())),
    volumeMounts: z.array(z.record(z.string(), z.unknown())),
  }),
  leasescleanup: z.strictObject({ image: pinnedImage }),
});
export type PolicyControllerValues = z.infer<typeof policyControllerValues>;

/** Extra webhook settings an adapter contributes (Azure: workload identity for Key Vault). */
export interface WebhookIdentity {
  readonly serviceAccountAnnotations: Readonly<Record<string, string>>;
  readonly env: Readonly<Record<string, string>>;
  readonly volumes: ReadonlyArray<Record<string, unknown>>;
  readonly volumeMounts: ReadonlyArray<Record<string, unknown>>;
}

export const NO_IDENTITY: WebhookIdentity = { serviceAccountAnnotations: {}, env: {}, volumes: [], volumeMounts: [] };

/** Values for the chart: every image from the domain registry by digest, fail closed, deny unmatched images. */
export function policyControllerValuesFor(registryPrefix: string, exemptNamespaces: readonly string[], replicas: number, identity: WebhookIdentity): PolicyControllerValues {
  const image = (i: { path: string; digest: string }) => ({ repository: `${registryPrefix}${i.path}`, version: i.digest, pullPolicy: "IfNotPresent" as const });
  return policyControllerValues.parse({
    installCRDs: true,
    webhook: {
      replicaCount: replicas,
      image: image(POLICY_CONTROLLER.images.webhook),
      failurePolicy: "Fail",
      configData: { "no-match-policy": "deny" },
      namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "NotIn", values: [...exemptNamespaces] }] },
      serviceAccount: { create: true, name: WEBHOOK_SERVICE_ACCOUNT, annotations: { ...identity.serviceAccountAnnotations } },
      env: { ...identity.env },
      volumes: [...identity.volumes],
      volumeMounts: [...identity.volumeMounts],
    },
    leasescleanup: { image: image(POLICY_CONTROLLER.images.leasesCleanup) },
  });
}

/** How admission finds the domain's public key: its PEM (AWS, GCP) or a KMS reference (Azure). */
export type AuthorityKey = { readonly data: string; readonly hashAlgorithm: "sha256" } | { readonly kms: string; readonly hashAlgorithm: "sha256" };

/** Annotation naming the signing key a policy verifies with, so the policy pack can judge its domain. */
export const SIGNING_KEY_ANNOTATION = "meridian.io/signing-key";

/**
 * The ClusterImagePolicy: every image from the domain registry must carry a signature by
 * the domain's key. No `ctlog`: signatures are checked against the key only, so admission
 * never sends an image digest to a public transparency log outside the domain.
 */
export function clusterImagePolicy(domain: Domain, cloud: Cloud, imagePrefixes: readonly string[], key: AuthorityKey, kmsUri: string): Record<string, unknown> {
  return {
    apiVersion: "policy.sigstore.dev/v1beta1",
    kind: "ClusterImagePolicy",
    metadata: {
      name: `meridian-${domain}-signed-images`,
      labels: { residency: domain, "app.kubernetes.io/managed-by": "pulumi" },
      annotations: { [SIGNING_KEY_ANNOTATION]: kmsUri, "meridian.io/domain": domain },
    },
    spec: {
      mode: "enforce",
      images: imagePrefixes.map((p) => ({ glob: `${p}**` })),
      authorities: [{ name: `${domain}-${cloud}-signing-key`, key: { ...key } }],
    },
  };
}

/** Pure validation of the component's arguments; every problem at once. */
export function validateImageVerification(args: { imagePrefixes?: readonly string[]; exemptNamespaces: readonly string[]; namespace: string; replicas: number }): Array<{ propertyPath: string; reason: string }> {
  const problems: Array<{ propertyPath: string; reason: string }> = [];
  for (const [i, p] of (args.imagePrefixes ?? []).entries()) {
    if (!IMAGE_PREFIX.test(p)) problems.push({ propertyPath: `registry.imagePrefixes[${i}]`, reason: `"${p}" is not an image prefix ending in "/"` });
  }
  if (!DNS_LABEL.test(args.namespace)) problems.push({ propertyPath: "namespace", reason: `"${args.namespace}" is not a DNS label` });
  for (const [i, n] of args.exemptNamespaces.entries()) {
    if (!DNS_LABEL.test(n)) problems.push({ propertyPath: `exemptNamespaces[${i}]`, reason: `"${n}" is not a DNS label` });
  }
  if (!Number.isInteger(args.replicas) || args.replicas < 2) problems.push({ propertyPath: "replicas", reason: `a fail-closed webhook needs at least 2 replicas, got ${args.replicas}` });
  return problems;
}

/** The verifier namespace's NetworkPolicies: default deny, then webhook ingress, DNS and HTTPS egress. */
export function verifierNetworkPolicies(): Array<{ name: string; spec: k8s.types.input.networking.v1.NetworkPolicySpec }> {
  return [
    { name: "default-deny", spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } },
    {
      name: "allow-webhook",
      spec: {
        podSelector: {},
        policyTypes: ["Ingress", "Egress"],
        ingress: [{ ports: [{ protocol: "TCP", port: 8443 }] }],
        egress: [
          { ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }] },
          { ports: [{ protocol: "TCP", port: 443 }] },
        ],
      },
    },
  ];
}
