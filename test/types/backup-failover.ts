/**
 * Compile-time residency tests (run by `tsc --noEmit`): an EU backup cannot take a US key,
 * network or registry, and an EU name cannot fail over to a US Gateway. Each
 * `@ts-expect-error` fails the type check if the line ever compiles.
 */
import type * as k8s from "@pulumi/kubernetes";
import type { ClusterBackupArgs } from "../../components/backup";
import type { DnsFailoverArgs, FailoverRecord } from "../../components/failover";
import type { GatewayTargetHandle, KeyHandle, NetworkHandle, RegistryHandle } from "../../components/residency";

declare const euKey: KeyHandle<"eu">;
declare const usKey: KeyHandle<"us">;
declare const euNetwork: NetworkHandle<"eu">;
declare const usNetwork: NetworkHandle<"us">;
declare const euRegistry: RegistryHandle<"eu">;
declare const usRegistry: RegistryHandle<"us">;
declare const euAws: GatewayTargetHandle<"eu">;
declare const euGcp: GatewayTargetHandle<"eu">;
declare const usGcp: GatewayTargetHandle<"us">;
declare const provider: k8s.Provider;

const common = { cloud: "aws" as const, region: "eu-central-1", clusterName: "eu-workload-aws", provider };

export const backupOk: ClusterBackupArgs<"eu"> = { ...common, domain: "eu", key: euKey, network: euNetwork, registry: euRegistry };
// @ts-expect-error an EU backup cannot be encrypted with a US key
export const backupUsKey: ClusterBackupArgs<"eu"> = { ...common, domain: "eu", key: usKey, network: euNetwork, registry: euRegistry };
// @ts-expect-error an EU backup cannot use a US network
export const backupUsNetwork: ClusterBackupArgs<"eu"> = { ...common, domain: "eu", key: euKey, network: usNetwork, registry: euRegistry };
// @ts-expect-error an EU backup cannot pull Velero from a US registry
export const backupUsRegistry: ClusterBackupArgs<"eu"> = { ...common, domain: "eu", key: euKey, network: euNetwork, registry: usRegistry };

export const recordOk: FailoverRecord<"eu"> = { hostname: "pay.eu.example.com", tenant: "payments", primary: euAws, secondary: euGcp };
// @ts-expect-error an EU name cannot fail over to a US Gateway
export const recordUsTarget: FailoverRecord<"eu"> = { hostname: "pay.eu.example.com", tenant: "payments", primary: euAws, secondary: usGcp };

export const failoverOk: DnsFailoverArgs<"eu"> = { domain: "eu", zone: "eu.example.com", records: [recordOk] };
export const failoverUs: DnsFailoverArgs<"eu"> = {
  domain: "eu",
  zone: "eu.example.com",
  // @ts-expect-error the records of an EU failover are EU records
  records: [{ hostname: "pay.eu.example.com", tenant: "payments", primary: usGcp, secondary: euAws }],
};
