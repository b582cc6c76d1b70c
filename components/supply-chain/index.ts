/**
 * ImageVerification: signature verification at admission on one cluster, keyed by the
 * domain's signing key (components/signing-key). The sigstore policy-controller (pinned
 * chart, images from the domain registry by digest, fail closed, unmatched images denied)
 * and one ClusterImagePolicy: every image of the domain registry must be signed by the
 * domain's key. On GKE, also the Binary Authorization attestor and project policy keyed by
 * the same Cloud KMS key. Why policy-controller and not Kyverno: docs/supply-chain.md.
 */
import * as k8s from "../sdk/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { MANAGED_NAMESPACES } from "../baseline";
import { assertSameDomain, residentTags, type Cloud, type Domain, type RegistryHandle, type SigningKeyHandle } from "../residency";
import { awsAuthorityKey } from "./aws";
import { azureAuthorityKey, createAzureVerifierIdentity } from "./azure";
import { createBinaryAuthorization, gcpAuthorityKey } from "./gcp";
import {
  clusterImagePolicy,
  DEFAULT_NAMESPACE,
  NO_IDENTITY,
  POLICY_CONTROLLER,
  policyControllerValuesFor,
  validateImageVerification,
  verifierNetworkPolicies,
  WEBHOOK_SERVICE_ACCOUNT,
  type AuthorityKey,
  type WebhookIdentity,
} from "./spec";

export * from "./spec";

export interface ImageVerificationArgs<D extends Domain> {
  /** (Required) The residency domain. */
  readonly domain: D;
  /** (Required) The cluster's cloud; must be the signing key's cloud. */
  readonly cloud: Cloud;
  /** (Required) The cluster's Kubernetes provider. */
  readonly provider: k8s.Provider;
  /** (Required) The domain's signing key on this cloud. */
  readonly signingKey: SigningKeyHandle<D>;
  /** (Required) The domain registry: images, the chart mirror, and what the policy covers. */
  readonly registry: RegistryHandle<D>;
  /** (Required on Azure) The cluster's OIDC issuer, for the verifier's federated credential. */
  readonly oidcIssuer?: pulumi.Input<string>;
  /** (Optional) Namespace of the verifier. Defaults to `meridian-supply-chain`. */
  readonly namespace?: string;
  /**
   * (Optional) Namespaces the webhook skips. Defaults to the cloud's managed namespaces
   * (components/baseline MANAGED_NAMESPACES: the provider reconciles them with its own
   * images) plus the verifier's own namespace.
   */
  readonly exemptNamespaces?: readonly string[];
  /** (Optional) Webhook replicas, at least 2 (it fails closed). Defaults to 2. */
  readonly replicas?: number;
  /** (Optional) Tags for cloud resources. Defaults to none. */
  readonly tags?: Readonly<Record<string, string>>;
}

export class ImageVerification<D extends Domain> extends pulumi.ComponentResource {
  /** The Helm release of policy-controller. */
  readonly release: k8s.helm.v3.Release;
  /** The ClusterImagePolicy's name. */
  readonly policyName: pulumi.Output<string>;
  /** The cosign KMS reference admission verifies with. */
  readonly signingKey: pulumi.Output<string>;
  /** GKE only: the Binary Authorization attestor's name. */
  readonly attestor?: pulumi.Output<string>;

  constructor(name: string, args: ImageVerificationArgs<D>, opts?: pulumi.ComponentResourceOptions) {
    super("meridian:supply-chain:ImageVerification", name, {}, opts);
    assertSameDomain(args.domain, args.signingKey, "image verification signing key");
    assertSameDomain(args.domain, args.registry, "image verification registry");
    if (args.signingKey.cloud !== args.cloud) {
      throw new pulumi.InputPropertiesError({ message: `ImageVerification ${name}: invalid arguments`, errors: [{ propertyPath: "signingKey", reason: `is a ${args.signingKey.cloud} key; a ${args.cloud} cluster verifies with the domain's ${args.cloud} key` }] });
    }
    const namespace = args.namespace ?? DEFAULT_NAMESPACE;
    const exempt = [...new Set([...(args.exemptNamespaces ?? MANAGED_NAMESPACES[args.cloud]), namespace])];
    const replicas = args.replicas ?? 2;
    const problems = validateImageVerification({ exemptNamespaces: exempt, namespace, replicas });
    if (args.cloud === "azure" && args.oidcIssuer === undefined) problems.push({ propertyPath: "oidcIssuer", reason: "AKS needs the cluster's OIDC issuer for the verifier's workload identity" });
    if (problems.length > 0) throw new pulumi.InputPropertiesError({ message: `ImageVerification ${name}: invalid arguments`, errors: problems });

    const tags = residentTags(args.domain, args.tags);
    const key = args.signingKey;
    const authority: pulumi.Output<AuthorityKey> = key.cloud === "aws" ? awsAuthorityKey(key) : key.cloud === "azure" ? azureAuthorityKey(key) : gcpAuthorityKey(key);
    const identity: pulumi.Output<WebhookIdentity> =
      key.cloud === "azure"
        ? createAzureVerifierIdentity(name, { key, location: key.region, oidcIssuer: args.oidcIssuer!, namespace, serviceAccount: WEBHOOK_SERVICE_ACCOUNT, tags }, this)
        : pulumi.output(NO_IDENTITY);
    if (key.cloud === "gcp") this.attestor = createBinaryAuthorization(name, args.domain, key, this).attestor;

    const k8sOpts = { parent: this, provider: args.provider };
    const ns = new k8s.core.v1.Namespace(
      `${name}-ns`,
      {
        metadata: {
          name: namespace,
          labels: { residency: args.domain, "pod-security.kubernetes.io/enforce": "restricted", "app.kubernetes.io/managed-by": "pulumi" },
        },
      },
      k8sOpts,
    );
    // Default deny, then what the webhook needs: the API server calls it on 8443; it reads
    // signatures from the registry (and, on Azure, the key from Key Vault) over 443, and DNS.
    for (const np of verifierNetworkPolicies()) {
      new k8s.networking.v1.NetworkPolicy(`${name}-${np.name}`, { metadata: { name: np.name, namespace: ns.metadata.name }, spec: np.spec }, k8sOpts);
    }
    const prefixes = pulumi.output(args.registry.imagePrefixes).apply((p) => {
      const bad = validateImageVerification({ imagePrefixes: p, exemptNamespaces: exempt, namespace, replicas });
      if (p.length === 0) bad.push({ propertyPath: "registry.imagePrefixes", reason: "the domain registry has no image prefix" });
      if (bad.length > 0) throw new pulumi.ResourceError(`ImageVerification ${name}: ${bad.map((b) => `${b.propertyPath} ${b.reason}`).join("; ")}`, this);
      return p;
    });
    const values = pulumi.all([prefixes, identity]).apply(([p, id]) => policyControllerValuesFor(p[0], exempt, replicas, id));
    this.release = new k8s.helm.v3.Release(
      `${name}-policy-controller`,
      {
        name: "policy-controller",
        namespace: ns.metadata.name,
        chart: POLICY_CONTROLLER.chart,
        version: POLICY_CONTROLLER.version,
        repositoryOpts: { repo: prefixes.apply((p) => `oci://${p[0]}charts`) },
        values,
        atomic: true,
        cleanupOnFail: true,
      },
      k8sOpts,
    );
    const manifest = pulumi.all([prefixes, authority, key.kmsUri]).apply(([p, a, uri]) => clusterImagePolicy(args.domain, args.cloud, p, a, uri));
    // The CRD comes with the chart, so the policy waits for the release.
    const policy = new k8s.apiextensions.CustomResource(
      `${name}-signed-images`,
      {
        apiVersion: "policy.sigstore.dev/v1beta1",
        kind: "ClusterImagePolicy",
        metadata: manifest.apply((m) => m.metadata as k8s.types.input.meta.v1.ObjectMeta),
        spec: manifest.apply((m) => m.spec),
      },
      { ...k8sOpts, dependsOn: [this.release] },
    );
    this.policyName = policy.metadata.name;
    this.signingKey = pulumi.output(key.kmsUri);
    this.registerOutputs({ policyName: this.policyName, signingKey: this.signingKey, attestor: this.attestor });
  }
}
