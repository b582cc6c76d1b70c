/**
 * Deprecated APIs in use, read from the cluster's own API server: kube-apiserver counts every
 * request to a deprecated API in `apiserver_requested_deprecated_apis{group,version,resource,
 * subresource,removed_release}` on `/metrics` (a gauge, 1 per API requested since the API
 * server started). An API whose `removed_release` is at or below the target minor would stop
 * answering after the upgrade: the pre-check fails on it. One with a later or no removal
 * release is a warning.
 *
 * What it cannot see: requests made before the API server last restarted (managed control
 * planes restart on their own schedule), and manifests not yet applied. The record says so.
 *
 * The API server is reached with a kubeconfig context named after the stack (`--kubeconfig`),
 * using its server, CA and client credentials (certificate or bearer token); nothing else.
 */
import * as fs from "node:fs";
import * as https from "node:https";
import * as http from "node:http";
import { parse as parseYaml } from "yaml";
import { minorOf } from "./versions";

export interface DeprecatedApi {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly subresource: string;
  /** The minor that removes it, e.g. `1.25`; empty when no removal is scheduled. */
  readonly removedRelease: string;
}

const METRIC = "apiserver_requested_deprecated_apis";

/** Parse Prometheus text exposition: the deprecated APIs with a value > 0. */
export function parseDeprecatedApis(metricsText: string): DeprecatedApi[] {
  const out: DeprecatedApi[] = [];
  for (const line of metricsText.split("\n")) {
    if (!line.startsWith(`${METRIC}{`)) continue;
    const close = line.lastIndexOf("}");
    const value = Number(line.slice(close + 1).trim().split(/\s+/)[0]);
    if (!(value > 0)) continue;
    const labels: Record<string, string> = {};
    for (const m of line.slice(METRIC.length + 1, close).matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[m[1]] = m[2].replace(/\\(.)/g, "$1");
    out.push({ group: labels.group ?? "", version: labels.version ?? "", resource: labels.resource ?? "", subresource: labels.subresource ?? "", removedRelease: labels.removed_release ?? "" });
  }
  return out;
}

export function apiName(a: DeprecatedApi): string {
  return `${a.group === "" ? "core" : a.group}/${a.version} ${a.resource}${a.subresource ? `/${a.subresource}` : ""}`;
}

/** APIs removed at or before `target` (blocking), and the others (warnings). */
export function classifyDeprecated(apis: readonly DeprecatedApi[], target: string): { removed: DeprecatedApi[]; deprecated: DeprecatedApi[] } {
  const to = minorOf(target)!;
  const removed = apis.filter((a) => {
    const r = minorOf(a.removedRelease);
    return r !== undefined && r <= to;
  });
  return { removed, deprecated: apis.filter((a) => !removed.includes(a)) };
}

interface KubeconfigContext {
  readonly server: string;
  readonly ca?: Buffer;
  readonly insecure?: boolean;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly token?: string;
}

type Named<T> = Array<{ name: string } & T>;
interface Kubeconfig {
  clusters?: Named<{ cluster: Record<string, string | boolean | undefined> }>;
  users?: Named<{ user: Record<string, string | undefined> }>;
  contexts?: Named<{ context: { cluster: string; user: string } }>;
}

/** Thrown when a kubeconfig has no usable context for a stack; the pre-check reports it as not checked. */
export class KubeconfigError extends Error {}

/** A context's server and credentials (data inline or as files). */
export function kubeconfigContext(file: string, contextName: string): KubeconfigContext {
  let doc: Kubeconfig;
  try {
    doc = parseYaml(fs.readFileSync(file, "utf8")) as Kubeconfig;
  } catch (e) {
    throw new KubeconfigError(`${file}: cannot be read as a kubeconfig (${(e as Error).message.split("\n")[0]})`);
  }
  const ctx = doc.contexts?.find((c) => c.name === contextName)?.context;
  if (ctx === undefined) throw new KubeconfigError(`${file}: no context named "${contextName}"`);
  const cluster = doc.clusters?.find((c) => c.name === ctx.cluster)?.cluster;
  const user = doc.users?.find((u) => u.name === ctx.user)?.user ?? {};
  if (cluster === undefined || typeof cluster.server !== "string") throw new KubeconfigError(`${file}: context "${contextName}" names no cluster with a server`);
  const data = (inline: unknown, path: unknown): Buffer | undefined =>
    typeof inline === "string" ? Buffer.from(inline, "base64") : typeof path === "string" ? fs.readFileSync(path) : undefined;
  return {
    server: cluster.server,
    ca: data(cluster["certificate-authority-data"], cluster["certificate-authority"]),
    insecure: cluster["insecure-skip-tls-verify"] === true,
    cert: data(user["client-certificate-data"], user["client-certificate"]),
    key: data(user["client-key-data"], user["client-key"]),
    token: user.token ?? (typeof user.tokenFile === "string" ? fs.readFileSync(user.tokenFile, "utf8").trim() : undefined),
  };
}

/** GET `/metrics` from the context's API server; rejects on a non-200 answer. */
export function fetchApiServerMetrics(ctx: KubeconfigContext, timeoutMs = 15_000): Promise<string> {
  const url = new URL("/metrics", ctx.server);
  const headers: Record<string, string> = { accept: "text/plain" };
  if (ctx.token !== undefined) headers.authorization = `Bearer ${ctx.token}`;
  const get = url.protocol === "https:" ? https.get : http.get;
  return new Promise((resolve, reject) => {
    const req = get(url, { headers, ca: ctx.ca, cert: ctx.cert, key: ctx.key, rejectUnauthorized: ctx.insecure !== true, timeout: timeoutMs }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${url.origin}/metrics answered HTTP ${res.statusCode}`))));
    });
    req.on("timeout", () => req.destroy(new Error(`${url.origin}/metrics: no answer within ${timeoutMs / 1000}s`)));
    req.on("error", (e) => reject(new Error(`${url.origin}/metrics: ${e.message}`)));
  });
}
