/**
 * A consumer of `@meridian/components` as another TypeScript Pulumi project would write it:
 * imports by package name only (never `../../components/...`), type-checked against the
 * package's `exports` (test/package/consumer/tsconfig.json: `moduleResolution: node16`).
 * The `@ts-expect-error` lines are the residency guarantee as a consumer sees it: if the
 * package ever stopped carrying the domain in its types, they would compile and the type
 * check would fail.
 */
import type * as k8s from "@pulumi/kubernetes";
import type { ClusterBackupArgs } from "@meridian/components/backup";
import { ResidencyKey, type ResidencyKeyArgs } from "@meridian/components/kms";
import { DOMAINS, type Domain, type KeyHandle, type NetworkHandle, type RegistryHandle } from "@meridian/components/residency";

/** The consumer's own program: one EU key on AWS, through the package's public class. */
export function euKey(name: string, overrides: Partial<ResidencyKeyArgs<"eu">> = {}): ResidencyKey<"eu"> {
  return new ResidencyKey(name, { domain: "eu", cloud: "aws", region: "eu-central-1", ...overrides });
}

export const domains: readonly Domain[] = DOMAINS;

// Declarations only (types, no values): used inside functions the test never calls.
declare const usKey: KeyHandle<"us">;
declare const euNetwork: NetworkHandle<"eu">;
declare const euRegistry: RegistryHandle<"eu">;
declare const provider: k8s.Provider;

/** Never called: an EU key's handle fits an EU backup. */
export function euBackupArgs(key: ResidencyKey<"eu">): ClusterBackupArgs<"eu"> {
  return { domain: "eu", cloud: "aws", region: "eu-central-1", clusterName: "c", provider, key: key.handle, network: euNetwork, registry: euRegistry };
}

/** Never called: it exists for the type check (the handles above are declarations only). */
export function crossDomain(): ClusterBackupArgs<"eu"> {
  // @ts-expect-error through the package too, an EU backup cannot be encrypted with a US key
  return { domain: "eu", cloud: "aws", region: "eu-central-1", clusterName: "c", provider, key: usKey, network: euNetwork, registry: euRegistry };
}
