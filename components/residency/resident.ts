import * as pulumi from "@pulumi/pulumi";
import type { Cloud, Domain } from "./catalogue";

/**
 * Residency as a type.
 *
 * Every value that belongs to a domain (a key, a registry, a network, a cluster, a CA)
 * travels as a handle whose type carries the domain `D`. Components are generic in
 * `D` and take handles of that same `D`, so wiring an EU key into a US registry is a
 * compile error, not a review comment. The brand is a module-private symbol: only
 * {@link claimResident} (used by our components and by {@link fromStackReference}) can
 * mint a handle, so a hand-built object literal cannot impersonate one.
 */
declare const residencyBrand: unique symbol;

export interface Resident<D extends Domain> {
  /** The domain the value lives in, also checked at run time. */
  readonly domain: D;
  readonly [residencyBrand]: D;
}

/** Mint a resident handle. Only components (which created the value) and stack references (which verify it) call this. */
export function claimResident<D extends Domain, T extends object>(domain: D, value: T): T & Resident<D> {
  return { ...value, domain } as T & Resident<D>;
}

/** Run-time guard behind the compile-time one (config is only known at run time). */
export function assertSameDomain(expected: Domain, handle: { readonly domain: Domain }, what: string): void {
  if (handle.domain !== expected) {
    throw new Error(`residency: ${what} belongs to domain "${handle.domain}" but is used in domain "${expected}"`);
  }
}

/** A customer-managed encryption key, per cloud. */
export type KeyRef =
  | { readonly cloud: "aws"; /** KMS key ARN (carries the region). */ readonly arn: pulumi.Input<string> }
  | {
      readonly cloud: "azure";
      readonly vaultId: pulumi.Input<string>;
      readonly vaultUri: pulumi.Input<string>;
      readonly keyName: pulumi.Input<string>;
      /** Versionless key URI, so consumers follow rotation. */
      readonly keyUri: pulumi.Input<string>;
      /** Key URI with the current version, for services that insist on one (AKS KMS). */
      readonly keyUriWithVersion: pulumi.Input<string>;
      readonly resourceGroupName: pulumi.Input<string>;
    }
  | {
      readonly cloud: "gcp";
      /** `projects/<p>/locations/<region>/keyRings/<r>/cryptoKeys/<k>` */
      readonly cryptoKeyId: pulumi.Input<string>;
    };

export type KeyHandle<D extends Domain> = Resident<D> & { readonly region: string } & KeyRef;

/** A container registry; admission allows images only from these hosts/prefixes. */
export type RegistryHandle<D extends Domain> = Resident<D> & {
  /** `external`: a registry the fleet does not manage (attached clusters name it by prefix). */
  readonly cloud: Cloud | "external";
  readonly region: string;
  /** Image reference prefixes, e.g. `123456789012.dkr.ecr.eu-central-1.amazonaws.com/`. */
  readonly imagePrefixes: pulumi.Input<string[]>;
};

/** A network a cluster or a VPN attaches to. */
export type NetworkHandle<D extends Domain> = Resident<D> & {
  readonly cloud: Cloud;
  readonly region: string;
  /** VPC id, VNet id or GCP network self link. */
  readonly networkId: pulumi.Input<string>;
  /** Private subnets (one per zone on AWS; one regional subnet on GCP; the node subnet on Azure). */
  readonly privateSubnetIds: pulumi.Input<string[]>;
  readonly cidr: string;
  /** Azure only: the resource group the VNet lives in. */
  readonly resourceGroupName?: pulumi.Input<string>;
  /** Azure only: the `GatewaySubnet` id for VPN gateways. */
  readonly gatewaySubnetId?: pulumi.Input<string>;
  /** AWS only: the private subnets' route tables, where routes to interconnects go. */
  readonly routeTableIds?: pulumi.Input<string[]>;
};

/** A certificate authority of the domain's PKI. */
export type CaHandle<D extends Domain> = Resident<D> & {
  readonly purpose: string;
  readonly certPem: pulumi.Input<string>;
  readonly privateKeyPem: pulumi.Input<string>;
};

/**
 * Turn a StackReference output into a resident handle, checking at run time that the
 * upstream stack is of the same domain (it exports its `domain`). The fleet model
 * already refuses cross-domain `dependsOn`; this is the last line.
 */
export function fromStackReference<D extends Domain, T extends object>(
  domain: D,
  upstreamDomain: string,
  upstreamStack: string,
  value: T,
): T & Resident<D> {
  if (upstreamDomain !== domain) {
    throw new Error(
      `residency: stack reference to "${upstreamStack}" (domain "${upstreamDomain}") from a "${domain}" stack is not allowed`,
    );
  }
  return claimResident(domain, value);
}

/**
 * A domain's GitOps controller (Argo CD on the management cluster), as a workload stack reads
 * it from the management stack: where to register, and who the controller is to federate with.
 */
export type GitOpsControllerHandle<D extends Domain> = Resident<D> & {
  /** The management stack. */
  readonly stack: string;
  /** Namespace Argo CD runs in and reads cluster Secrets from. */
  readonly namespace: string;
  /** The management cluster's OIDC issuer that signs the controller's ServiceAccount tokens. */
  readonly oidcIssuer: pulumi.Input<string>;
  /** Federation subjects: `system:serviceaccount:<namespace>:<sa>` of the controller and the server. */
  readonly subjects: readonly string[];
  /** Audience of the projected token the controller presents to GCP Workload Identity Federation. */
  readonly gcpAudience: string;
  /** AWS only: the controller's own role (EKS Pod Identity), which workload roles trust; absent when the management cluster is not on AWS. */
  readonly awsRoleArn?: pulumi.Input<string>;
  /** The management cluster's exec-auth kubeconfig (secret; no static credential), for the registration's provider. */
  readonly kubeconfig: pulumi.Input<string>;
};
