/**
 * A stack's existing state, as `pulumi stack export` writes it (deployment version 3),
 * turned into the resources `evaluateStack` judges: so the pack can audit what is already
 * deployed (residency drift), from the fleet CLI (`fleet audit`) or the pack's own runner.
 *
 * Format (pulumi/pulumi sdk/go/common/apitype): `{ version: 3, deployment: { manifest,
 * secrets_providers?, resources: [{ urn, custom, id?, type, inputs?, outputs?, parent?,
 * provider? ("<urn>::<id>"), dependencies?, propertyDependencies?, protect?, ... }] } }`.
 * Encrypted secrets (`ciphertext`) are unknown to the pack: a policy that needs one reports
 * "cannot verify" rather than passing on a placeholder.
 */
import { z } from "zod";
import type { PlannedResource } from "./evaluate";
import { UNKNOWN_STRING } from "./lib/values";

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

const resourceSchema = z.looseObject({
  urn: z.string().regex(/^urn:pulumi:[^:]+::[^:]+::.+::.*$/, "a Pulumi URN (urn:pulumi:<stack>::<project>::<type>::<name>)"),
  type: z.string().min(1),
  custom: z.boolean().optional(),
  id: z.string().optional(),
  inputs: z.record(z.string(), z.unknown()).optional(),
  outputs: z.record(z.string(), z.unknown()).optional(),
  parent: z.string().optional(),
  provider: z.string().optional(),
  dependencies: z.array(z.string()).optional(),
  propertyDependencies: z.record(z.string(), z.array(z.string())).optional(),
  protect: z.boolean().optional(),
  delete: z.boolean().optional(),
  pendingReplacement: z.boolean().optional(),
});

const exportSchema = z.looseObject({
  version: z.literal(3, { error: "deployment version 3 (what `pulumi stack export` writes)" }),
  deployment: z.looseObject({
    resources: z.array(resourceSchema).optional(),
  }),
});

export type StateResource = z.infer<typeof resourceSchema>;

export class StateFileError extends Error {}

/** Parse an export; every problem is one line naming the file and the field. */
export function parseStackExport(text: string, file: string): StateResource[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new StateFileError(`${file}: not JSON (${(e as Error).message.split("\n")[0]})`);
  }
  const parsed = exportSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length > 0 ? issue.path.map((k, i) => (typeof k === "number" ? `[${k}]` : `${i > 0 ? "." : ""}${String(k)}`)).join("") : "(file)";
    throw new StateFileError(`${file}: ${where}: ${issue.message}`);
  }
  // Resources pending deletion are not what is deployed going forward; the old copy of a
  // replaced resource is still deployed until the replacement finishes, so it is kept.
  return (parsed.data.deployment.resources ?? []).filter((r) => r.delete !== true);
}

/** Secrets as the pack's evaluator expects them: plaintext wrapped; ciphertext unknown. */
function decodeSecrets(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decodeSecrets);
  if (v === null || typeof v !== "object") return v;
  const o = v as Record<string, unknown>;
  if (o[SIG_KEY] === SECRET_SIG) {
    let value: unknown = UNKNOWN_STRING;
    if (typeof o.plaintext === "string") {
      try {
        value = JSON.parse(o.plaintext);
      } catch {
        value = o.plaintext;
      }
    } else if ("value" in o) value = o.value;
    return { [SIG_KEY]: SECRET_SIG, value: decodeSecrets(value) };
  }
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, decodeSecrets(x)]));
}

/**
 * The resources as the pack sees them. Props are the inputs with the recorded outputs over
 * them: for deployed resources the outputs are what the cloud reported (the real region,
 * the real key), which is what an audit of drift must judge.
 */
export function stateResources(resources: readonly StateResource[]): PlannedResource[] {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const propsOf = (r: StateResource) => decodeSecrets({ ...(r.inputs ?? {}), ...(r.outputs ?? {}) }) as Record<string, unknown>;
  return resources.map((r) => {
    const providerUrn = r.provider ? r.provider.slice(0, r.provider.lastIndexOf("::")) : undefined;
    const provider = providerUrn ? byUrn.get(providerUrn) : undefined;
    const name = r.urn.slice(r.urn.lastIndexOf("::") + 2);
    return {
      urn: r.urn,
      type: r.type,
      name,
      props: propsOf(r),
      parent: r.parent || undefined,
      provider: provider ? { urn: provider.urn, type: provider.type, props: propsOf(provider) } : undefined,
      dependencies: r.dependencies ?? [],
      propertyDependencies: r.propertyDependencies ?? {},
      protect: r.protect ?? false,
    };
  });
}

/** The stack name of an export: the URN's stack segment of its first resource. */
export function stackOfExport(resources: readonly StateResource[]): string | undefined {
  return resources[0]?.urn.split("::")[0].slice("urn:pulumi:".length);
}
