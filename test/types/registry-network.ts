/** A registry reaches privately only through a network of its own domain; a cluster pulls only from its own domain's registry. */
import { ResidencyRegistry } from "../../components/registry";
import type { ClusterArgs } from "../../components/cluster";
import type { KeyHandle, NetworkHandle, RegistryHandle } from "../../components/residency";

declare const euKey: KeyHandle<"eu">;
declare const euNetwork: NetworkHandle<"eu">;
declare const usNetwork: NetworkHandle<"us">;
declare const usRegistry: RegistryHandle<"us">;
declare const euClusterArgs: ClusterArgs<"eu">;

new ResidencyRegistry("ok", { domain: "eu", key: euKey, network: euNetwork });
// @ts-expect-error a US network cannot reach an EU registry
new ResidencyRegistry("bad", { domain: "eu", key: euKey, network: usNetwork });

export const ok: ClusterArgs<"eu"> = { ...euClusterArgs };
// @ts-expect-error an EU cluster cannot pull from a US registry
export const bad: ClusterArgs<"eu"> = { ...euClusterArgs, registry: usRegistry };
