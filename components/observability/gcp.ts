/**
 * GCP: Google Managed Prometheus stores metrics in the region named by each series'
 * `location` label (the collector stamps the cluster's region); logs go to a Cloud Logging
 * bucket in the cluster's region under the domain's CMEK key with the configured retention,
 * routed there by a sink (the collector's log and the VPC flow logs) and excluded from the
 * project's `_Default` bucket, whose location is global unless the organisation says
 * otherwise. SLO alerts are Cloud Monitoring PromQL alert policies paging the domain's
 * receiver through e-mail notification channels. The collector is a Google service account
 * the collector's Kubernetes ServiceAccount impersonates through Workload Identity.
 */
import * as gcp from "../sdk/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { KeyRef } from "../residency";
import { gcpEmailChannels } from "./receivers";
import { COLLECTOR_NAMESPACE, COLLECTOR_SERVICE_ACCOUNT, inlineBurnAlerts, type BackendResult, type BackendSpec, type CollectorWiring } from "./spec";

/** The log the collector writes (its exporter's `default_log_name`); the sink routes exactly it. */
export const COLLECTOR_LOG_NAME = "meridian-otel";
const COLLECTOR_ROLES = ["roles/monitoring.metricWriter", "roles/logging.logWriter"] as const;

/** What the telemetry sink routes to the regional bucket (and the exclusion keeps out of `_Default`). */
export function telemetryLogFilter(project: string): string {
  return `logName="projects/${project}/logs/${COLLECTOR_LOG_NAME}" OR log_id("compute.googleapis.com/vpc_flows")`;
}

/** `600s` from `10m`: Cloud Monitoring takes durations in seconds. */
export function seconds(d: string): string {
  const m = /^(\d+)([smhd])$/.exec(d);
  if (m === null) throw new Error(`not a Prometheus duration: ${d}`);
  return `${Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as "s" | "m" | "h" | "d"]}s`;
}

/** A GCP service account id: 6–30 characters, a letter first. */
export function serviceAccountId(clusterName: string): string {
  return `otel-${clusterName}`.toLowerCase().replace(/[^a-z0-9-]/g, "-").slice(0, 30).replace(/-+$/, "");
}

export function createGcpBackend(spec: BackendSpec, key: Extract<KeyRef, { cloud: "gcp" }>, parent: pulumi.Resource): BackendResult {
  const o = { parent };
  const project = gcp.organizations.getProjectOutput({}, o);
  const projectId = project.apply((p) => p.projectId ?? "");

  // Cloud Logging encrypts the bucket with the key through its own service agent.
  const keyGrant = new gcp.kms.CryptoKeyIAMMember(
    `${spec.name}-logs-key`,
    { cryptoKeyId: key.cryptoKeyId, role: "roles/cloudkms.cryptoKeyEncrypterDecrypter", member: pulumi.interpolate`serviceAccount:service-${project.number}@gcp-sa-logging.iam.gserviceaccount.com` },
    o,
  );
  const bucketId = `${spec.clusterName}-telemetry`;
  const bucket = new gcp.logging.ProjectBucketConfig(
    `${spec.name}-logs`,
    { project: projectId, location: spec.region, bucketId, retentionDays: spec.logRetentionDays, cmekSettings: { kmsKeyName: key.cryptoKeyId }, locked: false },
    { parent, dependsOn: [keyGrant] },
  );
  const filter = projectId.apply(telemetryLogFilter);
  new gcp.logging.ProjectSink(
    `${spec.name}-logs-sink`,
    { project: projectId, name: `${spec.clusterName}-telemetry`, destination: pulumi.interpolate`logging.googleapis.com/${bucket.id}`, filter, uniqueWriterIdentity: true },
    o,
  );
  new gcp.logging.ProjectExclusion(
    `${spec.name}-logs-not-default`,
    { project: projectId, name: `${spec.clusterName}-telemetry-not-default`, description: "kept in the domain's regional telemetry bucket instead of _Default", filter },
    o,
  );

  const account = new gcp.serviceaccount.Account(
    `${spec.name}-collector`,
    { project: projectId, accountId: serviceAccountId(spec.clusterName), displayName: `OpenTelemetry collector of ${spec.clusterName}` },
    o,
  );
  const roles = COLLECTOR_ROLES.map(
    (role) => new gcp.projects.IAMMember(`${spec.name}-collector-${role.split(".").pop()}`, { project: projectId, role, member: account.member }, o),
  );
  const workloadIdentity = new gcp.serviceaccount.IAMMember(
    `${spec.name}-collector-wi`,
    { serviceAccountId: account.name, role: "roles/iam.workloadIdentityUser", member: pulumi.interpolate`serviceAccount:${projectId}.svc.id.goog[${COLLECTOR_NAMESPACE}/${COLLECTOR_SERVICE_ACCOUNT}]` },
    o,
  );

  const channels = gcpEmailChannels({ name: spec.name, domain: spec.domain, emails: spec.receiverEmails, tags: {} }, projectId, o);
  spec.slos.forEach((slo, i) =>
    inlineBurnAlerts(slo).forEach(
      (alert, j) =>
        new gcp.monitoring.AlertPolicy(
          `${spec.name}-slo-${i}-${j}`,
          {
            project: projectId,
            displayName: `${spec.clusterName} ${slo.name} ${alert.labels?.window ?? ""}`.trim(),
            combiner: "OR",
            severity: alert.labels?.severity === "page" ? "CRITICAL" : "WARNING",
            conditions: [
              {
                displayName: alert.alert ?? slo.name,
                conditionPrometheusQueryLanguage: { query: alert.expr, duration: seconds(alert.for ?? "0s"), evaluationInterval: "60s", alertRule: alert.alert, ruleGroup: `slo-${slo.name}`, labels: alert.labels },
              },
            ],
            notificationChannels: channels.map((c) => c.name),
            documentation: { content: alert.annotations?.summary ?? "", mimeType: "text/markdown" },
            userLabels: { domain: spec.domain, slo: slo.name },
          },
          o,
        ),
    ),
  );

  const wiring = pulumi.all([projectId, account.email]).apply(([p, email]): CollectorWiring => ({
    extensions: {},
    metricsExporters: { googlemanagedprometheus: { project: p } },
    logsExporters: { googlecloud: { project: p, log: { default_log_name: COLLECTOR_LOG_NAME } } },
    serviceAccountAnnotations: { "iam.gke.io/gcp-service-account": email },
    podLabels: {},
    // Google's exporters call global APIs; where data rests is the `location` label and the bucket (docs/observability.md).
    endpoints: [],
  }));
  return {
    wiring,
    summary: { cloud: "gcp", logBucket: bucket.id, collectorServiceAccount: account.email, notificationChannels: channels.map((c) => c.name) },
    ready: [workloadIdentity, ...roles],
  };
}
