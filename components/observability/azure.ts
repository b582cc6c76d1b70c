/**
 * Azure: an Azure Monitor workspace (managed Prometheus) in the cluster's region, reached
 * through a data collection endpoint and rule of the same region; the SLO rules as Prometheus
 * rule groups on that workspace, paging the domain's receiver through an action group; a
 * user-assigned identity the collector federates to (AKS workload identity) with "Monitoring
 * Metrics Publisher" on this rule only.
 *
 * Not CMK: Azure Monitor workspaces encrypt with Microsoft-managed keys and offer no
 * customer-managed key (docs/observability.md). Logs: the cluster's audit logs already go to
 * its own Log Analytics workspace (components/cluster/aks.ts); the collector exports metrics.
 * Log Analytics takes a customer-managed key only through a dedicated cluster (a commitment
 * tier of at least 100 GB a day): {@link createLogAnalyticsCmkCluster}, when configured.
 */
import * as azure from "../sdk/azure";
import * as pulumi from "@pulumi/pulumi";
import { LOG_ANALYTICS_COMMITMENT_TIERS } from "./facts";
import { createKeyUserIdentity } from "../kms/azure";
import type { KeyRef } from "../residency";
import { azureActionGroup } from "./receivers";
import { COLLECTOR_NAMESPACE, COLLECTOR_SERVICE_ACCOUNT, type BackendResult, type BackendSpec, type CollectorWiring, sloRuleGroup, type PrometheusRule } from "./spec";

/** Built-in role "Monitoring Metrics Publisher". */
export const MONITORING_METRICS_PUBLISHER = "3913510d-42f4-4e42-8a64-420c390055eb";
/** Where AKS workload identity mounts the projected token. */
const AZURE_TOKEN_FILE = "/var/run/secrets/azure/tokens/azure-identity-token";

/** `5m` → `PT5M`, `1h` → `PT1H`, `1d` → `P1D` (what Azure rule groups take). */
export function isoDuration(d: string): string {
  const m = /^(\d+)([smhd])$/.exec(d);
  if (m === null) throw new Error(`not a Prometheus duration: ${d}`);
  return m[2] === "d" ? `P${m[1]}D` : `PT${m[1]}${m[2].toUpperCase()}`;
}

export function metricsIngestionUrl(dceEndpoint: string, dcrImmutableId: string): string {
  return `${dceEndpoint.replace(/\/+$/, "")}/dataCollectionRules/${dcrImmutableId}/streams/Microsoft-PrometheusMetrics/api/v1/write?api-version=2023-04-24`;
}

function azureRule(r: PrometheusRule, actionGroupId: pulumi.Input<string>): azure.types.input.alertsmanagement.PrometheusRuleArgs {
  if (r.record !== undefined) return { record: r.record, expression: r.expr, labels: r.labels };
  return {
    alert: r.alert,
    expression: r.expr,
    for: r.for === undefined ? undefined : isoDuration(r.for),
    labels: r.labels,
    annotations: r.annotations,
    severity: r.labels?.severity === "page" ? 1 : 3,
    enabled: true,
    actions: [{ actionGroupId }],
    resolveConfiguration: { autoResolved: true, timeToResolve: "PT10M" },
  };
}

export function createAzureBackend(spec: BackendSpec, resourceGroupName: pulumi.Input<string>, parent: pulumi.Resource): BackendResult {
  const o = { parent };
  const tags = { ...spec.tags };
  const location = spec.region;
  const client = azure.authorization.getClientConfigOutput({ parent });
  const workspace = new azure.monitor.AzureMonitorWorkspace(`${spec.name}-amw`, { resourceGroupName, location, tags }, o);
  const dce = new azure.monitor.DataCollectionEndpoint(`${spec.name}-dce`, { resourceGroupName, location, tags }, o);
  const dcr = new azure.monitor.DataCollectionRule(
    `${spec.name}-dcr`,
    {
      resourceGroupName,
      location,
      dataCollectionEndpointId: dce.id,
      destinations: { monitoringAccounts: [{ name: "domain-amw", accountResourceId: workspace.id }] },
      dataFlows: [{ streams: ["Microsoft-PrometheusMetrics"], destinations: ["domain-amw"] }],
      tags,
    },
    o,
  );

  const identity = new azure.managedidentity.UserAssignedIdentity(`${spec.name}-collector`, { resourceGroupName, location, tags }, o);
  const federation = new azure.managedidentity.FederatedIdentityCredential(
    `${spec.name}-collector-federation`,
    {
      resourceGroupName,
      resourceName: identity.name,
      issuer: spec.oidcIssuer,
      subject: `system:serviceaccount:${COLLECTOR_NAMESPACE}:${COLLECTOR_SERVICE_ACCOUNT}`,
      audiences: ["api://AzureADTokenExchange"],
    },
    o,
  );
  const grant = new azure.authorization.RoleAssignment(
    `${spec.name}-collector-publish`,
    {
      principalId: identity.principalId,
      principalType: "ServicePrincipal",
      roleDefinitionId: pulumi.interpolate`/subscriptions/${client.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${MONITORING_METRICS_PUBLISHER}`,
      scope: dcr.id,
    },
    o,
  );

  // Action groups are global objects holding only the receiver's addresses; the alerts stay in the workspace's region.
  const actionGroup = azureActionGroup({ name: spec.name, domain: spec.domain, emails: spec.receiverEmails, tags }, resourceGroupName, o);
  spec.slos.map(sloRuleGroup).forEach(
    (g, i) =>
      new azure.alertsmanagement.PrometheusRuleGroup(
        `${spec.name}-slo-${i}`,
        {
          resourceGroupName,
          location,
          ruleGroupName: `${spec.clusterName}-${g.name}`,
          clusterName: spec.clusterName,
          scopes: [workspace.id],
          interval: isoDuration(g.interval),
          enabled: true,
          rules: g.rules.map((r) => azureRule(r, actionGroup.id)),
          tags,
        },
        o,
      ),
  );

  const remoteWrite = (endpoint: string) => ({ endpoint, auth: { authenticator: "azureauth" }, resource_to_telemetry_conversion: { enabled: true } });
  const wiring = pulumi
    .all([dce.metricsIngestion, dcr.immutableId, identity.clientId, client.tenantId])
    .apply(([ingestion, immutableId, clientId, tenantId]): CollectorWiring => {
      const primary = metricsIngestionUrl(ingestion?.endpoint ?? "", immutableId);
      return {
        extensions: { azureauth: { workload_identity: { client_id: clientId, tenant_id: tenantId, federated_token_file: AZURE_TOKEN_FILE }, scopes: ["https://monitor.azure.com/.default"] } },
        metricsExporters: {
          "prometheusremotewrite/azuremonitor": remoteWrite(primary),
          ...Object.fromEntries(spec.extraRemoteWrite.map((url, i) => [`prometheusremotewrite/extra-${i}`, remoteWrite(url)])),
        },
        logsExporters: {},
        serviceAccountAnnotations: { "azure.workload.identity/client-id": clientId },
        podLabels: { "azure.workload.identity/use": "true" },
        endpoints: [primary, ...spec.extraRemoteWrite],
      };
    });
  return {
    wiring,
    summary: { cloud: "azure", metricsWorkspace: workspace.id, dataCollectionRule: dcr.id, actionGroup: actionGroup.id, collectorClientId: identity.clientId },
    ready: [federation, grant],
  };
}

/** Why a Log Analytics CMK request cannot be honoured (property paths of ClusterTelemetryArgs). */
export function logAnalyticsCmkProblems(cloud: string, cmk: { readonly capacityGbPerDay: number } | undefined): pulumi.InputPropertyErrorDetails[] {
  if (cmk === undefined) return [];
  if (cloud !== "azure") return [{ propertyPath: "logAnalyticsCmk", reason: `Log Analytics is Azure's; a ${cloud} cluster has none` }];
  if (!(LOG_ANALYTICS_COMMITMENT_TIERS as readonly number[]).includes(cmk.capacityGbPerDay)) {
    return [{ propertyPath: "logAnalyticsCmk.capacityGbPerDay", reason: `must be a commitment tier (${LOG_ANALYTICS_COMMITMENT_TIERS.join(", ")} GB a day), got ${cmk.capacityGbPerDay}` }];
  }
  return [];
}

/** `/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/name` → its group and name. */
export function workspaceParts(id: string): { resourceGroupName: string; workspaceName: string } {
  const m = /\/resourceGroups\/([^/]+)\/providers\/Microsoft\.OperationalInsights\/workspaces\/([^/]+)$/i.exec(id);
  if (m === null) throw new Error(`not a Log Analytics workspace id: ${id}`);
  return { resourceGroupName: m[1], workspaceName: m[2] };
}

/**
 * A Log Analytics dedicated cluster in the cluster's region whose data is encrypted with the
 * domain's Key Vault key (versionless, so it follows rotation), through a user-assigned identity
 * granted on the vault before the cluster exists — Azure then accepts the key at creation. Each
 * given workspace is linked to it (`linkedServices/cluster`); data ingested after the link is
 * under the key. Double encryption stays on (the default for new clusters).
 * https://learn.microsoft.com/azure/azure-monitor/logs/customer-managed-keys
 */
export function createLogAnalyticsCmkCluster(
  spec: BackendSpec,
  key: Extract<KeyRef, { cloud: "azure" }>,
  resourceGroupName: pulumi.Input<string>,
  cmk: { readonly capacityGbPerDay: number; readonly workspaceIds: ReadonlyArray<pulumi.Input<string>> },
  parent: pulumi.Resource,
): { summary: Record<string, pulumi.Input<unknown>> } {
  const tags = { ...spec.tags };
  const { identity, grant } = createKeyUserIdentity(
    { identity: `${spec.name}-la-key-identity`, grant: `${spec.name}-la-key-access` },
    { resourceGroupName, location: spec.region, vaultId: key.vaultId, tags },
    parent,
  );
  const cluster = new azure.operationalinsights.Cluster(
    `${spec.name}-la-cluster`,
    {
      resourceGroupName,
      location: spec.region,
      identity: { type: "UserAssigned", userAssignedIdentities: [identity.id] },
      sku: { name: "CapacityReservation", capacity: cmk.capacityGbPerDay },
      isDoubleEncryptionEnabled: true,
      // An empty version: the cluster follows the key's newest version as it rotates.
      keyVaultProperties: { keyVaultUri: key.vaultUri, keyName: key.keyName, keyVersion: "" },
      billingType: "Cluster",
      tags,
    },
    { parent, dependsOn: [grant] },
  );
  cmk.workspaceIds.forEach((workspaceId, i) => {
    const parts = pulumi.output(workspaceId).apply(workspaceParts);
    new azure.operationalinsights.LinkedService(
      `${spec.name}-la-link-${i}`,
      { resourceGroupName: parts.resourceGroupName, workspaceName: parts.workspaceName, linkedServiceName: "cluster", writeAccessResourceId: cluster.id },
      { parent },
    );
  });
  return { summary: { cluster: cluster.id, key: key.keyUri, capacityGbPerDay: cmk.capacityGbPerDay, linkedWorkspaces: cmk.workspaceIds.length } };
}
