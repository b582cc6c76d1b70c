/**
 * The fleet's own control plane, per residency domain: where each domain's Pulumi state
 * lives (backend), what encrypts its secrets (secrets provider) and where its SOC2 evidence
 * is kept (evidence store). Declared in `stacks/fleet.yaml` under `domains.<domain>`; the
 * defaults below are local-only (a `file://` folder per domain and a passphrase read from a
 * per-domain environment variable), so no two domains ever share a store or a key.
 *
 * The `domains:` schema and its checks live here too (`resolveControlPlanes`): every URL's
 * location is derived from the URL (policy-pack/lib/controlPlaneUrl.ts, shared with the
 * pack) or declared under `locations`, and must lie in the domain's allowlist; no store,
 * key or passphrase variable is shared by two domains; no URL carries a credential.
 */
import { z } from "zod";
import { DOMAINS, type Domain, type RegionAllowlist } from "../../components/residency/catalogue";
import {
  CONTROL_PLANE_KEYS,
  ControlPlaneUrlError,
  LOCAL_LOCATION,
  allowedLocations,
  describeStore,
  domainOwningLocation,
  locationAllowed,
  parseControlPlaneUrl,
  sameStore,
  type ControlPlaneKey,
  type ControlPlaneUrl,
} from "../../policy-pack/lib/controlPlaneUrl";
import { FleetConfigError } from "./errors";

export { CONTROL_PLANE_KEYS, type ControlPlaneKey } from "../../policy-pack/lib/controlPlaneUrl";

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

// ------------------------------------------------------------------------------------------
// `domains:` in fleet.yaml.

const url = z.string().trim().min(1, "a URL");
const location = z.string().trim().min(1, "a region or multi-region location such as europe-west1");

/** One domain under `domains:`. Every URL key is required once a domain is declared. */
export const domainControlPlaneSchema = z.strictObject({
  /** (Required) The Pulumi state backend: s3://, gs://, azblob://, https:// (Pulumi Cloud) or file://. */
  backend: url,
  /** (Required) awskms://, gcpkms://, azurekeyvault://, hashivault:// or `passphrase`. */
  secretsProvider: url,
  /** (Required) Where run evidence is uploaded: s3://, gs://, azblob:// or file://. */
  evidenceStore: url,
  /** (Optional) With `secretsProvider: passphrase`: the variable holding this domain's passphrase. Defaults to PULUMI_CONFIG_PASSPHRASE_<DOMAIN>. */
  passphraseEnv: z
    .string()
    .regex(/^[A-Z_][A-Z0-9_]*$/, "an environment variable name such as PULUMI_CONFIG_PASSPHRASE_EU")
    .optional(),
  /** (Optional) The location of a URL that does not carry one (gs://, azblob://, azurekeyvault://, hashivault://, self-hosted https://). */
  locations: z.strictObject({ backend: location.optional(), secretsProvider: location.optional(), evidenceStore: location.optional() }).optional(),
});

/** `domains:` — per domain, its control plane. A domain left out uses `defaultControlPlane`. */
export const domainsSchema = z.partialRecord(z.enum(DOMAINS), domainControlPlaneSchema).default({});

export type DomainsInput = z.output<typeof domainsSchema>;

/** Variables every CLI process inherits: a per-domain passphrase must not be one of them. */
const AMBIENT_PASSPHRASE_VARS = new Set(["PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE"]);

interface Parsed {
  readonly domain: Domain;
  readonly key: ControlPlaneKey;
  readonly url: ControlPlaneUrl;
}

/**
 * Check `domains:` and return each declared domain's control plane with its resolved
 * locations. `file` names fleet.yaml in messages; `baseDir` (the stacks directory)
 * resolves relative `file://` paths. Throws the first problem as a FleetConfigError naming
 * `domains.<domain>.<key>` (exit 2); never quotes a URL.
 */
export function resolveControlPlanes(
  domains: DomainsInput,
  regions: RegionAllowlist,
  file: string,
  baseDir: string,
): Partial<Record<Domain, DomainControlPlane>> {
  const out: Partial<Record<Domain, DomainControlPlane>> = {};
  const seen: Parsed[] = [];
  for (const domain of DOMAINS) {
    const declared = domains[domain];
    if (!declared) continue;
    const locations: Partial<Record<ControlPlaneKey, string>> = {};
    for (const key of CONTROL_PLANE_KEYS) {
      const parsed = parseOrThrow(file, domain, key, declared[key], baseDir);
      locations[key] = resolveLocation(file, domain, key, parsed, declared.locations?.[key], regions);
      const shared = seen.find((s) => s.domain !== domain && sameStore(s.url, parsed));
      if (shared) {
        throw new FleetConfigError(
          file,
          `domains.${domain}.${key}`,
          `the same ${describeStore(parsed)} as domains.${shared.domain}.${shared.key}; each domain keeps its own state, keys and evidence`,
        );
      }
      seen.push({ domain, key, url: parsed });
    }
    checkPassphraseEnv(file, domain, domains);
    out[domain] = {
      backend: declared.backend,
      secretsProvider: declared.secretsProvider,
      evidenceStore: declared.evidenceStore,
      ...(declared.secretsProvider === "passphrase" ? { passphraseEnv: passphraseEnvFor(domain, declared) } : {}),
      locations,
    };
  }
  return out;
}

/**
 * A domain's URL given as an override (`--backend eu=…`, `MERIDIAN_BACKEND_EU`,
 * `MERIDIAN_EVIDENCE_STORE_EU`): held to the same rules as fleet.yaml — its location must be
 * derivable from the URL (an override has no `locations:` to declare one) and inside the
 * domain. `source` names the flag or variable in the message. Returns the location.
 */
export function checkControlPlaneOverride(
  source: string,
  domain: Domain,
  key: ControlPlaneKey,
  url: string,
  regions: RegionAllowlist,
  baseDir: string,
): string {
  return resolveLocation(source, domain, key, parseOrThrow(source, domain, key, url, baseDir), undefined, regions);
}

function parseOrThrow(file: string, domain: Domain, key: ControlPlaneKey, value: string, baseDir: string): ControlPlaneUrl {
  try {
    return parseControlPlaneUrl(key, value, baseDir);
  } catch (e) {
    if (e instanceof ControlPlaneUrlError) throw new FleetConfigError(file, `domains.${domain}.${key}`, e.message);
    throw e;
  }
}

/** The URL's location (derived, else declared), checked against the domain's allowlist. */
function resolveLocation(
  file: string,
  domain: Domain,
  key: ControlPlaneKey,
  parsed: ControlPlaneUrl,
  declared: string | undefined,
  regions: RegionAllowlist,
): string {
  const where = `domains.${domain}.locations.${key}`;
  const loc = parsed.location;
  let location: string;
  if (loc.kind === "local") {
    if (declared !== undefined) {
      throw new FleetConfigError(file, where, `${parsed.scheme === "passphrase" ? "a passphrase" : "a file:// store"} is local to the machine running the CLI; remove this location`);
    }
    return LOCAL_LOCATION;
  } else if (loc.kind === "derived") {
    if (declared !== undefined && declared.toLowerCase() !== loc.location.toLowerCase()) {
      throw new FleetConfigError(file, where, `"${declared}" contradicts the URL, whose location is ${loc.location} (from ${loc.source}); remove it or fix the URL`);
    }
    location = loc.location;
  } else {
    if (declared === undefined) {
      throw new FleetConfigError(file, `domains.${domain}.${key}`, `its location cannot be derived: ${loc.why} (\`${where}\`)`);
    }
    location = declared;
  }
  if (!locationAllowed(regions, domain, parsed.scheme, location)) {
    const owner = domainOwningLocation(regions, parsed.scheme, location);
    const why = owner ? `it is a ${owner} location` : "it is in no domain's allowlist";
    const source = loc.kind === "derived" ? ` (from ${loc.source})` : " (declared)";
    throw new FleetConfigError(
      file,
      loc.kind === "declare" ? where : `domains.${domain}.${key}`,
      `${location}${source} is outside domain ${domain} (${why}); allowed: ${allowedLocations(regions, domain, parsed.scheme).join(", ")}`,
    );
  }
  return location;
}

/** The passphrase variable a domain reads, or undefined when it uses a KMS. */
function passphraseVariable(domain: Domain, domains: DomainsInput): string | undefined {
  const declared = domains[domain];
  if (declared && declared.secretsProvider !== "passphrase") return undefined;
  return passphraseEnvFor(domain, declared);
}

function checkPassphraseEnv(file: string, domain: Domain, domains: DomainsInput): void {
  const declared = domains[domain]!;
  const key = `domains.${domain}.passphraseEnv`;
  if (declared.passphraseEnv !== undefined && declared.secretsProvider !== "passphrase") {
    throw new FleetConfigError(file, key, "only used with `secretsProvider: passphrase`; remove it");
  }
  if (declared.secretsProvider !== "passphrase") return;
  const name = passphraseEnvFor(domain, declared);
  if (AMBIENT_PASSPHRASE_VARS.has(name)) {
    throw new FleetConfigError(file, key, `${name} is read by every Pulumi CLI process, so both domains would share it; use a per-domain name such as ${passphraseEnvFor(domain)}`);
  }
  // Undeclared domains use their default variable; a declared one must not take it either.
  for (const other of DOMAINS.filter((d) => d !== domain)) {
    if (passphraseVariable(other, domains) === name) {
      throw new FleetConfigError(file, key, `${name} is also domain ${other}'s passphrase variable; one passphrase never serves two domains`);
    }
  }
}

/**
 * The pack config's `controlPlane` for a stack of `domain`: its declared URLs and resolved
 * locations (`{}` for an undeclared domain, whose local default the pack has nothing to judge).
 */
export function controlPlanePackConfig(
  controlPlane: Readonly<Partial<Record<Domain, DomainControlPlane>>>,
  domain: Domain,
): { controlPlane?: { backend: string; secretsProvider: string; evidenceStore: string; locations?: Partial<Record<ControlPlaneKey, string>> } } {
  const plane = controlPlane[domain];
  if (!plane) return {};
  const { backend, secretsProvider, evidenceStore, locations } = plane;
  return { controlPlane: { backend, secretsProvider, evidenceStore, ...(locations ? { locations: { ...locations } } : {}) } };
}

/**
 * THE rule for a stack file's secrets provider, used at fleet load (the committed file) and
 * again before every CLI call (what `stack init` or a hand edit wrote since): the file's
 * `secretsprovider:` — or `passphrase` when it only carries an `encryptionsalt:` — must be
 * the domain's provider (`expected`, described by `source`). Returns the problem's key and
 * message, or undefined when the file declares nothing or the right provider.
 */
export function stackSecretsProviderProblem(
  doc: { readonly secretsprovider?: unknown; readonly encryptionsalt?: unknown },
  expected: string,
  source: string,
  baseDir: string,
): { key: "secretsprovider" | "encryptionsalt"; message: string } | undefined {
  const key = doc.secretsprovider !== undefined ? "secretsprovider" : "encryptionsalt";
  const value = doc.secretsprovider ?? (doc.encryptionsalt !== undefined ? "passphrase" : undefined);
  if (value === undefined) return undefined;
  if (typeof value !== "string") return { key, message: `expected a string; it must be ${source}` };
  let actual: ControlPlaneUrl;
  try {
    actual = parseControlPlaneUrl("secretsProvider", value, baseDir);
  } catch (e) {
    if (e instanceof ControlPlaneUrlError) return { key, message: e.message };
    throw e;
  }
  if (actual.normalized === parseControlPlaneUrl("secretsProvider", expected, baseDir).normalized) return undefined;
  const what = key === "encryptionsalt" ? "an encryptionsalt (passphrase secrets)" : describeStore(actual);
  return {
    key,
    message: `is ${what}, not ${source}; a stack's secrets are encrypted by its own domain's provider (move them with \`pulumi stack change-secrets-provider\`)`,
  };
}

/** Fleet load: the committed stack file's secrets provider is its domain's (exit 2 naming the file and key otherwise). */
export function checkStackSecretsProvider(
  stackFile: string,
  doc: { readonly secretsprovider?: unknown; readonly encryptionsalt?: unknown },
  domain: Domain,
  controlPlane: Readonly<Partial<Record<Domain, DomainControlPlane>>>,
  baseDir: string,
): void {
  const plane = controlPlane[domain];
  const expected = plane?.secretsProvider ?? "passphrase";
  const source = plane ? `domains.${domain}.secretsProvider in fleet.yaml` : `the local default for domain ${domain}`;
  const problem = stackSecretsProviderProblem(doc, expected, source, baseDir);
  if (problem !== undefined) throw new FleetConfigError(stackFile, problem.key, problem.message);
}
