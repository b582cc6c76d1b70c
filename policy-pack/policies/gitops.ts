/**
 * GitOps registrations: an Argo CD cluster Secret (`argocd.argoproj.io/secret-type: cluster`)
 * registers a cluster with the controller of the cluster the Secret lands in. The stack's
 * domain is that controller's domain (its provider is judged by
 * meridian-kubernetes-provider-cluster-domain), so the registered cluster must be proven to be
 * in the same domain — by evidence, never by its name (lib/clusterIdentity.ts): the `server`
 * address (EKS, AKS and GKE DNS endpoints carry their region), or the cluster resource the
 * Secret's data was built from (located by its region). A server that proves nothing (an IP
 * address, a custom host) and no cluster resource behind it is "cannot verify" at preview and
 * mandatory at update, like every other unproven cluster.
 */
import type { StackValidationPolicy } from "@pulumi/policy";
import { identifyServer } from "../lib/clusterIdentity";
import { stackPolicy, type StackCheckContext, type StackResourceView } from "../lib/define";
import { describeLocation, isAllowed, placementOf } from "../lib/location";
import { currentPhase } from "../lib/phase";
import { at, str, UNKNOWN } from "../lib/values";
import { CLUSTER_TYPES } from "./kubernetes";

const SECRET = "kubernetes:core/v1:Secret";
const SECRET_TYPE_LABEL = "argocd.argoproj.io/secret-type";
/** Pulumi's wire form of a secret value. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

function reveal(v: unknown): unknown {
  return v !== null && typeof v === "object" && SECRET_SIG in (v as object) ? (v as { value?: unknown }).value : v;
}

/** Is this an Argo CD cluster registration? */
export function isClusterRegistration(r: { type: string; props: Record<string, unknown> }): boolean {
  return r.type === SECRET && at(r.props, ["metadata", "labels", SECRET_TYPE_LABEL]) === "cluster";
}

/** The registered server: `stringData.server`, else base64 `data.server`; UNKNOWN at preview. */
export function registeredServer(props: Record<string, unknown>): string | typeof UNKNOWN | undefined {
  const fromString = reveal(at(props, "stringData"));
  const s = at(fromString, "server");
  if (s === UNKNOWN) return UNKNOWN;
  if (str(s) !== undefined) return str(s);
  const fromData = reveal(at(props, "data"));
  const d = at(fromData, "server");
  if (d === UNKNOWN) return UNKNOWN;
  const b64 = str(d);
  return b64 === undefined ? undefined : Buffer.from(b64, "base64").toString("utf8");
}

interface Evidence {
  readonly inDomain: boolean;
  readonly what: string;
}

/** The cluster resources the Secret's data was built from, located by their region. */
function clusterResources(r: StackResourceView, ctx: StackCheckContext): { located: Evidence[]; unknown?: string } {
  const deps = [...(r.propertyDependencies.stringData ?? []), ...(r.propertyDependencies.data ?? [])];
  const located: Evidence[] = [];
  let unknown: string | undefined;
  for (const d of deps.length > 0 ? deps : r.dependencies) {
    const cloud = CLUSTER_TYPES[d.type];
    if (!cloud) continue;
    const p = placementOf(cloud, d.props, d.provider?.props);
    if (p.location === UNKNOWN) unknown = `${d.name}.${p.source}`;
    else if (p.location !== undefined) located.push({ inDomain: isAllowed(ctx.cfg, cloud, p.location), what: `cluster resource '${d.name}' in ${describeLocation(ctx.cfg, cloud, p.location)}` });
  }
  return unknown === undefined ? { located } : { located, unknown };
}

function judge(r: StackResourceView, ctx: StackCheckContext): void {
  const domain = ctx.cfg.domain!;
  const server = registeredServer(r.props);
  const evidence: Evidence[] = [];
  const unproven: string[] = [];
  if (server === UNKNOWN) {
    ctx.unknown(`${r.name}.stringData.server`);
    return;
  }
  if (server === undefined) {
    unproven.push("it names no server");
  } else {
    const id = identifyServer(server, ctx.cfg.regions);
    if (id.kind === "located") evidence.push({ inDomain: id.domain === domain, what: `${id.from} (${id.cloud} ${id.region}, ${id.domain ? `domain ${id.domain}` : "in no domain"})` });
    else unproven.push(id.reason);
  }
  const graph = clusterResources(r, ctx);
  evidence.push(...graph.located);
  for (const e of evidence.filter((x) => !x.inDomain)) {
    ctx.report(`GitOps registration '${r.name}': ${e.what} is not in the ${domain} domain; the ${domain} controller may register ${domain} clusters only`, r.urn);
  }
  if (evidence.length > 0) return;
  if (graph.unknown !== undefined) {
    ctx.unknown(graph.unknown);
    return;
  }
  const why = `GitOps registration '${r.name}': the registered cluster's domain is not proven — ${unproven.join("; ")}; and no cluster resource of this stack stands behind its data`;
  if (currentPhase() === "preview") ctx.unknown(`${why} (mandatory at update)`);
  else ctx.report(why, r.urn);
}

export const gitopsRegistrationDomain: StackValidationPolicy = stackPolicy(
  {
    name: "meridian-kubernetes-gitops-registration-domain",
    area: "kubernetes",
    rules: ["RES-03", "MER-GITOPS-01"],
    description:
      "An Argo CD cluster registration (a Secret labelled `argocd.argoproj.io/secret-type: cluster`) registers only a cluster proven to be in the stack's domain: by its `server` address or by the cluster resource its data comes from — never by its name.",
    why: "A registration hands the domain's GitOps controller the power to deploy into that cluster: a US cluster registered with the EU controller (or the reverse) would move tenants' workloads and their data across the residency boundary.",
    remediation:
      "Register a cluster from its own workload stack (components/gitops/registration) with its domain's controller, read through a same-domain StackReference; a server behind an IP address needs the cluster resource in the same stack to be proven.",
    severity: "critical",
    enforcementLevel: "mandatory",
    frameworks: ["SOC2 CC6.1", "SOC2 CC6.7", "SOC2 CC8.1"],
    types: [SECRET, ...Object.keys(CLUSTER_TYPES)],
  },
  (resources, ctx) => {
    if (!ctx.cfg.domain) return;
    for (const r of resources) {
      if (isClusterRegistration(r)) judge(r, ctx);
    }
  },
);

export const gitopsPolicies = [gitopsRegistrationDomain];
