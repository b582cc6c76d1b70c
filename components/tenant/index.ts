/**
 * ClusterTenant: one tenant on one cluster of its domain. The baseline already gives the
 * tenant's namespaces (restricted Pod Security, residency labels), quotas, default-deny and
 * the team-developer persona; this component adds what makes the tenant able to ship:
 *
 * - Kubernetes (every cluster, also attached ones): the `<tenant>-workload` ServiceAccount per
 *   namespace, the platform's allow rules (within the tenant, from the Gateway namespace, to
 *   named in-domain services, to the CIDR allowlist), the right for the tenant's developers
 *   to write NetworkPolicies, and the ValidatingAdmissionPolicy bounding what they write.
 * - Cloud (managed clusters, one adapter per cloud): the tenant's repository in the domain
 *   registry and a least-privilege workload identity per namespace (pull its repository, read
 *   its own secrets only), plus on Azure the tenant's Key Vault.
 *
 * Everything takes resident handles of the tenant's domain; `handle` is a TenantHandle<D>.
 */
import * as k8s from "../sdk/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Manifest } from "../baseline/policies";
import { claimResident, residentTags, type Domain, type KeyHandle, type RegistryHandle, type TenantHandle } from "../residency";
import { createAwsTenant } from "./aws";
import { createAzureTenant } from "./azure";
import { createGcpTenant } from "./gcp";
import { allowRuleManifests, networkAuthorManifests, networkLimitsPolicy, serviceAccountManifests, validateTenantInput, workloadServiceAccount, type TenantPolicyInput } from "./spec";

export * from "./spec";

/** The cluster's cloud side; `none` (an attached cluster) gets the Kubernetes part only. */
export type TenantCloudArgs<D extends Domain> =
  | { readonly cloud: "none" }
  | {
      readonly cloud: "aws";
      readonly region: string;
      readonly key: KeyHandle<D>;
      readonly registry: RegistryHandle<D>;
      /** The cluster's OIDC issuer URL (IRSA for the tenant's ServiceAccount, used by External Secrets). */
      readonly oidcIssuer: pulumi.Input<string>;
    }
  | {
      readonly cloud: "azure";
      readonly region: string;
      readonly key: KeyHandle<D>;
      readonly registry: RegistryHandle<D>;
      /** The cluster's OIDC issuer URL (AKS workload identity). */
      readonly oidcIssuer: pulumi.Input<string>;
    }
  | { readonly cloud: "gcp"; readonly region: string; readonly key: KeyHandle<D>; readonly registry: RegistryHandle<D> };

export interface ClusterTenantArgs<D extends Domain> {
  /** (Required) The residency domain of the tenant and of every handle passed. */
  readonly domain: D;
  /** (Required) The tenant (fleet.yaml `tenants.<domain>.<tenant>`, defaults settled). */
  readonly tenant: TenantPolicyInput;
  /** (Required) The cluster's Kubernetes provider; every Kubernetes object goes through it. */
  readonly provider: k8s.Provider;
  /** (Required) The cluster's name (EKS Pod Identity association, vault name). */
  readonly clusterName: pulumi.Input<string>;
  /** (Required) The cluster's cloud and the domain's key and registry there, or `{ cloud: "none" }`. */
  readonly cloud: TenantCloudArgs<D>;
  /** (Optional) Tags/labels on cloud children. Defaults to the residency tag only. */
  readonly tags?: Readonly<Record<string, string>>;
}

/** What an adapter needs. */
export interface CloudTenantContext {
  readonly name: string;
  readonly domain: Domain;
  readonly tenant: TenantPolicyInput;
  readonly region: string;
  readonly clusterName: pulumi.Input<string>;
  readonly tags: Readonly<Record<string, string>>;
  readonly parent: pulumi.Resource;
}

/** What an adapter returns. */
export interface CloudTenant {
  /** Repository URL / image prefix of the tenant. */
  readonly repository: pulumi.Output<string>;
  /** Per namespace: the cloud principal (role ARN, managed identity principal id, GSA email). */
  readonly principals: Readonly<Record<string, pulumi.Output<string>>>;
  /** Annotations binding a namespace's ServiceAccount to its cloud principal. */
  serviceAccountAnnotations(namespace: string): pulumi.Input<Record<string, string>>;
  /** AWS secret ARN prefix, GCP secret name prefix, Azure vault URI. */
  readonly secretScope: pulumi.Output<string>;
}

export class ClusterTenant<D extends Domain> extends pulumi.ComponentResource {
  readonly handle: TenantHandle<D>;
  readonly namespaces: pulumi.Output<string[]>;
  /** Kubernetes ServiceAccount name (the same in every namespace). */
  readonly serviceAccount: pulumi.Output<string>;
  /** Per namespace, the cloud principal; empty on attached clusters. */
  readonly principals: pulumi.Output<Record<string, string>>;
  /** The tenant's repository; null on attached clusters. */
  readonly repository: pulumi.Output<string | null>;
  /** Where its secrets live (AWS prefix / GCP prefix / Azure vault URI); null on attached clusters. */
  readonly secretScope: pulumi.Output<string | null>;

  constructor(name: string, args: ClusterTenantArgs<D>, opts?: pulumi.ComponentResourceOptions) {
    super("meridian:tenant:ClusterTenant", name, {}, opts);
    const problems = validateTenantInput(args.tenant);
    if (args.cloud.cloud !== "none") {
      for (const [what, h] of [["key", args.cloud.key], ["registry", args.cloud.registry]] as const) {
        if (h.domain !== args.domain) problems.push({ propertyPath: `cloud.${what}`, reason: `${what} of domain ${h.domain} for a ${args.domain} tenant` });
      }
      if (args.cloud.key.cloud !== args.cloud.cloud) problems.push({ propertyPath: "cloud.key", reason: `a ${args.cloud.key.cloud} key on a ${args.cloud.cloud} cluster` });
    }
    if (problems.length > 0) throw new pulumi.InputPropertiesError({ message: `ClusterTenant ${name}: invalid arguments`, errors: problems });

    const t = args.tenant;
    const ctx: CloudTenantContext = { name, domain: args.domain, tenant: t, region: "", clusterName: args.clusterName, tags: residentTags(args.domain, args.tags), parent: this };
    const c = args.cloud;
    const cloud: CloudTenant | undefined =
      c.cloud === "none"
        ? undefined
        : c.key.cloud === "aws"
          ? createAwsTenant({ ...ctx, region: c.region }, c.key, c.cloud === "aws" ? c.oidcIssuer : "")
          : c.key.cloud === "azure" && c.cloud === "azure"
            ? createAzureTenant({ ...ctx, region: c.region }, { resourceGroupName: c.key.resourceGroupName, oidcIssuer: c.oidcIssuer, registryPrefixes: c.registry.imagePrefixes })
            : c.key.cloud === "gcp"
              ? createGcpTenant({ ...ctx, region: c.region }, c.key, c.registry.imagePrefixes)
              : undefined;

    const o: pulumi.CustomResourceOptions = { parent: this, provider: args.provider };
    const id = (m: Manifest) => `${name}-${m.metadata.namespace}-${m.metadata.name.replace(/:/g, "-")}`;
    for (const m of serviceAccountManifests(t)) {
      const annotations = cloud?.serviceAccountAnnotations(m.metadata.namespace!) ?? {};
      new k8s.core.v1.ServiceAccount(`${id(m)}-sa`, { metadata: { ...m.metadata, annotations }, automountServiceAccountToken: false }, o);
    }
    // The limits first: the tenant can write NetworkPolicies only once they are bounded.
    const limits = networkLimitsPolicy(args.domain, t);
    const vap = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(`${name}-vap`, strip<k8s.admissionregistration.v1.ValidatingAdmissionPolicyArgs>(limits.policy), o);
    const binding = new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(`${name}-vapb`, strip<k8s.admissionregistration.v1.ValidatingAdmissionPolicyBindingArgs>(limits.binding), { ...o, dependsOn: [vap] });
    for (const m of allowRuleManifests(t)) new k8s.networking.v1.NetworkPolicy(`${id(m)}-netpol`, strip<k8s.networking.v1.NetworkPolicyArgs>(m), o);
    for (const m of networkAuthorManifests(t)) {
      if (m.kind === "Role") new k8s.rbac.v1.Role(`${id(m)}-role`, strip<k8s.rbac.v1.RoleArgs>(m), { ...o, dependsOn: [binding] });
      else new k8s.rbac.v1.RoleBinding(`${id(m)}-rb`, strip<k8s.rbac.v1.RoleBindingArgs>(m), { ...o, dependsOn: [binding] });
    }

    this.namespaces = pulumi.output([...t.namespaces]);
    this.serviceAccount = pulumi.output(workloadServiceAccount(t.name));
    this.principals = cloud ? pulumi.all(cloud.principals) : pulumi.output<Record<string, string>>({});
    this.repository = cloud ? cloud.repository : pulumi.output(null);
    this.secretScope = cloud ? cloud.secretScope : pulumi.output(null);
    this.handle = claimResident(args.domain, {
      tenant: t.name,
      namespaces: [...t.namespaces],
      serviceAccount: workloadServiceAccount(t.name),
      principals: this.principals,
      secretScope: this.secretScope,
    });
    this.registerOutputs({ namespaces: this.namespaces, serviceAccount: this.serviceAccount, principals: this.principals, repository: this.repository, secretScope: this.secretScope });
  }
}

/** A manifest as resource args: apiVersion and kind are set by the resource class. */
function strip<T>(m: Manifest): T {
  const { apiVersion: _apiVersion, kind: _kind, ...rest } = m;
  return rest as T;
}
