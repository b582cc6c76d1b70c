/**
 * Project-level config (`config:` in the Pulumi.yaml that owns the stacks directory) and the
 * decoding of config values as Pulumi hands them over, so the fleet model sees exactly the
 * values the engine gives the program.
 *
 * What the Pulumi CLI does (checked on the 3.248 CLI, docs/configuration.md "Pulumi config
 * and ESC"): every project-level key reaches every stack; a stack's own file wins per
 * top-level key (objects are replaced, never merged); a key without a namespace belongs to
 * the project (`ring` is `meridian:ring`); a namespaced key is written as a plain value or
 * under `value:`, a project key also as `default:`. `pulumi config set meridian:ring 1`
 * stores the string "1", and the program receives every value as a string (objects as
 * JSON), which Pulumi's typed getters (`getNumber`, `getObject`) decode: `decodeConfigValue`
 * is that decoding, guided by the schema.
 *
 * Project-level config cannot declare a stack's residency: the keys that say where a stack
 * is and what it is (domain, role, clouds, dependencies, provider locations) are refused
 * there, so every stack file still says them itself and a shared value can never move a
 * stack into another domain.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ZodType } from "zod";
import { FleetConfigError } from "./errors";
import { PROVIDER_LOCATION_KEYS } from "./schema";
import { DEFAULT_YAML_LIMITS, readYamlFile, type YamlLimits } from "./yamlFile";

export interface ProjectConfig {
  /** The Pulumi.yaml the values came from; undefined when the stacks directory has none. */
  readonly file: string | undefined;
  /** Fully qualified keys (`meridian:ring`, `aws:region`) and their values, as the engine merges them. */
  readonly values: Readonly<Record<string, unknown>>;
}

export const NO_PROJECT_CONFIG: ProjectConfig = { file: undefined, values: {} };

/** Keys only a stack's own file may set: they place the stack in a domain and in the graph. */
export const STACK_ONLY_KEYS: readonly string[] = [
  "meridian:domain",
  "meridian:role",
  "meridian:cloud",
  "meridian:clouds",
  "meridian:dependsOn",
  ...Object.values(PROVIDER_LOCATION_KEYS).flat(),
];

/** The attributes of Pulumi's project config type (pkg/workspace/project.go `ProjectConfigType`). */
const TYPE_ATTRIBUTES = new Set(["type", "description", "default", "value", "items", "secret"]);

/**
 * The Pulumi.yaml whose stacks live in `stacksDir`: the parent's when its `stackConfigDir`
 * names this directory (the repository: `stackConfigDir: stacks`), else one inside the
 * directory without a `stackConfigDir` of its own.
 */
export function projectFileOf(stacksDir: string, limits: YamlLimits = DEFAULT_YAML_LIMITS): { file: string; doc: Record<string, unknown> } | undefined {
  const dir = path.resolve(stacksDir);
  const candidates = [path.join(path.dirname(dir), "Pulumi.yaml"), path.join(dir, "Pulumi.yaml")];
  for (const candidate of candidates) {
    if (!fs.existsSync(candidate)) continue;
    const file = path.relative(process.cwd(), candidate) || candidate;
    const doc = readYamlFile(file, limits);
    if (doc === null || typeof doc !== "object" || Array.isArray(doc)) throw new FleetConfigError(file, "(file)", "expected a Pulumi project mapping");
    const project = doc as Record<string, unknown>;
    const configDir = typeof project.stackConfigDir === "string" ? path.resolve(path.dirname(candidate), project.stackConfigDir) : path.dirname(candidate);
    if (configDir === dir) return { file, doc: project };
  }
  return undefined;
}

/** Read the project-level config of the fleet in `stacksDir`; throws a FleetConfigError naming Pulumi.yaml and the key. */
export function loadProjectConfig(stacksDir: string, limits: YamlLimits = DEFAULT_YAML_LIMITS): ProjectConfig {
  const found = projectFileOf(stacksDir, limits);
  if (found === undefined) return NO_PROJECT_CONFIG;
  const { file, doc } = found;
  const raw = doc.config;
  if (raw === undefined || raw === null) return { file, values: {} };
  if (typeof raw !== "object" || Array.isArray(raw)) throw new FleetConfigError(file, "config", "must be a mapping of config keys");
  const project = typeof doc.name === "string" ? doc.name : "meridian";
  const values: Record<string, unknown> = {};
  for (const [written, entry] of Object.entries(raw as Record<string, unknown>)) {
    const key = written.includes(":") ? written : `${project}:${written}`;
    if (STACK_ONLY_KEYS.includes(key)) {
      throw new FleetConfigError(file, `config.${written}`, `a stack's residency and place in the graph are declared in its own Pulumi.<stack>.yaml, not for every stack of the project`);
    }
    values[key] = projectValue(file, written, entry);
  }
  return { file, values };
}

function projectValue(file: string, key: string, entry: unknown): unknown {
  if (entry === null || typeof entry !== "object" || Array.isArray(entry)) return entry;
  const attributes = Object.keys(entry);
  const unknown = attributes.filter((a) => !TYPE_ATTRIBUTES.has(a));
  if (unknown.length > 0) {
    throw new FleetConfigError(file, `config.${key}`, `an object value is written under \`value:\` (Pulumi reads these keys as a type declaration; unknown: ${unknown.join(", ")})`);
  }
  const typed = entry as { value?: unknown; default?: unknown; secret?: unknown };
  if (typed.secret === true) throw new FleetConfigError(file, `config.${key}`, "a secret belongs in a stack's file (`pulumi config set --secret`) or an ESC environment, never in Pulumi.yaml");
  return typed.value !== undefined ? typed.value : typed.default;
}

/** Merge as the engine does: the stack's own keys win, whole values (no deep merge). */
export function withProjectConfig(project: ProjectConfig, stackConfig: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return { ...project.values, ...stackConfig };
}

/**
 * A config value as Pulumi's typed getters read it: a string where the key's schema wants
 * another type (`"1"` for a number, `"[\"a\"]"` for a list, an object as JSON) is decoded
 * as JSON; everything else stays as it is, so the schema reports the real problem (a
 * decoded `"99"` for `meridian:ring` is "at most 9", not "expected a number").
 */
export function decodeConfigValue(value: unknown, schema: ZodType | undefined): unknown {
  if (typeof value !== "string" || schema === undefined) return value;
  const asString = schema.safeParse(value);
  if (asString.success || asString.error.issues[0]?.code !== "invalid_type") return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}
