/**
 * Compile-time residency tests for the tenant component (run by `tsc --noEmit`): an EU
 * tenant cannot take a US key or registry, and its handle cannot stand in for a US tenant's.
 */
import type * as k8s from "@pulumi/kubernetes";
import type { KeyHandle, RegistryHandle, TenantHandle } from "../../components/residency";
import type { ClusterTenantArgs, TenantPolicyInput } from "../../components/tenant";

declare const euKey: KeyHandle<"eu">;
declare const usKey: KeyHandle<"us">;
declare const euRegistry: RegistryHandle<"eu">;
declare const usRegistry: RegistryHandle<"us">;
declare const provider: k8s.Provider;
declare const tenant: TenantPolicyInput;
declare const euTenant: TenantHandle<"eu">;

const common = { domain: "eu" as const, tenant, provider, clusterName: "eu-workload-aws" };

export const ok: ClusterTenantArgs<"eu"> = { ...common, cloud: { cloud: "aws", region: "eu-central-1", key: euKey, registry: euRegistry, oidcIssuer: "https://oidc.example/id/1" } };
export const attached: ClusterTenantArgs<"eu"> = { ...common, cloud: { cloud: "none" } };

// @ts-expect-error an EU tenant cannot take a US key
export const usKeyOnEu: ClusterTenantArgs<"eu"> = { ...common, cloud: { cloud: "aws", region: "eu-central-1", key: usKey, registry: euRegistry } };

// @ts-expect-error an EU tenant cannot pull from a US registry
export const usRegistryOnEu: ClusterTenantArgs<"eu"> = { ...common, cloud: { cloud: "gcp", region: "europe-west1", key: euKey, registry: usRegistry } };

// @ts-expect-error an EU tenant's handle is not a US tenant's
export const euAsUs: TenantHandle<"us"> = euTenant;
