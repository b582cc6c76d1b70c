/**
 * The environment one domain's Pulumi CLI runs with: that domain's backend, that domain's
 * secrets provider credentials, and nothing of any other domain.
 *
 * The Automation API passes a workspace's `envVars` on top of the inherited process
 * environment (execa's `extendEnv`), so a variable the CLI must not see is *removed* by
 * mapping it to `undefined`: Node's `child_process.spawn` leaves out variables whose value
 * is `undefined`. test/orchestrator/domain-env.test.ts proves that against a real process.
 *
 * Per domain `<D>` (upper-case domain name):
 * - `PULUMI_BACKEND_URL` ← the domain's backend.
 * - passphrase provider: `PULUMI_CONFIG_PASSPHRASE` ← `$<passphraseEnv>` (default
 *   `PULUMI_CONFIG_PASSPHRASE_<D>`), else `PULUMI_CONFIG_PASSPHRASE_FILE` ← `$<passphraseEnv>_FILE`.
 * - `PULUMI_ACCESS_TOKEN` ← `$PULUMI_ACCESS_TOKEN_<D>` when set (a self-hosted Pulumi Cloud per domain).
 * - removed: the generic `PULUMI_CONFIG_PASSPHRASE(_FILE)` and `PULUMI_ACCESS_TOKEN` (one value
 *   for every domain) unless set from the domain's own variable above, and every domain's own
 *   variables (`PULUMI_CONFIG_PASSPHRASE_<D>(_FILE)`, `PULUMI_ACCESS_TOKEN_<D>`, `MERIDIAN_*_<D>`).
 */
import { DOMAINS, type Domain } from "../../components/residency/catalogue";
import { passphraseEnvFor, type DomainControlPlane } from "../fleet/controlPlane";

export type ControlPlanes = Readonly<Record<Domain, DomainControlPlane>>;

/** Environment entries for a workspace; `undefined` removes the variable from the CLI's environment. */
export type DomainEnv = Record<string, string | undefined>;

/** A domain's secrets cannot be opened: its passphrase variable is not set. Exit 2 at the CLI. */
export class MissingDomainSecretError extends Error {
  constructor(
    readonly domain: Domain,
    readonly variable: string,
  ) {
    super(`domain ${domain} uses the passphrase secrets provider: set ${variable} (or ${variable}_FILE); one passphrase per domain, never one for both`);
    this.name = "MissingDomainSecretError";
  }
}

/** `_EU` for `eu`. */
export function domainSuffix(domain: Domain): string {
  return `_${domain.toUpperCase()}`;
}

/** Variables that belong to a domain (its passphrase, token and overrides), by name. */
export function domainVariables(domain: Domain, plane: DomainControlPlane | undefined): string[] {
  const pass = passphraseEnvFor(domain, plane);
  const s = domainSuffix(domain);
  return [pass, `${pass}_FILE`, `PULUMI_ACCESS_TOKEN${s}`, `MERIDIAN_BACKEND${s}`, `MERIDIAN_SECRETS_PROVIDER${s}`, `MERIDIAN_EVIDENCE_STORE${s}`];
}

/** The environment of `domain`'s CLI, given the inherited environment `env` (read, never copied whole). */
export function domainEnv(domain: Domain, planes: ControlPlanes, env: NodeJS.ProcessEnv): DomainEnv {
  const plane = planes[domain];
  const out: DomainEnv = {
    PULUMI_CONFIG_PASSPHRASE: undefined,
    PULUMI_CONFIG_PASSPHRASE_FILE: undefined,
    PULUMI_ACCESS_TOKEN: undefined,
  };
  for (const d of DOMAINS) for (const v of domainVariables(d, planes[d])) out[v] = undefined;
  out.PULUMI_BACKEND_URL = plane.backend;
  out.PULUMI_SKIP_UPDATE_CHECK = "true";
  if (plane.secretsProvider === "passphrase") {
    const variable = passphraseEnvFor(domain, plane);
    const value = env[variable];
    const file = env[`${variable}_FILE`];
    if (value !== undefined && value.length > 0) out.PULUMI_CONFIG_PASSPHRASE = value;
    else if (file !== undefined && file.length > 0) out.PULUMI_CONFIG_PASSPHRASE_FILE = file;
    else throw new MissingDomainSecretError(domain, variable);
  }
  const token = env[`PULUMI_ACCESS_TOKEN${domainSuffix(domain)}`];
  if (token !== undefined && token.length > 0) out.PULUMI_ACCESS_TOKEN = token;
  return out;
}

/** The secret values a domain's environment carries, for the redactor (whatever the variable's name). */
export function domainSecretValues(planes: ControlPlanes, env: NodeJS.ProcessEnv): string[] {
  const values: string[] = [];
  for (const d of DOMAINS) {
    const v = env[passphraseEnvFor(d, planes[d])];
    if (v !== undefined && v.length > 0) values.push(v);
    const t = env[`PULUMI_ACCESS_TOKEN${domainSuffix(d)}`];
    if (t !== undefined && t.length > 0) values.push(t);
  }
  return values;
}
