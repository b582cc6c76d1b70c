/**
 * Which domain a Kubernetes cluster is in, by evidence, never by its name.
 *
 * The evidence is where the API server is: the managed services put the region in the
 * endpoint's DNS name (EKS `….<region>.eks.amazonaws.com`, AKS `….<location>.azmk8s.io`,
 * GKE DNS endpoints `….<location>.gke.goog`). A kubeconfig is read the way kubectl reads it:
 * the current context (or the one asked for) → its cluster entry → that cluster's `server`.
 * Context and cluster *names* prove nothing (`aws` from pulumi-eks, or a look-alike
 * `meridian-eu-x` pointing at us-east-1); an IP address or a custom host proves nothing
 * either — those come back as "unknown", for the caller to resolve another way (the cluster
 * resource it depends on, a StackReference whose domain is known) or to report as
 * "cannot verify".
 */
import { parse } from "yaml";
import { domainOfRegion, type Cloud, type Domain, type RegionAllowlist } from "./catalogue";

/** A cluster located by its API server's address. `domain` is undefined for a region in no domain. */
export interface ClusterLocation {
  readonly cloud: Cloud;
  readonly region: string;
  readonly domain: Domain | undefined;
  /** What proved it, for messages: e.g. `API server ….eu-central-1.eks.amazonaws.com`. */
  readonly from: string;
}

export type ClusterIdentity =
  | ({ readonly kind: "located" } & ClusterLocation)
  | { readonly kind: "unknown"; readonly reason: string };

const HOST_PATTERNS: ReadonlyArray<{ cloud: Cloud; pattern: RegExp }> = [
  // EKS: https://<id>.<gr7|sk1|yl4…>.<region>.eks.amazonaws.com (also .com.cn partitions are not ours)
  { cloud: "aws", pattern: /\.([a-z]{2}(?:-[a-z]+)+-\d)\.eks\.amazonaws\.com$/ },
  // AKS public and private: <dns>-<hash>.hcp.<location>.azmk8s.io, <x>.privatelink.<location>.azmk8s.io
  { cloud: "azure", pattern: /\.([a-z0-9]+)\.azmk8s\.io$/ },
  // GKE DNS-based control plane endpoint: gke-<uid>-<project-number>.<location>.gke.goog
  { cloud: "gcp", pattern: /\.([a-z]+-[a-z]+\d+(?:-[a-z])?)\.gke\.goog$/ },
];

/** The host of an API server URL (`https://h:443/path` → `h`), lower-cased; undefined when unparsable. */
export function serverHost(server: string): string | undefined {
  const trimmed = server.trim();
  try {
    const url = new URL(/^[a-z]+:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`);
    return url.hostname.toLowerCase().replace(/\.$/, "") || undefined;
  } catch {
    return undefined;
  }
}

/** The cloud and region an API server's address proves, if any. */
export function identifyServer(server: string, allowlist: RegionAllowlist): ClusterIdentity {
  const host = serverHost(server);
  if (host === undefined) return { kind: "unknown", reason: "the API server address is not a URL" };
  for (const { cloud, pattern } of HOST_PATTERNS) {
    const m = pattern.exec(host);
    if (m === null) continue;
    // A GKE zonal endpoint names the zone (europe-west1-b); its region is the zone less the letter.
    const region = cloud === "gcp" ? m[1]!.replace(/-[a-z]$/, "") : m[1]!;
    return { kind: "located", cloud, region, domain: domainOfRegion(allowlist, cloud, region), from: `API server ${host}` };
  }
  return {
    kind: "unknown",
    reason: `the API server ${host} names no region (an IP address or a custom host proves nothing)`,
  };
}

interface KubeconfigShape {
  "current-context"?: unknown;
  contexts?: unknown;
  clusters?: unknown;
}

function namedEntry(list: unknown, name: string, field: "context" | "cluster"): Record<string, unknown> | undefined {
  if (!Array.isArray(list)) return undefined;
  const entry = list.find((e) => typeof e === "object" && e !== null && (e as { name?: unknown }).name === name) as
    | Record<string, unknown>
    | undefined;
  const inner = entry?.[field];
  return typeof inner === "object" && inner !== null ? (inner as Record<string, unknown>) : undefined;
}

/**
 * The API server a kubeconfig (YAML or JSON text, or an already parsed object) points at:
 * `context` if given, else its `current-context`, → that context's cluster → `server`.
 */
export function kubeconfigServer(kubeconfig: unknown, context?: string): { server: string } | { problem: string } {
  if (typeof kubeconfig !== "string") return serverOf(kubeconfig, context);
  // A stack's Kubernetes provider hands the same kubeconfig text to every policy of every
  // resource it manages: parse each text once (YAML parsing was a tenth of the plan's main
  // thread at 100 clusters). The answer depends on the text and the context alone.
  const key = `${context ?? ""}\0${kubeconfig}`;
  const hit = serverByText.get(key);
  if (hit !== undefined) return { ...hit };
  const found = serverOf(kubeconfig, context);
  if (serverByText.size >= SERVER_MEMO_SIZE) serverByText.clear();
  serverByText.set(key, found);
  return { ...found };
}

/** Kubeconfig texts seen lately → their server (or problem); a few stacks' worth. */
const serverByText = new Map<string, { server: string } | { problem: string }>();
const SERVER_MEMO_SIZE = 64;

function serverOf(kubeconfig: unknown, context: string | undefined): { server: string } | { problem: string } {
  let doc: unknown = kubeconfig;
  if (typeof kubeconfig === "string") {
    try {
      doc = parse(kubeconfig, { maxAliasCount: 16 });
    } catch {
      return { problem: "the kubeconfig is not valid YAML or JSON" };
    }
  }
  if (typeof doc !== "object" || doc === null) return { problem: "the kubeconfig is not a kubeconfig document" };
  const kc = doc as KubeconfigShape;
  const contextName = context ?? (typeof kc["current-context"] === "string" ? kc["current-context"] : undefined);
  if (contextName === undefined || contextName === "") return { problem: "the kubeconfig has no current-context" };
  const ctx = namedEntry(kc.contexts, contextName, "context");
  if (ctx === undefined) return { problem: `the kubeconfig has no context '${contextName}'` };
  const clusterName = ctx.cluster;
  if (typeof clusterName !== "string") return { problem: `context '${contextName}' names no cluster` };
  const cluster = namedEntry(kc.clusters, clusterName, "cluster");
  const server = cluster?.server;
  if (typeof server !== "string" || server === "") return { problem: `cluster '${clusterName}' has no server` };
  return { server };
}

/** A kubeconfig's cluster located by evidence: its (current or named) context's API server. */
export function identifyKubeconfig(kubeconfig: unknown, allowlist: RegionAllowlist, context?: string): ClusterIdentity {
  const target = kubeconfigServer(kubeconfig, context);
  if ("problem" in target) return { kind: "unknown", reason: target.problem };
  return identifyServer(target.server, allowlist);
}
