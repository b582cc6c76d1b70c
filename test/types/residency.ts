/**
 * Compile-time residency tests. `npm test` runs `tsc --noEmit` over this file: each
 * `@ts-expect-error` line must fail to compile, or tsc reports the directive as unused and
 * the test command fails. Nothing here runs.
 */
import type * as pulumi from "@pulumi/pulumi";
import { Network } from "../../components/network";
import { ResidencyRegistry } from "../../components/registry";
import { claimResident, type Domain, type KeyHandle, type NetworkHandle, type Resident } from "../../components/residency";

declare const euKey: KeyHandle<"eu">;
declare const usKey: KeyHandle<"us">;
declare const euNetwork: NetworkHandle<"eu">;

export function sameDomainCompiles(): void {
  new ResidencyRegistry("eu-registry", { domain: "eu", key: euKey });
  new Network("us-net", { domain: "us", cidr: "10.64.0.0/16", key: usKey });
}

export function crossDomainDoesNotCompile(): void {
  // @ts-expect-error an EU key cannot encrypt a US registry
  new ResidencyRegistry("us-registry", { domain: "us", key: euKey });
  // @ts-expect-error a US key cannot encrypt EU flow logs
  new Network("eu-net", { domain: "eu", cidr: "10.0.0.0/16", key: usKey });
  // @ts-expect-error a network handle is not a key handle
  new ResidencyRegistry("eu-registry-2", { domain: "eu", key: euNetwork });
}

export function handlesCannotBeForged(arn: pulumi.Output<string>): void {
  // @ts-expect-error an object literal lacks the module-private brand
  const forged: KeyHandle<"eu"> = { domain: "eu", cloud: "aws", region: "eu-central-1", arn };
  void forged;
  // Minting goes through claimResident, which components and stack references call.
  const minted: KeyHandle<"eu"> = claimResident("eu", { cloud: "aws" as const, region: "eu-central-1", arn });
  void minted;
}

export function genericCodeKeepsTheDomain<D extends Domain>(domain: D, key: KeyHandle<D>, other: KeyHandle<Exclude<Domain, D>>): void {
  new ResidencyRegistry("generic", { domain, key });
  // @ts-expect-error inside generic code the other domain's key is still refused
  new ResidencyRegistry("generic-2", { domain, key: other });
}

export function residentOfOneDomainIsNotTheOther(x: Resident<"eu">): Resident<"us"> {
  // @ts-expect-error Resident<"eu"> is not Resident<"us">
  return x;
}
