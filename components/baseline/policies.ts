/**
 * The Kubernetes security baseline as plain data.
 *
 * Every object the baseline applies is built here by pure functions from a settled
 * {@link BaselineSpec}, so tests (and the docs) read exactly what the cluster gets:
 * namespaces and their labels, NetworkPolicies, RBAC personas, quotas, priority classes,
 * add-on Deployments and PDBs, and the ValidatingAdmissionPolicies with their CEL.
 * `index.ts` only turns these manifests into `@pulumi/kubernetes` resources.
 */
import type { Domain } from "../residency";

/** Pod Security Admission levels. */
export type PsaLevel = "restricted" | "baseline" | "privileged";

/** A tenant (team) namespace on a workload cluster. */
export interface TenantSpec {
  /** Namespace name, DNS-1123 label. */
  readonly name: string;
  /** The tenant the namespace belongs to (label `tenant`); a tenant may own several namespaces. */
  readonly tenant: string;
  /** Owning team (label `team`). */
  readonly team: string;
  /** IdP group bound to the team-developer persona in this namespace. */
  readonly developersGroup: string;
  /** ResourceQuota hard limits. */
  readonly quota: { readonly cpu: string; readonly memory: string; readonly pods: number; readonly storage: string };
}

/** A platform namespace the baseline creates, with the least Pod Security exception it needs. */
export interface PlatformNamespaceSpec {
  readonly name: string;
  /** PSA `enforce` level; anything but `restricted` must say why. */
  readonly enforce: PsaLevel;
  /** Why this namespace needs more than `restricted` (docs and review); required when enforce ≠ restricted. */
  readonly reason?: string;
}

/** A platform add-on Deployment the baseline installs (with its PDB). */
export interface AddonSpec {
  readonly name: string;
  readonly namespace: string;
  /** Image reference from a domain registry, pinned by `@sha256:` digest. */
  readonly image: string;
  readonly replicas: number;
  readonly priorityClassName: string;
  readonly args?: readonly string[];
}

/** IdP groups bound to the cluster-wide personas. */
export interface PersonaGroups {
  /** Break-glass cluster-admin. Bound, but membership should be empty outside an incident. */
  readonly platformAdmins: readonly string[];
  readonly platformOperators: readonly string[];
  readonly auditors: readonly string[];
}

export interface BaselineSpec {
  readonly domain: Domain;
  readonly clusterName: string;
  /** Management clusters get the management-plane namespaces and no tenants. */
  readonly clusterRole: "management" | "workload";
  readonly environment: string;
  /** PSA version label value, `latest` or `v1.33`. */
  readonly psaVersion: string;
  /** Image prefixes of the domain's registries; each ends with `/`. */
  readonly imagePrefixes: readonly string[];
  readonly tenants: readonly TenantSpec[];
  readonly platformNamespaces: readonly PlatformNamespaceSpec[];
  /** Namespaces owned by the cloud provider (kube-system and friends): exempt from admission, documented. */
  readonly managedNamespaces: readonly string[];
  readonly groups: PersonaGroups;
  readonly addons: readonly AddonSpec[];
}

// ---------------------------------------------------------------------------------------
// Namespaces

export const PSA_LABELS = ["enforce", "audit", "warn"] as const;

/** The labels every namespace the baseline creates carries (and admission requires). */
export const REQUIRED_NAMESPACE_LABELS = ["residency", "team", "tenant", "env"] as const;

export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  readonly [k: string]: unknown;
}

function psaLabels(enforce: PsaLevel, version: string): Record<string, string> {
  // audit and warn stay `restricted` even where enforce is relaxed, so every exception is visible.
  const labels: Record<string, string> = {};
  for (const mode of PSA_LABELS) {
    labels[`pod-security.kubernetes.io/${mode}`] = mode === "enforce" ? enforce : "restricted";
    labels[`pod-security.kubernetes.io/${mode}-version`] = version;
  }
  return labels;
}

export function namespaceManifests(spec: BaselineSpec): Manifest[] {
  const platform = spec.platformNamespaces.map((ns) => ({
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name: ns.name,
      labels: {
        residency: spec.domain,
        team: "platform",
        tenant: "platform",
        env: spec.environment,
        "meridian.io/tier": "platform",
        ...psaLabels(ns.enforce, spec.psaVersion),
      },
      ...(ns.reason ? { annotations: { "meridian.io/psa-exception": ns.reason } } : {}),
    },
  }));
  const tenants = spec.tenants.map((t) => ({
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name: t.name,
      labels: {
        residency: spec.domain,
        team: t.team,
        tenant: t.tenant,
        env: spec.environment,
        "meridian.io/tier": "tenant",
        ...psaLabels("restricted", spec.psaVersion),
      },
    },
  }));
  return [...platform, ...tenants];
}

/** Namespaces allowed to run privileged / hostPath / hostNetwork pods: platform namespaces with enforce = privileged. */
export function privilegedNamespaces(spec: BaselineSpec): string[] {
  return spec.platformNamespaces.filter((n) => n.enforce === "privileged").map((n) => n.name);
}

// ---------------------------------------------------------------------------------------
// NetworkPolicies: default-deny both ways, then DNS egress to kube-dns only.

export function networkPolicyManifests(spec: BaselineSpec): Manifest[] {
  const names = [...spec.platformNamespaces.map((n) => n.name), ...spec.tenants.map((t) => t.name)];
  return names.flatMap((ns) => [
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "default-deny", namespace: ns },
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "allow-dns-egress", namespace: ns },
      spec: {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
          {
            to: [
              {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
              },
            ],
            ports: [
              { protocol: "UDP", port: 53 },
              { protocol: "TCP", port: 53 },
            ],
          },
        ],
      },
    },
  ]);
}

// ---------------------------------------------------------------------------------------
// RBAC personas. Only the break-glass admin binds to cluster-admin; no other rule has a
// wildcard verb, resource or API group.

export const PERSONA_ROLES = {
  platformOperator: "meridian:platform-operator",
  auditor: "meridian:auditor",
  teamDeveloper: "meridian:team-developer",
} as const;

const READ = ["get", "list", "watch"];
const WRITE = ["get", "list", "watch", "create", "update", "patch", "delete"];

/** Everything but Secrets, readable by auditors and operators. */
const READABLE: Array<{ apiGroups: string[]; resources: string[] }> = [
  {
    apiGroups: [""],
    resources: ["pods", "pods/log", "services", "endpoints", "configmaps", "namespaces", "nodes", "events", "persistentvolumes", "persistentvolumeclaims", "serviceaccounts", "resourcequotas", "limitranges"],
  },
  { apiGroups: ["apps"], resources: ["deployments", "statefulsets", "daemonsets", "replicasets"] },
  { apiGroups: ["batch"], resources: ["jobs", "cronjobs"] },
  { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies", "ingresses"] },
  { apiGroups: ["policy"], resources: ["poddisruptionbudgets"] },
  { apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles", "rolebindings", "clusterroles", "clusterrolebindings"] },
  { apiGroups: ["admissionregistration.k8s.io"], resources: ["validatingadmissionpolicies", "validatingadmissionpolicybindings"] },
  { apiGroups: ["storage.k8s.io"], resources: ["storageclasses"] },
  { apiGroups: ["scheduling.k8s.io"], resources: ["priorityclasses"] },
];

export function rbacManifests(spec: BaselineSpec): Manifest[] {
  const roles: Manifest[] = [
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: PERSONA_ROLES.auditor, labels: { "meridian.io/persona": "auditor" } },
      rules: READABLE.map((r) => ({ ...r, verbs: READ })),
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: PERSONA_ROLES.platformOperator, labels: { "meridian.io/persona": "platform-operator" } },
      rules: [
        ...READABLE.map((r) => ({ ...r, verbs: READ })),
        // Day-2 operations: restart/scale workloads, drain nodes. No RBAC, no admission, no secrets.
        { apiGroups: ["apps"], resources: ["deployments", "statefulsets", "daemonsets"], verbs: ["patch", "update"] },
        { apiGroups: ["apps"], resources: ["deployments/scale", "statefulsets/scale"], verbs: ["get", "patch", "update"] },
        { apiGroups: [""], resources: ["pods"], verbs: ["delete"] },
        { apiGroups: [""], resources: ["pods/eviction"], verbs: ["create"] },
        { apiGroups: [""], resources: ["nodes"], verbs: ["patch", "update"] },
      ],
    },
  ];
  if (spec.clusterRole === "workload") {
    roles.push({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: PERSONA_ROLES.teamDeveloper, labels: { "meridian.io/persona": "team-developer" } },
      rules: [
        { apiGroups: [""], resources: ["pods", "services", "configmaps", "secrets", "persistentvolumeclaims", "serviceaccounts"], verbs: WRITE },
        { apiGroups: [""], resources: ["pods/log", "events", "resourcequotas", "limitranges"], verbs: READ },
        { apiGroups: [""], resources: ["pods/portforward"], verbs: ["create"] },
        { apiGroups: ["apps"], resources: ["deployments", "statefulsets", "replicasets"], verbs: WRITE },
        { apiGroups: ["apps"], resources: ["deployments/scale", "statefulsets/scale"], verbs: ["get", "patch", "update"] },
        { apiGroups: ["batch"], resources: ["jobs", "cronjobs"], verbs: WRITE },
        { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: WRITE },
        { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: WRITE },
        // NetworkPolicies are readable here; the tenant component grants writing them inside
        // the tenant's limits (components/tenant), and the default-deny stays the platform's.
        { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies", "ingresses"], verbs: READ },
      ],
    });
  }
  const group = (name: string) => ({ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name });
  const clusterBinding = (name: string, role: string, groups: readonly string[]): Manifest => ({
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
    subjects: groups.map(group),
  });
  const bindings: Manifest[] = [];
  if (spec.groups.platformAdmins.length > 0) {
    bindings.push(clusterBinding("meridian:platform-admin-breakglass", "cluster-admin", spec.groups.platformAdmins));
  }
  if (spec.groups.auditors.length > 0) bindings.push(clusterBinding("meridian:auditor", PERSONA_ROLES.auditor, spec.groups.auditors));
  if (spec.groups.platformOperators.length > 0) {
    if (spec.clusterRole === "workload") {
      bindings.push(clusterBinding("meridian:platform-operator", PERSONA_ROLES.platformOperator, spec.groups.platformOperators));
    } else {
      // Management cluster: stricter — operators act only inside the platform namespaces.
      for (const ns of spec.platformNamespaces) {
        bindings.push({
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "RoleBinding",
          metadata: { name: "meridian:platform-operator", namespace: ns.name },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: PERSONA_ROLES.platformOperator },
          subjects: spec.groups.platformOperators.map(group),
        });
      }
    }
  }
  for (const t of spec.clusterRole === "workload" ? spec.tenants : []) {
    bindings.push({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "meridian:team-developer", namespace: t.name },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: PERSONA_ROLES.teamDeveloper },
      subjects: [group(t.developersGroup)],
    });
  }
  return [...roles, ...bindings];
}

// ---------------------------------------------------------------------------------------
// Quotas, limits, priority classes

export function quotaManifests(spec: BaselineSpec): Manifest[] {
  return spec.tenants.flatMap((t) => [
    {
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: { name: "tenant-quota", namespace: t.name },
      spec: {
        hard: {
          "requests.cpu": t.quota.cpu,
          "requests.memory": t.quota.memory,
          "limits.cpu": t.quota.cpu,
          "limits.memory": t.quota.memory,
          pods: String(t.quota.pods),
          "requests.storage": t.quota.storage,
          // Exposure goes through the platform's ingress, never a tenant LoadBalancer/NodePort.
          "services.loadbalancers": "0",
          "services.nodeports": "0",
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "LimitRange",
      metadata: { name: "tenant-limits", namespace: t.name },
      spec: {
        limits: [
          {
            type: "Container",
            defaultRequest: { cpu: "100m", memory: "128Mi" },
            default: { cpu: "500m", memory: "512Mi" },
            max: { cpu: "4", memory: "16Gi" },
          },
        ],
      },
    },
  ]);
}

export const PRIORITY_CLASSES = [
  { name: "meridian-platform-critical", value: 1000000, description: "Platform add-ons the cluster cannot run without." },
  { name: "meridian-workload-high", value: 10000, description: "Latency-critical tenant workloads." },
  { name: "meridian-workload-default", value: 1000, description: "Default for tenant workloads.", globalDefault: true },
  { name: "meridian-batch", value: 100, description: "Batch jobs; never preempt others.", preemptionPolicy: "Never" },
  { name: "meridian-capacity-reserve", value: -10, description: "Placeholder pods holding headroom; first to be evicted.", preemptionPolicy: "Never" },
] as const;

export function priorityClassManifests(): Manifest[] {
  return PRIORITY_CLASSES.map((p) => ({
    apiVersion: "scheduling.k8s.io/v1",
    kind: "PriorityClass",
    metadata: { name: p.name },
    value: p.value,
    description: p.description,
    globalDefault: "globalDefault" in p ? p.globalDefault : false,
    preemptionPolicy: "preemptionPolicy" in p ? p.preemptionPolicy : "PreemptLowerPriority",
  }));
}

// ---------------------------------------------------------------------------------------
// Platform add-ons: Deployment (restricted security context) + PDB.

/** No kubelet runs pods on the e2e API server; Pulumi must not wait for rollouts. */
export const SKIP_AWAIT = { "pulumi.com/skipAwait": "true" } as const;

export function addonManifests(spec: BaselineSpec): Manifest[] {
  return spec.addons.flatMap((a) => {
    const labels = { "app.kubernetes.io/name": a.name, "app.kubernetes.io/part-of": "meridian-baseline", team: "platform" };
    return [
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: a.name, namespace: a.namespace, labels, annotations: { ...SKIP_AWAIT } },
        spec: {
          replicas: a.replicas,
          selector: { matchLabels: { "app.kubernetes.io/name": a.name } },
          template: {
            metadata: { labels },
            spec: {
              priorityClassName: a.priorityClassName,
              automountServiceAccountToken: false,
              securityContext: { runAsNonRoot: true, runAsUser: 65535, runAsGroup: 65535, seccompProfile: { type: "RuntimeDefault" } },
              topologySpreadConstraints: [
                { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { "app.kubernetes.io/name": a.name } } },
              ],
              containers: [
                {
                  name: a.name,
                  image: a.image,
                  ...(a.args ? { args: [...a.args] } : {}),
                  resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
                  securityContext: {
                    allowPrivilegeEscalation: false,
                    privileged: false,
                    readOnlyRootFilesystem: true,
                    capabilities: { drop: ["ALL"] },
                  },
                },
              ],
            },
          },
        },
      },
      {
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata: { name: a.name, namespace: a.namespace, labels },
        spec: { maxUnavailable: 1, selector: { matchLabels: { "app.kubernetes.io/name": a.name } } },
      },
    ];
  });
}

// ---------------------------------------------------------------------------------------
// ValidatingAdmissionPolicies (CEL). Kept within what both the API server's CEL and
// @marcbachmann/cel-js evaluate: has(), all(), exists(), startsWith(), matches(), `in`,
// ternaries and list concatenation — no optional syntax (`?.`), no CEL libraries.

/** Workload kinds whose pod templates are checked. */
export const WORKLOAD_RULES = [
  { apiGroups: [""], apiVersions: ["v1"], resources: ["pods"], operations: ["CREATE", "UPDATE"] },
  { apiGroups: ["apps"], apiVersions: ["v1"], resources: ["deployments", "statefulsets", "daemonsets", "replicasets"], operations: ["CREATE", "UPDATE"] },
  { apiGroups: ["batch"], apiVersions: ["v1"], resources: ["jobs", "cronjobs"], operations: ["CREATE", "UPDATE"] },
];

const celList = (xs: readonly string[]) => `[${xs.map((x) => JSON.stringify(x)).join(", ")}]`;

/** Variables shared by the pod policies: the pod spec and metadata of any workload kind, and all its containers. */
export const POD_VARIABLES = [
  {
    name: "podSpec",
    expression:
      'object.kind == "Pod" ? object.spec : (object.kind == "CronJob" ? object.spec.jobTemplate.spec.template.spec : object.spec.template.spec)',
  },
  {
    name: "podMeta",
    expression:
      'object.kind == "Pod" ? object.metadata : (object.kind == "CronJob" ? object.spec.jobTemplate.spec.template.metadata : object.spec.template.metadata)',
  },
  {
    name: "containers",
    expression:
      "variables.podSpec.containers + (has(variables.podSpec.initContainers) ? variables.podSpec.initContainers : []) + (has(variables.podSpec.ephemeralContainers) ? variables.podSpec.ephemeralContainers : [])",
  },
];

/** The digest pin: `<anything>@sha256:<64 hex>` at the end. */
export const DIGEST_PATTERN = "^[^@]+@sha256:[a-f0-9]{64}$";

export interface AdmissionPolicy {
  readonly policy: Manifest & { spec: AdmissionPolicySpec };
  readonly binding: Manifest;
}

export interface AdmissionPolicySpec {
  failurePolicy: "Fail";
  matchConstraints: { resourceRules: Array<Record<string, unknown>> };
  matchConditions?: Array<{ name: string; expression: string }>;
  variables?: Array<{ name: string; expression: string }>;
  validations: Array<{ expression: string; message?: string; messageExpression?: string; reason?: string }>;
}

function policyAndBinding(name: string, spec: AdmissionPolicySpec): AdmissionPolicy {
  return {
    policy: {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicy",
      metadata: { name, labels: { "app.kubernetes.io/part-of": "meridian-baseline" } },
      spec,
    },
    binding: {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicyBinding",
      metadata: { name, labels: { "app.kubernetes.io/part-of": "meridian-baseline" } },
      // Deny is the enforcement; Audit also records every denial in the audit log (evidence).
      spec: { policyName: name, validationActions: ["Deny", "Audit"] },
    },
  };
}

export const POLICY_NAMES = {
  images: "meridian-image-provenance",
  podHardening: "meridian-pod-hardening",
  namespaceLabels: "meridian-namespace-labels",
  workloadLabels: "meridian-workload-labels",
} as const;

export function admissionPolicies(spec: BaselineSpec): AdmissionPolicy[] {
  const managed = celList(spec.managedNamespaces);
  const hostAllowed = celList([...spec.managedNamespaces, ...privilegedNamespaces(spec)]);
  const prefixes = celList(spec.imagePrefixes);
  const systemNamespaces = celList(["default", "kube-public", "kube-node-lease", ...spec.managedNamespaces]);
  const relaxable = celList(privilegedNamespaces(spec));

  const images = policyAndBinding(POLICY_NAMES.images, {
    failurePolicy: "Fail",
    matchConstraints: { resourceRules: WORKLOAD_RULES },
    matchConditions: [{ name: "not-provider-managed", expression: `!(request.namespace in ${managed})` }],
    variables: POD_VARIABLES,
    validations: [
      {
        expression: `variables.containers.all(c, ${prefixes}.exists(p, c.image.startsWith(p)))`,
        message: `images must come from the ${spec.domain} domain's registries: ${spec.imagePrefixes.join(", ")}`,
        reason: "Forbidden",
      },
      {
        expression: `variables.containers.all(c, c.image.matches("${DIGEST_PATTERN}"))`,
        message: "images must be pinned by digest (<image>@sha256:<64 hex>)",
        reason: "Forbidden",
      },
    ],
  });

  const podHardening = policyAndBinding(POLICY_NAMES.podHardening, {
    failurePolicy: "Fail",
    matchConstraints: { resourceRules: WORKLOAD_RULES },
    matchConditions: [{ name: "not-allow-listed", expression: `!(request.namespace in ${hostAllowed})` }],
    variables: POD_VARIABLES,
    validations: [
      {
        expression:
          "variables.containers.all(c, !has(c.securityContext) || !has(c.securityContext.privileged) || c.securityContext.privileged == false)",
        message: "privileged containers are allowed only in allow-listed platform namespaces",
        reason: "Forbidden",
      },
      {
        expression: "!has(variables.podSpec.volumes) || variables.podSpec.volumes.all(v, !has(v.hostPath))",
        message: "hostPath volumes are allowed only in allow-listed platform namespaces",
        reason: "Forbidden",
      },
      {
        expression:
          "(!has(variables.podSpec.hostNetwork) || variables.podSpec.hostNetwork == false) && (!has(variables.podSpec.hostPID) || variables.podSpec.hostPID == false) && (!has(variables.podSpec.hostIPC) || variables.podSpec.hostIPC == false)",
        message: "hostNetwork, hostPID and hostIPC are allowed only in allow-listed platform namespaces",
        reason: "Forbidden",
      },
    ],
  });

  const required = REQUIRED_NAMESPACE_LABELS.filter((l) => l !== "residency");
  const namespaceLabels = policyAndBinding(POLICY_NAMES.namespaceLabels, {
    failurePolicy: "Fail",
    matchConstraints: {
      resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], resources: ["namespaces"], operations: ["CREATE", "UPDATE"] }],
    },
    matchConditions: [{ name: "not-system", expression: `!(object.metadata.name in ${systemNamespaces})` }],
    validations: [
      {
        expression: `has(object.metadata.labels) && "residency" in object.metadata.labels && object.metadata.labels["residency"] == "${spec.domain}"`,
        message: `namespaces must carry the label residency=${spec.domain}`,
        reason: "Invalid",
      },
      {
        expression: `has(object.metadata.labels) && ${celList(required)}.all(l, l in object.metadata.labels && object.metadata.labels[l] != "")`,
        message: `namespaces must carry the labels ${required.join(", ")}`,
        reason: "Invalid",
      },
      {
        // Only the allow-listed platform namespaces may relax Pod Security; nobody can downgrade a tenant.
        expression: `object.metadata.name in ${relaxable} || (has(object.metadata.labels) && "pod-security.kubernetes.io/enforce" in object.metadata.labels && object.metadata.labels["pod-security.kubernetes.io/enforce"] == "restricted")`,
        message: "namespaces must enforce the restricted Pod Security Standard (pod-security.kubernetes.io/enforce=restricted)",
        reason: "Invalid",
      },
    ],
  });

  const workloadLabels = policyAndBinding(POLICY_NAMES.workloadLabels, {
    failurePolicy: "Fail",
    matchConstraints: { resourceRules: WORKLOAD_RULES },
    matchConditions: [{ name: "not-provider-managed", expression: `!(request.namespace in ${managed})` }],
    variables: POD_VARIABLES,
    validations: [
      {
        expression:
          'has(variables.podMeta.labels) && "app.kubernetes.io/name" in variables.podMeta.labels && variables.podMeta.labels["app.kubernetes.io/name"] != ""',
        message: "pods (and pod templates) must carry the label app.kubernetes.io/name",
        reason: "Invalid",
      },
    ],
  });

  return [images, podHardening, namespaceLabels, workloadLabels];
}

// ---------------------------------------------------------------------------------------
// Storage

/** Encrypted default StorageClass per cloud, restricted to the cluster's zones. */
export type StorageSpec =
  | { readonly cloud: "aws"; readonly kmsKeyArn: string; readonly zones: readonly string[] }
  | { readonly cloud: "azure"; readonly diskEncryptionSetId: string; readonly zones: readonly string[] }
  | { readonly cloud: "gcp"; readonly kmsKeyName: string; readonly zones: readonly string[] };

export const STORAGE_CLASS_NAME = "meridian-encrypted";

export function storageClassManifest(storage: StorageSpec): Manifest {
  const common = {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name: STORAGE_CLASS_NAME, annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
    reclaimPolicy: "Delete",
    allowVolumeExpansion: true,
    volumeBindingMode: "WaitForFirstConsumer",
    allowedTopologies: [{ matchLabelExpressions: [{ key: "topology.kubernetes.io/zone", values: [...storage.zones] }] }],
  };
  switch (storage.cloud) {
    case "aws":
      return { ...common, provisioner: "ebs.csi.aws.com", parameters: { type: "gp3", encrypted: "true", kmsKeyId: storage.kmsKeyArn } };
    case "azure":
      return {
        ...common,
        provisioner: "disk.csi.azure.com",
        parameters: { skuName: "Premium_LRS", diskEncryptionSetID: storage.diskEncryptionSetId, diskEncryptionType: "EncryptionAtRestWithCustomerKey" },
      };
    case "gcp":
      return { ...common, provisioner: "pd.csi.storage.gke.io", parameters: { type: "pd-balanced", "disk-encryption-kms-key": storage.kmsKeyName } };
  }
}
