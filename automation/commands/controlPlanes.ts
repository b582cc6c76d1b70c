/**
 * Each domain's control plane for a rollout: fleet.yaml `domains.<domain>` (or its local
 * default), with the backend overridable per domain — never for every domain at once.
 *
 * Backend of domain `<d>`, first that is set:
 *   1. `--backend <d>=<url>[,<d2>=<url2>]`
 *   2. `MERIDIAN_BACKEND_<D>` (e.g. `MERIDIAN_BACKEND_EU`)
 *   3. fleet.yaml `domains.<d>.backend`, else `file://<repo>/.pulumi-state/<d>`
 * Evidence store of domain `<d>`: `MERIDIAN_EVIDENCE_STORE_<D>`, else fleet.yaml
 * `domains.<d>.evidenceStore`, else `file://<repo>/.fleet-evidence/<d>` (for CI and e2e
 * runs that point a domain at its own emulator or per-run bucket).
 * Refused (exit 2): a bare `--backend <url>`, a set `PULUMI_BACKEND_URL` (both name one
 * backend for every domain), an unknown domain, and two domains on the same backend or
 * evidence store.
 */
import { DOMAINS, type Domain } from "../../components/residency/catalogue";
import { checkControlPlaneOverride, controlPlaneFor, type DomainControlPlane } from "../fleet/controlPlane";
import { FleetConfigError, type Fleet } from "../fleet";
import { domainSuffix, type ControlPlanes } from "../engine/domainEnv";
import { UsageError } from "../orchestrator";

const HOW = "give --backend eu=<url>,us=<url>, or MERIDIAN_BACKEND_EU / MERIDIAN_BACKEND_US, or domains.<domain>.backend in stacks/fleet.yaml";

/** `eu=file:///a,us=file:///b` → `{ eu: "file:///a", us: "file:///b" }`. */
export function parseBackendFlag(flag: string): Partial<Record<Domain, string>> {
  const out: Partial<Record<Domain, string>> = {};
  for (const entry of flag.split(",").map((e) => e.trim()).filter((e) => e.length > 0)) {
    const m = /^([a-z][a-z0-9-]*)=(.+)$/.exec(entry);
    if (m === null) throw new UsageError(`--backend: "${entry}" names no domain; one backend for every domain is refused (state stays in its domain): ${HOW}`);
    const [, domain, url] = m;
    if (!(DOMAINS as readonly string[]).includes(domain)) throw new UsageError(`--backend: unknown domain "${domain}"; known: ${DOMAINS.join(", ")}`);
    if (out[domain as Domain] !== undefined) throw new UsageError(`--backend: domain ${domain} is given twice`);
    out[domain as Domain] = url;
  }
  return out;
}

function sameStore(a: string, b: string): boolean {
  const norm = (u: string) => u.replace(/\/+(\?|$)/, "$1");
  return norm(a) === norm(b);
}

/** An override's location by fleet.yaml's rules; a refusal is a usage error (exit 2) naming the flag or variable. */
function overrideLocation(...args: Parameters<typeof checkControlPlaneOverride>): string {
  try {
    return checkControlPlaneOverride(...args);
  } catch (e) {
    if (e instanceof FleetConfigError) throw new UsageError(e.message);
    throw e;
  }
}

export function resolveControlPlanes(fleet: Fleet, backendFlag: string | undefined, env: NodeJS.ProcessEnv, repoDir: string): ControlPlanes {
  if ((env.PULUMI_BACKEND_URL ?? "").length > 0) {
    throw new UsageError(`PULUMI_BACKEND_URL is set: it names one backend for every domain; unset it and ${HOW}`);
  }
  const flags = backendFlag !== undefined ? parseBackendFlag(backendFlag) : {};
  const planes = {} as Record<Domain, DomainControlPlane>;
  for (const d of DOMAINS) {
    const declared = controlPlaneFor(fleet.settings.controlPlane, d, repoDir);
    const backend = flags[d] ?? (env[`MERIDIAN_BACKEND${domainSuffix(d)}`] || undefined);
    const evidenceStore = env[`MERIDIAN_EVIDENCE_STORE${domainSuffix(d)}`] || undefined;
    // An override can only narrow: its location is derived from the URL and must be inside the domain.
    const regions = fleet.settings.regions;
    const backendSource = flags[d] !== undefined ? "--backend" : `MERIDIAN_BACKEND${domainSuffix(d)}`;
    const backendAt = backend !== undefined ? overrideLocation(backendSource, d, "backend", backend, regions, repoDir) : undefined;
    const evidenceAt =
      evidenceStore !== undefined ? overrideLocation(`MERIDIAN_EVIDENCE_STORE${domainSuffix(d)}`, d, "evidenceStore", evidenceStore, regions, repoDir) : undefined;
    planes[d] = {
      ...declared,
      ...(backend !== undefined ? { backend } : {}),
      ...(evidenceStore !== undefined ? { evidenceStore } : {}),
      locations: { ...declared.locations, ...(backendAt !== undefined ? { backend: backendAt } : {}), ...(evidenceAt !== undefined ? { evidenceStore: evidenceAt } : {}) },
    };
  }
  for (const [i, a] of DOMAINS.entries()) {
    for (const b of DOMAINS.slice(i + 1)) {
      if (sameStore(planes[a].backend, planes[b].backend)) throw new UsageError(`domains ${a} and ${b} share the backend ${planes[a].backend}: each domain keeps its state in its own backend`);
      if (sameStore(planes[a].evidenceStore, planes[b].evidenceStore)) throw new UsageError(`domains ${a} and ${b} share the evidence store ${planes[a].evidenceStore}: each domain keeps its evidence in its own store`);
    }
  }
  return planes;
}
