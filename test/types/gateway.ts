/**
 * Compile-time residency of the exposure path: an EU Gateway takes EU handles only — no US
 * intermediate for its issuer, no US roots in its trust bundle, no US registry for its charts.
 */
import type * as k8s from "@pulumi/kubernetes";
import type { ClusterGatewayArgs } from "../../components/gateway";
import type { CaHandle, NetworkHandle, RegistryHandle, TrustRootsHandle } from "../../components/residency";

declare const provider: k8s.Provider;
declare const euNetwork: NetworkHandle<"eu">;
declare const euRegistry: RegistryHandle<"eu">;
declare const usRegistry: RegistryHandle<"us">;
declare const euCa: CaHandle<"eu">;
declare const usCa: CaHandle<"us">;
declare const euRoots: TrustRootsHandle<"eu">;
declare const usRoots: TrustRootsHandle<"us">;

const common = { domain: "eu" as const, cloud: "aws" as const, provider, clusterName: "eu-workload-aws", network: euNetwork };

export const ok: ClusterGatewayArgs<"eu"> = { ...common, registry: euRegistry, issuer: euCa, trust: euRoots };

// @ts-expect-error an EU Gateway cannot issue certificates from the US intermediate
export const usIssuer: ClusterGatewayArgs<"eu"> = { ...common, registry: euRegistry, issuer: usCa, trust: euRoots };

// @ts-expect-error an EU trust bundle cannot carry the US roots
export const usTrust: ClusterGatewayArgs<"eu"> = { ...common, registry: euRegistry, issuer: euCa, trust: usRoots };

// @ts-expect-error an EU Gateway cannot pull its charts and images from the US registry
export const usCharts: ClusterGatewayArgs<"eu"> = { ...common, registry: usRegistry, issuer: euCa, trust: euRoots };
