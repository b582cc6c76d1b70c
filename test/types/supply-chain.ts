/**
 * Compile-time residency tests for the supply chain: an EU cluster's verifier cannot trust
 * a US signing key or cover a US registry, and a US signing key cannot live in an EU key's
 * vault or ring. Each `@ts-expect-error` fails `tsc` if the line ever compiles.
 */
import type * as k8s from "@pulumi/kubernetes";
import type { SigningKeyArgs } from "../../components/signing-key";
import type { ImageVerificationArgs } from "../../components/supply-chain";
import type { KeyHandle, RegistryHandle, SigningKeyHandle } from "../../components/residency";

declare const euSigning: SigningKeyHandle<"eu">;
declare const usSigning: SigningKeyHandle<"us">;
declare const euRegistry: RegistryHandle<"eu">;
declare const usRegistry: RegistryHandle<"us">;
declare const euKey: KeyHandle<"eu">;
declare const provider: k8s.Provider;

export const ok: ImageVerificationArgs<"eu"> = { domain: "eu", cloud: "aws", provider, signingKey: euSigning, registry: euRegistry };

// @ts-expect-error an EU verifier cannot trust the US signing key
export const usKeyOnEu: ImageVerificationArgs<"eu"> = { domain: "eu", cloud: "aws", provider, signingKey: usSigning, registry: euRegistry };

// @ts-expect-error an EU verifier cannot cover the US registry
export const usRegistryOnEu: ImageVerificationArgs<"eu"> = { domain: "eu", cloud: "aws", provider, signingKey: euSigning, registry: usRegistry };

export const okKey: SigningKeyArgs<"eu"> = { domain: "eu", residencyKey: euKey };

// @ts-expect-error a US signing key cannot be made beside the EU residency key
export const usKeyInEuVault: SigningKeyArgs<"us"> = { domain: "us", residencyKey: euKey };
