/**
 * The glob subset the path rules use, chosen so the same strings work as Pulumi
 * Deployments path filters: `**` (any number of path segments), `*` (within one segment)
 * and literal paths. Nothing else is special, so a rule cannot mean one thing here and
 * another in Pulumi Cloud.
 */

const cache = new Map<string, RegExp>();

/** Compile a glob of the subset to an anchored RegExp over repo-relative `/` paths. */
export function globToRegExp(glob: string): RegExp {
  const hit = cache.get(glob);
  if (hit) return hit;
  if (/[?[\]{}!]/.test(glob)) throw new Error(`glob "${glob}": only "*", "**" and literal characters are supported`);
  let re = "";
  for (let i = 0; i < glob.length; ) {
    if (glob.startsWith("**/", i)) {
      re += "(?:[^/]+/)*";
      i += 3;
    } else if (glob.startsWith("**", i)) {
      re += ".*";
      i += 2;
    } else if (glob[i] === "*") {
      re += "[^/]*";
      i += 1;
    } else {
      re += glob[i].replace(/[.+^$()|\\]/g, "\\$&");
      i += 1;
    }
  }
  const compiled = new RegExp(`^${re}$`);
  cache.set(glob, compiled);
  return compiled;
}

export function matchGlob(glob: string, file: string): boolean {
  return globToRegExp(glob).test(file);
}
