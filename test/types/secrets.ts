/**
 * Compile-time residency tests for External Secrets (run by `tsc --noEmit`): an EU cluster's
 * secret stores cannot be wired to a US key or pull the operator from a US registry, and a
 * store's secrets key keeps its domain.
 */
import type * as k8s from "@pulumi/kubernetes";
import type { ExternalSecrets, ExternalSecretsArgs } from "../../components/external-secrets";
import type { KeyHandle, RegistryHandle } from "../../components/residency";

declare const euKey: KeyHandle<"eu">;
declare const usKey: KeyHandle<"us">;
declare const euRegistry: RegistryHandle<"eu">;
declare const usRegistry: RegistryHandle<"us">;
declare const provider: k8s.Provider;
declare const euSecrets: ExternalSecrets<"eu">;

const common = { cloud: "aws" as const, region: "eu-central-1", environment: "prod", privateCidrs: ["10.0.0.0/16"], provider, clusterName: "eu-workload-aws" };

export const ok: ExternalSecretsArgs<"eu"> = { ...common, domain: "eu", registry: euRegistry, key: euKey };

// @ts-expect-error an EU cluster's secret service cannot encrypt with a US key
export const usKeyOnEu: ExternalSecretsArgs<"eu"> = { ...common, domain: "eu", registry: euRegistry, key: usKey };

// @ts-expect-error an EU cluster cannot install the operator from a US registry
export const usRegistryOnEu: ExternalSecretsArgs<"eu"> = { ...common, domain: "eu", registry: usRegistry, key: euKey };

// @ts-expect-error the domain literal must match the handles' domain
export const mislabelled: ExternalSecretsArgs<"us"> = { ...common, domain: "eu", registry: usRegistry, key: usKey };

export const euSecretsKey: KeyHandle<"eu"> = euSecrets.secretsKey;

// @ts-expect-error an EU secrets key cannot be used as a US key
export const euSecretsKeyAsUs: KeyHandle<"us"> = euSecrets.secretsKey;
