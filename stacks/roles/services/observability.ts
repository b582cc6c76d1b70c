/**
 * The observability service: on every cluster (workload and management), the domain's
 * telemetry backends on the cluster's cloud, the OpenTelemetry collector exporting only to
 * them, and burn-rate SLO alerts for the cluster and for each tenant placed on this stack
 * (fleet.yaml `tenants.<domain>`), paging the domain's receiver (`observability.<domain>`).
 */
import { tenantsOnStack } from "../../../automation/fleet/tenants";
import { AMP_MAX_RETENTION_DAYS, ClusterTelemetry, FIXED_METRICS_RETENTION_DAYS } from "../../../components/observability";
import type { Domain } from "../../../components/residency";
import type { ClusterService, ClusterServiceContext } from "./index";

async function deploy<D extends Domain>(c: ClusterServiceContext<D>): Promise<Record<string, unknown>> {
  const { ctx } = c;
  const settings = ctx.fleet.settings.observability[ctx.domain];
  const tenants = c.role === "workload" ? tenantsOnStack(ctx.fleet.settings.tenants, ctx.domain, ctx.stack) : [];
  const telemetry = new ClusterTelemetry(
    `${ctx.stack}-observability`,
    {
      domain: ctx.domain,
      cloud: c.cloud,
      region: c.region,
      clusterName: ctx.stack,
      cluster: c.cluster,
      key: c.foundation.key,
      registry: c.foundation.registry,
      network: c.foundation.network,
      allowlist: ctx.fleet.settings.regions,
      tenants,
      logRetentionDays: settings.logRetentionDays,
      metricsRetentionDays: settings.metricsRetentionDays,
      sloObjective: settings.sloObjective,
      receiverEmails: settings.receiver?.emails ?? [],
      ...(c.cloud === "azure" && settings.logAnalyticsCmk !== undefined
        ? { logAnalyticsCmk: { capacityGbPerDay: settings.logAnalyticsCmk.capacityGbPerDay, workspaceIds: c.cluster.logAnalyticsWorkspaceId ? [c.cluster.logAnalyticsWorkspaceId] : [] } }
        : {}),
      tags: ctx.tags,
    },
    { parent: c.cluster },
  );
  return {
    backend: telemetry.backend,
    collector: { release: telemetry.collector.name, namespace: telemetry.collector.namespace, chartVersion: telemetry.collector.version },
    // What the backend really keeps: some services fix their own retention.
    retentionDays: { logs: settings.logRetentionDays, metrics: FIXED_METRICS_RETENTION_DAYS[c.cloud] ?? Math.min(settings.metricsRetentionDays, AMP_MAX_RETENTION_DAYS) },
    slos: telemetry.slos.map((s) => ({ name: s.name, objective: s.objective })),
    receiver: settings.receiver === undefined ? "none configured" : `${settings.receiver.emails.length} address(es)`,
  };
}

export const observabilityService: ClusterService = { name: "observability", roles: ["workload", "management"], deploy };
