/**
 * Tags and labels the platform itself sets: they say which domain, stack and role a
 * resource belongs to (audits, cost reports, the policy pack and admission read them), so
 * `meridian:tags` may add tags but never override these. Compared the way the clouds
 * compare them after our adapters normalise keys (GCP/GKE labels are lower-cased and
 * characters outside `[a-z0-9_-]` become `_`), so `Residency` or `managed.by` cannot slip
 * past as a different spelling of the same label.
 */

/** Set on every resource by the stack program (stacks/context.ts `commonTags`). */
export const STACK_TAG_KEYS = ["residency", "meridian-stack", "meridian-role", "managed-by"] as const;
/** Set by components on some of their children: cluster name, AWS `Name`, interconnect peer. */
export const COMPONENT_TAG_KEYS = ["meridian-cluster", "Name", "peer"] as const;
export const RESERVED_TAG_KEYS: readonly string[] = [...STACK_TAG_KEYS, ...COMPONENT_TAG_KEYS];
/** Every key with this prefix is the platform's. */
export const RESERVED_TAG_PREFIX = "meridian-";

/** A tag key as the strictest cloud (GCP labels) would store it. */
export function normalizedTagKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9_-]/g, "_");
}

const RESERVED = new Set(RESERVED_TAG_KEYS.map(normalizedTagKey));

/** Why a user-supplied tag key is not allowed, or undefined when it is. */
export function reservedTagProblem(key: string): string | undefined {
  const n = normalizedTagKey(key);
  const normalizedPrefix = normalizedTagKey(RESERVED_TAG_PREFIX);
  if (RESERVED.has(n) || n.startsWith(normalizedPrefix)) {
    return `"${key}" is a reserved tag (the platform sets ${RESERVED_TAG_KEYS.join(", ")} and every ${RESERVED_TAG_PREFIX}* key); choose another key`;
  }
  return undefined;
}

/**
 * `tags` with `reserved` on top: any key of `tags` that is another spelling of a reserved
 * key is dropped first, so the reserved value wins on every cloud.
 */
export function withReservedTags(tags: Readonly<Record<string, string>> | undefined, reserved: Readonly<Record<string, string>>): Record<string, string> {
  const taken = new Set(Object.keys(reserved).map(normalizedTagKey));
  const kept = Object.entries(tags ?? {}).filter(([k]) => !taken.has(normalizedTagKey(k)));
  return { ...Object.fromEntries(kept), ...reserved };
}

/** The tags a component puts on its children: the caller's, with its domain's `residency` winning. */
export function residentTags(domain: string, tags: Readonly<Record<string, string>> | undefined): Record<string, string> {
  return withReservedTags(tags, { residency: domain });
}
