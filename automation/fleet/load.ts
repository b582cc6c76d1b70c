/**
 * The fleet model: every `stacks/Pulumi.<stack>.yaml`, validated by one schema, joined
 * into one graph by `meridian:dependsOn`. The program derives its StackReferences from
 * it and the orchestrator its rollout order, so the two can never drift.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ZodType } from "zod";
import { CLOUDS, DOMAINS, type Cloud, type Domain } from "../../components/residency/catalogue";
import { validateIpamSettings } from "../../components/network/ipam";
import { FleetConfigError, FleetConfigErrors } from "./errors";
import { providerPins } from "./pins";
import {
  ALWAYS_ALLOWED_NAMESPACES,
  PROVIDER_LOCATION_KEYS,
  PROVIDER_NAMESPACE,
  roleSchemas,
  stackHeaderSchema,
  type AnyRoleConfig,
  type Environment,
  type Role,
} from "./schema";
import { loadFleetSettings, type FleetSettings } from "./settings";
import { formatZodIssue } from "./zodErrors";
import { validateGraph } from "./graph";
import { checkStackSecretsProvider } from "./controlPlane";
import { checkNarrowing } from "./narrowing";
import { classifyStackFile, duplicateStackNames } from "./stackNames";
import { checkTenants, type TenantTarget } from "./tenants";
import { gateStackErrors } from "./gates";
import { decodeConfigValue, loadProjectConfig, NO_PROJECT_CONFIG, withProjectConfig, type ProjectConfig } from "./projectConfig";
import { DEFAULT_YAML_LIMITS, parseYaml, readRegularFile, type YamlLimits } from "./yamlFile";
import type { ParseCache } from "./parseCache";

export interface StackSpec {
  readonly name: string;
  /** The config file, as given (relative when the stacks dir was relative). */
  readonly file: string;
  readonly domain: Domain;
  readonly role: Role;
  /** The clouds this stack deploys into: one for most roles, two for an interconnect, none for pki. */
  readonly clouds: readonly Cloud[];
  /** Region (location) per cloud used. */
  readonly regions: Readonly<Partial<Record<Cloud, string>>>;
  /** The first cloud's region; undefined for cloud-less roles (pki). */
  readonly region: string | undefined;
  readonly dependsOn: readonly string[];
  readonly ring: number;
  readonly environment: Environment;
  /** The role's parsed config, defaults applied. */
  readonly config: AnyRoleConfig;
  /**
   * The stack's config as the engine merges it: the project-level `config:` of Pulumi.yaml
   * under the file's `config:` map, as written (provider keys included), for the engine.
   */
  readonly rawConfig: Readonly<Record<string, unknown>>;
  /** Keys whose value is a Pulumi secret (`secure:`). */
  readonly secretKeys: readonly string[];
}

export interface Fleet {
  readonly dir: string;
  readonly settings: FleetSettings;
  readonly stacks: ReadonlyMap<string, StackSpec>;
}

const TOP_LEVEL_KEYS = new Set(["config", "secretsprovider", "encryptionsalt", "encryptedkey", "environment"]);

export interface LoadOptions {
  /** Parsed stack files by content (./parseCache.ts): saves the YAML parse of a file read before, nothing else. */
  readonly parseCache?: ParseCache;
}

/**
 * Load and validate every stack of a directory; throws FleetConfigErrors listing every
 * problem (each names its file: the CLI prints them and exits 2). `limits` are the YAML
 * size and alias limits (./yamlFile.ts).
 */
export function loadFleet(dir: string, limits: YamlLimits = DEFAULT_YAML_LIMITS, options: LoadOptions = {}): Fleet {
  let entries: string[];
  try {
    if (!fs.statSync(dir).isDirectory()) throw Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
    entries = fs.readdirSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such stacks directory" : code === "ENOTDIR" ? "not a directory" : `cannot read the stacks directory (${code ?? "I/O error"})`;
    throw new FleetConfigErrors([new FleetConfigError(dir, "(dir)", why)]);
  }
  const budget = { left: limits.fleetBytes };
  const settings = loadFleetSettingsChecked(dir, limits, budget);
  const project = loadProjectConfigChecked(dir, limits);
  const errors: FleetConfigError[] = [];
  const named: Array<{ name: string; file: string }> = [];
  for (const f of entries.sort()) {
    const verdict = classifyStackFile(f);
    if (verdict.kind === "lookalike") errors.push(new FleetConfigError(path.join(dir, f), "(file)", verdict.problem));
    if (verdict.kind === "stack") named.push({ name: verdict.name, file: path.join(dir, f) });
  }
  errors.push(...duplicateStackNames(named));
  const stacks = new Map<string, StackSpec>();
  for (const { file } of named) {
    try {
      const spec = parseStackFile(file, settings, limits, budget, project, options.parseCache);
      if (!stacks.has(spec.name)) stacks.set(spec.name, spec);
    } catch (e) {
      if (e instanceof FleetConfigError) errors.push(e);
      else throw e;
    }
  }
  if (named.length === 0 && errors.length === 0) errors.push(new FleetConfigError(dir, "(dir)", "no Pulumi.<stack>.yaml files"));
  if (errors.length > 0) throw new FleetConfigErrors(errors);
  const fleet: Fleet = { dir, settings, stacks };
  const graphErrors = validateGraph(fleet);
  if (graphErrors.length > 0) throw new FleetConfigErrors(graphErrors);
  const tenantErrors = checkTenants(path.join(dir, "fleet.yaml"), settings, tenantTargets(stacks));
  if (tenantErrors.length > 0) throw new FleetConfigErrors(tenantErrors);
  const gateErrors = gateStackErrors(path.join(dir, "fleet.yaml"), settings.gates, stacks);
  if (gateErrors.length > 0) throw new FleetConfigErrors(gateErrors);
  return fleet;
}

/** What the tenant cross-checks need of each stack: domain, whether it hosts tenants, where it is. */
function tenantTargets(stacks: ReadonlyMap<string, StackSpec>): Map<string, TenantTarget> {
  return new Map(
    [...stacks.values()].map((s) => {
      const attached = s.role === "attached" ? (s.config as { "meridian:attached": { clusterRole: string } })["meridian:attached"] : undefined;
      const hostsTenants = s.role === "workload" || attached?.clusterRole === "workload";
      return [s.name, { domain: s.domain, hostsTenants, role: s.role, cloud: s.clouds[0], region: s.region }];
    }),
  );
}

function loadProjectConfigChecked(dir: string, limits: YamlLimits): ProjectConfig {
  try {
    return loadProjectConfig(dir, limits);
  } catch (e) {
    if (e instanceof FleetConfigError) throw new FleetConfigErrors([e]);
    throw e;
  }
}

function loadFleetSettingsChecked(dir: string, limits: YamlLimits, budget: { left: number }): FleetSettings {
  let settings: FleetSettings;
  try {
    settings = loadFleetSettings(dir, limits, budget);
  } catch (e) {
    if (e instanceof FleetConfigError) throw new FleetConfigErrors([e]);
    throw e;
  }
  const file = path.join(dir, "fleet.yaml");
  const ipamProblems = validateIpamSettings(settings.ipam);
  if (ipamProblems.length > 0) {
    throw new FleetConfigErrors(ipamProblems.map((p) => new FleetConfigError(file, p.split(":")[0], p.slice(p.indexOf(":") + 2))));
  }
  for (const cloud of CLOUDS) {
    const both = settings.regions.eu[cloud].filter((r) => settings.regions.us[cloud].includes(r));
    if (both.length > 0) {
      throw new FleetConfigErrors([
        new FleetConfigError(file, `residency.*.${cloud}`, `region(s) ${both.join(", ")} are allowed in both domains; a region belongs to one`),
      ]);
    }
  }
  return settings;
}

/**
 * Parse one stack file, under the project-level config of its Pulumi.yaml; throws a
 * FleetConfigError naming file and key.
 */
export function parseStackFile(
  file: string,
  settings: FleetSettings,
  limits: YamlLimits = DEFAULT_YAML_LIMITS,
  budget?: { left: number },
  project: ProjectConfig = NO_PROJECT_CONFIG,
  parseCache?: ParseCache,
): StackSpec {
  const verdict = classifyStackFile(path.basename(file));
  if (verdict.kind !== "stack") {
    throw new FleetConfigError(file, "(file)", verdict.kind === "lookalike" ? verdict.problem : "a stack config is named Pulumi.<stack>.yaml");
  }
  const name = verdict.name;
  const top = parseCached(file, readRegularFile(file, limits, budget), limits, parseCache);
  if (top === null || typeof top !== "object" || Array.isArray(top)) {
    throw new FleetConfigError(file, "(file)", "expected a mapping with a `config:` key");
  }
  for (const k of Object.keys(top)) {
    if (!TOP_LEVEL_KEYS.has(k)) throw new FleetConfigError(file, k, `unknown top-level key; allowed: ${[...TOP_LEVEL_KEYS].join(", ")}`);
  }
  const raw = (top as Record<string, unknown>).config;
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new FleetConfigError(file, "config", "missing or not a mapping");
  }
  const own = raw as Record<string, unknown>;
  try {
    return stackSpecFromConfig({ name, file, top: top as Record<string, unknown>, rawConfig: withProjectConfig(project, own) }, settings);
  } catch (e) {
    throw blameProjectConfig(e, own, project, name);
  }
}

/** `parseYaml`, answered from the cache when these exact bytes were parsed before (under the same alias limit). */
function parseCached(file: string, text: string, limits: YamlLimits, cache: ParseCache | undefined): unknown {
  const hit = cache?.get(text, limits.aliases);
  if (hit !== undefined) return hit.value;
  const value = parseYaml(file, text, limits);
  cache?.put(text, limits.aliases, value);
  return value;
}

/** A problem with a key the stack inherited from Pulumi.yaml names Pulumi.yaml, not the stack file. */
function blameProjectConfig(e: unknown, own: Record<string, unknown>, project: ProjectConfig, stack: string): unknown {
  if (!(e instanceof FleetConfigError) || project.file === undefined) return e;
  const key = Object.keys(project.values).find((k) => e.key === k || e.key.startsWith(`${k}.`));
  if (key === undefined || key in own) return e;
  return new FleetConfigError(project.file, `config.${e.key}`, `${e.detail} (inherited by stack ${stack})`);
}

/** What a stack's config is checked from: the file's top level (secrets provider) and the merged `config:` map. */
export interface StackConfigInput {
  readonly name: string;
  /** Named in every error; the stack file. */
  readonly file: string;
  readonly top: Readonly<Record<string, unknown>>;
  readonly rawConfig: Readonly<Record<string, unknown>>;
}

/**
 * Validate one stack's config map — from its file, or as the engine gave it to the program
 * (stacks/engineConfig.ts) — with the one schema and every residency check; throws a
 * FleetConfigError naming file and key.
 */
export function stackSpecFromConfig(input: StackConfigInput, settings: FleetSettings): StackSpec {
  const { name, file, top, rawConfig } = input;
  const secretKeys = Object.entries(rawConfig)
    .filter(([, v]) => v !== null && typeof v === "object" && "secure" in (v as object))
    .map(([k]) => k);

  const head = stackHeaderSchema.safeParse(rawConfig);
  if (!head.success) {
    const { key, detail } = formatZodIssue(head.error.issues[0], rawConfig);
    throw new FleetConfigError(file, key, detail);
  }
  const role = head.data["meridian:role"];
  const shape = (roleSchemas[role] as unknown as { shape: Record<string, ZodType> }).shape;
  const meridianOnly = Object.fromEntries(
    Object.entries(rawConfig)
      .filter(([k]) => k.startsWith("meridian:"))
      .map(([k, v]) => [k, decodeConfigValue(v, shape[k])]),
  );
  const parsed = roleSchemas[role].safeParse(meridianOnly);
  if (!parsed.success) {
    const { key, detail } = formatZodIssue(parsed.error.issues[0], meridianOnly);
    throw new FleetConfigError(file, key, detail);
  }
  const config = parsed.data as AnyRoleConfig;
  const domain = config["meridian:domain"];
  const clouds: Cloud[] = cloudsOf(config);

  checkNamespaces(file, rawConfig, clouds);
  checkStackSecretsProvider(file, top as Record<string, unknown>, domain, settings.controlPlane, path.dirname(file));
  const regions = checkRegions(file, rawConfig, clouds, domain, settings);
  checkNarrowing({ file, domain, clouds, rawConfig, config }, settings);
  providerPins({ file, domain, role, clouds, rawConfig }, settings);
  return {
    name,
    file,
    domain,
    role,
    clouds,
    regions,
    region: clouds.length > 0 ? regions[clouds[0]] : undefined,
    dependsOn: config["meridian:dependsOn"],
    ring: config["meridian:ring"],
    environment: config["meridian:environment"],
    config,
    rawConfig,
    secretKeys,
  };
}

/** The clouds a stack deploys into, from its role's keys. */
function cloudsOf(config: AnyRoleConfig): Cloud[] {
  if (config["meridian:role"] === "interconnect") {
    const pair: readonly Cloud[] = config["meridian:clouds"];
    return [...pair];
  }
  if ("meridian:cloud" in config) {
    const cloud: Cloud = config["meridian:cloud"];
    return [cloud];
  }
  return [];
}

function checkNamespaces(file: string, rawConfig: Record<string, unknown>, clouds: readonly Cloud[]): void {
  const allowed = new Set<string>(["meridian", ...ALWAYS_ALLOWED_NAMESPACES, ...clouds.map((c) => PROVIDER_NAMESPACE[c])]);
  for (const key of Object.keys(rawConfig)) {
    const ns = key.includes(":") ? key.slice(0, key.indexOf(":")) : "";
    if (!allowed.has(ns)) {
      const hint = ns === "" ? "config keys are namespaced (`meridian:role`, `aws:region`)" : `this stack uses ${clouds.length > 0 ? clouds.join(" and ") : "no cloud"}; allowed namespaces: ${[...allowed].join(", ")}`;
      throw new FleetConfigError(file, key, `not allowed here: ${hint}`);
    }
  }
}

function checkRegions(
  file: string,
  rawConfig: Record<string, unknown>,
  clouds: readonly Cloud[],
  domain: Domain,
  settings: FleetSettings,
): Partial<Record<Cloud, string>> {
  const regions: Partial<Record<Cloud, string>> = {};
  for (const cloud of clouds) {
    for (const key of PROVIDER_LOCATION_KEYS[cloud]) {
      const v = rawConfig[key];
      if (v !== null && typeof v === "object" && "secure" in v) {
        throw new FleetConfigError(file, key, "cannot be a secret: its value names a place or an owner and must be checked against the domain");
      }
      if (typeof v !== "string" || v.length === 0) {
        throw new FleetConfigError(file, key, `missing; a stack on ${cloud} sets ${PROVIDER_LOCATION_KEYS[cloud].join(" and ")}`);
      }
    }
    const regionKey = PROVIDER_LOCATION_KEYS[cloud][0];
    const region = rawConfig[regionKey] as string;
    const allowed = settings.regions[domain][cloud];
    if (!allowed.includes(region)) {
      const other = DOMAINS.find((d) => d !== domain && settings.regions[d][cloud].includes(region));
      const why = other ? `it is a ${other} region` : "it is in no domain's allowlist";
      throw new FleetConfigError(
        file,
        regionKey,
        `"${region}" is not allowed for domain ${domain} (${why}); allowed: ${allowed.join(", ")} — to allow another region, list it under residency.${domain}.${cloud} in fleet.yaml`,
      );
    }
    regions[cloud] = region;
  }
  return regions;
}
