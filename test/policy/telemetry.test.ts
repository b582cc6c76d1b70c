/**
 * The telemetry policies over the collector values ClusterTelemetry really renders
 * (`collectorValues`, the same function the component calls), per cloud: the component's
 * values pass the whole pack's telemetry checks; each way of sending data out of the domain
 * is refused, mandatory.
 */
import { collectorValues, type CollectorWiring } from "../../components/observability";
import { EU, k8sEu, mandatory, res, run } from "./harness";

const wiring: Record<"aws" | "azure" | "gcp", CollectorWiring> = {
  aws: {
    extensions: { sigv4auth: { region: "eu-central-1", service: "aps" } },
    metricsExporters: { "prometheusremotewrite/amp": { endpoint: "https://aps-workspaces.eu-central-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write", auth: { authenticator: "sigv4auth" } } },
    logsExporters: { awscloudwatchlogs: { region: "eu-central-1", endpoint: "https://logs.eu-central-1.amazonaws.com", log_group_name: "/meridian/c/workloads", log_stream_name: "otel-collector" } },
    serviceAccountAnnotations: {},
    podLabels: {},
    endpoints: [],
  },
  azure: {
    extensions: { azureauth: {} },
    metricsExporters: { "prometheusremotewrite/azuremonitor": { endpoint: "https://dce-ab.westeurope-1.metrics.ingest.monitor.azure.com/dataCollectionRules/dcr-1/streams/Microsoft-PrometheusMetrics/api/v1/write?api-version=2023-04-24" } },
    logsExporters: {},
    serviceAccountAnnotations: {},
    podLabels: {},
    endpoints: [],
  },
  gcp: {
    extensions: {},
    metricsExporters: { googlemanagedprometheus: { project: "p-eu" } },
    logsExporters: { googlecloud: { project: "p-eu", log: { default_log_name: "meridian-otel" } } },
    serviceAccountAnnotations: {},
    podLabels: {},
    endpoints: [],
  },
};
const REGION = { aws: "eu-central-1", azure: "westeurope", gcp: "europe-west1" } as const;

const release = (cloud: keyof typeof wiring, w: CollectorWiring = wiring[cloud], region: string = REGION[cloud]) =>
  res(
    "kubernetes:helm.sh/v3:Release",
    `otel-${cloud}`,
    { chart: "opentelemetry-collector", values: collectorValues({ domain: "eu", cloud, region, clusterName: "c", imagePrefix: "reg.example/meridian/eu/", wiring: w }) },
    { provider: k8sEu },
  );
const exporterPolicy = "meridian-residency-telemetry-exporter-domain";

describe("the collector values ClusterTelemetry renders", () => {
  it.each(["aws", "azure", "gcp"] as const)("%s: pass", (cloud) => {
    expect(run(exporterPolicy, [release(cloud)], EU)).toEqual([]);
  });

  it("an extra OTLP exporter to a vendor is refused, mandatory", () => {
    const w = { ...wiring.aws, metricsExporters: { ...wiring.aws.metricsExporters, "otlp/vendor": { endpoint: "ingest.vendor.example:4317" } } };
    const vs = mandatory(run(exporterPolicy, [release("aws", w)], EU));
    expect(vs.map((v) => v.message)).toEqual([expect.stringContaining("otlp/vendor: endpoint ingest.vendor.example is not a regional ingestion endpoint")]);
  });

  it("remote write to the other domain's AMP is refused", () => {
    const w = { ...wiring.aws, metricsExporters: { "prometheusremotewrite/amp": { endpoint: "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-9/api/v1/remote_write" } } };
    expect(mandatory(run(exporterPolicy, [release("aws", w)], EU)).map((v) => v.message).join("\n")).toContain("us-east-1, domain us, not eu");
  });

  it("a look-alike host that merely starts with a regional name is in no domain", () => {
    const w = { ...wiring.aws, metricsExporters: { "prometheusremotewrite/amp": { endpoint: "https://aps-workspaces.eu-central-1.amazonaws.com.attacker.example/x" } } };
    expect(mandatory(run(exporterPolicy, [release("aws", w)], EU))).toHaveLength(1);
  });

  it("GCP data stamped with a US location is refused (where Google Managed Prometheus stores it)", () => {
    expect(mandatory(run(exporterPolicy, [release("gcp", wiring.gcp, "us-central1")], EU)).map((v) => v.message).join("\n")).toContain("location 'us-central1' (domain us)");
  });

  it("values unknown at preview are reported as not verifiable, not passed", () => {
    const r = res("kubernetes:helm.sh/v3:Release", "otel", { values: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" }, { provider: k8sEu });
    const vs = run(exporterPolicy, [r], EU);
    expect(vs.map((v) => v.level)).toEqual(["advisory"]);
  });

  it("a Helm release that is not a collector is not judged", () => {
    expect(run(exporterPolicy, [res("kubernetes:helm.sh/v3:Release", "other", { values: { replicas: 2 } }, { provider: k8sEu })], EU)).toEqual([]);
  });
});
