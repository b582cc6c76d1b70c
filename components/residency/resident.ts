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

/**
 * The domain's asymmetric image-signing key on one cloud (components/signing-key): CI signs
 * images with it through the cloud's KMS; admission on the domain's clusters verifies with it.
 */
export type SigningKeyRef =
  | {
      readonly cloud: "aws";
      /** KMS key ARN (carries the region). */
      readonly arn: pulumi.Input<string>;
      /** PEM of the public half, which admission verifies with (no cloud call at admission). */
      readonly publicKeyPem: pulumi.Input<string>;
    }
  /** In the residency key's vault: the same vault fields, naming the signing key. */
  | Pick<Extract<KeyRef, { cloud: "azure" }>, "cloud" | "vaultId" | "vaultUri" | "keyName">
  | {
      readonly cloud: "gcp";
      /** `projects/<p>/locations/<region>/keyRings/<r>/cryptoKeys/<k>` */
      readonly cryptoKeyId: pulumi.Input<string>;
      /** `.../cryptoKeyVersions/<n>`: the version Binary Authorization attestors name. */
      readonly cryptoKeyVersionId: pulumi.Input<string>;
      readonly publicKeyPem: pulumi.Input<string>;
    };

export type SigningKeyHandle<D extends Domain> = Resident<D> & {
  readonly region: string;
  /** The key as cosign names it: `awskms:///<arn>`, `azurekms://<vault host>/<key>`, `gcpkms://<crypto key>`. */
  readonly kmsUri: pulumi.Input<string>;
} & SigningKeyRef;

/** A container registry; admission allows images only from these hosts/prefixes. */
export type RegistryHandle<D extends Domain> = Resident<D> & {
  /** `external`: a registry the fleet does not manage (attached clusters name it by prefix). */
  readonly cloud: Cloud | "external";
  readonly region: string;
  /** Image reference prefixes, e.g. `123456789012.dkr.ecr.eu-central-1.amazonaws.com/`. */
  readonly imagePrefixes: pulumi.Input<string[]>;
  /** Azure only: the ACR resource id, the scope of the AcrPull grant to cluster kubelets. */
  readonly registryId?: pulumi.Input<string>;
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
  /** AWS only: the security group admitting the domain's peer networks (attach it to what they must reach). */
  readonly peerSecurityGroupId?: pulumi.Input<string>;
};

/** A certificate authority of the domain's PKI. */
export type CaHandle<D extends Domain> = Resident<D> & {
  readonly purpose: string;
  readonly certPem: pulumi.Input<string>;
  readonly privateKeyPem: pulumi.Input<string>;
};

/** A tenant on one cluster of its domain: its namespaces, workload ServiceAccount, cloud principals and secret scope. */
export type TenantHandle<D extends Domain> = Resident<D> & {
  readonly tenant: string;
  readonly namespaces: readonly string[];
  /** The Kubernetes ServiceAccount bound to the cloud identity, `<tenant>-workload`, in every namespace. */
  readonly serviceAccount: string;
  /** Per namespace, the cloud principal (role ARN / managed identity principal id / GSA email); empty on attached clusters. */
  readonly principals: pulumi.Input<Record<string, string>>;
  /** AWS secret ARN prefix, GCP secret name prefix or Azure vault URI; null on attached clusters. */
  readonly secretScope: pulumi.Input<string | null>;
};

/** The domain's trusted roots: the current root first, then any retiring during a rotation overlap. */
export type TrustRootsHandle<D extends Domain> = Resident<D> & {
  readonly rootCertPems: pulumi.Input<string[]>;
};

/** A cluster's backup target: the bucket (S3, GCS) or blob container (Azure) its Velero writes to. */
export type BackupTargetHandle<D extends Domain> = Resident<D> & {
  readonly cloud: Cloud;
  readonly region: string;
  /** Bucket name (S3, GCS) or blob container name (Azure). */
  readonly bucket: pulumi.Input<string>;
  /** Azure only: the storage account holding the container. */
  readonly storageAccount?: pulumi.Input<string>;
};

/** A workload cluster's public Gateway address, a DNS failover target of its domain. */
export type GatewayTargetHandle<D extends Domain> = Resident<D> & {
  /** The workload stack that exports it (`services.exposure.externalAddress`). */
  readonly stack: string;
  readonly cloud: Cloud;
  readonly region: string;
  /** An IPv4 address or a host name (a load balancer's DNS name). */
  readonly address: string;
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
