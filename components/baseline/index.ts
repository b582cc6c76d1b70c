/**
 * ClusterBaseline: the Kubernetes security baseline every meridian cluster gets, applied
 * through one explicit Kubernetes provider (the cluster's own). Usable standalone against
 * any cluster — the e2e lane applies it to a local kube-apiserver through a kubeconfig.
 *
 * What it applies is data (see `policies.ts`): namespaces labelled with the residency
 * domain and Pod Security `restricted`, default-deny NetworkPolicies with DNS egress, RBAC
 * personas bound to IdP groups, quotas and limits, priority classes, platform add-ons with
 * PDBs, ValidatingAdmissionPolicies (registry + digest, required labels, no host access
 * outside allow-listed namespaces) and an encrypted default StorageClass.
 */
import * as k8s from "../sdk/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Cloud, Domain, KeyHandle, RegistryHandle } from "../residency";
import {
  addonManifests,
  admissionPolicies,
  namespaceManifests,
  networkPolicyManifests,
  priorityClassManifests,
  quotaManifests,
  rbacManifests,
  storageClassManifest,
  type AddonSpec,
  type BaselineSpec,
  type Manifest,
  type PersonaGroups,
  type PlatformNamespaceSpec,
  type TenantSpec,
} from "./policies";

export * from "./policies";

/** Tenant quota defaults. */
export const DEFAULT_QUOTA: TenantSpec["quota"] = { cpu: "16", memory: "64Gi", pods: 200, storage: "500Gi" };

/** Platform namespaces per cluster role; only `meridian-node-agents` relaxes Pod Security, and says why. */
export const DEFAULT_PLATFORM_NAMESPACES: Record<"management" | "workload", readonly PlatformNamespaceSpec[]> = {
  workload: [
    { name: "meridian-system", enforce: "restricted" },
    {
      name: "meridian-node-agents",
      enforce: "privileged",
      reason: "node-level log and metrics agents read /var/log and /proc through hostPath; nothing else may run here",
    },
  ],
  management: [
    { name: "meridian-system", enforce: "restricted" },
    { name: "meridian-gitops", enforce: "restricted" },
    { name: "meridian-policy", enforce: "restricted" },
    { name: "meridian-lifecycle", enforce: "restricted" },
    {
      name: "meridian-node-agents",
      enforce: "privileged",
      reason: "node-level log and metrics agents read /var/log and /proc through hostPath; nothing else may run here",
    },
  ],
};

/**
 * Namespaces the cloud provider owns and reconciles with its own images (exempt from the
 * image and host-access policies, documented in docs/baseline.md). `none` is a bare
 * cluster (the e2e API server).
 */
export const MANAGED_NAMESPACES: Record<Cloud | "none", readonly string[]> = {
  aws: ["kube-system"],
  azure: ["kube-system", "calico-system", "tigera-operator"],
  gcp: ["kube-system", "gmp-system", "gmp-public", "gke-managed-system"],
  none: ["kube-system"],
};

/** A registry image prefix: host[:port]/path/ — ends with `/` so a prefix cannot match a longer host. */
const IMAGE_PREFIX = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?\/([a-z0-9._/-]*\/)?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export interface TenantArgs {
  /** (Required) Namespace name (DNS-1123 label). */
  readonly name: string;
  /** (Optional) The tenant owning the namespace; label `tenant`. Defaults to the namespace name. */
  readonly tenant?: string;
  /** (Required) Owning team; label `team`. */
  readonly team: string;
  /** (Required) IdP group bound to the team-developer persona in the namespace. */
  readonly developersGroup: string;
  /** (Optional) ResourceQuota. Defaults to {@link DEFAULT_QUOTA}. */
  readonly quota?: Partial<TenantSpec["quota"]>;
}

export interface PlatformAddonArgs extends Omit<AddonSpec, "image"> {
  /** (Required) Image from a domain registry, pinned by digest. */
  readonly image: pulumi.Input<string>;
}

/** The encrypted default StorageClass; the key is a resident handle of the same domain. */
export type BaselineStorageArgs<D extends Domain> =
  | { readonly cloud: "aws"; readonly key: KeyHandle<D>; readonly zones: readonly string[] }
  | { readonly cloud: "gcp"; readonly key: KeyHandle<D>; readonly zones: readonly string[] }
  | { readonly cloud: "azure"; readonly diskEncryptionSetId: pulumi.Input<string>; readonly zones: readonly string[] };

export interface ClusterBaselineArgs<D extends Domain> {
  /** (Required) The residency domain; every namespace is labelled with it. */
  readonly domain: D;
  /** (Required) The Kubernetes provider of the cluster; every object goes through it. */
  readonly provider: k8s.Provider;
  /** (Required) Cluster name (for messages and labels). */
  readonly clusterName: string;
  /** (Required) The domain's registries; admission allows images only from their `imagePrefixes`. At least one. */
  readonly registries: readonly RegistryHandle<D>[];
  /** (Optional) `management` (management-plane namespaces, no tenants, operators namespaced) or `workload`. Defaults to `workload`. */
  readonly clusterRole?: "management" | "workload";
  /** (Optional) The cloud, to exempt its managed namespaces; `none` for a bare cluster. Defaults to `none`. */
  readonly cloud?: Cloud | "none";
  /** (Optional) Environment label on every namespace. Defaults to `prod`. */
  readonly environment?: string;
  /** (Optional) Kubernetes minor (`1.33`) to pin the Pod Security version labels to. Defaults to `latest`. */
  readonly kubernetesVersion?: string;
  /** (Optional) Tenant namespaces (workload clusters only). Defaults to none. */
  readonly tenants?: readonly TenantArgs[];
  /** (Optional) IdP groups of the cluster-wide personas. Defaults to no bindings. */
  readonly groups?: Partial<PersonaGroups>;
  /** (Optional) Platform namespaces. Defaults to {@link DEFAULT_PLATFORM_NAMESPACES} for the role. */
  readonly platformNamespaces?: readonly PlatformNamespaceSpec[];
  /** (Optional) Platform add-ons (Deployment + PDB each). Defaults to none. */
  readonly addons?: readonly PlatformAddonArgs[];
  /** (Optional) Encrypted default StorageClass. Omit only on clusters without a cloud CSI driver (e2e). */
  readonly storage?: BaselineStorageArgs<D>;
}

/** Pure validation; every problem at once. */
export function validateClusterBaselineArgs(args: Omit<ClusterBaselineArgs<Domain>, "provider">): pulumi.InputPropertyErrorDetails[] {
  const problems: pulumi.InputPropertyErrorDetails[] = [];
  if (args.registries.length === 0) problems.push({ propertyPath: "registries", reason: "at least one domain registry is required" });
  args.registries.forEach((r, i) => {
    if (r.domain !== args.domain) {
      problems.push({ propertyPath: `registries[${i}]`, reason: `registry of domain "${r.domain}" on a "${args.domain}" cluster` });
    }
  });
  const tenantNames = new Set<string>();
  (args.tenants ?? []).forEach((t, i) => {
    if (!DNS_LABEL.test(t.name) || t.name.length > 63) problems.push({ propertyPath: `tenants[${i}].name`, reason: `"${t.name}" is not a DNS-1123 label` });
    if (t.name.startsWith("kube-") || t.name.startsWith("meridian-") || t.name === "default") {
      problems.push({ propertyPath: `tenants[${i}].name`, reason: `"${t.name}" is reserved for system and platform namespaces` });
    }
    if (tenantNames.has(t.name)) problems.push({ propertyPath: `tenants[${i}].name`, reason: `duplicate tenant "${t.name}"` });
    tenantNames.add(t.name);
    if (t.team.trim() === "") problems.push({ propertyPath: `tenants[${i}].team`, reason: "required" });
    if (t.developersGroup.trim() === "") problems.push({ propertyPath: `tenants[${i}].developersGroup`, reason: "required" });
  });
  if ((args.clusterRole ?? "workload") === "management" && (args.tenants ?? []).length > 0) {
    problems.push({ propertyPath: "tenants", reason: "the management cluster hosts no tenants (separate data plane)" });
  }
  (args.platformNamespaces ?? []).forEach((n, i) => {
    if (n.enforce !== "restricted" && (n.reason ?? "").trim() === "") {
      problems.push({ propertyPath: `platformNamespaces[${i}].reason`, reason: `"${n.name}" relaxes Pod Security to ${n.enforce}; say why` });
    }
  });
  if (args.kubernetesVersion !== undefined && !/^1\.\d{2}$/.test(args.kubernetesVersion)) {
    problems.push({ propertyPath: "kubernetesVersion", reason: `"${args.kubernetesVersion}" is not a minor version such as 1.33` });
  }
  return problems;
}

/** Image prefixes must be hosts/paths ending in `/` (checked where they become known). */
export function validateImagePrefixes(prefixes: readonly string[]): string[] {
  const bad = prefixes.filter((p) => !IMAGE_PREFIX.test(p));
  return bad.map((p) => `image prefix "${p}" must look like host[:port]/path/ and end with "/"`);
}

/** Settle defaults into the pure spec (image prefixes filled in later, when known). */
export function baselineSpec(args: Omit<ClusterBaselineArgs<Domain>, "provider" | "registries" | "storage">, imagePrefixes: readonly string[]): BaselineSpec {
  const role = args.clusterRole ?? "workload";
  return {
    domain: args.domain,
    clusterName: args.clusterName,
    clusterRole: role,
    environment: args.environment ?? "prod",
    psaVersion: args.kubernetesVersion ? `v${args.kubernetesVersion}` : "latest",
    imagePrefixes,
    tenants: (args.tenants ?? []).map((t) => ({ name: t.name, tenant: t.tenant ?? t.name, team: t.team, developersGroup: t.developersGroup, quota: { ...DEFAULT_QUOTA, ...t.quota } })),
    platformNamespaces: args.platformNamespaces ?? DEFAULT_PLATFORM_NAMESPACES[role],
    managedNamespaces: MANAGED_NAMESPACES[args.cloud ?? "none"],
    groups: { platformAdmins: [], platformOperators: [], auditors: [], ...args.groups },
    addons: (args.addons ?? []).map((a) => ({ ...a, image: "" })),
  };
}

export class ClusterBaseline<D extends Domain> extends pulumi.ComponentResource {
  /** Names of the namespaces created (platform, then tenants). */
  readonly namespaces: pulumi.Output<string[]>;
  /** Names of the ValidatingAdmissionPolicies applied. */
  readonly admissionPolicies: pulumi.Output<string[]>;

  constructor(name: string, args: ClusterBaselineArgs<D>, opts?: pulumi.ComponentResourceOptions) {
    super("meridian:baseline:ClusterBaseline", name, {}, opts);
    const problems = validateClusterBaselineArgs(args);
    if (problems.length > 0) {
      throw new pulumi.InputPropertiesError({ message: `ClusterBaseline ${name}: invalid arguments`, errors: problems });
    }
    const prefixes = pulumi
      .all(args.registries.map((r) => pulumi.output(r.imagePrefixes)))
      .apply((lists) => {
        const all = [...new Set(lists.flat())];
        const bad = validateImagePrefixes(all);
        if (all.length === 0) bad.push("the registries have no image prefixes");
        if (bad.length > 0) throw new pulumi.ResourceError(`ClusterBaseline ${name}: ${bad.join("; ")}`, this);
        return all;
      });
    const spec = baselineSpec(args, []);
    // Every child inherits the cluster's provider; nothing falls back to a default provider.
    const o: pulumi.CustomResourceOptions = { parent: this, provider: args.provider };

    const namespaces = namespaceManifests(spec).map(
      (m) => new k8s.core.v1.Namespace(`${name}-ns-${m.metadata.name}`, { metadata: m.metadata }, o),
    );
    const nsOpts: pulumi.CustomResourceOptions = { ...o, dependsOn: namespaces };

    for (const m of priorityClassManifests()) {
      new k8s.scheduling.v1.PriorityClass(`${name}-pc-${m.metadata.name}`, strip<k8s.scheduling.v1.PriorityClassArgs>(m), o);
    }
    for (const m of networkPolicyManifests(spec)) {
      new k8s.networking.v1.NetworkPolicy(`${name}-netpol-${m.metadata.namespace}-${m.metadata.name}`, strip<k8s.networking.v1.NetworkPolicyArgs>(m), nsOpts);
    }
    for (const m of quotaManifests(spec)) {
      const id = `${m.metadata.namespace}-${m.metadata.name}`;
      if (m.kind === "ResourceQuota") new k8s.core.v1.ResourceQuota(`${name}-quota-${id}`, strip<k8s.core.v1.ResourceQuotaArgs>(m), nsOpts);
      else new k8s.core.v1.LimitRange(`${name}-limits-${id}`, strip<k8s.core.v1.LimitRangeArgs>(m), nsOpts);
    }
    for (const m of rbacManifests(spec)) {
      const id = `${m.metadata.namespace ? `${m.metadata.namespace}-` : ""}${m.metadata.name.replace(/:/g, "-")}`;
      switch (m.kind) {
        case "ClusterRole":
          new k8s.rbac.v1.ClusterRole(`${name}-role-${id}`, strip<k8s.rbac.v1.ClusterRoleArgs>(m), o);
          break;
        case "ClusterRoleBinding":
          new k8s.rbac.v1.ClusterRoleBinding(`${name}-crb-${id}`, strip<k8s.rbac.v1.ClusterRoleBindingArgs>(m), o);
          break;
        case "RoleBinding":
          new k8s.rbac.v1.RoleBinding(`${name}-rb-${id}`, strip<k8s.rbac.v1.RoleBindingArgs>(m), nsOpts);
          break;
      }
    }

    // Admission policies depend on the registry prefixes; their names and count do not.
    const policies = admissionPolicies({ ...spec, imagePrefixes: ["pending/"] });
    policies.forEach((p, i) => {
      const policySpec = prefixes.apply((pre) => admissionPolicies({ ...spec, imagePrefixes: pre })[i].policy.spec);
      const vap = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(
        `${name}-vap-${p.policy.metadata.name}`,
        { metadata: p.policy.metadata, spec: policySpec as pulumi.Input<k8s.types.input.admissionregistration.v1.ValidatingAdmissionPolicySpec> },
        // Namespaces first: the label policy must not race the namespaces it checks.
        nsOpts,
      );
      new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
        `${name}-vapb-${p.binding.metadata.name}`,
        strip<k8s.admissionregistration.v1.ValidatingAdmissionPolicyBindingArgs>(p.binding),
        { ...o, dependsOn: [vap] },
      );
    });

    (args.addons ?? []).forEach((addon, i) => {
      const [deployment, pdb] = addonManifests({ ...spec, addons: [{ ...spec.addons[i], image: "pending" }] });
      const deploymentSpec = pulumi
        .output(addon.image)
        .apply((image) => addonManifests({ ...spec, addons: [{ ...spec.addons[i], image }] })[0].spec as k8s.types.input.apps.v1.DeploymentSpec);
      new k8s.apps.v1.Deployment(`${name}-addon-${addon.name}`, { metadata: deployment.metadata, spec: deploymentSpec }, nsOpts);
      new k8s.policy.v1.PodDisruptionBudget(`${name}-pdb-${addon.name}`, strip<k8s.policy.v1.PodDisruptionBudgetArgs>(pdb), nsOpts);
    });

    if (args.storage !== undefined) {
      const s = args.storage;
      const keyInput: pulumi.Input<string> =
        s.cloud === "azure" ? s.diskEncryptionSetId : s.key.cloud === "aws" ? s.key.arn : s.key.cloud === "gcp" ? s.key.cryptoKeyId : "";
      if (s.cloud !== "azure" && s.key.cloud !== s.cloud) {
        throw new pulumi.InputPropertiesError({
          message: `ClusterBaseline ${name}: invalid arguments`,
          errors: [{ propertyPath: "storage.key", reason: `a ${s.key.cloud} key cannot encrypt ${s.cloud} volumes` }],
        });
      }
      const manifest = pulumi.output(keyInput).apply((key) =>
        storageClassManifest(
          s.cloud === "aws"
            ? { cloud: "aws", kmsKeyArn: key, zones: s.zones }
            : s.cloud === "azure"
              ? { cloud: "azure", diskEncryptionSetId: key, zones: s.zones }
              : { cloud: "gcp", kmsKeyName: key, zones: s.zones },
        ),
      );
      const static_ = storageClassManifest({ cloud: "aws", kmsKeyArn: "", zones: s.zones });
      new k8s.storage.v1.StorageClass(
        `${name}-storageclass`,
        {
          metadata: static_.metadata,
          provisioner: manifest.apply((m) => m.provisioner as string),
          parameters: manifest.apply((m) => m.parameters as Record<string, string>),
          reclaimPolicy: static_.reclaimPolicy as string,
          allowVolumeExpansion: true,
          volumeBindingMode: static_.volumeBindingMode as string,
          allowedTopologies: static_.allowedTopologies as k8s.types.input.core.v1.TopologySelectorTerm[],
        },
        o,
      );
    }

    this.namespaces = pulumi.output(namespaces.map((n) => n.metadata.name));
    this.admissionPolicies = pulumi.output(policies.map((p) => p.policy.metadata.name));
    this.registerOutputs({ namespaces: this.namespaces, admissionPolicies: this.admissionPolicies });
  }
}

/** A manifest as resource args: apiVersion and kind are set by the resource class. */
function strip<T>(m: Manifest): T {
  const { apiVersion: _apiVersion, kind: _kind, ...rest } = m;
  return rest as T;
}
