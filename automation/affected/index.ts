/**
 * `fleet affected`: the stacks a change can change. Changed stack configs, plus the stacks
 * whose code paths changed (./rules.ts), plus everything downstream of either (a stack's
 * dependents read its outputs). The Deployments path filters (`pathFiltersFor`) are the
 * same relation seen from the stack's side.
 */
import * as path from "node:path";
import { dependentsOf, topologicalOrder, withDependencies, type Fleet, type StackSpec } from "../fleet";
import { PATH_RULES, STACK_CONFIG, rulesFor, selects, type PathRule } from "./rules";

export * from "./glob";
export * from "./rules";
export * from "./git";

export type Reason =
  | { readonly kind: "config"; readonly file: string }
  | { readonly kind: "code"; readonly file: string; readonly why: string }
  | { readonly kind: "unmapped"; readonly file: string }
  | { readonly kind: "upstream"; readonly stack: string };

export interface AffectedStack {
  readonly name: string;
  readonly domain: string;
  readonly role: string;
  readonly clouds: readonly string[];
  /** Direct reasons first (config, code, unmapped), then the upstream stacks that pulled it in. */
  readonly reasons: readonly Reason[];
}

export interface Affected {
  /** In rollout (topological) order. */
  readonly stacks: readonly AffectedStack[];
  /** Stack configs deleted by the change whose stack is no longer in the fleet (destroy them by hand). */
  readonly removed: readonly string[];
  /** Files no rule maps (each made every stack affected). */
  readonly unmapped: readonly string[];
  /** Whether policy-pack/ changed (CI publishes the pack on main). */
  readonly policyPackChanged: boolean;
}

export interface AffectedOptions {
  /** The stacks directory relative to the repo root (`stacks`). */
  readonly stacksPath?: string;
  readonly rules?: readonly PathRule[];
}

/** Affected stacks for a list of repo-relative changed files. Pure: no git, no disk. */
export function affectedStacks(fleet: Fleet, files: readonly string[], opts: AffectedOptions = {}): Affected {
  const stacksPath = (opts.stacksPath ?? "stacks").replace(/\/+$/, "");
  const rules = opts.rules ?? PATH_RULES;
  const direct = new Map<string, Reason[]>();
  const add = (name: string, r: Reason) => (direct.get(name) ?? direct.set(name, []).get(name)!).push(r);
  const removed: string[] = [];
  const unmapped: string[] = [];
  for (const file of files) {
    const config = stackConfigName(file, stacksPath);
    if (config !== undefined) {
      if (fleet.stacks.has(config)) add(config, { kind: "config", file });
      else removed.push(config);
      continue;
    }
    const matched = rulesFor(toRuleSpace(file, stacksPath), rules);
    if (matched.length === 0) {
      unmapped.push(file);
      for (const s of fleet.stacks.values()) add(s.name, { kind: "unmapped", file });
      continue;
    }
    for (const rule of matched) {
      for (const s of fleet.stacks.values()) if (selects(rule.selects, s)) add(s.name, { kind: "code", file, why: rule.why });
    }
  }
  const upstream = new Map<string, Set<string>>();
  for (const name of direct.keys()) {
    for (const d of dependentsOf(fleet, name)) (upstream.get(d) ?? upstream.set(d, new Set()).get(d)!).add(name);
  }
  const stacks: AffectedStack[] = [];
  for (const name of topologicalOrder(fleet)) {
    const reasons: Reason[] = [...(direct.get(name) ?? [])];
    for (const u of [...(upstream.get(name) ?? [])].sort()) reasons.push({ kind: "upstream", stack: u });
    if (reasons.length === 0) continue;
    const s = fleet.stacks.get(name)!;
    stacks.push({ name, domain: s.domain, role: s.role, clouds: [...s.clouds], reasons });
  }
  return {
    stacks,
    removed: [...new Set(removed)].sort(),
    unmapped,
    policyPackChanged: files.some((f) => f.startsWith("policy-pack/")),
  };
}

/**
 * The Deployments path filters of a stack: its own config, the configs of everything it
 * depends on, and every rule glob that selects it or one of its dependencies. A push
 * touching one of these paths is exactly a push `affectedStacks` reports the stack for
 * (test/affected checks the equivalence), unmapped paths aside, which a test forbids.
 */
export function pathFiltersFor(fleet: Fleet, stack: string, opts: AffectedOptions = {}): string[] {
  const stacksPath = (opts.stacksPath ?? "stacks").replace(/\/+$/, "");
  const rules = opts.rules ?? PATH_RULES;
  const upstream = [...withDependencies(fleet, [stack])].map((n) => fleet.stacks.get(n)!);
  const globs = new Set<string>();
  for (const s of upstream) globs.add(`${stacksPath}/${path.basename(s.file)}`);
  for (const rule of rules) {
    if (upstream.some((s) => selects(rule.selects, s))) for (const g of rule.globs) globs.add(fromRuleSpace(g, stacksPath));
  }
  return [...globs].sort();
}

function stackConfigName(file: string, stacksPath: string): string | undefined {
  return STACK_CONFIG.exec(toRuleSpace(file, stacksPath))?.[1];
}

/**
 * Rules are written for the reference layout; a custom stacks dir relocates only the
 * config files (Pulumi.<stack>.yaml, fleet.yaml), never the program under stacks/.
 */
function isConfigFile(rel: string): boolean {
  return rel === "fleet.yaml" || /^Pulumi\.[^./]+\.ya?ml$/.test(rel);
}
function toRuleSpace(file: string, stacksPath: string): string {
  if (stacksPath === "stacks" || !file.startsWith(`${stacksPath}/`)) return file;
  const rel = file.slice(stacksPath.length + 1);
  return isConfigFile(rel) ? `stacks/${rel}` : file;
}
function fromRuleSpace(glob: string, stacksPath: string): string {
  const rel = glob.startsWith("stacks/") ? glob.slice("stacks/".length) : undefined;
  return stacksPath !== "stacks" && rel !== undefined && isConfigFile(rel) ? `${stacksPath}/${rel}` : glob;
}

/** One line per reason, for humans. */
export function describeReason(r: Reason): string {
  switch (r.kind) {
    case "config":
      return `config ${r.file}`;
    case "code":
      return `${r.file} (${r.why})`;
    case "unmapped":
      return `${r.file} (no rule maps it: every stack)`;
    case "upstream":
      return `depends on ${r.stack}`;
  }
}

export type { StackSpec };
