/**
 * Telemetry stays in its domain (MER-TEL-01, MER-TEL-02): an OpenTelemetry collector's
 * exporters send only to ingestion endpoints of the stack's domain, and the telemetry sinks
 * the other residency checks do not see (flow-log destinations, AMP workspace logs, AMP
 * Alertmanager topics, Azure partner diagnostics) write only to the domain. Log sinks,
 * subscription filters and diagnostic workspaces are already RES-07 / GCP-07. Telemetry is data: logs carry request paths, user ids and
 * error payloads, metrics carry tenant names — exactly what a vendor endpoint or a bucket in
 * the other domain would leak.
 *
 * How an exporter is placed: by the region in its endpoint's host (lib/telemetryEndpoints.ts,
 * the same rule the collector component applies at plan time); Google's exporters call
 * global APIs and are placed by the `location` / `cloud.region` the collector's resource
 * processor stamps on every datum (what Google Managed Prometheus stores by); an exporter
 * with neither cannot be placed and is refused.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { resourcePolicy, type ResourceCheckContext } from "../lib/define";
import { describeLocation, isAllowed, regionOfArn } from "../lib/location";
import { endpointProblem } from "../lib/telemetryEndpoints";
import { at, isUnknownValue, str } from "../lib/values";

const SOC2_TELEMETRY = ["SOC2 CC6.1", "SOC2 CC6.7", "SOC2 C1.1"];
/** Exporters that write nowhere off the node. */
const LOCAL_EXPORTERS = new Set(["debug", "nop", "file"]);
/** Google exporters: global API, data placed by the datum's location label. */
const GOOGLE_EXPORTERS = new Set(["googlemanagedprometheus", "googlecloud"]);
/** Where an exporter's destination URL may sit in its config. */
const ENDPOINT_PATHS = ["endpoint", "metric.endpoint", "log.endpoint", "trace.endpoint"];

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** The locations the collector's resource processors stamp (`location`, `cloud.region`). */
function stampedLocations(processors: unknown): string[] {
  if (!isObject(processors)) return [];
  return Object.entries(processors)
    .filter(([k]) => k === "resource" || k.startsWith("resource/"))
    .flatMap(([, p]) => (isObject(p) && Array.isArray(p.attributes) ? p.attributes : []))
    .filter((a): a is Record<string, unknown> => isObject(a) && (a.key === "location" || a.key === "cloud.region") && a.action !== "delete")
    .map((a) => String(a.value));
}

function checkExporter(id: string, exporter: unknown, processors: unknown, ctx: ResourceCheckContext): void {
  const kind = id.split("/")[0];
  const domain = ctx.cfg.domain!;
  if (LOCAL_EXPORTERS.has(kind)) return;
  let placed = false;
  for (const path of ENDPOINT_PATHS) {
    const endpoint = at(exporter, path);
    if (endpoint === undefined) continue;
    placed = true;
    if (isUnknownValue(endpoint) || typeof endpoint === "symbol") {
      ctx.unknown(`values.config.exporters.${id}.${path}`);
      continue;
    }
    const problem = endpointProblem(String(endpoint), domain, ctx.cfg.regions);
    if (problem !== undefined) ctx.report(`collector exporter ${id}: ${path} ${problem}`);
  }
  if (kind === "awscloudwatchlogs") {
    const region = str(at(exporter, "region"));
    placed = true;
    if (region === undefined || !isAllowed(ctx.cfg, "aws", region)) ctx.report(`collector exporter ${id}: region ${region === undefined ? "unset" : describeLocation(ctx.cfg, "aws", region)} is not in ${domain}`);
  }
  if (GOOGLE_EXPORTERS.has(kind) && !placed) {
    placed = true;
    const stamped = stampedLocations(processors);
    if (stamped.length === 0) ctx.report(`collector exporter ${id}: no resource processor sets \`location\`/\`cloud.region\`, so Google stores the data wherever the node reports`);
    for (const loc of stamped) {
      if (!isAllowed(ctx.cfg, "gcp", loc)) ctx.report(`collector exporter ${id}: data is stamped with location ${describeLocation(ctx.cfg, "gcp", loc)}, outside ${domain}`);
    }
  }
  if (!placed) ctx.report(`collector exporter ${id}: has no endpoint the pack can place in ${domain} (a ${kind} exporter to an unnamed destination)`);
}

export const telemetryExporterDomain: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-residency-telemetry-exporter-domain",
    area: "residency",
    rules: ["MER-TEL-01"],
    description: "An OpenTelemetry collector (a Helm release whose values carry `config.exporters`) exports only to ingestion endpoints in the stack's domain.",
    why: "A collector sees every log line and metric of its cluster; one exporter to a vendor SaaS or the other domain's backend moves the domain's data out of it.",
    remediation:
      "Export to the domain's backends only (Amazon Managed Prometheus / CloudWatch Logs in a region of the domain, an Azure Monitor ingestion endpoint of the domain, Google exporters with `location` stamped to a region of the domain) — use ClusterTelemetry, which builds exactly these.",
    severity: "critical",
    enforcementLevel: "mandatory",
    frameworks: SOC2_TELEMETRY,
    types: ["kubernetes:helm.sh/v3:Release"],
  },
  (r, ctx) => {
    if (!ctx.cfg.domain) return;
    const values = at(r.props, "values");
    if (isUnknownValue(values) || typeof values === "symbol") {
      ctx.unknown("values");
      return;
    }
    const exporters = at(values, "config.exporters");
    if (!isObject(exporters)) return; // not a collector
    const processors = at(values, "config.processors");
    for (const [id, exporter] of Object.entries(exporters)) checkExporter(id, exporter, processors, ctx);
  },
);

/** Every AWS ARN in a text (an Alertmanager definition names its SNS topics by ARN). */
const ARN = /arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{12}:[^\s"',]+/g;

/** Where each type sends telemetry: the property and how to read ARNs out of it. */
const SINK_FIELDS: Readonly<Record<string, string>> = {
  "aws:ec2/flowLog:FlowLog": "logDestination",
  "aws:amp/workspace:Workspace": "loggingConfiguration.logGroupArn",
  "aws:amp/alertManagerDefinition:AlertManagerDefinition": "definition",
  "azure-native:monitor:DiagnosticSetting": "marketplacePartnerId",
};

export const telemetrySinkDomain: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-residency-telemetry-sink-domain",
    area: "residency",
    rules: ["MER-TEL-02"],
    description:
      "Telemetry sinks the other residency checks do not see stay in the stack's domain: VPC flow-log destinations, Amazon Managed Prometheus workspace logs and Alertmanager SNS topics are ARNs of the domain's regions; Azure diagnostic settings send to no partner solution. (Log sinks, subscriptions and diagnostic workspaces are RES-07 / GCP-07.)",
    why: "Flow logs name every peer of every workload; alerts carry tenant, cluster and error labels. A destination in the other domain (or a partner SaaS) is a standing export of that data.",
    remediation:
      "Send flow logs to a log group or bucket of the domain, AMP logs to a log group of its region, Alertmanager to an SNS topic of the domain (ClusterTelemetry does all three); send Azure diagnostics to the domain's Log Analytics workspace, not `marketplacePartnerId`.",
    severity: "critical",
    enforcementLevel: "mandatory",
    frameworks: SOC2_TELEMETRY,
    types: Object.keys(SINK_FIELDS),
  },
  (r, ctx) => {
    if (!ctx.cfg.domain) return;
    const field = SINK_FIELDS[r.type];
    const value = at(r.props, field);
    if (value === undefined || value === null || value === "") return;
    if (isUnknownValue(value) || typeof value === "symbol") {
      ctx.unknown(field);
      return;
    }
    if (r.type.startsWith("azure-native:")) {
      ctx.report(`${field} sends diagnostics to a partner solution outside the domain's control`);
      return;
    }
    // S3 ARNs carry no region; the bucket's own location is checked where it is created.
    for (const arn of String(value).match(ARN) ?? []) {
      const region = regionOfArn(arn);
      if (region !== undefined && !isAllowed(ctx.cfg, "aws", region)) ctx.report(`${field}: ${arn} is in ${describeLocation(ctx.cfg, "aws", region)}, outside ${ctx.cfg.domain}`);
    }
  },
);

export const telemetryPolicies = [telemetryExporterDomain, telemetrySinkDomain];
