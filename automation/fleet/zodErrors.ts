import type { z } from "zod";

/** Read the value a zod issue points at, to quote it back to the user. */
function valueAt(root: unknown, pathParts: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const p of pathParts) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/** A Pulumi secret (`{secure: …}`) anywhere inside a value is shown as `[secret]`, never echoed. */
function withoutSecrets(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  if (!Array.isArray(v) && "secure" in v) return "[secret]";
  return Array.isArray(v) ? v.map(withoutSecrets) : Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withoutSecrets(x)]));
}

export function showValue(v: unknown): string {
  if (v === undefined) return "nothing";
  const s = JSON.stringify(withoutSecrets(v));
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/**
 * Turn a zod issue into `{key, detail}`: the key is the config key plus the path inside
 * it (`meridian:network.slot`), the detail says what was found and what is allowed.
 */
export function formatZodIssue(issue: z.core.$ZodIssue, root: unknown): { key: string; detail: string } {
  const [first, ...rest] = issue.path;
  const key = first === undefined ? "(file)" : [String(first), ...rest.map(String)].join(".");
  const found = valueAt(root, issue.path);
  switch (issue.code) {
    case "invalid_value":
      return { key, detail: `invalid value ${showValue(found)}; allowed: ${issue.values.map(String).join(", ")}` };
    case "invalid_type":
      return found === undefined
        ? { key, detail: `missing; expected ${issue.expected}` }
        : { key, detail: `expected ${issue.expected}, got ${showValue(found)}` };
    case "unrecognized_keys":
      return { key: issue.keys.map((k) => (first === undefined ? k : `${key}.${k}`)).join(", "), detail: "unknown key (check the spelling; see docs/configuration.md)" };
    case "too_small":
    case "too_big":
      return { key, detail: `${issue.message.replace(/^Too (small|big): /, "")} (got ${showValue(found)})` };
    default:
      return { key, detail: `${issue.message} (got ${showValue(found)})` };
  }
}
