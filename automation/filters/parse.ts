/**
 * The `--filter` language, parsed (pure: no fleet, no git). One filter is
 *
 *     filter    := ["!"] ["..."] base ["..."]
 *     base      := "[" REF ["..." REF] "]"         a git range: stacks a change affects
 *                | key "=" value ("," key "=" value)*   attributes, all must hold
 *                | glob                              a stack name, `*` for any characters
 *     key       := name | domain | role | cloud | ring
 *
 * `!` excludes what the rest selects; `...name` adds what the selected stacks depend on,
 * `name...` what depends on them (the same reading as pnpm's and Turborepo's filters).
 * `[main...HEAD]` compares HEAD with its merge-base with main (committed changes only);
 * `[main]` compares the working tree with the merge-base, uncommitted and untracked files
 * included. Several filters: the union of the positive ones (every stack when there are
 * only negative ones) minus the union of the negative ones.
 */

export const FILTER_KEYS = ["name", "domain", "role", "cloud", "ring"] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

export type FilterBase =
  | { readonly kind: "glob"; readonly glob: string }
  | { readonly kind: "attributes"; readonly attributes: ReadonlyArray<{ readonly key: FilterKey; readonly value: string }> }
  /** `head` undefined: the working tree (uncommitted changes included). */
  | { readonly kind: "git"; readonly base: string; readonly head?: string };

export interface Filter {
  /** The filter as written, for messages. */
  readonly source: string;
  readonly exclude: boolean;
  readonly base: FilterBase;
  /** `...base`: also every stack the selected ones depend on (transitively). */
  readonly dependencies: boolean;
  /** `base...`: also every stack that depends on the selected ones (transitively). */
  readonly dependents: boolean;
}

export class FilterSyntaxError extends Error {
  constructor(
    readonly source: string,
    reason: string,
  ) {
    super(`--filter "${source}": ${reason}`);
    this.name = "FilterSyntaxError";
  }
}

/** Stack names, glob characters and attribute values: nothing a shell or git would read specially. */
const NAME_GLOB = /^[A-Za-z0-9*][A-Za-z0-9._*-]*$/;
/** A git revision as `git rev-parse` takes it, without range or option syntax. */
const GIT_REF = /^[A-Za-z0-9_][A-Za-z0-9._/@{}~^-]*$/;

export function parseFilter(source: string): Filter {
  let rest = source.trim();
  if (rest.length === 0) throw new FilterSyntaxError(source, "empty filter");
  const exclude = rest.startsWith("!");
  if (exclude) rest = rest.slice(1);
  const dependencies = rest.startsWith("...");
  if (dependencies) rest = rest.slice(3);
  const dependents = rest.endsWith("...");
  if (dependents) rest = rest.slice(0, -3);
  if (rest.length === 0) throw new FilterSyntaxError(source, "nothing to select around the \"...\"");
  return { source, exclude, base: parseBase(source, rest), dependencies, dependents };
}

function parseBase(source: string, text: string): FilterBase {
  if (text.startsWith("[")) {
    if (!text.endsWith("]")) throw new FilterSyntaxError(source, 'a git range is written "[BASE]" or "[BASE...HEAD]"');
    const inner = text.slice(1, -1);
    const parts = inner.split("...");
    if (parts.length > 2 || parts.some((p) => !GIT_REF.test(p)) || inner.includes("..") !== (parts.length === 2)) {
      throw new FilterSyntaxError(source, `"[${inner}]" is not a git range: write [BASE] (the working tree against BASE) or [BASE...HEAD]`);
    }
    return parts.length === 2 ? { kind: "git", base: parts[0], head: parts[1] } : { kind: "git", base: parts[0] };
  }
  if (text.includes("=")) {
    const attributes = text.split(",").map((term) => {
      const eq = term.indexOf("=");
      const key = term.slice(0, eq).trim();
      const value = term.slice(eq + 1).trim();
      if (eq < 0) throw new FilterSyntaxError(source, `"${term}" is not key=value (combine attributes with ",")`);
      if (!(FILTER_KEYS as readonly string[]).includes(key)) throw new FilterSyntaxError(source, `unknown attribute "${key}"; known: ${FILTER_KEYS.join(", ")}`);
      if (!NAME_GLOB.test(value)) throw new FilterSyntaxError(source, `${key}= needs a value of letters, digits, ".", "_", "-" or "*"`);
      return { key: key as FilterKey, value };
    });
    return { kind: "attributes", attributes };
  }
  if (!NAME_GLOB.test(text)) throw new FilterSyntaxError(source, 'a stack name or glob has letters, digits, ".", "_", "-" and "*" only (attributes: key=value, git ranges: [BASE...HEAD])');
  return { kind: "glob", glob: text };
}
