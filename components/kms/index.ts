/**
 * ResidencyKey: the domain's customer-managed key on one cloud — rotation on, never
 * multi-region or global, protected against deletion. Consumers get a typed
 * {@link KeyHandle} that carries the domain, so a key can never encrypt the other
 * domain's data without a compile error.
 */
import * as pulumi from "@pulumi/pulumi";
import { claimResident, residentTags, type Cloud, type Domain, type KeyHandle, type KeyRef } from "../residency";
import { createAwsKey } from "./aws";
import { createAzureKey } from "./azure";
import { createGcpKey } from "./gcp";
import { DEFAULT_ROTATION_DAYS, rotationDaysProblem } from "./spec";

export * from "./spec";

export interface ResidencyKeyArgs<D extends Domain> {
  /** (Required) The residency domain. The key's handle carries it as a type. */
  readonly domain: D;
  /** (Required) The cloud to create the key on. */
  readonly cloud: Cloud;
  /** (Required) Region (location) of the key; the fleet model has checked it against the domain. */
  readonly region: string;
  /** (Optional) Rotation period in days: AWS 90–2560, GCP 1–90, Azure 7–90 ({@link ROTATION_DAYS}). Defaults to 90. */
  readonly rotationDays?: number;
  /** (Optional) AWS only: days a deleted key waits before it is gone, 7–30. Defaults to 30. */
  readonly deletionWindowDays?: number;
  /** (Optional) GCP only: `HSM` or `SOFTWARE`. Defaults to `HSM`. */
  readonly protectionLevel?: "HSM" | "SOFTWARE";
  /** (Optional) Azure only: resource group for the Key Vault. Defaults to a new `<name>-rg` group. */
  readonly resourceGroupName?: pulumi.Input<string>;
  /** (Optional) Tags/labels for every child. Defaults to none. */
  readonly tags?: Readonly<Record<string, string>>;
  /** (Optional) Protect the key from `pulumi destroy` (deletion is irreversible). Defaults to true. */
  readonly protect?: boolean;
}

/** Settled defaults, shared by the adapters. */
export interface KeySpec {
  readonly domain: Domain;
  readonly region: string;
  readonly rotationDays: number;
  readonly deletionWindowDays: number;
  readonly protectionLevel: "HSM" | "SOFTWARE";
  readonly tags: Readonly<Record<string, string>>;
  readonly protect: boolean;
  readonly resourceGroupName?: pulumi.Input<string>;
}

/** Pure validation, testable without mocks; every problem at once. */
export function validateResidencyKeyArgs(args: ResidencyKeyArgs<Domain>): pulumi.InputPropertyErrorDetails[] {
  const problems: pulumi.InputPropertyErrorDetails[] = [];
  const rotation = rotationDaysProblem(args.cloud, args.rotationDays ?? DEFAULT_ROTATION_DAYS);
  if (rotation !== undefined) problems.push({ propertyPath: "rotationDays", reason: rotation });
  const window = args.deletionWindowDays ?? 30;
  if (!Number.isInteger(window) || window < 7 || window > 30) {
    problems.push({ propertyPath: "deletionWindowDays", reason: `must be 7 to 30 days, got ${window}` });
  }
  if (args.region.trim() === "" || args.region.toLowerCase() === "global") {
    problems.push({ propertyPath: "region", reason: `a residency key is regional; "${args.region}" is not a region` });
  }
  return problems;
}

export class ResidencyKey<D extends Domain> extends pulumi.ComponentResource {
  /** The key as a resident handle: pass this, not raw ids, to consumers. */
  readonly handle: KeyHandle<D>;
  /** AWS key ARN, Azure versionless key URI, or GCP crypto key id. */
  readonly keyId: pulumi.Output<string>;

  constructor(name: string, args: ResidencyKeyArgs<D>, opts?: pulumi.ComponentResourceOptions) {
    super("meridian:kms:ResidencyKey", name, {}, opts);
    const problems = validateResidencyKeyArgs(args);
    if (problems.length > 0) {
      throw new pulumi.InputPropertiesError({ message: `ResidencyKey ${name}: invalid arguments`, errors: problems });
    }
    const spec: KeySpec = {
      domain: args.domain,
      region: args.region,
      rotationDays: args.rotationDays ?? DEFAULT_ROTATION_DAYS,
      deletionWindowDays: args.deletionWindowDays ?? 30,
      protectionLevel: args.protectionLevel ?? "HSM",
      tags: residentTags(args.domain, args.tags),
      protect: args.protect ?? true,
      resourceGroupName: args.resourceGroupName,
    };
    const ref: KeyRef =
      args.cloud === "aws"
        ? createAwsKey(name, spec, this)
        : args.cloud === "azure"
          ? createAzureKey(name, spec, this)
          : createGcpKey(name, spec, this);
    this.handle = claimResident(args.domain, { ...ref, region: args.region }) as KeyHandle<D>;
    this.keyId = pulumi.output(ref.cloud === "aws" ? ref.arn : ref.cloud === "azure" ? ref.keyUri : ref.cryptoKeyId);
    this.registerOutputs({ keyId: this.keyId });
  }
}
