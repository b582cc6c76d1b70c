/**
 * SigningKey: the domain's asymmetric image-signing key on one cloud, in that cloud's KMS
 * (AWS KMS `SIGN_VERIFY`, an Azure Key Vault `EC-HSM` key, GCP Cloud KMS `ASYMMETRIC_SIGN`).
 * CI signs images with it by KMS reference (`cosign sign --key <kmsUri>`): the private half
 * never leaves the HSM. It lives beside the domain's residency key (same region, same Azure
 * vault, same GCP key ring), so it inherits that key's residency. Admission on the domain's
 * clusters verifies with its public half (components/supply-chain).
 *
 * Asymmetric keys do not rotate automatically on any of the three clouds: a new version
 * would invalidate every existing signature. Rotation is a re-sign runbook (docs/supply-chain.md).
 */
import * as pulumi from "@pulumi/pulumi";
import { claimResident, residentTags, type Domain, type KeyHandle, type SigningKeyHandle, type SigningKeyRef } from "../residency";
import { createAwsSigningKey } from "./aws";
import { createAzureSigningKey } from "./azure";
import { createGcpSigningKey } from "./gcp";

export interface SigningKeyArgs<D extends Domain> {
  /** (Required) The residency domain; the handle carries it as a type. */
  readonly domain: D;
  /**
   * (Required) The domain's residency key on this cloud. The signing key is created in the
   * same region (AWS), the same Key Vault (Azure) or the same key ring (GCP).
   */
  readonly residencyKey: KeyHandle<D>;
  /** (Optional) GCP only: `HSM` or `SOFTWARE`. Defaults to `HSM`. */
  readonly protectionLevel?: "HSM" | "SOFTWARE";
  /** (Optional) Tags/labels for every child. Defaults to none. */
  readonly tags?: Readonly<Record<string, string>>;
  /** (Optional) Protect the key from `pulumi destroy` (every signature depends on it). Defaults to true. */
  readonly protect?: boolean;
}

/** Settled defaults, shared by the adapters. */
export interface SigningKeySpec {
  readonly domain: Domain;
  readonly region: string;
  readonly protectionLevel: "HSM" | "SOFTWARE";
  readonly tags: Readonly<Record<string, string>>;
  readonly protect: boolean;
}

/** The signature algorithm on every cloud: ECDSA P-256 with SHA-256, which cosign, BinAuthz and policy-controller all verify. */
export const SIGNING_ALGORITHM = { aws: "ECC_NIST_P256", azure: "P-256", gcp: "EC_SIGN_P256_SHA256" } as const;

export class SigningKey<D extends Domain> extends pulumi.ComponentResource {
  /** The key as a resident handle: pass this, not raw ids, to verifiers. */
  readonly handle: SigningKeyHandle<D>;
  /** The cosign KMS reference CI signs with. */
  readonly kmsUri: pulumi.Output<string>;

  constructor(name: string, args: SigningKeyArgs<D>, opts?: pulumi.ComponentResourceOptions) {
    super("meridian:supply-chain:SigningKey", name, {}, opts);
    const spec: SigningKeySpec = {
      domain: args.domain,
      region: args.residencyKey.region,
      protectionLevel: args.protectionLevel ?? "HSM",
      tags: residentTags(args.domain, args.tags),
      protect: args.protect ?? true,
    };
    const home = args.residencyKey;
    const made: { ref: SigningKeyRef; kmsUri: pulumi.Output<string> } =
      home.cloud === "aws"
        ? createAwsSigningKey(name, spec, this)
        : home.cloud === "azure"
          ? createAzureSigningKey(name, spec, home, this)
          : createGcpSigningKey(name, spec, home, this);
    this.kmsUri = made.kmsUri;
    this.handle = claimResident(args.domain, { ...made.ref, region: spec.region, kmsUri: made.kmsUri }) as SigningKeyHandle<D>;
    this.registerOutputs({ kmsUri: this.kmsUri });
  }
}

/** The handle as the foundation stack exports it (stacks/contracts.ts `signing`). */
export function signingExport(h: SigningKeyHandle<Domain>): Record<string, pulumi.Input<string>> {
  const common = { cloud: h.cloud, region: h.region, kmsUri: h.kmsUri };
  switch (h.cloud) {
    case "aws":
      return { ...common, arn: h.arn, publicKeyPem: h.publicKeyPem };
    case "azure":
      return { ...common, vaultId: h.vaultId, vaultUri: h.vaultUri, keyName: h.keyName };
    case "gcp":
      return { ...common, cryptoKeyId: h.cryptoKeyId, cryptoKeyVersionId: h.cryptoKeyVersionId, publicKeyPem: h.publicKeyPem };
  }
}
