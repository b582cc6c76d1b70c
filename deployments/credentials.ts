/**
 * What a domain's control plane asks of whoever runs its stacks (CI previews, Pulumi
 * Deployments): which clouds' credentials every operation needs for the state backend and
 * the secrets provider, and whether a passphrase is needed instead of a key service. Read
 * from the URL schemes of `fleet.yaml` `domains.<d>` (automation/fleet/controlPlane.ts).
 * One function for both runners, so CI and Deployments can never disagree.
 */
import type { DomainControlPlane } from "../automation/fleet/controlPlane";
import type { Cloud } from "../components/residency/catalogue";

/** URL scheme → the cloud whose identity the operation must hold (none for file://, https:// Pulumi Cloud, hashivault://). */
const SCHEME_CLOUD: Readonly<Record<string, Cloud>> = { "s3:": "aws", "awskms:": "aws", "gs:": "gcp", "gcpkms:": "gcp", "azblob:": "azure", "azurekeyvault:": "azure" };

export interface ControlPlaneAccess {
  /** Clouds every operation needs credentials for (sorted, unique). */
  readonly clouds: readonly Cloud[];
  /** `pulumi-cloud` (https://), `object-store` (s3/gs/azblob), or `local` (file://, not usable by CI or Deployments). */
  readonly backendKind: "pulumi-cloud" | "object-store" | "local";
  /** The secrets provider is `passphrase`: the runner needs the domain's passphrase (no key service). */
  readonly passphrase: boolean;
}

function scheme(url: string): string {
  const m = /^([a-z0-9]+:)/i.exec(url);
  return m ? m[1].toLowerCase() : url;
}

export function controlPlaneAccess(plane: DomainControlPlane): ControlPlaneAccess {
  const clouds = new Set<Cloud>();
  for (const url of [plane.backend, plane.secretsProvider]) {
    const cloud = SCHEME_CLOUD[scheme(url)];
    if (cloud !== undefined) clouds.add(cloud);
  }
  const b = scheme(plane.backend);
  return {
    clouds: [...clouds].sort(),
    backendKind: b === "https:" || b === "http:" ? "pulumi-cloud" : b === "file:" ? "local" : "object-store",
    passphrase: plane.secretsProvider === "passphrase",
  };
}

/** One permission the domain's runner identity (CI OIDC role, Deployments OIDC role) must hold on its own control plane. */
export interface StateGrant {
  readonly cloud: Cloud;
  /** The store or key, as its URL names it (bucket, key alias/path, vault key). */
  readonly resource: string;
  readonly actions: readonly string[];
}

/** What each cloud's API needs for a Pulumi backend (read/write state, locks, history) or secrets provider (wrap/unwrap the data key). */
const GRANTS: Readonly<Record<string, { cloud: Cloud; actions: readonly string[] }>> = {
  "s3:": { cloud: "aws", actions: ["s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"] },
  "awskms:": { cloud: "aws", actions: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"] },
  "gs:": { cloud: "gcp", actions: ["roles/storage.objectAdmin"] },
  "gcpkms:": { cloud: "gcp", actions: ["roles/cloudkms.cryptoKeyEncrypterDecrypter"] },
  "azblob:": { cloud: "azure", actions: ["Storage Blob Data Contributor"] },
  "azurekeyvault:": { cloud: "azure", actions: ["Key Vault Crypto User"] },
};

/**
 * The grants a domain's runner identity needs on that domain's state backend and state key —
 * and only there: the identity of one domain is never granted the other's store or key.
 * Attach them to the OIDC role of the domain's GitHub environment and of its Deployments.
 */
export function stateAccessGrants(plane: DomainControlPlane): StateGrant[] {
  const out: StateGrant[] = [];
  for (const url of [plane.backend, plane.secretsProvider]) {
    const g = GRANTS[scheme(url)];
    if (g !== undefined) out.push({ cloud: g.cloud, resource: url.replace(/^[a-z0-9]+:\/\//i, "").replace(/\?.*$/, ""), actions: g.actions });
  }
  return out;
}
