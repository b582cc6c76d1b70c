/**
 * Shared types and pure functions of the ClusterTelemetry component: the pinned collector
 * chart and image, the in-domain exporter endpoint handle, the collector's typed values, and
 * the SLO burn-rate rules. Everything here is testable without mocks.
 */
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { z } from "zod";
import { endpointProblem } from "../../policy-pack/lib/telemetryEndpoints";
import { claimResident, type Cloud, type Domain, type RegionAllowlist, type Resident } from "../residency";

export { endpointProblem, placeEndpoint } from "../../policy-pack/lib/telemetryEndpoints";

/** The namespace the baseline reserves for node agents (Pod Security `privileged`, hostPath allowed). */
export const COLLECTOR_NAMESPACE = "meridian-node-agents";
/** The collector's ServiceAccount; cloud identities trust exactly this subject. */
export const COLLECTOR_SERVICE_ACCOUNT = "otel-collector";

/**
 * The OpenTelemetry collector, pinned. The chart is pulled from the domain registry's OCI
 * chart mirror (`oci://<registry prefix>charts`) and the image from the same registry by
 * digest. PLACEHOLDER: the digest below is not yet read from the mirror; fill it from
 * `crane digest <prefix>platform/opentelemetry-collector-contrib:<tag>` when the mirror syncs.
 */
export const COLLECTOR_PINS = {
  chart: "opentelemetry-collector",
  chartVersion: "0.127.2",
  image: "platform/opentelemetry-collector-contrib",
  tag: "0.127.0",
  digest: `sha256:${"0".repeat(63)}1`,
} as const;

/**
 * An exporter endpoint proven to be in domain `D`. Only {@link inDomainEndpoint} mints one,
 * after placing the host in the domain's allowlist, so a raw URL or another domain's
 * endpoint cannot reach a collector: the first does not compile, the second neither.
 */
export type TelemetryEndpointHandle<D extends Domain> = Resident<D> & {
  readonly url: string;
};

/** Check an endpoint against the domain's allowlist and mint its handle; throws naming the endpoint otherwise. */
export function inDomainEndpoint<D extends Domain>(domain: D, url: string, allowlist: RegionAllowlist): TelemetryEndpointHandle<D> {
  const problem = endpointProblem(url, domain, allowlist);
  if (problem !== undefined) throw new Error(`residency: telemetry endpoint ${url}: ${problem}`);
  return claimResident(domain, { url });
}

// ------------------------------------------------------------------------------------------
// Retention.

/** Azure Monitor workspaces keep 18 months and Cloud Monitoring 24, fixed by the services (AMP's is set from config). */
export const FIXED_METRICS_RETENTION_DAYS: Partial<Record<Cloud, number>> = { azure: 548, gcp: 730 };
/** Log Analytics' interactive retention is 4–730 days. */
export const LOG_ANALYTICS_MAX_DAYS = 730;

// ------------------------------------------------------------------------------------------
// The collector's values, typed and validated before they reach the chart.

const exporterConfig = z.record(z.string(), z.unknown());
export const collectorValuesSchema = z.strictObject({
  mode: z.literal("daemonset"),
  image: z.strictObject({ repository: z.string().min(1), digest: z.string().regex(/^sha256:[0-9a-f]{64}$/) }),
  command: z.strictObject({ name: z.literal("otelcol-contrib") }),
  serviceAccount: z.strictObject({ create: z.literal(true), name: z.literal(COLLECTOR_SERVICE_ACCOUNT), annotations: z.record(z.string(), z.string()) }),
  podLabels: z.record(z.string(), z.string()),
  presets: z.strictObject({
    kubeletMetrics: z.strictObject({ enabled: z.boolean() }),
    logsCollection: z.strictObject({ enabled: z.boolean() }),
    kubernetesAttributes: z.strictObject({ enabled: z.boolean() }),
  }),
  config: z.strictObject({
    extensions: z.record(z.string(), exporterConfig),
    receivers: z.record(z.string(), exporterConfig),
    processors: z.record(z.string(), exporterConfig),
    exporters: z.record(z.string(), exporterConfig).refine((e) => Object.keys(e).length > 0, "at least one exporter"),
    service: z.strictObject({
      extensions: z.array(z.string()),
      pipelines: z.record(z.string(), z.strictObject({ receivers: z.array(z.string()).min(1), processors: z.array(z.string()), exporters: z.array(z.string()).min(1) })),
    }),
  }),
});
export type CollectorValues = z.infer<typeof collectorValuesSchema>;

/** What a cloud adapter contributes to the collector: exporters, auth extensions and identity wiring. */
export interface CollectorWiring {
  readonly extensions: Record<string, Record<string, unknown>>;
  readonly metricsExporters: Record<string, Record<string, unknown>>;
  readonly logsExporters: Record<string, Record<string, unknown>>;
  readonly serviceAccountAnnotations: Record<string, string>;
  readonly podLabels: Record<string, string>;
  /** Every URL an exporter sends to, for the residency check (GCP exporters have none: see docs). */
  readonly endpoints: readonly string[];
}

/**
 * The residency processor stamps every datum with its domain and place: `cloud.region` and
 * `location` (the label Google Managed Prometheus stores data by) are the cluster's region.
 */
export function residencyAttributes(domain: Domain, cloud: Cloud, region: string, clusterName: string): Record<string, string> {
  return { "meridian.domain": domain, "cloud.provider": cloud, "cloud.region": region, location: region, "k8s.cluster.name": clusterName };
}

export function collectorValues(a: {
  domain: Domain;
  cloud: Cloud;
  region: string;
  clusterName: string;
  imagePrefix: string;
  wiring: CollectorWiring;
}): CollectorValues {
  const attributes = residencyAttributes(a.domain, a.cloud, a.region, a.clusterName);
  const pipelines: CollectorValues["config"]["service"]["pipelines"] = {
    metrics: { receivers: ["otlp", "prometheus/apiserver"], processors: ["memory_limiter", "resource/residency", "batch"], exporters: Object.keys(a.wiring.metricsExporters) },
  };
  if (Object.keys(a.wiring.logsExporters).length > 0) {
    pipelines.logs = { receivers: ["otlp"], processors: ["memory_limiter", "resource/residency", "batch"], exporters: Object.keys(a.wiring.logsExporters) };
  }
  return collectorValuesSchema.parse({
    mode: "daemonset",
    image: { repository: `${a.imagePrefix}${COLLECTOR_PINS.image}`, digest: COLLECTOR_PINS.digest },
    command: { name: "otelcol-contrib" },
    serviceAccount: { create: true, name: COLLECTOR_SERVICE_ACCOUNT, annotations: a.wiring.serviceAccountAnnotations },
    podLabels: { "meridian.io/domain": a.domain, ...a.wiring.podLabels },
    presets: { kubeletMetrics: { enabled: true }, logsCollection: { enabled: Object.keys(a.wiring.logsExporters).length > 0 }, kubernetesAttributes: { enabled: true } },
    config: {
      extensions: { health_check: { endpoint: "${env:MY_POD_IP}:13133" }, ...a.wiring.extensions },
      receivers: {
        otlp: { protocols: { grpc: { endpoint: "${env:MY_POD_IP}:4317" }, http: { endpoint: "${env:MY_POD_IP}:4318" } } },
        // The SLI of the cluster SLO: the API server's own request counters.
        "prometheus/apiserver": {
          config: {
            scrape_configs: [
              {
                job_name: "kubernetes-apiservers",
                scheme: "https",
                kubernetes_sd_configs: [{ role: "endpoints", namespaces: { names: ["default"] } }],
                authorization: { credentials_file: "/var/run/secrets/kubernetes.io/serviceaccount/token" },
                tls_config: { ca_file: "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt" },
                relabel_configs: [{ source_labels: ["__meta_kubernetes_service_name", "__meta_kubernetes_endpoint_port_name"], action: "keep", regex: "kubernetes;https" }],
              },
            ],
          },
        },
      },
      processors: {
        memory_limiter: { check_interval: "1s", limit_percentage: 80, spike_limit_percentage: 20 },
        batch: {},
        "resource/residency": { attributes: Object.entries(attributes).map(([key, value]) => ({ key, value, action: "upsert" })) },
      },
      // Only the domain's backends: the chart's default exporters are replaced, not merged into the pipelines.
      exporters: { ...a.wiring.metricsExporters, ...a.wiring.logsExporters },
      service: { extensions: ["health_check", ...Object.keys(a.wiring.extensions)], pipelines },
    },
  });
}

// ------------------------------------------------------------------------------------------
// SLOs: multi-window, multi-burn-rate alerts (Google SRE workbook, chapter 5, table 5-8).

/** Each alert fires when both windows burn faster than `factor` × the budget rate (30-day budget). */
export const BURN_RATE_WINDOWS = [
  { severity: "page", long: "1h", short: "5m", factor: 14.4, for: "2m" },
  { severity: "page", long: "6h", short: "30m", factor: 6, for: "15m" },
  { severity: "ticket", long: "1d", short: "2h", factor: 3, for: "1h" },
  { severity: "ticket", long: "3d", short: "6h", factor: 1, for: "3h" },
] as const;

/** An availability SLO: the ratio of bad to all events of one service. */
export interface SloSpec {
  /** `cluster-api` or `tenant-<name>`; a Prometheus label value. */
  readonly name: string;
  readonly objective: number;
  /** PromQL selector (inside `{}`) of the bad events, and of all events; no window. */
  readonly metric: string;
  readonly badSelector: string;
  readonly totalSelector: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface PrometheusRule {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}
export interface RuleGroup {
  readonly name: string;
  readonly interval: string;
  readonly rules: readonly PrometheusRule[];
}

const windows = (): string[] => [...new Set(BURN_RATE_WINDOWS.flatMap((w) => [w.short, w.long]))];

/** The recording rule name for an SLO's error ratio over a window. */
export function errorRatioRecord(window: string): string {
  return `meridian:slo_errors:ratio_rate${window}`;
}

/** Recording rules per window, then one alert per burn-rate pair, labelled for the domain's receiver. */
export function sloRuleGroup(slo: SloSpec): RuleGroup {
  if (!(slo.objective > 0 && slo.objective < 100)) throw new Error(`SLO ${slo.name}: objective must be a percentage below 100, got ${slo.objective}`);
  const budget = Number((1 - slo.objective / 100).toPrecision(6));
  const sel = (extra: string) => `{${[extra, `slo="${slo.name}"`].filter((s) => s !== "").join(",")}}`;
  const labels = { ...slo.labels, slo: slo.name };
  const records: PrometheusRule[] = windows().map((w) => ({
    record: errorRatioRecord(w),
    expr: `sum(rate(${slo.metric}{${slo.badSelector}}[${w}])) / sum(rate(${slo.metric}{${slo.totalSelector}}[${w}]))`,
    labels,
  }));
  const alerts: PrometheusRule[] = BURN_RATE_WINDOWS.map((w) => ({
    alert: `MeridianSloBurnRate${w.severity === "page" ? "Page" : "Ticket"}${w.long}`,
    expr: `${errorRatioRecord(w.long)}${sel("")} > (${w.factor} * ${budget}) and ${errorRatioRecord(w.short)}${sel("")} > (${w.factor} * ${budget})`,
    for: w.for,
    labels: { ...labels, severity: w.severity, window: `${w.long}/${w.short}` },
    annotations: {
      summary: `${slo.name} burns its ${slo.objective}% error budget ${w.factor}x too fast (${w.long} and ${w.short} windows)`,
      runbook: "docs/slo.md#error-budget-policy",
    },
  }));
  return { name: `slo-${slo.name}`, interval: "1m", rules: [...records, ...alerts] };
}

/**
 * The Prometheus label carrying the cluster name: remote write with resource-to-telemetry
 * conversion turns `k8s.cluster.name` into `k8s_cluster_name`; Google Managed Prometheus
 * stores it as the monitored resource's `cluster` label.
 */
export const SERIES_LABELS: Record<Cloud, { readonly cluster: string; readonly namespace: string }> = {
  aws: { cluster: "k8s_cluster_name", namespace: "k8s_namespace_name" },
  azure: { cluster: "k8s_cluster_name", namespace: "k8s_namespace_name" },
  gcp: { cluster: "cluster", namespace: "namespace" },
};

/**
 * The same alerts with each window's ratio written out instead of a recorded series, for
 * backends that evaluate alert queries but keep no recording rules (Cloud Monitoring).
 */
export function inlineBurnAlerts(slo: SloSpec): PrometheusRule[] {
  const ratio = (w: string) => `(sum(rate(${slo.metric}{${slo.badSelector}}[${w}])) / sum(rate(${slo.metric}{${slo.totalSelector}}[${w}])))`;
  const group = sloRuleGroup(slo);
  return group.rules
    .filter((r) => r.alert !== undefined)
    .map((r, i) => {
      const w = BURN_RATE_WINDOWS[i];
      const threshold = `(${w.factor} * ${Number((1 - slo.objective / 100).toPrecision(6))})`;
      return { ...r, expr: `${ratio(w.long)} > ${threshold} and ${ratio(w.short)} > ${threshold}` };
    });
}

/** The cluster's SLIs: API server availability, and per tenant its HTTP server availability. */
export function clusterSlos(a: {
  domain: Domain;
  clusterName: string;
  labels: { readonly cluster: string; readonly namespace: string };
  objective: number;
  tenants: ReadonlyArray<{ readonly name: string; readonly namespaces: readonly string[] }>;
}): SloSpec[] {
  const cluster = `${a.labels.cluster}="${a.clusterName}"`;
  const base = { domain: a.domain, cluster: a.clusterName };
  return [
    {
      name: "cluster-api",
      objective: a.objective,
      metric: "apiserver_request_total",
      badSelector: `${cluster},code=~"5.."`,
      totalSelector: cluster,
      labels: base,
    },
    ...a.tenants.map((t) => {
      const ns = `${a.labels.namespace}=~"${t.namespaces.join("|")}"`;
      return {
        name: `tenant-${t.name}`,
        objective: a.objective,
        metric: "http_server_request_duration_seconds_count",
        badSelector: `${cluster},${ns},http_response_status_code=~"5.."`,
        totalSelector: `${cluster},${ns}`,
        labels: { ...base, tenant: t.name },
      };
    }),
  ];
}

/** The rule groups as a Prometheus rules file (what AMP's rule group namespace takes). */
export function rulesFile(groups: readonly RuleGroup[]): string {
  return stringify({ groups: groups.map((g) => ({ name: g.name, interval: g.interval, rules: g.rules })) });
}

// ------------------------------------------------------------------------------------------
// Validation.

export interface ClusterTelemetryCheck {
  readonly domain: Domain;
  readonly region: string;
  readonly cloud: Cloud;
  readonly allowlist: RegionAllowlist;
  readonly handles: ReadonlyArray<{ readonly path: string; readonly domain: Domain }>;
  readonly logRetentionDays: number;
  readonly metricsRetentionDays: number;
  readonly sloObjective: number;
}

/** Pure validation, every problem at once. */
export function validateClusterTelemetry(c: ClusterTelemetryCheck): pulumi.InputPropertyErrorDetails[] {
  const problems: pulumi.InputPropertyErrorDetails[] = [];
  const push = (propertyPath: string, reason: string) => problems.push({ propertyPath, reason });
  if (!c.allowlist[c.domain][c.cloud].includes(c.region)) push("region", `${c.region} is not a ${c.cloud} region of domain ${c.domain}`);
  for (const h of c.handles) if (h.domain !== c.domain) push(h.path, `belongs to domain ${h.domain}, the telemetry to ${c.domain}`);
  if (!Number.isInteger(c.logRetentionDays) || c.logRetentionDays < 90 || c.logRetentionDays > 3653) push("logRetentionDays", `90–3653 days (SOC2 evidence), got ${c.logRetentionDays}`);
  if (!Number.isInteger(c.metricsRetentionDays) || c.metricsRetentionDays < 30 || c.metricsRetentionDays > 3653) push("metricsRetentionDays", `30–3653 days, got ${c.metricsRetentionDays}`);
  if (!(c.sloObjective >= 99 && c.sloObjective < 100)) push("sloObjective", `99 ≤ objective < 100, got ${c.sloObjective}`);
  return problems;
}

/** Every exporter endpoint must be in the domain; the plan fails the stack otherwise. */
export function endpointProblems(domain: Domain, endpoints: readonly string[], allowlist: RegionAllowlist): pulumi.InputPropertyErrorDetails[] {
  return endpoints.flatMap((url, i) => {
    const problem = endpointProblem(url, domain, allowlist);
    return problem === undefined ? [] : [{ propertyPath: `exporters[${i}]`, reason: problem }];
  });
}

// ------------------------------------------------------------------------------------------
// What the component hands each cloud adapter.

export interface BackendSpec {
  readonly name: string;
  readonly domain: Domain;
  readonly region: string;
  readonly clusterName: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly logRetentionDays: number;
  readonly metricsRetentionDays: number;
  /** The domain receiver's addresses; empty = alerts fire into the backend only. */
  readonly receiverEmails: readonly string[];
  /** The cluster's and its tenants' SLOs (adapters render them as rules of their backend). */
  readonly slos: readonly SloSpec[];
  /** The cluster's OIDC issuer (Azure federated credential). */
  readonly oidcIssuer: pulumi.Input<string>;
  /** Extra in-domain remote-write targets (already proven in the domain). */
  readonly extraRemoteWrite: readonly string[];
}

export interface BackendResult {
  readonly wiring: pulumi.Output<CollectorWiring>;
  /** What the stack exports: backend ids and endpoints, never a credential. */
  readonly summary: Readonly<Record<string, pulumi.Input<unknown>>>;
  /** Resources the collector must wait for (identity bindings). */
  readonly ready: pulumi.Resource[];
}
