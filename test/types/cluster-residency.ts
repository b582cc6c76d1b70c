/**
 * Compile-time residency tests (run by `tsc --noEmit`): an EU cluster cannot take a US
 * key, network or registry. Each `@ts-expect-error` fails the type check if the line
 * ever compiles — i.e. if residency stopped being a type.
 */
import type * as k8s from "@pulumi/kubernetes";
import type { ClusterBaselineArgs } from "../../components/baseline";
import type { ClusterArgs, ManagementClusterArgs } from "../../components/cluster";
import type { KeyHandle, NetworkHandle, RegistryHandle } from "../../components/residency";

declare const euKey: KeyHandle<"eu">;
declare const usKey: KeyHandle<"us">;
declare const euNetwork: NetworkHandle<"eu">;
declare const usNetwork: NetworkHandle<"us">;
declare const euRegistry: RegistryHandle<"eu">;
declare const usRegistry: RegistryHandle<"us">;
declare const provider: k8s.Provider;

const common = {
  clusterName: "eu-workload-aws",
  region: "eu-central-1",
  kubernetesVersion: "1.33",
  podCidr: "100.64.64.0/18",
  serviceCidr: "172.16.4.0/22",
};

export const ok: ClusterArgs<"eu"> = { ...common, domain: "eu", cloud: "aws", key: euKey, network: euNetwork };

// @ts-expect-error an EU cluster cannot take a US key
export const usKeyOnEu: ClusterArgs<"eu"> = { ...common, domain: "eu", cloud: "aws", key: usKey, network: euNetwork };

// @ts-expect-error an EU cluster cannot join a US network
export const usNetworkOnEu: ManagementClusterArgs<"eu"> = { ...common, domain: "eu", cloud: "aws", key: euKey, network: usNetwork };

// @ts-expect-error the domain literal must match the handles' domain
export const mislabelled: ClusterArgs<"us"> = { ...common, domain: "eu", cloud: "aws", key: usKey, network: usNetwork };

export const baselineOk: ClusterBaselineArgs<"eu"> = { domain: "eu", provider, clusterName: "c", registries: [euRegistry] };

// @ts-expect-error an EU baseline cannot admit images from a US registry
export const usRegistryOnEu: ClusterBaselineArgs<"eu"> = { domain: "eu", provider, clusterName: "c", registries: [euRegistry, usRegistry] };

// @ts-expect-error an EU StorageClass cannot be encrypted with a US key
export const usStorageKey: ClusterBaselineArgs<"eu"> = { domain: "eu", provider, clusterName: "c", registries: [euRegistry], storage: { cloud: "aws", key: usKey, zones: [] } };

// @ts-expect-error a hand-built object cannot impersonate a resident key (the brand is private)
export const forged: ClusterArgs<"eu"> = { ...common, domain: "eu", cloud: "aws", network: euNetwork, key: { domain: "eu", cloud: "aws", region: "eu-central-1", arn: "x" } };
