/**
 * Compile-time residency tests for ClusterTelemetry (checked by `tsc --noEmit`, never run):
 * another domain's cluster, key, registry, network or exporter endpoint must not type-check,
 * and a raw URL cannot be passed where an in-domain endpoint handle is required.
 */
import { ClusterTelemetry, type ClusterTelemetryArgs, type TelemetryEndpointHandle } from "../../components/observability";
import type { ResidentCluster } from "../../components/cluster";
import type { KeyHandle, NetworkHandle, RegionAllowlist, RegistryHandle } from "../../components/residency";

declare const euCluster: ResidentCluster<"eu">;
declare const usCluster: ResidentCluster<"us">;
declare const euKey: KeyHandle<"eu">;
declare const usKey: KeyHandle<"us">;
declare const euRegistry: RegistryHandle<"eu">;
declare const usRegistry: RegistryHandle<"us">;
declare const euNetwork: NetworkHandle<"eu">;
declare const usNetwork: NetworkHandle<"us">;
declare const euEndpoint: TelemetryEndpointHandle<"eu">;
declare const usEndpoint: TelemetryEndpointHandle<"us">;
declare const allowlist: RegionAllowlist;

const eu: ClusterTelemetryArgs<"eu"> = {
  domain: "eu",
  cloud: "aws",
  region: "eu-central-1",
  clusterName: "eu-workload-aws",
  cluster: euCluster,
  key: euKey,
  registry: euRegistry,
  network: euNetwork,
  allowlist,
};

// Same domain, with an in-domain extra endpoint: compiles.
new ClusterTelemetry("ok", { ...eu, additionalRemoteWrite: [euEndpoint] });

// @ts-expect-error a US endpoint cannot be an EU collector's exporter
new ClusterTelemetry("bad-endpoint", { ...eu, additionalRemoteWrite: [usEndpoint] });

// @ts-expect-error a raw URL is not an endpoint handle (only inDomainEndpoint mints one)
new ClusterTelemetry("bad-url", { ...eu, additionalRemoteWrite: ["https://otlp.vendor.example"] });

// @ts-expect-error a hand-built object literal cannot impersonate an endpoint handle
new ClusterTelemetry("bad-literal", { ...eu, additionalRemoteWrite: [{ domain: "eu", url: "https://otlp.vendor.example" }] });

// @ts-expect-error a US cluster's telemetry cannot be declared EU
new ClusterTelemetry("bad-cluster", { ...eu, cluster: usCluster });

// @ts-expect-error a US key cannot encrypt EU telemetry
new ClusterTelemetry("bad-key", { ...eu, key: usKey });

// @ts-expect-error the collector image and chart come from the domain's own registry
new ClusterTelemetry("bad-registry", { ...eu, registry: usRegistry });

// @ts-expect-error the backends live beside the domain's own network
new ClusterTelemetry("bad-network", { ...eu, network: usNetwork });

// Declared US with EU handles.
// @ts-expect-error EU handles cannot build US telemetry
new ClusterTelemetry("bad-domain", { ...eu, domain: "us" });
