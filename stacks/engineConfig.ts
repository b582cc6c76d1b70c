/**
 * The stack's settings as the Pulumi engine gives them to the program: the stack file, the
 * project-level `config:` of Pulumi.yaml, values of imported ESC environments
 * (`environment:`) and `pulumi config set` all arrive here as one config map. The program
 * validates that map with the same schema and residency checks as the fleet loader
 * (`stackSpecFromConfig`), so one stack's settings have one meaning whichever way they were
 * set (docs/configuration.md "Pulumi config and ESC").
 *
 * The fleet's files stay the source of truth for what the orchestrator plans before any
 * engine runs: a stack's domain, role, clouds, regions, dependencies and ring must be the
 * same in the engine's config as in the files, or the stack refuses to run (exit with file
 * and key). Other settings may come from an ESC environment; the program then uses the
 * engine's value and says which keys the offline plan did not see (never their values).
 */
import * as pulumi from "@pulumi/pulumi";
import { FleetConfigError, PROVIDER_LOCATION_KEYS, stackSpecFromConfig, type Fleet, type StackSpec } from "../automation/fleet";
import { parseYaml, readRegularFile } from "../automation/fleet/yamlFile";

/** What the engine gives: config values as strings (objects as JSON), and which keys are secrets. */
export interface EngineConfig {
  readonly values: Readonly<Record<string, string>>;
  readonly secretKeys: ReadonlySet<string>;
}

/** The running program's config, read through the SDK (`pulumi.runtime.allConfig`). */
export function currentEngineConfig(spec: StackSpec): EngineConfig {
  const values = pulumi.runtime.allConfig();
  return { values, secretKeys: new Set(Object.keys(values).filter((k) => isSecretKey(k, spec))) };
}

/**
 * Whether the engine marked a key secret. The SDK answers this (`runtime/config`
 * `isConfigSecret`, used by `Config.get` to warn) but does not declare it in its types; if a
 * later SDK moves it, the keys the file marks `secure:` are used.
 */
function isSecretKey(key: string, spec: StackSpec): boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sdk = require("@pulumi/pulumi/runtime/config") as { isConfigSecret?: (k: string) => boolean };
  return typeof sdk.isConfigSecret === "function" ? sdk.isConfigSecret(key) : spec.secretKeys.includes(key);
}

/**
 * The engine's config as a stack file would hold it: secrets as `secure:` placeholders (the
 * checks never see a secret's value, as with the file), provider lists decoded from JSON;
 * `meridian:` values are decoded by the schema itself (`decodeConfigValue`).
 */
export function asStackConfig(engine: EngineConfig): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(engine.values).map(([key, value]) => {
      if (engine.secretKeys.has(key)) return [key, { secure: "(a secret the engine holds)" }];
      if (!key.startsWith("meridian:") && /^\s*[[{]/.test(value)) {
        try {
          return [key, JSON.parse(value) as unknown];
        } catch {
          return [key, value];
        }
      }
      return [key, value];
    }),
  );
}

/** The keys the orchestrator plans from; the engine's values must equal the files'. */
const PLANNED_FROM_FILES = ["meridian:domain", "meridian:role", "meridian:cloud", "meridian:clouds", "meridian:dependsOn", "meridian:ring"] as const;

/**
 * This stack's spec from the engine's config, checked like a stack file and against the
 * fleet's own view of the stack. Throws a FleetConfigError naming the stack file and key.
 */
export function specFromEngine(fleet: Fleet, fromFiles: StackSpec, engine: EngineConfig): { spec: StackSpec; notInFiles: string[] } {
  const top = stackFileTop(fromFiles.file);
  const spec = stackSpecFromConfig({ name: fromFiles.name, file: fromFiles.file, top, rawConfig: asStackConfig(engine) }, fleet.settings);
  const fileConfig = fromFiles.config as unknown as Record<string, unknown>;
  const engineConfig = spec.config as unknown as Record<string, unknown>;
  for (const key of PLANNED_FROM_FILES) {
    if (canonical(engineConfig[key]) !== canonical(fileConfig[key])) throw plannedKeyDiffers(fromFiles, key, engineConfig[key], fileConfig[key]);
  }
  for (const cloud of fromFiles.clouds) {
    const key = PROVIDER_LOCATION_KEYS[cloud][0];
    if (spec.regions[cloud] !== fromFiles.regions[cloud]) throw plannedKeyDiffers(fromFiles, key, spec.regions[cloud], fromFiles.regions[cloud]);
  }
  const keys = new Set([...Object.keys(engineConfig), ...Object.keys(fileConfig)]);
  const notInFiles = [...keys].filter((k) => !engine.secretKeys.has(k) && canonical(engineConfig[k]) !== canonical(fileConfig[k])).sort();
  return { spec, notInFiles };
}

/** The last text and parse of each stack file this process read (one entry per stack file). */
const parsedStackFiles = new Map<string, { readonly text: string; readonly top: Record<string, unknown> }>();

/**
 * The stack file's top level, read now. Parsing is most of the cost and the offline plan
 * reads every file once per plan, so an unchanged text reuses its parse: the checks see
 * exactly what a fresh parse gives (the file is still read each time, so an edit counts).
 */
function stackFileTop(file: string): Record<string, unknown> {
  const text = readRegularFile(file);
  const known = parsedStackFiles.get(file);
  if (known?.text === text) return known.top;
  const top = parseYaml(file, text) as Record<string, unknown>;
  parsedStackFiles.set(file, { text, top });
  return top;
}

function plannedKeyDiffers(spec: StackSpec, key: string, engineValue: unknown, fileValue: unknown): FleetConfigError {
  return new FleetConfigError(
    spec.file,
    key,
    `Pulumi config gives ${canonical(engineValue)} but the fleet's files give ${canonical(fileValue)}; the rollout and the residency checks are planned from the files, so set this key in the stack file (and commit it), not in an ESC environment or an uncommitted \`pulumi config set\``,
  );
}

/** JSON with sorted object keys: the engine sorts map keys, a file keeps its own order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v,
  ) ?? "nothing";
}
