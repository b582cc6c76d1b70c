/**
 * Kubernetes: objects go only to clusters of the stack's domain, namespaces carry the
 * residency label and Pod Security `restricted`, images come digest-pinned from the
 * domain's registries, every namespace has a default-deny NetworkPolicy, and
 * StorageClasses encrypt with a key in the domain (K8S-01..04, RES-03 for kubernetes).
 *
 * Cluster identity of a Kubernetes provider (documented in docs/policies.md): the
 * provider's `clusterIdentifier` (`meridian:<domain>:<cluster>`, set by the cluster
 * components), `context` or `cluster`, else the kubeconfig's `current-context` / cluster
 * names, must name the domain: `meridian-<domain>-…`, or a last segment starting with
 * `<domain>-` (`eu-workload-aws`, `gke_proj_europe-west1_eu-workload-gcp`,
 * `arn:…:cluster/eu-mgmt`); regions found in the kubeconfig's server URLs or ARNs (EKS,
 * AKS) must be in the domain too.
 */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { domainOfLocation, type Domain } from "../lib/catalogue";
import { resourcePolicy, stackPolicy, type CheckContext, type ResourceView } from "../lib/define";
import { describeLocation, isAllowed, regionOfArn, regionOfZone } from "../lib/location";
import { arrayAt, at, isUnknownValue, str, UNKNOWN, type Props } from "../lib/values";

/** The namespace label the ClusterBaseline sets and its admission policy requires. */
export const DOMAIN_LABEL = "residency";
const PSA_ENFORCE = "pod-security.kubernetes.io/enforce";
const SOC2_K8S = ["SOC2 CC6.1", "SOC2 CC6.6", "SOC2 CC6.8"];

// ------------------------------------------------------------------------------------------
// Cluster identity of a provider.

export interface ClusterEvidence {
  /** Domains named by context / cluster names, and by regions in server URLs / ARNs. */
  readonly domains: ReadonlyArray<{ domain: Domain | undefined; from: string }>;
  readonly unknown?: string;
  readonly problem?: string;
}

const evidenceCache = new WeakMap<object, ClusterEvidence>();

function domainOfName(name: string): Domain | undefined {
  // The cluster components' markers: context `meridian-<domain>-<cluster>`,
  // clusterIdentifier `meridian:<domain>:<cluster>`.
  const marked = /^meridian[:-](eu|us)[:-]/.exec(name);
  if (marked) {
    return marked[1] as Domain;
  }
  const last = name.split(/[/:_]/).filter((s) => s !== "").pop() ?? "";
  const m = /^(eu|us)-/.exec(last);
  return m ? (m[1] as Domain) : undefined;
}

/** Regions in a server URL or ARN, as domains under the configured allowlists. */
function domainsOfText(cfg: CheckContext["cfg"], text: string, from: string, out: Array<{ domain: Domain | undefined; from: string }>): void {
  for (const arn of text.match(/arn:aws[a-z-]*:eks:[a-z0-9-]+:\d+:cluster\/[A-Za-z0-9_.-]+/g) ?? []) {
    const region = regionOfArn(arn);
    if (region) {
      out.push({ domain: domainOfLocation(cfg.regions, region), from: `${from} ARN region ${region}` });
    }
  }
  for (const server of text.match(/https:\/\/[A-Za-z0-9.-]+/g) ?? []) {
    const host = server.slice("https://".length);
    const m = /\.([a-z]{2}-[a-z]+-\d)\.eks\.amazonaws\.com$/.exec(host) ?? /\.([a-z0-9]+)\.azmk8s\.io$/.exec(host);
    if (m) {
      out.push({ domain: domainOfLocation(cfg.regions, m[1]!), from: `${from} server ${m[1]}` });
    }
  }
}

export function clusterEvidence(cfg: CheckContext["cfg"], props: Props): ClusterEvidence {
  const cached = evidenceCache.get(props);
  if (cached) {
    return cached;
  }
  const domains: Array<{ domain: Domain | undefined; from: string }> = [];
  let unknown: string | undefined;
  let problem: string | undefined;
  for (const key of ["clusterIdentifier", "context", "cluster"]) {
    const v = at(props, key);
    if (v === UNKNOWN) {
      unknown = key;
    } else if (typeof v === "string" && v !== "") {
      domains.push({ domain: domainOfName(v), from: `${key} '${v}'` });
    }
  }
  const kc = at(props, "kubeconfig");
  if (kc === UNKNOWN) {
    unknown = unknown ?? "kubeconfig";
  } else if (typeof kc === "string" && kc !== "") {
    if (!/clusters|apiVersion/.test(kc)) {
      problem = "kubeconfig is a file path: the cluster it names is invisible to policy; pass the kubeconfig content";
    } else {
      if (domains.length === 0) {
        const current = /["']?current-context["']?\s*:\s*["']?([^"'\s,}]+)/.exec(kc);
        if (current) {
          domains.push({ domain: domainOfName(current[1]!), from: `kubeconfig current-context '${current[1]}'` });
        } else {
          for (const m of kc.matchAll(/["']?name["']?\s*:\s*["']?([^"'\s,}]+)/g)) {
            domains.push({ domain: domainOfName(m[1]!), from: `kubeconfig name '${m[1]}'` });
            break;
          }
        }
      }
      domainsOfText(cfg, kc, "kubeconfig", domains);
    }
  }
  const ev: ClusterEvidence = { domains, ...(unknown ? { unknown } : {}), ...(problem ? { problem } : {}) };
  evidenceCache.set(props, ev);
  return ev;
}

/** Report why a provider's cluster is not provably in the domain; returns true when it is. */
function checkClusterDomain(provider: NonNullable<ResourceView["provider"]>, ctx: CheckContext & { report(m: string): void }, prefix: string): void {
  if (provider.name.startsWith("default")) {
    ctx.report(`${prefix}uses the default Kubernetes provider (ambient kubeconfig): use an explicit provider for a cluster of the ${ctx.cfg.domain} domain`);
    return;
  }
  const ev = clusterEvidence(ctx.cfg, provider.props);
  if (ev.problem) {
    ctx.report(`${prefix}${ev.problem}`);
  }
  const wrong = ev.domains.filter((d) => d.domain !== ctx.cfg.domain);
  for (const w of wrong) {
    ctx.report(`${prefix}${w.from} is ${w.domain ? `in domain ${w.domain}` : "in no domain"}, not ${ctx.cfg.domain}`);
  }
  if (ev.domains.length === 0 && !ev.problem) {
    if (ev.unknown) {
      ctx.unknown(`${prefix}${ev.unknown}`);
    } else {
      ctx.report(
        `${prefix}cluster domain not established: name the kubeconfig context or \`cluster\` '${ctx.cfg.domain}-<cluster>' (e.g. ${ctx.cfg.domain}-workload-aws)`,
      );
    }
  }
}

export const providerClusterDomain: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-kubernetes-provider-cluster-domain",
    area: "kubernetes",
    rules: ["RES-03"],
    description: "Kubernetes providers (default ones included) point at a cluster of the stack's domain.",
    why: "A provider for the other domain's cluster (or the ambient kubeconfig) would put this stack's objects and secrets there.",
    remediation:
      "Create an explicit `kubernetes.Provider` from the cluster component's kubeconfig; name the context `<domain>-<cluster>` (the cluster components do) and disable default providers.",
    severity: "critical",
    enforcementLevel: "mandatory",
    frameworks: ["SOC2 CC6.1", "SOC2 CC6.7"],
    types: ["pulumi:providers:kubernetes"],
  },
  (r, ctx) => {
    if (!ctx.cfg.domain) {
      return;
    }
    checkClusterDomain({ type: r.type, name: r.name, urn: r.urn, props: r.props }, ctx, "");
  },
);

export const resourceProviderDomain: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-kubernetes-resource-provider-domain",
    area: "kubernetes",
    rules: ["RES-03", "MER-K8S-05"],
    description: "Every Kubernetes object is created through an explicit provider of a cluster in the stack's domain.",
    why: "The provider decides which cluster (and so which domain) receives the object, its data and its secrets.",
    remediation: "Pass `{ provider }` (the domain cluster's provider) to every Kubernetes resource, or as a parent's `providers`.",
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
      return;
    }
    checkClusterDomain(r.provider, ctx, `provider '${r.provider.name}': `);
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
const DIGEST = /@sha256:[a-f0-9]{64}$/;

export function registryAllowed(image: string, registries: readonly string[]): boolean {
  return registries.some((p) => (p.endsWith("/") ? image.startsWith(p) : image === p || image.startsWith(`${p}/`)));
}

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
        if (typeof image !== "string" || image === "") {
          ctx.report(`${where} is not set`);
          return;
        }
        if (ctx.cfg.domain && !registryAllowed(image, ctx.cfg.registries)) {
          ctx.report(
            ctx.cfg.registries.length === 0
              ? `${where} '${image}': no registries configured for ${ctx.cfg.domain} (set \`registries.${ctx.cfg.domain}\` in the pack config)`
              : `${where} '${image}' is not from a ${ctx.cfg.domain} registry (${ctx.cfg.registries.join(", ")})`,
          );
        }
        if (!DIGEST.test(image)) {
          ctx.report(`${where} '${image}' is not pinned by @sha256 digest`);
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
      "Every namespace the stack creates or deploys into has a default-deny NetworkPolicy (empty podSelector, Ingress and Egress, no rules); no NetworkPolicy allows egress to 0.0.0.0/0.",
    why: "Without default deny any pod can reach any endpoint, including the other domain's; an open egress rule undoes the deny.",
    remediation:
      "Add per namespace `NetworkPolicy { podSelector: {}, policyTypes: [\"Ingress\", \"Egress\"] }` (the ClusterBaseline does), then allow specific flows; replace 0.0.0.0/0 egress with the domain's CIDRs.",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: ["SOC2 CC6.6", "SOC2 CC6.7"],
    types: [NAMESPACE, NETPOL, ...WORKLOAD_TYPES],
  },
  (resources, ctx) => {
    const namespaces = new Map<string, string>(); // name → urn of the resource that needs it
    const denied = new Set<string>();
    for (const r of resources) {
      if (r.type === NAMESPACE) {
        const n = at(r.props, "metadata.name");
        namespaces.set(typeof n === "string" ? n : r.name, r.urn);
      } else if (WORKLOAD_TYPES.includes(r.type)) {
        const n = at(r.props, "metadata.namespace");
        if (n === UNKNOWN) {
          continue; // the Namespace resource it depends on is checked itself
        }
        const name = typeof n === "string" ? n : "default";
        if (!namespaces.has(name)) {
          namespaces.set(name, r.urn);
        }
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

export const kubernetesPolicies = [
  providerClusterDomain,
  resourceProviderDomain,
  namespaceLabels,
  workloadImages,
  defaultDenyNetworkPolicy,
  storageClassEncrypt,
];
