/** Pure parts of the telemetry component: endpoint placement, burn-rate rules, validation, retention. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { installMocks } from "../../support/mocks";

installMocks({ stack: "eu-workload-aws" });

import {
  BURN_RATE_WINDOWS,
  ClusterTelemetry,
  clusterSlos,
  cloudWatchRetention,
  endpointProblem,
  endpointProblems,
  errorRatioRecord,
  inDomainEndpoint,
  inlineBurnAlerts,
  SERIES_LABELS,
  sloRuleGroup,
  validateClusterTelemetry,
  type TelemetryEndpointHandle,
} from "../../../components/observability";
import { isoDuration } from "../../../components/observability/azure";
import { seconds, serviceAccountId } from "../../../components/observability/gcp";
import { DEFAULT_REGIONS } from "../../../components/residency";
import { EU_AWS_KEY, EU_AWS_NETWORK, EU_AWS_REGISTRY } from "../cluster/fixtures";

describe("exporter endpoints are placed by their host", () => {
  it.each([
    ["https://aps-workspaces.eu-central-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write", undefined],
    ["logs.eu-west-1.amazonaws.com", undefined],
    ["https://dce-eu-ab12.westeurope-1.metrics.ingest.monitor.azure.com/dataCollectionRules/dcr-1/streams/x", undefined],
    ["https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write", "domain us, not eu"],
    ["https://aps-workspaces.eu-west-2.amazonaws.com/workspaces/ws-1", "in no domain's allowlist"],
    ["https://dce-x.eastus-1.metrics.ingest.monitor.azure.com/", "domain us, not eu"],
    ["https://otlp.vendor-saas.example.com:4318", "not a regional ingestion endpoint"],
    ["https://aps-workspaces.eu-central-1.amazonaws.com.evil.example/", "not a regional ingestion endpoint"],
    ["http://10.0.0.5:4317", "not a regional ingestion endpoint"],
  ])("%s", (url, problem) => {
    const p = endpointProblem(url, "eu", DEFAULT_REGIONS);
    if (problem === undefined) expect(p).toBeUndefined();
    else expect(p).toContain(problem);
  });

  it("only an in-domain endpoint can be minted as a handle (the type then carries the domain)", () => {
    expect(inDomainEndpoint("eu", "https://aps-workspaces.eu-west-1.amazonaws.com/x", DEFAULT_REGIONS)).toMatchObject({ domain: "eu" });
    expect(() => inDomainEndpoint("eu", "https://aps-workspaces.us-east-1.amazonaws.com/x", DEFAULT_REGIONS)).toThrow(/residency: telemetry endpoint .* domain us, not eu/);
  });

  it("endpointProblems names each bad exporter", () => {
    expect(endpointProblems("eu", ["https://logs.eu-central-1.amazonaws.com", "https://logs.us-east-1.amazonaws.com"], DEFAULT_REGIONS)).toEqual([
      { propertyPath: "exporters[1]", reason: expect.stringContaining("us-east-1") },
    ]);
  });
});

describe("multi-window multi-burn-rate rules", () => {
  const slo = clusterSlos({ domain: "eu", clusterName: "eu-workload-aws", labels: SERIES_LABELS.aws, objective: 99.9, tenants: [{ name: "shop", namespaces: ["shop", "shop-jobs"] }] });

  it("one SLO for the cluster API and one per tenant over its namespaces", () => {
    expect(slo.map((s) => s.name)).toEqual(["cluster-api", "tenant-shop"]);
    expect(slo[1].badSelector).toBe('k8s_cluster_name="eu-workload-aws",k8s_namespace_name=~"shop|shop-jobs",http_response_status_code=~"5.."');
    expect(slo[1].labels).toEqual({ domain: "eu", cluster: "eu-workload-aws", tenant: "shop" });
  });

  it("records every window once and alerts on each long/short pair at the workbook's factors of a 0.1% budget", () => {
    const g = sloRuleGroup(slo[0]);
    const records = g.rules.filter((r) => r.record);
    expect(records.map((r) => r.record)).toEqual(["5m", "1h", "30m", "6h", "2h", "1d", "3d"].map(errorRatioRecord));
    const alerts = g.rules.filter((r) => r.alert);
    expect(alerts.map((a) => [a.labels?.severity, a.for, a.labels?.window])).toEqual([
      ["page", "2m", "1h/5m"],
      ["page", "15m", "6h/30m"],
      ["ticket", "1h", "1d/2h"],
      ["ticket", "3h", "3d/6h"],
    ]);
    expect(alerts[0].expr).toBe('meridian:slo_errors:ratio_rate1h{slo="cluster-api"} > (14.4 * 0.001) and meridian:slo_errors:ratio_rate5m{slo="cluster-api"} > (14.4 * 0.001)');
    expect(BURN_RATE_WINDOWS.map((w) => w.factor)).toEqual([14.4, 6, 3, 1]);
  });

  it("the inline form (Cloud Monitoring) has the same thresholds with the ratios written out", () => {
    const a = inlineBurnAlerts(slo[1]);
    expect(a).toHaveLength(4);
    expect(a[3].expr).toContain("[3d]");
    expect(a[3].expr).toContain("[6h]");
    expect(a[3].expr).toContain("> (1 * 0.001)");
    expect(a[3].expr).not.toContain("meridian:slo_errors");
  });

  it("a 99.95% objective halves the budget", () => {
    const g = sloRuleGroup({ ...slo[0], objective: 99.95 });
    expect(g.rules.find((r) => r.alert)!.expr).toContain("(14.4 * 0.0005)");
  });
});

describe("validation and conversions", () => {
  const ok = { domain: "eu" as const, cloud: "aws" as const, region: "eu-central-1", allowlist: DEFAULT_REGIONS, handles: [], logRetentionDays: 365, metricsRetentionDays: 400, sloObjective: 99.9 };
  it("accepts the defaults and refuses each bad input by name", () => {
    expect(validateClusterTelemetry(ok)).toEqual([]);
    const bad = validateClusterTelemetry({ ...ok, region: "us-east-1", handles: [{ path: "key", domain: "us" }], logRetentionDays: 30, metricsRetentionDays: 10, sloObjective: 100 });
    expect(bad.map((p) => p.propertyPath)).toEqual(["region", "key", "logRetentionDays", "metricsRetentionDays", "sloObjective"]);
  });

  it("CloudWatch retention rounds up to an accepted value, never down", () => {
    expect(cloudWatchRetention(365)).toBe(365);
    expect(cloudWatchRetention(366)).toBe(400);
    expect(cloudWatchRetention(91)).toBe(120);
    expect(() => cloudWatchRetention(4000)).toThrow(/3653/);
  });

  it("durations for Azure and GCP; GSA ids fit 30 characters", () => {
    expect(["2m", "1h", "3d"].map(isoDuration)).toEqual(["PT2M", "PT1H", "P3D"]);
    expect(["2m", "1h", "3h"].map(seconds)).toEqual(["120s", "3600s", "10800s"]);
    expect(serviceAccountId("eu-workload-gcp-with-a-long-name")).toMatch(/^[a-z][a-z0-9-]{5,29}$/);
  });
});

describe("the component refuses another domain's endpoint at plan time", () => {
  const cluster = { domain: "eu" as const, clusterName: pulumi.output("c"), oidcIssuer: pulumi.output("https://oidc"), provider: new k8s.Provider("c-k8s", { kubeconfig: "{}" }) };
  const base = { domain: "eu" as const, cloud: "aws" as const, region: "eu-central-1", clusterName: "c", cluster, key: EU_AWS_KEY, registry: EU_AWS_REGISTRY, network: EU_AWS_NETWORK, allowlist: DEFAULT_REGIONS };

  it("a US endpoint forced past the type names the argument and the reason", () => {
    const smuggled = { domain: "eu", url: "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/x/api/v1/remote_write" } as unknown as TelemetryEndpointHandle<"eu">;
    let error: unknown;
    try {
      new ClusterTelemetry("bad", { ...base, additionalRemoteWrite: [smuggled] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(pulumi.InputPropertiesError);
    expect((error as pulumi.InputPropertiesError).errors).toEqual([{ propertyPath: "additionalRemoteWrite[0]", reason: expect.stringContaining("domain us, not eu") }]);
  });

  it("a key of another cloud or a region outside the domain is refused", () => {
    expect(() => new ClusterTelemetry("bad2", { ...base, region: "us-east-1" })).toThrow(/invalid arguments/);
  });
});
