/**
 * Kubernetes: objects go only to clusters of the stack's domain, namespaces carry the
 * residency label and Pod Security `restricted`, workloads run restricted wherever they
 * land, images come digest-pinned from the domain's registries, every namespace has a
 * default-deny NetworkPolicy, public LoadBalancer Services terminate TLS, and
 * StorageClasses encrypt with a key in the domain (K8S-01..04, RES-03 for kubernetes,
 * MER-K8S-05..08).
 *
 * Cluster identity of a Kubernetes provider is established by evidence, never by a name
 * (docs/policies.md): the API server its kubeconfig's context points at (EKS, AKS and GKE
 * DNS endpoints carry their region — lib/clusterIdentity.ts), the cluster resource its
 * kubeconfig was built from (found through the provider's property dependencies, located
 * by its region / location), or a StackReference output whose stack's domain is
 * configured. Context names, cluster names and `clusterIdentifier` prove nothing (pulumi-eks
 * names its context `aws`; anyone can name a context `meridian-eu-…`). Evidence that proves
 * nothing (an IP address, a file path, an encrypted config value, the ambient kubeconfig) is
 * an advisory "cannot verify" at preview and a mandatory violation at update (lib/phase.ts).
 */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { Cloud, Domain } from "../lib/catalogue";
import { identifyKubeconfig } from "../lib/clusterIdentity";
import { resourcePolicy, stackPolicy, type StackCheckContext, type StackResourceView } from "../lib/define";
import { imageProblems } from "../lib/images";
import { describeLocation, isAllowed, placementOf, regionOfZone } from "../lib/location";
import { currentPhase } from "../lib/phase";
import { arrayAt, at, isUnknownValue, str, UNKNOWN, type Props } from "../lib/values";
import { referencedStackDomain } from "./residency";

/** The namespace label the ClusterBaseline sets and its admission policy requires. */
export const DOMAIN_LABEL = "residency";
const PSA_ENFORCE = "pod-security.kubernetes.io/enforce";
const SOC2_K8S = ["SOC2 CC6.1", "SOC2 CC6.6", "SOC2 CC6.8"];

// ------------------------------------------------------------------------------------------
// Cluster identity of a provider, by evidence.

const K8S_PROVIDER = "pulumi:providers:kubernetes";
/** Managed cluster resource types and their cloud (also read by policies/gitops.ts). */
export const CLUSTER_TYPES: Readonly<Record<string, Cloud>> = {
  "aws:eks/cluster:Cluster": "aws",
  "azure-native:containerservice:ManagedCluster": "azure",
  "gcp:container/cluster:Cluster": "gcp",
};
const STACK_REFERENCE = "pulumi:pulumi:StackReference";

/** One piece of evidence about the cluster a provider reaches. */
export type ClusterEvidence =
  | { readonly kind: "located"; readonly inDomain: boolean; readonly what: string }
  | { readonly kind: "unknown"; readonly path: string }
  | { readonly kind: "unproven"; readonly reason: string };

/** A kubeconfig value that is not a kubeconfig document: why, or undefined when it may be one. */
export function notAKubeconfig(kc: string): string | undefined {
  const t = kc.trim();
  if (t.startsWith("secure:") || /^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/.test(t)) {
    return "the kubeconfig is an encrypted config value the pack cannot read (`secure:`): decrypt it in the program (`config.requireSecret`) so the provider receives the kubeconfig itself";
  }
  if (!t.includes("\n") && !t.startsWith("{") && !/:\s/.test(t) && /^(~|\/|\.{1,2}[/\\]|[A-Za-z]:[/\\]|[\w.-]+\.(ya?ml|conf|config|json)$|[\w.-]*kubeconfig[\w.-]*$)/i.test(t)) {
    return "the kubeconfig is a file path: the cluster it names is invisible to policy; pass the kubeconfig content";
  }
  return undefined;
}

/** What the provider's own properties prove (its kubeconfig). */
export function kubeconfigEvidence(cfg: StackCheckContext["cfg"], props: Props): ClusterEvidence {
  const kc = at(props, "kubeconfig");
  const ctxName = at(props, "context");
  if (kc === UNKNOWN) {
    return { kind: "unknown", path: "kubeconfig" };
  }
  if (ctxName === UNKNOWN) {
    return { kind: "unknown", path: "context" };
  }
  if (kc === undefined || kc === null || kc === "") {
    return { kind: "unproven", reason: "the provider has no kubeconfig: it would use the ambient one (KUBECONFIG, ~/.kube/config) of whoever runs Pulumi" };
  }
  if (typeof kc === "string") {
    const not = notAKubeconfig(kc);
    if (not) {
      return { kind: "unproven", reason: not };
    }
  }
  const id = identifyKubeconfig(kc, cfg.regions, typeof ctxName === "string" && ctxName !== "" ? ctxName : undefined);
  if (id.kind === "unknown") {
    return { kind: "unproven", reason: id.reason };
  }
  return { kind: "located", inDomain: id.domain === cfg.domain, what: `${id.from} (${id.cloud} ${id.region}, ${id.domain ? `domain ${id.domain}` : "in no domain"})` };
}

/** What the dependency graph proves: the cluster resources or StackReferences the kubeconfig came from. */
function graphEvidence(cfg: StackCheckContext["cfg"], provider: StackResourceView): ClusterEvidence[] {
  const fromKubeconfig = provider.propertyDependencies.kubeconfig ?? [];
  const sources = fromKubeconfig.length > 0 ? fromKubeconfig : provider.dependencies;
  const out: ClusterEvidence[] = [];
  for (const d of sources) {
    const cloud = CLUSTER_TYPES[d.type];
    if (cloud) {
      const p = placementOf(cloud, d.props, d.provider?.props);
      if (p.location === UNKNOWN) {
        out.push({ kind: "unknown", path: `${d.name}.${p.source}` });
      } else if (p.location !== undefined) {
        out.push({ kind: "located", inDomain: isAllowed(cfg, cloud, p.location), what: `cluster resource '${d.name}' in ${describeLocation(cfg, cloud, p.location)}` });
      }
    } else if (d.type === STACK_REFERENCE) {
      const target = str(at(d.props, "name")) ?? d.name;
      const domain: Domain | undefined = referencedStackDomain(cfg, target);
      out.push(
        domain
          ? { kind: "located", inDomain: domain === cfg.domain, what: `the kubeconfig of stack '${target}' (domain ${domain})` }
          : { kind: "unproven", reason: `the kubeconfig comes from stack '${target}', which is not in \`stackDomains\`` },
      );
    }
  }
  return out;
}

/** Decide a provider's domain from all its evidence; reports through ctx. */
function judgeProvider(provider: StackResourceView, ctx: StackCheckContext): void {
  const evidence = [kubeconfigEvidence(ctx.cfg, provider.props), ...graphEvidence(ctx.cfg, provider)];
  const located = evidence.filter((e): e is Extract<ClusterEvidence, { kind: "located" }> => e.kind === "located");
  const wrong = located.filter((e) => !e.inDomain);
  for (const w of wrong) {
    ctx.report(`Kubernetes provider '${provider.name}': ${w.what} is not in the ${ctx.cfg.domain} domain`, provider.urn);
  }
  if (located.length > 0) {
    return; // proven (in the domain, or reported above)
  }
  const unknown = evidence.find((e): e is Extract<ClusterEvidence, { kind: "unknown" }> => e.kind === "unknown");
  if (unknown) {
    ctx.unknown(`${provider.name}.${unknown.path}`);
    return;
  }
  const reasons = evidence.filter((e): e is Extract<ClusterEvidence, { kind: "unproven" }> => e.kind === "unproven").map((e) => e.reason);
  const why = `Kubernetes provider '${provider.name}': its cluster's domain is not proven — ${reasons.join("; ")}; and no cluster resource or StackReference of this stack stands behind its kubeconfig`;
  if (currentPhase() === "preview") {
    ctx.unknown(`${why} (mandatory at update)`);
  } else {
    ctx.report(why, provider.urn);
  }
}

export const providerClusterDomain: StackValidationPolicy = stackPolicy(
  {
    name: "meridian-kubernetes-provider-cluster-domain",
    area: "kubernetes",
    rules: ["RES-03", "RES-06"],
    description:
      "Kubernetes providers (default ones included) point at a cluster proven to be in the stack's domain: by the API server of the kubeconfig's context, the cluster resource the kubeconfig came from, or a StackReference of a known domain — never by a context or cluster name.",
    why: "A provider for the other domain's cluster (or the ambient kubeconfig) would put this stack's objects and secrets there; names are chosen freely and prove nothing.",
    remediation:
      "Build the provider from the cluster resource's outputs (or the domain foundation stack's kubeconfig through a StackReference listed in `stackDomains`), with the kubeconfig content rather than a path; disable default providers. An API server behind an IP address needs one of those graph links to be proven.",
    severity: "critical",
    enforcementLevel: "mandatory",
    frameworks: ["SOC2 CC6.1", "SOC2 CC6.7"],
    types: [K8S_PROVIDER, ...Object.keys(CLUSTER_TYPES), STACK_REFERENCE],
  },
  (resources, ctx) => {
    if (!ctx.cfg.domain) {
      return;
    }
    for (const r of resources) {
      if (r.type === K8S_PROVIDER) {
        judgeProvider(r, ctx);
      }
    }
  },
);

export const resourceProviderDomain: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-kubernetes-resource-provider-domain",
    area: "kubernetes",
    rules: ["RES-03", "MER-K8S-05"],
    description:
      "Every Kubernetes object is created through a provider whose cluster is proven: an explicit provider (judged by meridian-kubernetes-provider-cluster-domain), or a default provider whose stack-configured kubeconfig (`kubernetes:kubeconfig`) points at an API server of the domain; never the default provider with the runner's ambient kubeconfig.",
    why: "The provider decides which cluster (and so which domain) receives the object, its data and its secrets; the default provider reaches whatever cluster the runner's kubeconfig names.",
    remediation: "Pass `{ provider }` (the domain cluster's provider) to every Kubernetes resource, or as a parent's `providers`, and disable default providers.",
    severity: "critical",
    enforcementLevel: "mandatory",
    frameworks: ["SOC2 CC6.1", "SOC2 CC6.7"],
    types: ["*"],
  },
  (r, ctx) => {
    if (!r.type.startsWith("kubernetes:") || !ctx.cfg.domain) {
      return;
    }
    if (!r.provider) {
      ctx.report("no provider: the object's cluster cannot be established");
    } else if (r.provider.name.startsWith("default")) {
      // A default provider configured from the stack (`kubernetes:kubeconfig`) carries that
      // kubeconfig in its props: judged by the same evidence as an explicit provider. Only
      // a config-less default provider (the runner's ambient kubeconfig) cannot be verified.
      const evidence = kubeconfigEvidence(ctx.cfg, r.provider.props);
      if (evidence.kind === "located") {
        if (!evidence.inDomain) ctx.report(`uses the default Kubernetes provider, whose ${evidence.what} is not in the ${ctx.cfg.domain} domain`);
      } else if (evidence.kind === "unknown") {
        ctx.unknown(`${r.provider.name}.${evidence.path}`);
      } else {
        ctx.report(`uses the default Kubernetes provider (${evidence.reason}): configure \`kubernetes:kubeconfig\` with a kubeconfig of a ${ctx.cfg.domain} cluster, or use an explicit provider`);
      }
    }
  },
);

// ------------------------------------------------------------------------------------------
// K8S-01 namespaces.

function nsName(r: { name: string; props: Props }): string {
  return str(at(r.props, "metadata.name")) ?? r.name;
}

export const namespaceLabels: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-kubernetes-namespace-label-require",
    area: "kubernetes",
    rules: ["K8S-01"],
    description: `Namespaces carry \`${DOMAIN_LABEL}: <domain>\` and Pod Security \`${PSA_ENFORCE}: restricted\` (exceptions by config, with a reason).`,
    why: "The label lets admission and audits tie every object to its domain; Pod Security restricted is the baseline for workloads.",
    remediation: `Add labels \`${DOMAIN_LABEL}: <domain>\` and \`${PSA_ENFORCE}: restricted\`; for a justified exception set \`namespaceExceptions.<ns>: { podSecurity: "baseline", reason }\` in the pack config.`,
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: SOC2_K8S,
    types: ["kubernetes:core/v1:Namespace"],
  },
  (r, ctx) => {
    const labels = at(r.props, "metadata.labels");
    if (labels === UNKNOWN) {
      ctx.unknown("metadata.labels");
      return;
    }
    const get = (k: string) => (labels !== null && typeof labels === "object" ? (labels as Record<string, unknown>)[k] : undefined);
    const domain = get(DOMAIN_LABEL);
    if (isUnknownValue(domain)) {
      ctx.unknown(`metadata.labels.${DOMAIN_LABEL}`);
    } else if (ctx.cfg.domain && domain !== ctx.cfg.domain) {
      ctx.report(`label ${DOMAIN_LABEL} must be "${ctx.cfg.domain}"${domain === undefined ? " (missing)" : ` (is "${String(domain)}")`}`);
    }
    const name = nsName(r);
    const exception = ctx.cfg.namespaceExceptions[name];
    const allowed = new Set(["restricted", ...(exception?.podSecurity === "baseline" ? ["baseline"] : []), ...(exception?.podSecurity === "privileged" ? ["baseline", "privileged"] : [])]);
    const psa = get(PSA_ENFORCE);
    if (isUnknownValue(psa)) {
      ctx.unknown(`metadata.labels.${PSA_ENFORCE}`);
    } else if (typeof psa !== "string" || !allowed.has(psa)) {
      ctx.report(`label ${PSA_ENFORCE} must be ${[...allowed].join(" or ")}${psa === undefined ? " (missing)" : ` (is "${String(psa)}")`}`);
    }
  },
);

// ------------------------------------------------------------------------------------------
// K8S-02 images.

const POD_SPEC_PATH: Record<string, string> = {
  "kubernetes:core/v1:Pod": "spec",
  "kubernetes:apps/v1:Deployment": "spec.template.spec",
  "kubernetes:apps/v1:StatefulSet": "spec.template.spec",
  "kubernetes:apps/v1:DaemonSet": "spec.template.spec",
  "kubernetes:apps/v1:ReplicaSet": "spec.template.spec",
  "kubernetes:batch/v1:Job": "spec.template.spec",
  "kubernetes:batch/v1:CronJob": "spec.jobTemplate.spec.template.spec",
};
export const WORKLOAD_TYPES = Object.keys(POD_SPEC_PATH);
export const workloadImages: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-kubernetes-workload-image-pin",
    area: "kubernetes",
    rules: ["K8S-02"],
    description: "Workload containers (and init/ephemeral containers) pull from the domain's registries, pinned by `@sha256:` digest.",
    why: "An image from a registry outside the domain pulls code (and sends pull metadata) across the boundary; a tag can change under you.",
    remediation: "Mirror the image into the domain registry and reference it as `<registry>/<repo>@sha256:<digest>`; list the registry prefixes in `registries.<domain>`.",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: [...SOC2_K8S, "SOC2 CC7.1"],
    types: WORKLOAD_TYPES,
  },
  (r, ctx) => {
    const spec = POD_SPEC_PATH[r.type]!;
    for (const kind of ["containers", "initContainers", "ephemeralContainers"]) {
      const list = arrayAt(r.props, `${spec}.${kind}`);
      if (list === UNKNOWN) {
        ctx.unknown(`${spec}.${kind}`);
        continue;
      }
      list.forEach((c, i) => {
        const image = at(c, "image");
        const where = `${spec}.${kind}[${i}].image`;
        if (image === UNKNOWN) {
          ctx.unknown(where);
          return;
        }
        for (const problem of imageProblems(ctx.cfg, where, image)) {
          ctx.report(problem);
        }
      });
    }
  },
);

// ------------------------------------------------------------------------------------------
// K8S-03 default-deny NetworkPolicy per namespace.

const NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const OPEN_CIDRS = new Set(["0.0.0.0/0", "::/0"]);

function isEmptySelector(sel: unknown): boolean {
  if (sel === undefined || sel === null) {
    return true;
  }
  if (typeof sel !== "object") {
    return false;
  }
  const labels = at(sel, "matchLabels");
  const exprs = at(sel, "matchExpressions");
  return (labels === undefined || Object.keys(labels as object).length === 0) && (exprs === undefined || (Array.isArray(exprs) && exprs.length === 0));
}

export const defaultDenyNetworkPolicy: StackValidationPolicy = stackPolicy(
  {
    name: "meridian-kubernetes-networkpolicy-default-deny",
    area: "kubernetes",
    rules: ["K8S-03"],
    description:
      "Every namespace the stack creates has a default-deny NetworkPolicy (empty podSelector, Ingress and Egress, no rules); no NetworkPolicy allows egress to 0.0.0.0/0.",
    why:
      "Without default deny any pod can reach any endpoint, including the other domain's; an open egress rule undoes the deny. The deny belongs to the namespace's owner: a stack that creates a namespace must create its deny with it. A namespace the stack does not create (`default`, a platform or tenant namespace) belongs to another stack — for platform and tenant namespaces the ClusterBaseline, which creates their default deny and is checked in its own stack; this stack can neither see nor change that namespace's NetworkPolicies, so refusing it here would be a false positive. Workloads there are still checked (pod security, images, provider domain).",
    remediation:
      "Add per namespace `NetworkPolicy { podSelector: {}, policyTypes: [\"Ingress\", \"Egress\"] }` (the ClusterBaseline does), then allow specific flows; replace 0.0.0.0/0 egress with the domain's CIDRs.",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: ["SOC2 CC6.6", "SOC2 CC6.7"],
    types: [NAMESPACE, NETPOL, ...WORKLOAD_TYPES],
  },
  (resources, ctx) => {
    // Only the namespaces this stack creates: it owns their NetworkPolicies. A workload in a
    // namespace it does not create (`default`, a platform namespace) is under that namespace
    // owner's deny, which the owner's stack is checked for (the ClusterBaseline's own).
    const namespaces = new Map<string, string>(); // name → urn of the Namespace
    const denied = new Set<string>();
    for (const r of resources) {
      if (r.type === NAMESPACE) {
        const n = at(r.props, "metadata.name");
        namespaces.set(typeof n === "string" ? n : r.name, r.urn);
      } else if (r.type === NETPOL) {
        const ns = at(r.props, "metadata.namespace");
        const spec = at(r.props, "spec");
        if (ns === UNKNOWN || spec === UNKNOWN) {
          ctx.unknown(`${r.name}.metadata.namespace/spec`);
          continue;
        }
        const types = arrayAt(spec, "policyTypes");
        const ingress = arrayAt(spec, "ingress");
        const egress = arrayAt(spec, "egress");
        if (types !== UNKNOWN && ingress !== UNKNOWN && egress !== UNKNOWN) {
          if (isEmptySelector(at(spec, "podSelector")) && types.includes("Ingress") && types.includes("Egress") && ingress.length === 0 && egress.length === 0) {
            denied.add(typeof ns === "string" ? ns : "default");
          }
          egress.forEach((rule, i) => {
            const to = arrayAt(rule, "to");
            if (to === UNKNOWN) {
              return;
            }
            for (const peer of to) {
              const cidr = at(peer, "ipBlock.cidr");
              if (typeof cidr === "string" && OPEN_CIDRS.has(cidr)) {
                ctx.report(`NetworkPolicy '${r.name}' egress[${i}] allows ${cidr}: egress must stay inside the domain's CIDRs`, r.urn);
              }
            }
          });
        }
      }
    }
    for (const [ns, urn] of namespaces) {
      if (denied.has(ns) || ctx.cfg.namespaceExceptions[ns]?.defaultDeny === false) {
        continue;
      }
      ctx.report(`namespace '${ns}' has no default-deny NetworkPolicy (podSelector {}, policyTypes Ingress+Egress, no rules)`, urn);
    }
  },
);

// ------------------------------------------------------------------------------------------
// K8S-04 StorageClass.

export const storageClassEncrypt: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-kubernetes-storageclass-encrypt",
    area: "kubernetes",
    rules: ["K8S-04"],
    description: "StorageClasses encrypt volumes with a customer key (EBS kmsKeyId, Azure diskEncryptionSetID, PD disk-encryption-kms-key) and restrict topology to the domain.",
    why: "PersistentVolumes hold the workload's data; the key and the zone decide where it can be read.",
    remediation:
      "ebs.csi.aws.com: `parameters: { encrypted: \"true\", kmsKeyId }`; disk.csi.azure.com: `parameters.diskEncryptionSetID`; pd.csi.storage.gke.io: `parameters[\"disk-encryption-kms-key\"]`; `allowedTopologies` only with allowlisted regions/zones.",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: ["SOC2 CC6.1", "SOC2 CC6.7"],
    types: ["kubernetes:storage.k8s.io/v1:StorageClass"],
  },
  (r, ctx) => {
    const provisioner = at(r.props, "provisioner");
    const params = at(r.props, "parameters");
    if (provisioner === UNKNOWN || params === UNKNOWN) {
      ctx.unknown(provisioner === UNKNOWN ? "provisioner" : "parameters");
      return;
    }
    const p = (k: string) => (params !== null && typeof params === "object" ? (params as Record<string, unknown>)[k] : undefined);
    const need = (k: string, ok: (v: unknown) => boolean, msg: string) => {
      const v = p(k);
      if (isUnknownValue(v)) {
        ctx.unknown(`parameters.${k}`);
      } else if (!ok(v)) {
        ctx.report(msg);
      }
    };
    const set = (v: unknown) => typeof v === "string" && v !== "";
    let cloud: "aws" | "azure" | "gcp" | undefined;
    switch (provisioner) {
      case "ebs.csi.aws.com":
      case "kubernetes.io/aws-ebs":
        cloud = "aws";
        need("encrypted", (v) => v === "true", "parameters.encrypted must be \"true\"");
        need("kmsKeyId", set, "parameters.kmsKeyId must name the domain's KMS key");
        break;
      case "disk.csi.azure.com":
      case "kubernetes.io/azure-disk":
        cloud = "azure";
        need("diskEncryptionSetID", set, "parameters.diskEncryptionSetID must name the domain's disk encryption set");
        break;
      case "pd.csi.storage.gke.io":
      case "kubernetes.io/gce-pd":
        cloud = "gcp";
        need("disk-encryption-kms-key", set, "parameters[\"disk-encryption-kms-key\"] must name the domain's Cloud KMS key");
        break;
      default:
        ctx.report(`provisioner '${String(provisioner)}' is not one whose encryption the pack can verify (ebs.csi.aws.com, disk.csi.azure.com, pd.csi.storage.gke.io)`);
    }
    if (!cloud || !ctx.cfg.domain) {
      return;
    }
    const topologies = arrayAt(r.props, "allowedTopologies");
    if (topologies === UNKNOWN) {
      ctx.unknown("allowedTopologies");
      return;
    }
    for (const t of topologies) {
      const exprs = arrayAt(t, "matchLabelExpressions");
      if (exprs === UNKNOWN) {
        ctx.unknown("allowedTopologies.matchLabelExpressions");
        continue;
      }
      for (const e of exprs) {
        const key = str(at(e, "key")) ?? "";
        if (!/region|zone/.test(key)) {
          continue;
        }
        const values = arrayAt(e, "values");
        if (values === UNKNOWN) {
          ctx.unknown(`allowedTopologies ${key}`);
          continue;
        }
        for (const v of values) {
          if (typeof v === "string" && !isAllowed(ctx.cfg, cloud, regionOfZone(cloud, v))) {
            ctx.report(`allowedTopologies ${key}=${describeLocation(ctx.cfg, cloud, v)} is outside the ${ctx.cfg.domain} domain`);
          }
        }
      }
    }
  },
);

// ------------------------------------------------------------------------------------------
// MER-K8S-06/07: Pod Security on every workload, wherever it lands.

const CONTAINER_KINDS = ["containers", "initContainers", "ephemeralContainers"] as const;

/** The Pod Security level a namespace's workloads are held to: `restricted` unless excepted by config. */
function levelFor(cfg: StackCheckContext["cfg"], namespace: unknown): "restricted" | "baseline" | "privileged" {
  const ns = typeof namespace === "string" && namespace !== "" ? namespace : "default";
  return cfg.namespaceExceptions[ns]?.podSecurity ?? "restricted";
}

export const workloadSecurityContext: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-kubernetes-workload-securitycontext-restrict",
    area: "kubernetes",
    rules: ["MER-K8S-06", "K8S-01"],
    description:
      "Every workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod), in any namespace — also ones the stack does not create — meets Pod Security `restricted`: runAsNonRoot, no privilege escalation, capabilities drop ALL, seccomp RuntimeDefault, not privileged, no host namespaces.",
    why: "The namespace label is enforced by the cluster only where the stack created the namespace; a workload deployed into an existing namespace (default, kube-system, a tenant's) would otherwise run as root with every capability.",
    remediation:
      "Set `securityContext: { runAsNonRoot: true, seccompProfile: { type: \"RuntimeDefault\" } }` on the pod and `securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: [\"ALL\"] } }` on every container; a documented exception is `namespaceExceptions.<ns>.podSecurity` in the pack config.",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: SOC2_K8S,
    types: WORKLOAD_TYPES,
  },
  (r, ctx) => {
    const specPath = POD_SPEC_PATH[r.type]!;
    const spec = at(r.props, specPath);
    if (spec === UNKNOWN) {
      ctx.unknown(specPath);
      return;
    }
    const namespace = at(r.props, "metadata.namespace");
    if (namespace === UNKNOWN && Object.keys(ctx.cfg.namespaceExceptions).length > 0) {
      ctx.unknown("metadata.namespace (an exception may apply to it)");
      return;
    }
    // An unknown namespace with no exceptions configured is held to `restricted` like any other.
    const level = namespace === UNKNOWN ? "restricted" : levelFor(ctx.cfg, namespace);
    if (level === "privileged") {
      return;
    }
    for (const host of ["hostNetwork", "hostPID", "hostIPC"]) {
      if (at(spec, host) === true) {
        ctx.report(`${specPath}.${host} must not be true`);
      }
    }
    const pod = at(spec, "securityContext");
    for (const kind of CONTAINER_KINDS) {
      const list = arrayAt(spec, kind);
      if (list === UNKNOWN) {
        ctx.unknown(`${specPath}.${kind}`);
        continue;
      }
      list.forEach((c, i) => {
        const where = `${specPath}.${kind}[${i}]`;
        const sc = at(c, "securityContext");
        if (sc === UNKNOWN) {
          ctx.unknown(`${where}.securityContext`);
          return;
        }
        const pick = (k: string) => {
          const own = at(sc, k);
          return own !== undefined ? own : at(pod, k);
        };
        const fields = [pick("privileged"), pick("runAsNonRoot"), pick("runAsUser"), at(sc, "allowPrivilegeEscalation"), at(sc, "capabilities.drop"), pick("seccompProfile")];
        if (fields.some((v) => v === UNKNOWN || isUnknownValue(v))) {
          ctx.unknown(`${where}.securityContext`);
          return;
        }
        if (pick("privileged") === true) {
          ctx.report(`${where}.securityContext.privileged must not be true`);
        }
        if (level === "baseline") {
          return;
        }
        if (pick("runAsNonRoot") !== true) {
          ctx.report(`${where}: runAsNonRoot must be true (container or pod securityContext)`);
        }
        if (pick("runAsUser") === 0) {
          ctx.report(`${where}: runAsUser must not be 0`);
        }
        if (at(sc, "allowPrivilegeEscalation") !== false) {
          ctx.report(`${where}.securityContext.allowPrivilegeEscalation must be false`);
        }
        const drop = at(sc, "capabilities.drop");
        if (!Array.isArray(drop) || !drop.includes("ALL")) {
          ctx.report(`${where}.securityContext.capabilities.drop must include "ALL"`);
        }
        const seccomp = str(at(pick("seccompProfile"), "type"));
        if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") {
          ctx.report(`${where}: seccompProfile.type must be "RuntimeDefault" (container or pod securityContext)`);
        }
      });
    }
  },
);

export const workloadReadOnlyRoot: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-kubernetes-workload-rootfs-readonly",
    area: "kubernetes",
    rules: ["MER-K8S-07"],
    description: "Workload containers run with a read-only root filesystem where possible (advisory).",
    why: "A writable root lets an intruder drop tools and persist changes in the container; advisory only because many images write to their root (caches, /tmp, pid files) and need emptyDir mounts first, which the pack cannot see from the image.",
    remediation: "Set `securityContext.readOnlyRootFilesystem: true` on each container and mount `emptyDir` volumes where the image writes (e.g. /tmp, /var/cache/nginx).",
    severity: "low",
    enforcementLevel: "advisory",
    frameworks: SOC2_K8S,
    types: WORKLOAD_TYPES,
  },
  (r, ctx) => {
    const specPath = POD_SPEC_PATH[r.type]!;
    for (const kind of ["containers", "initContainers"]) {
      const list = arrayAt(r.props, `${specPath}.${kind}`);
      if (list === UNKNOWN) {
        ctx.unknown(`${specPath}.${kind}`);
        continue;
      }
      list.forEach((c, i) => {
        const ro = at(c, "securityContext.readOnlyRootFilesystem");
        if (ro === UNKNOWN) {
          ctx.unknown(`${specPath}.${kind}[${i}].securityContext.readOnlyRootFilesystem`);
        } else if (ro !== true) {
          ctx.report(`${specPath}.${kind}[${i}] (${String(at(c, "name") ?? "?")}): securityContext.readOnlyRootFilesystem is not true`);
        }
      });
    }
  },
);

// ------------------------------------------------------------------------------------------
// MER-K8S-08: public LoadBalancer Services terminate TLS.

const INTERNAL_LB_ANNOTATIONS: ReadonlyArray<readonly [string, (v: string) => boolean]> = [
  ["service.beta.kubernetes.io/aws-load-balancer-internal", (v) => v === "true" || v === "0.0.0.0/0"],
  ["service.beta.kubernetes.io/aws-load-balancer-scheme", (v) => v === "internal"],
  ["service.beta.kubernetes.io/azure-load-balancer-internal", (v) => v === "true"],
  ["networking.gke.io/load-balancer-type", (v) => v.toLowerCase() === "internal"],
  ["cloud.google.com/load-balancer-type", (v) => v.toLowerCase() === "internal"],
];
const AWS_SSL_CERT = "service.beta.kubernetes.io/aws-load-balancer-ssl-cert";
const AWS_SSL_PORTS = "service.beta.kubernetes.io/aws-load-balancer-ssl-ports";

export const loadBalancerServiceTls: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-kubernetes-service-loadbalancer-tls",
    area: "kubernetes",
    rules: ["MER-K8S-08"],
    description:
      "A public `LoadBalancer` Service (no internal-LB annotation, no source ranges) exposes only TLS: the AWS load balancer terminates TLS on every port (ssl-cert annotation), or every port is 443.",
    why: "A public LoadBalancer Service on port 80 (or any plain port) serves the domain's data in clear text to the internet; the Service itself cannot redirect.",
    remediation:
      "Prefer an Ingress / Gateway that terminates TLS and redirects HTTP; otherwise mark the Service internal (`service.beta.kubernetes.io/aws-load-balancer-scheme: internal`, `…azure-load-balancer-internal: \"true\"`, `networking.gke.io/load-balancer-type: Internal`), restrict `loadBalancerSourceRanges`, or terminate TLS with `service.beta.kubernetes.io/aws-load-balancer-ssl-cert`.",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: ["SOC2 CC6.1", "SOC2 CC6.6", "SOC2 CC6.7"],
    types: ["kubernetes:core/v1:Service"],
  },
  (r, ctx) => {
    const type = at(r.props, "spec.type");
    if (type === UNKNOWN) {
      ctx.unknown("spec.type");
      return;
    }
    if (type !== "LoadBalancer") {
      return;
    }
    const annotations = at(r.props, "metadata.annotations");
    if (annotations === UNKNOWN) {
      ctx.unknown("metadata.annotations");
      return;
    }
    const ann = (k: string): string | undefined => {
      const v = annotations !== null && typeof annotations === "object" ? (annotations as Record<string, unknown>)[k] : undefined;
      return typeof v === "string" ? v : undefined;
    };
    if (INTERNAL_LB_ANNOTATIONS.some(([k, internal]) => ann(k) !== undefined && internal(ann(k)!))) {
      return;
    }
    const ranges = arrayAt(r.props, "spec.loadBalancerSourceRanges");
    if (ranges === UNKNOWN) {
      ctx.unknown("spec.loadBalancerSourceRanges");
      return;
    }
    if (ranges.length > 0 && !ranges.some((c) => c === "0.0.0.0/0" || c === "::/0")) {
      return; // not public
    }
    const ports = arrayAt(r.props, "spec.ports");
    if (ports === UNKNOWN) {
      ctx.unknown("spec.ports");
      return;
    }
    const tlsPorts = ann(AWS_SSL_CERT) ? (ann(AWS_SSL_PORTS) ?? "*").split(",").map((p) => p.trim()) : [];
    for (const p of ports) {
      const port = at(p, "port");
      const name = str(at(p, "name"));
      const terminated = tlsPorts.includes("*") || tlsPorts.includes(String(port)) || (name !== undefined && tlsPorts.includes(name));
      if (port !== 443 && !terminated) {
        ctx.report(`public LoadBalancer Service exposes port ${String(port)} without TLS (only 443, or ports listed in ${AWS_SSL_PORTS} with ${AWS_SSL_CERT})`);
      }
    }
  },
);

export const kubernetesPolicies = [
  providerClusterDomain,
  resourceProviderDomain,
  namespaceLabels,
  workloadImages,
  workloadSecurityContext,
  workloadReadOnlyRoot,
  loadBalancerServiceTls,
  defaultDenyNetworkPolicy,
  storageClassEncrypt,
];
