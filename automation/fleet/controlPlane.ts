/**
 * The fleet's own control plane, per residency domain: where each domain's Pulumi state
 * lives (backend), what encrypts its secrets (secrets provider) and where its SOC2 evidence
 * is kept (evidence store). Declared in `stacks/fleet.yaml` under `domains.<domain>`; the
 * defaults below are local-only (a `file://` folder per domain and a passphrase read from a
 * per-domain environment variable), so no two domains ever share a store or a key.
 *
 * This module holds the shared shape only; the schema, the location checks and the
 * defaults' derivation from the repository root are added next to it.
 */
import type { Domain } from "../../components/residency/catalogue";

/** One domain's control plane. Every URL is validated to lie inside the domain. */
export interface DomainControlPlane {
  /** Pulumi state backend URL: `s3://`, `gs://`, `azblob://`, `https://` (self-hosted Pulumi Cloud) or `file://`. */
  readonly backend: string;
  /**
   * Pulumi secrets provider: `awskms://`, `azurekeyvault://`, `gcpkms://`, `hashivault://`, or
   * `passphrase` (local use only; the passphrase comes from `passphraseEnv`).
   */
  readonly secretsProvider: string;
  /** Evidence store URL: `s3://`, `gs://`, `azblob://` or `file://`. */
  readonly evidenceStore: string;
  /**
   * (Optional) With `secretsProvider: passphrase`, the environment variable holding this
   * domain's passphrase. Defaults to `PULUMI_CONFIG_PASSPHRASE_<DOMAIN>` (e.g. `_EU`).
   */
  readonly passphraseEnv?: string;
  /** The location each URL was found to be in (derived from the URL or declared), for display and checks. */
  readonly locations?: Readonly<Partial<Record<"backend" | "secretsProvider" | "evidenceStore", string>>>;
}

export type ControlPlaneSettings = Readonly<Record<Domain, DomainControlPlane>>;

/** `PULUMI_CONFIG_PASSPHRASE_EU` for `eu`: one passphrase variable per domain, never one for both. */
export function passphraseEnvFor(domain: Domain, plane?: DomainControlPlane): string {
  return plane?.passphraseEnv ?? `PULUMI_CONFIG_PASSPHRASE_${domain.toUpperCase()}`;
}

/**
 * The local default for a domain that declares nothing: state in `<repo>/.pulumi-state/<domain>`,
 * secrets under a passphrase from `PULUMI_CONFIG_PASSPHRASE_<DOMAIN>`, evidence in
 * `<repo>/.fleet-evidence/<domain>`. Per domain, so even the local default keeps domains apart.
 */
export function defaultControlPlane(domain: Domain, repoDir: string): DomainControlPlane {
  const root = repoDir.replace(/\/+$/, "");
  return {
    backend: `file://${root}/.pulumi-state/${domain}`,
    secretsProvider: "passphrase",
    evidenceStore: `file://${root}/.fleet-evidence/${domain}`,
    passphraseEnv: passphraseEnvFor(domain),
    locations: { backend: "local", secretsProvider: "local", evidenceStore: "local" },
  };
}

/** The declared control plane of a domain, else the local default. */
export function controlPlaneFor(
  declared: Readonly<Partial<Record<Domain, DomainControlPlane>>>,
  domain: Domain,
  repoDir: string,
): DomainControlPlane {
  return declared[domain] ?? defaultControlPlane(domain, repoDir);
}
