/**
 * ClusterTelemetry: a cluster's observability inside its residency domain. The domain's
 * backends on the cluster's cloud and region (aws.ts: Amazon Managed Prometheus + CloudWatch
 * Logs; azure.ts: Azure Monitor workspace; gcp.ts: Google Managed Prometheus + a regional
 * Cloud Logging bucket), encrypted with the domain key where the service allows it; an
 * OpenTelemetry collector (pinned chart and image from the domain registry) that exports to
 * those backends and nowhere else; and the cluster's and its tenants' SLOs as multi-window
 * multi-burn-rate alerts routed to the domain's receiver.
 *
 * Residency is a type and a plan-time check: the key, registry, network and cluster are
 * handles of the args' domain `D`, extra exporter endpoints are {@link TelemetryEndpointHandle}s
 * of `D` (a raw URL does not compile), and every endpoint the collector is given is placed in
 * the domain's allowlist before the Helm release is built — otherwise the stack fails to plan.
 */
import * as k8s from "../sdk/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ResidentCluster } from "../cluster";
import { assertSameDomain, residentTags, type Cloud, type Domain, type KeyHandle, type NetworkHandle, type RegionAllowlist, type RegistryHandle } from "../residency";
import { createAwsBackend } from "./aws";
import { createAzureBackend, createLogAnalyticsCmkCluster, logAnalyticsCmkProblems } from "./azure";
import { createGcpBackend } from "./gcp";
import {
  clusterSlos,
  COLLECTOR_NAMESPACE,
  COLLECTOR_PINS,
  COLLECTOR_SERVICE_ACCOUNT,
  collectorValues,
  endpointProblems,
  SERIES_LABELS,
  validateClusterTelemetry,
  type BackendResult,
  type BackendSpec,
  type CollectorValues,
  type SloSpec,
  type TelemetryEndpointHandle,
} from "./spec";

export * from "./spec";
export { AMP_MAX_RETENTION_DAYS, CLOUDWATCH_RETENTION_DAYS, cloudWatchRetention } from "./aws";
export { MONITORING_METRICS_PUBLISHER } from "./azure";
export { COLLECTOR_LOG_NAME, telemetryLogFilter } from "./gcp";

export interface ClusterTelemetryArgs<D extends Domain> {
  /** (Required) The residency domain; every handle below must be of it. */
  readonly domain: D;
  /** (Required) The cluster's cloud and region (a region of the domain). */
  readonly cloud: Cloud;
  readonly region: string;
  /** (Required) The cluster's name as its stack spells it (labels, rule and bucket names). */
  readonly clusterName: string;
  /** (Required) The cluster: its cloud name, OIDC issuer and Kubernetes provider. */
  readonly cluster: Pick<ResidentCluster<NoInfer<D>>, "domain" | "clusterName" | "oidcIssuer" | "provider">;
  /** (Required) The domain key on the cluster's cloud: encrypts the backends that accept a CMK. */
  readonly key: KeyHandle<NoInfer<D>>;
  /** (Required) The domain registry: the chart mirror and the collector image. */
  readonly registry: RegistryHandle<NoInfer<D>>;
  /** (Required) The cluster's network (Azure: its resource group holds the backends). */
  readonly network: NetworkHandle<NoInfer<D>>;
  /** (Required) The fleet's region allowlist, which places every exporter endpoint. */
  readonly allowlist: RegionAllowlist;
  /** (Optional) Tenants on this cluster; one SLO each over their namespaces. Defaults to none. */
  readonly tenants?: ReadonlyArray<{ readonly name: string; readonly namespaces: readonly string[] }>;
  /** (Optional) Log retention in days, 90–3653. Defaults to 365. */
  readonly logRetentionDays?: number;
  /** (Optional) Metrics retention in days where the backend lets us choose, 30–3653. Defaults to 400. */
  readonly metricsRetentionDays?: number;
  /** (Optional) Availability objective in percent, 99 ≤ x < 100. Defaults to 99.9. */
  readonly sloObjective?: number;
  /** (Optional) The domain receiver's e-mail addresses. Defaults to none (alerts fire into the backend only). */
  readonly receiverEmails?: readonly string[];
  /** (Optional) More in-domain remote-write targets (AWS and Azure). Defaults to none. */
  readonly additionalRemoteWrite?: ReadonlyArray<TelemetryEndpointHandle<NoInfer<D>>>;
  /**
   * (Optional) Azure only: a Log Analytics dedicated cluster in the cluster's region under the
   * domain key, at the commitment tier `capacityGbPerDay` (GB a day, at least 100), with the
   * workspaces `workspaceIds` (the AKS audit workspace) linked to it. Defaults to none: Log
   * Analytics keeps Microsoft-managed keys.
   */
  readonly logAnalyticsCmk?: { readonly capacityGbPerDay: number; readonly workspaceIds: ReadonlyArray<pulumi.Input<string>> };
  /** (Optional) Tags/labels on every cloud child. Defaults to none. */
  readonly tags?: Readonly<Record<string, string>>;
}

export class ClusterTelemetry<D extends Domain> extends pulumi.ComponentResource {
  /** Backend ids and endpoints, for the stack's `services.observability` output. No credential. */
  readonly backend: Readonly<Record<string, pulumi.Input<unknown>>>;
  /** The SLOs whose burn-rate alerts this cluster carries. */
  readonly slos: readonly SloSpec[];
  /** The collector's Helm release (its values are what the pack judges). */
  readonly collector: k8s.helm.v3.Release;

  constructor(name: string, args: ClusterTelemetryArgs<D>, opts?: pulumi.ComponentResourceOptions) {
    super("meridian:observability:ClusterTelemetry", name, {}, opts);
    const logRetentionDays = args.logRetentionDays ?? 365;
    const metricsRetentionDays = args.metricsRetentionDays ?? 400;
    const sloObjective = args.sloObjective ?? 99.9;
    const extra = args.additionalRemoteWrite ?? [];
    const problems = [
      ...validateClusterTelemetry({
        domain: args.domain,
        cloud: args.cloud,
        region: args.region,
        allowlist: args.allowlist,
        handles: [
          { path: "cluster", domain: args.cluster.domain },
          { path: "key", domain: args.key.domain },
          { path: "registry", domain: args.registry.domain },
          { path: "network", domain: args.network.domain },
          ...extra.map((e, i) => ({ path: `additionalRemoteWrite[${i}]`, domain: e.domain })),
        ],
        logRetentionDays,
        metricsRetentionDays,
        sloObjective,
      }),
      ...endpointProblems(args.domain, extra.map((e) => e.url), args.allowlist).map((p) => ({ ...p, propertyPath: `additionalRemoteWrite${p.propertyPath.slice("exporters".length)}` })),
      ...(args.cloud === "gcp" && extra.length > 0 ? [{ propertyPath: "additionalRemoteWrite", reason: "GCP exports through Google Managed Prometheus only" }] : []),
      ...(args.key.cloud !== args.cloud ? [{ propertyPath: "key", reason: `a ${args.key.cloud} key cannot encrypt ${args.cloud} telemetry` }] : []),
      ...logAnalyticsCmkProblems(args.cloud, args.logAnalyticsCmk),
    ];
    if (problems.length > 0) throw new pulumi.InputPropertiesError({ message: `ClusterTelemetry ${name}: invalid arguments`, errors: problems });
    for (const h of [args.cluster, args.key, args.registry, args.network]) assertSameDomain(args.domain, h, `${name} input`);

    this.slos = clusterSlos({ domain: args.domain, clusterName: args.clusterName, labels: SERIES_LABELS[args.cloud], objective: sloObjective, tenants: args.tenants ?? [] });
    const spec: BackendSpec = {
      name,
      domain: args.domain,
      region: args.region,
      clusterName: args.clusterName,
      tags: residentTags(args.domain, args.tags),
      logRetentionDays,
      metricsRetentionDays,
      receiverEmails: args.receiverEmails ?? [],
      slos: this.slos,
      oidcIssuer: args.cluster.oidcIssuer,
      extraRemoteWrite: extra.map((e) => e.url),
    };
    const backend = createBackend(spec, args, this);

    const values: pulumi.Output<CollectorValues> = pulumi.all([backend.wiring, pulumi.output(args.registry.imagePrefixes)]).apply(([wiring, prefixes]) => {
      // The plan-time residency check on what the collector is actually given.
      const bad = endpointProblems(args.domain, wiring.endpoints, args.allowlist);
      if (bad.length > 0) throw new Error(`ClusterTelemetry ${name}: exporter endpoints outside domain ${args.domain}: ${bad.map((b) => b.reason).join("; ")}`);
      if (prefixes.length === 0) throw new Error(`ClusterTelemetry ${name}: registry has no image prefix for the collector image`);
      return collectorValues({ domain: args.domain, cloud: args.cloud, region: args.region, clusterName: args.clusterName, imagePrefix: prefixes[0], wiring });
    });
    const k8sOpts = { parent: this, provider: args.cluster.provider };
    const network = new k8s.networking.v1.NetworkPolicy(
      `${name}-collector-net`,
      {
        metadata: { name: "otel-collector", namespace: COLLECTOR_NAMESPACE },
        spec: {
          podSelector: { matchLabels: { "app.kubernetes.io/name": COLLECTOR_PINS.chart } },
          policyTypes: ["Ingress", "Egress"],
          // OTLP from workloads of this cluster (the cluster is the domain's).
          ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ protocol: "TCP", port: 4317 }, { protocol: "TCP", port: 4318 }] }],
          // HTTPS to the cloud's ingestion APIs, the API server and kubelets; where data goes is the exporter config (checked above and by the pack).
          egress: [{ ports: [{ protocol: "TCP", port: 443 }, { protocol: "TCP", port: 6443 }, { protocol: "TCP", port: 10250 }] }],
        },
      },
      k8sOpts,
    );
    this.collector = new k8s.helm.v3.Release(
      `${name}-collector`,
      {
        name: COLLECTOR_SERVICE_ACCOUNT,
        chart: COLLECTOR_PINS.chart,
        version: COLLECTOR_PINS.chartVersion,
        namespace: COLLECTOR_NAMESPACE,
        createNamespace: false,
        repositoryOpts: { repo: pulumi.output(args.registry.imagePrefixes).apply((p) => `oci://${p[0] ?? ""}charts`) },
        values,
        atomic: true,
        timeout: 600,
      },
      { ...k8sOpts, dependsOn: [...backend.ready, network] },
    );
    this.backend = backend.summary;
    this.registerOutputs({ backend: this.backend, slos: this.slos.map((s) => s.name) });
  }
}

function createBackend<D extends Domain>(spec: BackendSpec, args: ClusterTelemetryArgs<D>, parent: pulumi.Resource): BackendResult {
  const key = args.key;
  switch (key.cloud) {
    case "aws":
      return createAwsBackend(spec, key, args.cluster.clusterName, parent);
    case "azure": {
      const rg = args.network.resourceGroupName ?? key.resourceGroupName;
      const backend = createAzureBackend(spec, rg, parent);
      const logs = args.logAnalyticsCmk === undefined ? undefined : createLogAnalyticsCmkCluster(spec, key, rg, args.logAnalyticsCmk, parent);
      return { ...backend, summary: { ...backend.summary, logAnalyticsEncryption: logs?.summary ?? "Microsoft-managed keys (observability.<domain>.logAnalyticsCmk not set)" } };
    }
    case "gcp":
      return createGcpBackend(spec, key, parent);
  }
}
