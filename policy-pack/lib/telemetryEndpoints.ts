/**
 * Where a telemetry endpoint sends data: the region a cloud ingestion host names, so the
 * collector component (at plan time), the policy pack (on the rendered Helm values) and the
 * tests judge an exporter endpoint by the same rule. Only hosts whose region can be read from
 * the name are placeable; any other host (a SaaS vendor, an IP address, a global API) is in
 * no domain and therefore refused. Pure data and functions: the pack publishes on its own.
 */
import type { Cloud, Domain, RegionAllowlist } from "./catalogue";
import { DOMAINS } from "./catalogue";

/** The ingestion hosts we know how to place, each with the part of the name that is the region. */
const REGIONAL_HOSTS: ReadonlyArray<{ readonly cloud: Cloud; readonly pattern: RegExp; readonly what: string }> = [
  // Amazon Managed Service for Prometheus remote write / query.
  { cloud: "aws", pattern: /^aps-workspaces\.([a-z0-9-]+)\.amazonaws\.com$/, what: "Amazon Managed Prometheus" },
  // CloudWatch Logs.
  { cloud: "aws", pattern: /^logs\.([a-z0-9-]+)\.amazonaws\.com$/, what: "CloudWatch Logs" },
  // Azure Monitor data collection endpoints: `<name>-<suffix>.<region>-1.metrics.ingest.monitor.azure.com`.
  { cloud: "azure", pattern: /^[a-z0-9-]+\.([a-z0-9]+)-\d+\.(?:metrics\.)?ingest\.monitor\.azure\.com$/, what: "Azure Monitor ingestion" },
  // Cloud Logging / Monitoring regional endpoints (`logging.europe-west1.rep.googleapis.com`).
  { cloud: "gcp", pattern: /^(?:logging|monitoring)\.([a-z0-9-]+)\.rep\.googleapis\.com$/, what: "Google Cloud regional endpoint" },
];

export interface EndpointPlacement {
  readonly host: string;
  readonly cloud?: Cloud;
  readonly region?: string;
  /** The domain whose allowlist holds the region; undefined = in no domain. */
  readonly domain?: Domain;
  readonly what?: string;
}

/** The host of a URL or bare `host[:port]`, lower-case; undefined when unparsable. */
export function endpointHost(endpoint: string): string | undefined {
  const s = endpoint.trim();
  if (s === "") return undefined;
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(s) ? s : `https://${s}`);
    return url.hostname.toLowerCase() || undefined;
  } catch {
    return undefined;
  }
}

/** Which cloud, region and domain an endpoint sends to, under an allowlist. */
export function placeEndpoint(endpoint: string, allowlist: RegionAllowlist): EndpointPlacement {
  const host = endpointHost(endpoint) ?? endpoint;
  for (const h of REGIONAL_HOSTS) {
    const m = h.pattern.exec(host);
    if (m === null) continue;
    const region = m[1];
    return { host, cloud: h.cloud, region, what: h.what, domain: DOMAINS.find((d) => allowlist[d][h.cloud].includes(region)) };
  }
  return { host };
}

/** Why an endpoint is not in `domain`, or undefined when it is. */
export function endpointProblem(endpoint: string, domain: Domain, allowlist: RegionAllowlist): string | undefined {
  const p = placeEndpoint(endpoint, allowlist);
  if (p.region === undefined) return `${p.host} is not a regional ingestion endpoint of any cloud, so it is in no domain`;
  if (p.domain !== domain) {
    return `${p.host} sends to ${p.what} in ${p.region}, ${p.domain === undefined ? "which is in no domain's allowlist" : `domain ${p.domain}`}, not ${domain}`;
  }
  return undefined;
}
