/**
 * Configuration can only narrow residency, never widen it. Every value in a stack file that
 * names a place or an owner is checked against the stack's domain here, at load time (exit
 * 2 naming file and key):
 *
 * - provider keys: each supported key is validated against the domain's regions (fleet.yaml
 *   `residency`) or its declared owners (fleet.yaml `accounts`); every other provider key is
 *   refused as unsupported — none is passed through unchecked;
 * - registries (attached clusters): the location an ECR / Artifact Registry / GCR host
 *   proves, and the account or project in it; a host whose name proves nothing (ACR
 *   `*.azurecr.io`, a private registry) must be declared for the domain;
 * - a hand-set network CIDR must lie inside the domain's IPAM node pool;
 * - `meridian:tags` may not set a reserved tag;
 * - an attached cluster's kubeconfig, when visible in config, must point at a cluster of the
 *   domain (by its API server's address, never by a name).
 */
import * as fs from "node:fs";
import { DOMAINS, domainOfRegion, type Cloud, type Domain } from "../../components/residency/catalogue";
import { reservedTagProblem } from "../../components/residency/tags";
import { contains, parseCidr } from "../../components/network/ipam";
import { identifyKubeconfig, type ClusterIdentity } from "../../policy-pack/lib/clusterIdentity";
import { domainOfOwner, type DomainAccounts } from "./accounts";
import { FleetConfigError } from "./errors";
import type { AnyRoleConfig } from "./schema";
import type { FleetSettings } from "./settings";
import { readRegularFile } from "./yamlFile";
import { showValue } from "./zodErrors";

export interface StackUnderCheck {
  readonly file: string;
  readonly domain: Domain;
  readonly clouds: readonly Cloud[];
  readonly rawConfig: Readonly<Record<string, unknown>>;
  readonly config: AnyRoleConfig;
}

/** Run every narrowing check; throws the first problem as a FleetConfigError. */
export function checkNarrowing(stack: StackUnderCheck, settings: FleetSettings): void {
  checkProviderKeys(stack, settings);
  checkTags(stack);
  checkHandSetCidr(stack, settings);
  if (stack.config["meridian:role"] === "attached") {
    stack.config["meridian:attached"].registries.forEach((prefix, i) => {
      const problem = registryProblem(prefix, stack.domain, settings);
      if (problem !== undefined) throw new FleetConfigError(stack.file, `meridian:attached.registries.${i}`, problem);
    });
    checkKubeconfig(stack, settings);
  }
}

// ------------------------------------------------------------------------------------------
// Provider keys.

interface KeyCheck {
  readonly stack: StackUnderCheck;
  readonly key: string;
  readonly value: unknown;
  readonly settings: FleetSettings;
}

type KeyRule = (c: KeyCheck) => string | undefined;

const ownerKind = { aws: "AWS account", gcp: "GCP project", azure: "Azure subscription", registries: "registry host" } as const;

function declaredOwner(kind: keyof DomainAccounts, id: string, c: KeyCheck): string | undefined {
  const owner = domainOfOwner(c.settings.accounts, kind, id);
  if (owner === c.stack.domain) return undefined;
  const why = owner !== undefined ? `it is declared for domain ${owner}` : "it is declared for no domain";
  return `${ownerKind[kind]} "${id}" is not one of domain ${c.stack.domain}'s (${why}); declare it under accounts.${c.stack.domain}.${kind} in fleet.yaml`;
}

function inDomainRegion(cloud: Cloud, region: string, c: KeyCheck, what = "region"): string | undefined {
  const allowed = c.settings.regions[c.stack.domain][cloud];
  if (allowed.includes(region)) return undefined;
  const other = domainOfRegion(c.settings.regions, cloud, region);
  return `${what} "${region}" is not allowed for domain ${c.stack.domain} (${other ? `it is a ${other} region` : "it is in no domain's allowlist"}); allowed: ${allowed.join(", ")}`;
}

const string =
  (rule: (value: string, c: KeyCheck) => string | undefined): KeyRule =>
  (c) =>
    typeof c.value === "string" && c.value.length > 0 ? rule(c.value, c) : `expected a string, got ${showValue(c.value)}`;

const stringList =
  (rule: (value: string, c: KeyCheck) => string | undefined): KeyRule =>
  (c) => {
    if (!Array.isArray(c.value) || c.value.some((v) => typeof v !== "string")) return `expected a list of strings (quote numbers), got ${showValue(c.value)}`;
    for (const v of c.value as string[]) {
      const problem = rule(v, c);
      if (problem !== undefined) return problem;
    }
    return undefined;
  };

/** Checked elsewhere (the region keys, by checkRegions in load.ts). */
const checkedByLoader: KeyRule = () => undefined;

/**
 * Every provider key a stack file may set, with its check. Anything not listed is refused:
 * a key we do not validate could point a provider at another place or owner.
 */
export const PROVIDER_KEY_RULES: Readonly<Record<string, KeyRule>> = {
  "aws:region": checkedByLoader,
  "aws:stsRegion": string((v, c) => inDomainRegion("aws", v, c, "STS region")),
  "aws:allowedAccountIds": stringList((v, c) => declaredOwner("aws", v, c)),
  "azure-native:location": checkedByLoader,
  "azure-native:subscriptionId": string((v, c) => declaredOwner("azure", v, c)),
  "azure-native:environment": string((v) =>
    v === "public" ? undefined : `"${v}" is not supported: the residency catalogue lists Azure public-cloud regions only (use "public" or leave it unset)`,
  ),
  "gcp:project": string((v, c) => declaredOwner("gcp", v, c)),
  "gcp:region": checkedByLoader,
  "gcp:zone": string((v, c) => {
    const m = /^([a-z]+-[a-z]+\d+)-[a-z]$/.exec(v);
    return m ? inDomainRegion("gcp", m[1]!, c, `zone "${v}" is in region`) : `"${v}" is not a GCP zone such as europe-west1-b`;
  }),
  "pulumi:disable-default-providers": stringList(() => undefined),
};

/** Keys refused with a specific reason (the generic one is "unsupported"). */
const REFUSED_BECAUSE: Readonly<Record<string, string>> = {
  "aws:endpoints": "custom endpoints send API calls to hosts whose location the fleet cannot check",
  "aws:skipRegionValidation": "region validation is what keeps a typo from becoming another region",
  "aws:profile": "credentials and accounts come from the environment of the run, not from the stack file",
  "aws:assumeRole": "the account a role assumes is an owner the fleet cannot check from here",
  "gcp:credentials": "credentials come from the environment of the run, never from the stack file",
  "gcp:impersonateServiceAccount": "the project of an impersonated account is an owner the fleet cannot check from here",
  "azure-native:tenantId": "the tenant comes from the environment of the run",
  "azure-native:clientSecret": "credentials come from the environment of the run, never from the stack file",
};

function checkProviderKeys(stack: StackUnderCheck, settings: FleetSettings): void {
  for (const [key, value] of Object.entries(stack.rawConfig)) {
    if (key.startsWith("meridian:")) continue;
    const rule = PROVIDER_KEY_RULES[key];
    if (rule === undefined) {
      const ns = key.slice(0, key.indexOf(":"));
      const supported = Object.keys(PROVIDER_KEY_RULES).filter((k) => k.startsWith(`${ns}:`));
      const reason =
        REFUSED_BECAUSE[key] ??
        (ns === "kubernetes" || ns === "tls" || ns === "random"
          ? "it configures only the default provider, which the fleet disables (attached clusters take meridian:kubeconfig)"
          : "meridian does not validate it against the domain, so it is refused rather than passed through");
      throw new FleetConfigError(stack.file, key, `unsupported provider key: ${reason}${supported.length > 0 ? `; supported here: ${supported.join(", ")}` : ""}`);
    }
    if (value !== null && typeof value === "object" && "secure" in value && rule !== checkedByLoader) {
      throw new FleetConfigError(stack.file, key, "cannot be a secret: its value names a place or an owner and must be checked against the domain");
    }
    const problem = rule({ stack, key, value, settings });
    if (problem !== undefined) throw new FleetConfigError(stack.file, key, problem);
  }
}

// ------------------------------------------------------------------------------------------
// Tags and CIDRs.

function checkTags(stack: StackUnderCheck): void {
  for (const key of Object.keys(stack.config["meridian:tags"])) {
    const problem = reservedTagProblem(key);
    if (problem !== undefined) throw new FleetConfigError(stack.file, `meridian:tags.${key}`, problem);
  }
}

function checkHandSetCidr(stack: StackUnderCheck, settings: FleetSettings): void {
  if (stack.config["meridian:role"] !== "foundation") return;
  const cidr = stack.config["meridian:network"].cidr;
  if (cidr === undefined) return;
  const key = "meridian:network.cidr";
  try {
    parseCidr(cidr);
  } catch (e) {
    throw new FleetConfigError(stack.file, key, (e as Error).message);
  }
  const pool = settings.ipam.pools[stack.domain].nodes;
  if (!contains(pool, cidr)) {
    const other = DOMAINS.find((d) => d !== stack.domain && contains(settings.ipam.pools[d].nodes, cidr));
    throw new FleetConfigError(
      stack.file,
      key,
      `"${cidr}" is outside domain ${stack.domain}'s node pool ${pool}${other ? ` (it is in domain ${other}'s pool)` : ""}; a hand-set range must lie inside the domain's IPAM pool`,
    );
  }
}

// ------------------------------------------------------------------------------------------
// Registries.

/** Multi-region locations of Artifact Registry / GCR hosts, by domain. */
const GCP_MULTI_REGION: Readonly<Record<string, Domain>> = { europe: "eu", eu: "eu", us: "us" };

/** What a registry prefix's host proves about its location and owner. */
export type RegistryEvidence =
  | { readonly kind: "located"; readonly cloud: "aws" | "gcp"; readonly location: string; readonly domain: Domain | undefined; readonly owner: { kind: "aws" | "gcp"; id: string } | undefined }
  | { readonly kind: "unproven"; readonly host: string };

export function registryEvidence(prefix: string, settings: Pick<FleetSettings, "regions">): RegistryEvidence {
  const [hostPort, ...path] = prefix.split("/");
  const host = hostPort.replace(/:\d+$/, "").toLowerCase();
  const ecr = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com$/.exec(host);
  if (ecr) {
    return { kind: "located", cloud: "aws", location: ecr[2]!, domain: domainOfRegion(settings.regions, "aws", ecr[2]!), owner: { kind: "aws", id: ecr[1]! } };
  }
  const ar = /^([a-z0-9-]+)-docker\.pkg\.dev$/.exec(host) ?? /^(?:([a-z]+)\.)?gcr\.io$/.exec(host);
  if (ar) {
    const location = ar[1] ?? "us"; // gcr.io is stored in the US multi-region
    const domain = GCP_MULTI_REGION[location] ?? domainOfRegion(settings.regions, "gcp", location);
    const project = path[0] !== undefined && path[0] !== "" ? { kind: "gcp" as const, id: path[0] } : undefined;
    return { kind: "located", cloud: "gcp", location, domain, owner: project };
  }
  return { kind: "unproven", host: hostPort.toLowerCase() };
}

/** Why a registry prefix is not the domain's, or undefined when it is. */
export function registryProblem(prefix: string, domain: Domain, settings: Pick<FleetSettings, "regions" | "accounts">): string | undefined {
  const ev = registryEvidence(prefix, settings);
  if (ev.kind === "unproven") {
    const owner = domainOfOwner(settings.accounts, "registries", ev.host);
    if (owner === domain) return undefined;
    return owner !== undefined
      ? `registry ${ev.host} is declared for domain ${owner}, not ${domain}`
      : `the domain of registry ${ev.host} is unknown (its name proves no location; a name is not evidence): declare it under accounts.${domain}.registries in fleet.yaml if domain ${domain} owns it`;
  }
  if (ev.domain !== domain) {
    return `registry ${prefix} is in ${ev.location} (${ev.domain ? `domain ${ev.domain}` : "no domain's allowlist"}), not in domain ${domain}`;
  }
  if (ev.owner === undefined) return `registry ${prefix} names no ${ev.cloud === "gcp" ? "project" : "account"}; write the full prefix (host/project/repository/)`;
  const owner = domainOfOwner(settings.accounts, ev.owner.kind, ev.owner.id);
  if (owner !== domain) {
    return `registry ${prefix} belongs to ${ownerKind[ev.owner.kind]} ${ev.owner.id}, ${owner ? `declared for domain ${owner}` : "declared for no domain"}; declare it under accounts.${domain}.${ev.owner.kind} in fleet.yaml`;
  }
  return undefined;
}

/** Keep only the prefixes that are provably the domain's (used before anything reaches the pack's allowlist). */
export function residentRegistries(
  registries: Readonly<Partial<Record<Domain, readonly string[]>>>,
  settings: Pick<FleetSettings, "regions" | "accounts">,
): Partial<Record<Domain, string[]>> {
  const out: Partial<Record<Domain, string[]>> = {};
  for (const d of DOMAINS) {
    const kept = (registries[d] ?? []).filter((p) => registryProblem(p, d, settings) === undefined);
    if (kept.length > 0) out[d] = [...new Set(kept)];
  }
  return out;
}

/**
 * Registries the fleet's own foundation stacks created (learned from their outputs). Their
 * domain is resolved by provenance — the domain's foundation stack made them in its own
 * region — so a location-less host (an ACR) is accepted; a host whose name proves another
 * location is still dropped.
 */
export function provenRegistries(registries: Readonly<Partial<Record<Domain, readonly string[]>>>, settings: Pick<FleetSettings, "regions">): Partial<Record<Domain, string[]>> {
  const out: Partial<Record<Domain, string[]>> = {};
  for (const d of DOMAINS) {
    const kept = (registries[d] ?? []).filter((p) => {
      const ev = registryEvidence(p, settings);
      return ev.kind === "unproven" || ev.domain === d;
    });
    if (kept.length > 0) out[d] = [...new Set(kept)];
  }
  return out;
}

// ------------------------------------------------------------------------------------------
// Attached clusters.

/** The cluster a kubeconfig visible in config points at; `unknown` when it is a secret or proves nothing. */
export function attachedClusterIdentity(stack: StackUnderCheck, settings: FleetSettings): ClusterIdentity {
  const raw = stack.rawConfig["meridian:kubeconfig"];
  if (typeof raw !== "string") return { kind: "unknown", reason: "the kubeconfig is a secret; its cluster is checked when the stack runs" };
  if (stack.config["meridian:role"] !== "attached") return { kind: "unknown", reason: "not an attached stack" };
  const context = stack.config["meridian:attached"].context;
  const looksLikeDocument = /\n|^\s*\{/.test(raw);
  let text = raw;
  if (!looksLikeDocument) {
    if (!fs.existsSync(raw)) return { kind: "unknown", reason: `the kubeconfig "${raw}" is neither a kubeconfig nor a file here` };
    text = readRegularFile(raw);
  }
  return identifyKubeconfig(text, settings.regions, context);
}

function checkKubeconfig(stack: StackUnderCheck, settings: FleetSettings): void {
  const id = attachedClusterIdentity(stack, settings);
  if (id.kind === "located" && id.domain !== stack.domain) {
    throw new FleetConfigError(
      stack.file,
      "meridian:kubeconfig",
      `the cluster is in ${id.cloud} ${id.region} (${id.domain ? `domain ${id.domain}` : "no domain's allowlist"}; ${id.from}), not in domain ${stack.domain}`,
    );
  }
}
