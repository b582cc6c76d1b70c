/**
 * fleet.yaml `gates:` — what must hold before the next ring of a domain, or the next domain
 * (canary strategy), starts during `fleet up` and `fleet upgrade`: a soak time, health checks
 * per domain, and an optional manual approval. The orchestrator runs them
 * (automation/orchestrator/gates.ts); a failed gate halts the rollout there.
 *
 * ```yaml
 * gates:
 *   soakSeconds: 600              # default soak for every domain (0–86400)
 *   approval: domains             # none | rings | domains | all
 *   approvalTimeoutSeconds: 86400
 *   domains:
 *     eu:
 *       soakSeconds: 1800
 *       checks:
 *         - { name: gateway, kind: http, url: "https://status.eu.example.com/healthz", expectStatus: [200] }
 *         - { name: nodes-ready, kind: command, command: [kubectl, --context, eu-workload-aws, wait, --for=condition=Ready, nodes, --all, --timeout=60s] }
 *         - { name: slo-burn, kind: slo-burn, prometheusUrl: "https://prometheus.eu.example.com", window: 1h, maxBurnRate: 1 }
 * ```
 * Per-domain settings are a map keyed by domain; a domain left out soaks for `soakSeconds`
 * and has no checks (the gate then says so in the record: "no health checks configured").
 *
 * A check's `url` / `prometheusUrl` is held in its domain at fleet load (exit 2, naming
 * fleet.yaml and the key; {@link gateUrlProblems}): a gate must not read the other domain's
 * health. The same holds for a URL inside a `command` check's arguments (`curl https://…`).
 * Refused: a cloud regional host placed outside the domain (the collector's exporter
 * rule, policy-pack/lib/telemetryEndpoints.ts), a host under another domain's exposure zones,
 * and an IP address in another domain's IPAM pools. A name the fleet cannot place (a private
 * DNS name outside every zone, loopback) passes: the fleet has no fact that puts it anywhere.
 *
 * A check must not name another domain's *stack* either ({@link gateStackErrors}, once the
 * stacks are loaded): `kubectl --context us-workload-aws` in an EU gate, a kubeconfig
 * `…/us-workload-aws.yaml`, or `?stack=us-workload-aws` in a URL would read the US cluster's
 * health to let an EU ring go on. A stack name counts as a whole word of an argument (between
 * characters a stack name cannot hold, such as `=`, `/`, `.`, `:`), ignoring case.
 */
import { z } from "zod";
import type { ExposureZones } from "../../components/gateway/zones";
import { contains, type IpamSettings } from "../../components/network/ipam";
import { DOMAINS, type Domain, type RegionAllowlist } from "../../components/residency/catalogue";
import { endpointHost, endpointProblem, placeEndpoint } from "../../policy-pack/lib/telemetryEndpoints";
import { FleetConfigError } from "./errors";
import { stackNameKey } from "./stackNames";

const name = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "a lower-case name such as gateway-health");
const timeoutSeconds = z.int().min(1).max(3600).default(30);
const httpUrl = z.url({ protocol: /^https?$/, error: "an http(s) URL" });

export const httpCheckSchema = z.strictObject({
  name,
  kind: z.literal("http"),
  /** (Required) GET this URL; credentials in the URL are refused (they would land in records). */
  url: httpUrl.refine((u) => !/^[a-z]+:\/\/[^/]*@/i.test(u), "no credentials in the URL"),
  /** (Optional) Statuses that pass. Defaults to [200]. */
  expectStatus: z.array(z.int().min(100).max(599)).min(1).default([200]),
  /** (Optional) A regular expression the body must match. Defaults to none. */
  bodyMatch: z.string().max(500).optional(),
  timeoutSeconds,
});

export const commandCheckSchema = z.strictObject({
  name,
  kind: z.literal("command"),
  /** (Required) argv, run without a shell; exit 0 passes. */
  command: z.array(z.string().min(1)).min(1).max(64),
  timeoutSeconds,
});

export const sloBurnCheckSchema = z.strictObject({
  name,
  kind: z.literal("slo-burn"),
  /** (Required) Base URL of the domain's Prometheus-compatible query API (`<url>/api/v1/query`). */
  prometheusUrl: httpUrl.refine((u) => !/^[a-z]+:\/\/[^/]*@/i.test(u), "no credentials in the URL"),
  /** (Optional) Error-ratio window of the SLO recording rules (`meridian:slo_errors:ratio_rate<window>`). Defaults to 1h. */
  window: z.enum(["5m", "30m", "1h", "2h", "6h", "1d", "3d"]).default("1h"),
  /** (Optional) Highest burn rate that passes (1 = spending the budget exactly over 30 days). Defaults to 1. */
  maxBurnRate: z.number().positive().max(1000).default(1),
  timeoutSeconds,
});

export const healthCheckSchema = z.discriminatedUnion("kind", [httpCheckSchema, commandCheckSchema, sloBurnCheckSchema]);

const soakSeconds = z.int().min(0).max(86_400);

export const domainGatesSchema = z.strictObject({
  /** (Optional) Soak before this domain's next ring (and before the domain after it). Defaults to `gates.soakSeconds`. */
  soakSeconds: soakSeconds.optional(),
  /** (Optional) Health checks of this domain, run in order after the soak. Defaults to none. */
  checks: z
    .array(healthCheckSchema)
    .max(20)
    .default([])
    .refine((c) => new Set(c.map((x) => x.name)).size === c.length, "each check name once per domain"),
});

export const APPROVAL_MODES = ["none", "rings", "domains", "all"] as const;

export const gatesSettingsSchema = z
  .strictObject({
    /** (Optional) Soak in seconds at every gate, 0–86400. Defaults to 0. */
    soakSeconds: soakSeconds.default(0),
    /** (Optional) Which gates need a person's approval (`--approve` or an approval file). Defaults to none. */
    approval: z.enum(APPROVAL_MODES).default("none"),
    /** (Optional) How long a gate waits for an approval file before it fails, 1–604800 s. Defaults to 86400. */
    approvalTimeoutSeconds: z.int().min(1).max(604_800).default(86_400),
    /** (Optional) Per domain, its soak and health checks. */
    domains: z.partialRecord(z.enum(DOMAINS), domainGatesSchema).default({}),
  })
  .default({ soakSeconds: 0, approval: "none", approvalTimeoutSeconds: 86_400, domains: {} });

export type HealthCheck = z.infer<typeof healthCheckSchema>;
export type GatesSettings = z.infer<typeof gatesSettingsSchema>;
export type ApprovalMode = (typeof APPROVAL_MODES)[number];

/** One domain's gate settings, defaults settled. */
export function domainGates(settings: GatesSettings, domain: Domain): { readonly soakSeconds: number; readonly checks: readonly HealthCheck[] } {
  const own = settings.domains[domain];
  return { soakSeconds: own?.soakSeconds ?? settings.soakSeconds, checks: own?.checks ?? [] };
}

export const DEFAULT_GATES: GatesSettings = gatesSettingsSchema.parse(undefined);

/** Does fleet.yaml ask for any gate (a soak, a check or an approval)? Without, boundaries do not wait. */
export function gatesConfigured(settings: GatesSettings): boolean {
  return settings.soakSeconds > 0 || settings.approval !== "none" || Object.values(settings.domains).some((d) => d !== undefined && ((d.soakSeconds ?? 0) > 0 || d.checks.length > 0));
}

/** What places a gate URL's host in a domain: the region allowlist, the exposure zones and the IPAM pools. */
export interface GateUrlFacts {
  readonly regions: RegionAllowlist;
  readonly exposure: Readonly<Record<Domain, { readonly zones: ExposureZones }>>;
  readonly pools: IpamSettings["pools"];
}

/** Why `url` (a gate check of `domain`) reaches outside its domain, or undefined when the fleet places it nowhere else. */
export function gateUrlProblem(url: string, domain: Domain, facts: GateUrlFacts): string | undefined {
  const host = endpointHost(url);
  if (host === undefined) return undefined; // the schema already refused an unparsable URL
  if (placeEndpoint(url, facts.regions).region !== undefined) {
    const problem = endpointProblem(url, domain, facts.regions);
    if (problem !== undefined) return problem;
  }
  for (const other of DOMAINS) {
    if (other === domain) continue;
    const zones = [...facts.exposure[other].zones.external, ...facts.exposure[other].zones.internal];
    const zone = zones.find((z) => host === z || host.endsWith(`.${z}`));
    if (zone !== undefined) return `${host} is under domain ${other}'s exposure zone ${zone}, not ${domain}`;
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host)) {
      const pool = Object.entries(facts.pools[other]).find(([, cidr]) => contains(cidr, `${host}/32`));
      if (pool !== undefined) return `${host} is in domain ${other}'s ${pool[0]} pool ${pool[1]}, not ${domain}`;
    }
  }
  return undefined;
}

/** The strings a check hands to what it runs or reads, each with its key under the check: `url`, `prometheusUrl`, `command[2]`. */
function checkArguments(check: HealthCheck): Array<{ field: string; text: string }> {
  if (check.kind === "http") return [{ field: "url", text: check.url }];
  if (check.kind === "slo-burn") return [{ field: "prometheusUrl", text: check.prometheusUrl }];
  return check.command.map((text, j) => ({ field: `command[${j}]`, text }));
}

/** The URLs a check reads: its `url` or `prometheusUrl`, or each URL inside a command argument (`curl https://…`). */
function checkUrls(check: HealthCheck): Array<{ field: string; url: string }> {
  return checkArguments(check).flatMap(({ field, text }) => (check.kind === "command" ? [...text.matchAll(/https?:\/\/[^\s"'<>]+/gi)].map((m) => ({ field, url: m[0] })) : [{ field, url: text }]));
}

/** Every gate check URL held to its domain: one `{ key, detail }` per URL outside it (keys as in fleet.yaml). */
export function gateUrlProblems(settings: GatesSettings, facts: GateUrlFacts): Array<{ key: string; detail: string }> {
  return DOMAINS.flatMap((d) =>
    (settings.domains[d]?.checks ?? []).flatMap((check, i) =>
      checkUrls(check).flatMap(({ field, url }) => {
        const problem = gateUrlProblem(url, d, facts);
        return problem === undefined ? [] : [{ key: `gates.domains.${d}.checks[${i}].${field}`, detail: `a gate of domain ${d} must check its own domain: ${problem}` }];
      }),
    ),
  );
}

/** The loader's check: the first gate URL outside its domain stops the fleet (exit 2, naming file and key). */
export function validateGateUrls(file: string, settings: GatesSettings, facts: GateUrlFacts): GatesSettings {
  const first = gateUrlProblems(settings, facts)[0];
  if (first !== undefined) throw new FleetConfigError(file, first.key, first.detail);
  return settings;
}

/** The words of an argument that could be a stack name: runs of the characters stack names hold. */
function nameWords(text: string): string[] {
  return stackNameKey(text).split(/[^a-z0-9-]+/);
}

/**
 * The loader's check once the stacks are known: every gate check argument or URL naming a stack
 * of another domain, one error each (exit 2, naming fleet.yaml and the key).
 */
export function gateStackErrors(file: string, settings: GatesSettings, stacks: ReadonlyMap<string, { readonly domain: Domain }>): FleetConfigError[] {
  const domainOf = new Map([...stacks].map(([name, s]) => [stackNameKey(name), { name, domain: s.domain }]));
  return DOMAINS.flatMap((d) =>
    (settings.domains[d]?.checks ?? []).flatMap((check, i) =>
      checkArguments(check).flatMap(({ field, text }) => {
        const named = nameWords(text).map((w) => domainOf.get(w)).find((s) => s !== undefined && s.domain !== d);
        if (named === undefined) return [];
        return [new FleetConfigError(file, `gates.domains.${d}.checks[${i}].${field}`, `a gate of domain ${d} must check its own domain: it names stack ${named.name} of domain ${named.domain}`)];
      }),
    ),
  );
}
