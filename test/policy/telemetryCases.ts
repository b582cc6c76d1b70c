/** Pass and fail cases for the telemetry policies (policy-pack/policies/telemetry.ts), for coverage.test.ts. */
import type { Case } from "./cases";
import { awsEu, azureEu, k8sEu, res } from "./harness";

const AMP_EU = "https://aps-workspaces.eu-central-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write";

/** A collector release with the given exporters, the residency processor stamping eu-central-1. */
export const collectorRelease = (exporters: Record<string, unknown>, location = "europe-west1") =>
  res(
    "kubernetes:helm.sh/v3:Release",
    "otel",
    {
      chart: "opentelemetry-collector",
      values: {
        config: {
          processors: { "resource/residency": { attributes: [{ key: "location", value: location, action: "upsert" }] } },
          exporters,
        },
      },
    },
    { provider: k8sEu },
  );

const flowLog = (dest: string) => res("aws:ec2/flowLog:FlowLog", "fl", { logDestination: dest, logDestinationType: "cloud-watch-logs" }, { provider: awsEu });
const amp = (arn: string) => res("aws:amp/workspace:Workspace", "amp", { loggingConfiguration: { logGroupArn: arn } }, { provider: awsEu });
const amDef = (topic: string) =>
  res("aws:amp/alertManagerDefinition:AlertManagerDefinition", "am", { workspaceId: "ws-1", definition: `alertmanager_config: |\n  receivers:\n    - name: domain\n      sns_configs:\n        - topic_arn: ${topic}\n` }, { provider: awsEu });

export const TELEMETRY_CASES: Record<string, Case[]> = {
  "meridian-residency-telemetry-exporter-domain": [
    {
      type: "kubernetes:helm.sh/v3:Release",
      pass: [collectorRelease({ "prometheusremotewrite/amp": { endpoint: AMP_EU }, awscloudwatchlogs: { region: "eu-central-1", endpoint: "https://logs.eu-central-1.amazonaws.com" }, debug: {} })],
      fail: [collectorRelease({ "prometheusremotewrite/amp": { endpoint: AMP_EU }, "otlphttp/vendor": { endpoint: "https://otlp.vendor.example.com" } })],
      expect: "collector exporter otlphttp/vendor: endpoint otlp.vendor.example.com is not a regional ingestion endpoint",
    },
    {
      type: "kubernetes:helm.sh/v3:Release",
      pass: [collectorRelease({ googlemanagedprometheus: { project: "p-eu" } })],
      fail: [collectorRelease({ googlemanagedprometheus: { project: "p-eu" } }, "us-central1")],
      expect: "data is stamped with location 'us-central1' (domain us), outside eu",
    },
    {
      type: "kubernetes:helm.sh/v3:Release",
      pass: [collectorRelease({ awscloudwatchlogs: { region: "eu-west-1" } })],
      fail: [collectorRelease({ awscloudwatchlogs: { region: "us-east-1" } })],
      expect: "collector exporter awscloudwatchlogs: region 'us-east-1' (domain us) is not in eu",
    },
    {
      type: "kubernetes:helm.sh/v3:Release",
      pass: [collectorRelease({ "prometheusremotewrite/azure": { endpoint: "https://dce-1.westeurope-1.metrics.ingest.monitor.azure.com/dataCollectionRules/dcr-1/streams/Microsoft-PrometheusMetrics/api/v1/write" } })],
      fail: [collectorRelease({ "prometheusremotewrite/azure": { endpoint: "https://dce-1.eastus-1.metrics.ingest.monitor.azure.com/dataCollectionRules/dcr-1/streams/Microsoft-PrometheusMetrics/api/v1/write" } })],
      expect: "sends to Azure Monitor ingestion in eastus, domain us, not eu",
    },
    {
      type: "kubernetes:helm.sh/v3:Release",
      pass: [collectorRelease({ nop: {} })],
      fail: [collectorRelease({ "kafka/out": { brokers: ["broker.example:9092"] } })],
      expect: "collector exporter kafka/out: has no endpoint the pack can place in eu",
    },
  ],
  "meridian-residency-telemetry-sink-domain": [
    {
      type: "aws:ec2/flowLog:FlowLog",
      pass: [flowLog("arn:aws:logs:eu-central-1:123456789012:log-group:flows")],
      fail: [flowLog("arn:aws:logs:us-east-1:123456789012:log-group:flows")],
      expect: "logDestination: arn:aws:logs:us-east-1:123456789012:log-group:flows is in 'us-east-1' (domain us), outside eu",
    },
    {
      type: "aws:amp/workspace:Workspace",
      pass: [amp("arn:aws:logs:eu-central-1:123456789012:log-group:/aws/prometheus/c:*")],
      fail: [amp("arn:aws:logs:eu-west-2:123456789012:log-group:/aws/prometheus/c:*")],
      expect: "in no domain's allowlist",
    },
    {
      type: "aws:amp/alertManagerDefinition:AlertManagerDefinition",
      pass: [amDef("arn:aws:sns:eu-central-1:123456789012:alerts")],
      fail: [amDef("arn:aws:sns:us-east-1:123456789012:alerts")],
      expect: "definition: arn:aws:sns:us-east-1:123456789012:alerts is in 'us-east-1' (domain us)",
    },
    {
      type: "azure-native:monitor:DiagnosticSetting",
      pass: [res("azure-native:monitor:DiagnosticSetting", "diag", { resourceUri: "/x", workspaceId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/w" }, { provider: azureEu })],
      fail: [res("azure-native:monitor:DiagnosticSetting", "diag", { resourceUri: "/x", marketplacePartnerId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Datadog/monitors/dd" }, { provider: azureEu })],
      expect: "marketplacePartnerId sends diagnostics to a partner solution",
    },
  ],
};
