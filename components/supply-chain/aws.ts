import * as pulumi from "@pulumi/pulumi";
import type { Domain, SigningKeyHandle } from "../residency";
import type { AuthorityKey } from "./spec";

/** EKS: admission verifies with the public half read from KMS at deploy time; no cloud call at admission. */
export function awsAuthorityKey(key: Extract<SigningKeyHandle<Domain>, { cloud: "aws" }>): pulumi.Output<AuthorityKey> {
  return pulumi.output(key.publicKeyPem).apply((data) => ({ data, hashAlgorithm: "sha256" as const }));
}
