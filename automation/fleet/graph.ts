/**
 * The fleet graph, derived only from `meridian:dependsOn`: validation (missing,
 * cross-domain, cyclic, role requirements), topological order, waves by depth, and the
 * upstream stacks a role reads.
 */
import type { Cloud, Domain } from "../../components/residency/catalogue";
import { FleetConfigError } from "./errors";
import type { Fleet, StackSpec } from "./load";
import type { Role } from "./schema";

const DEPENDS_ON = "meridian:dependsOn";

/** Every graph problem, each naming the file and `meridian:dependsOn`. */
export function validateGraph(fleet: Fleet): FleetConfigError[] {
  const errors: FleetConfigError[] = [];
  for (const spec of fleet.stacks.values()) {
    const seen = new Set<string>();
    for (const dep of spec.dependsOn) {
      if (seen.has(dep)) errors.push(new FleetConfigError(spec.file, DEPENDS_ON, `"${dep}" is listed twice`));
      seen.add(dep);
      const target = fleet.stacks.get(dep);
      if (dep === spec.name) {
        errors.push(new FleetConfigError(spec.file, DEPENDS_ON, `a stack cannot depend on itself`));
      } else if (target === undefined) {
        errors.push(new FleetConfigError(spec.file, DEPENDS_ON, `"${dep}" is not a stack in ${fleet.dir}`));
      } else if (target.domain !== spec.domain) {
        errors.push(
          new FleetConfigError(
            spec.file,
            DEPENDS_ON,
            `"${dep}" is in domain ${target.domain}, this stack in ${spec.domain}: references never cross domains`,
          ),
        );
      }
    }
  }
  errors.push(...validateStackReferences(fleet));
  if (errors.length > 0) return errors;
  const cycle = findCycle(fleet);
  if (cycle) {
    const first = fleet.stacks.get(cycle[0])!;
    return [new FleetConfigError(first.file, DEPENDS_ON, `dependency cycle: ${cycle.join(" -> ")}`)];
  }
  for (const spec of fleet.stacks.values()) {
    try {
      upstreamOf(fleet, spec);
    } catch (e) {
      if (e instanceof FleetConfigError) errors.push(e);
      else throw e;
    }
  }
  return errors;
}

const GATEWAY_FROM = "meridian:interconnect.azureGatewayFrom";

/**
 * Every stack-name reference besides dependsOn, each checked where it is read so a broken
 * one is a config error naming file and key (exit 2), never an internal error later.
 * Today: `meridian:interconnect.azureGatewayFrom` (the interconnect whose Azure gateway
 * this one shares).
 */
export function validateStackReferences(fleet: Fleet): FleetConfigError[] {
  const errors: FleetConfigError[] = [];
  for (const spec of fleet.stacks.values()) {
    if (spec.config["meridian:role"] !== "interconnect") continue;
    const from = spec.config["meridian:interconnect"].azureGatewayFrom;
    if (from === undefined) continue;
    const problem = gatewayFromProblem(fleet, spec, from);
    if (problem !== undefined) errors.push(new FleetConfigError(spec.file, GATEWAY_FROM, problem));
  }
  return errors;
}

function gatewayFromProblem(fleet: Fleet, spec: StackSpec, from: string): string | undefined {
  if (!spec.clouds.includes("azure")) return `this interconnect has no Azure side, so it has no Azure gateway to share; remove the key`;
  if (from === spec.name) return `a stack cannot borrow its own gateway`;
  const owner = fleet.stacks.get(from);
  if (owner === undefined) return `"${from}" is not a stack in ${fleet.dir}`;
  if (owner.domain !== spec.domain) return `"${from}" is in domain ${owner.domain}, this stack in ${spec.domain}: gateways are never shared across domains`;
  if (owner.role !== "interconnect") return `"${from}" is a ${owner.role} stack, not an interconnect`;
  if (!owner.clouds.includes("azure")) return `"${from}" has no Azure side`;
  if (owner.config["meridian:role"] === "interconnect" && owner.config["meridian:interconnect"].azureGatewayFrom !== undefined) {
    return `"${from}" borrows its gateway too; point at the stack that creates it`;
  }
  if (!spec.dependsOn.includes(from)) return `"${from}" must also be in meridian:dependsOn (its outputs are read)`;
  return undefined;
}

/** A cycle as a closed path of stack names, or undefined. Iterative DFS with colours. */
export function findCycle(fleet: Fleet): string[] | undefined {
  const colour = new Map<string, 1 | 2>(); // 1 = on the path, 2 = done
  for (const root of [...fleet.stacks.keys()].sort()) {
    if (colour.has(root)) continue;
    const path: string[] = [];
    const stack: Array<{ name: string; next: number }> = [{ name: root, next: 0 }];
    colour.set(root, 1);
    path.push(root);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const deps = fleet.stacks.get(top.name)?.dependsOn ?? [];
      if (top.next < deps.length) {
        const dep = deps[top.next++];
        const c = colour.get(dep);
        if (c === 1) return [...path.slice(path.indexOf(dep)), dep];
        if (c === undefined && fleet.stacks.has(dep)) {
          colour.set(dep, 1);
          path.push(dep);
          stack.push({ name: dep, next: 0 });
        }
      } else {
        colour.set(top.name, 2);
        path.pop();
        stack.pop();
      }
    }
  }
  return undefined;
}

/** Depth of each stack: 0 without dependencies, else 1 + the deepest dependency. */
export function depths(fleet: Fleet): Map<string, number> {
  const depth = new Map<string, number>();
  const visit = (name: string): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    const deps = fleet.stacks.get(name)!.dependsOn;
    const d = deps.length === 0 ? 0 : 1 + Math.max(...deps.map(visit));
    depth.set(name, d);
    return d;
  };
  for (const name of fleet.stacks.keys()) visit(name);
  return depth;
}

/** Waves per domain: wave i holds the stacks of depth i, sorted by name. */
export function waves(fleet: Fleet, domain?: Domain): string[][] {
  const depth = depths(fleet);
  const result: string[][] = [];
  for (const [name, d] of [...depth.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    if (domain !== undefined && fleet.stacks.get(name)!.domain !== domain) continue;
    (result[d] ??= []).push(name);
  }
  return result.filter((w) => w !== undefined);
}

/** A topological order (dependencies first), stable by depth then name. */
export function topologicalOrder(fleet: Fleet): string[] {
  return waves(fleet).flat();
}

/** Stacks that (transitively) depend on `name`. */
export function dependentsOf(fleet: Fleet, name: string): Set<string> {
  const out = new Set<string>();
  let frontier = [name];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const spec of fleet.stacks.values()) {
      if (!out.has(spec.name) && spec.dependsOn.some((d) => frontier.includes(d))) {
        out.add(spec.name);
        next.push(spec.name);
      }
    }
    frontier = next;
  }
  return out;
}

/** `names` plus everything they (transitively) depend on. */
export function withDependencies(fleet: Fleet, names: Iterable<string>): Set<string> {
  const out = new Set<string>();
  const visit = (n: string): void => {
    if (out.has(n)) return;
    out.add(n);
    for (const d of fleet.stacks.get(n)?.dependsOn ?? []) visit(d);
  };
  for (const n of names) visit(n);
  return out;
}

/** The upstream stacks a role reads, by role; what the program turns into StackReferences. */
export interface Upstream {
  /** Foundation stack per cloud. */
  readonly foundations: Readonly<Partial<Record<Cloud, string>>>;
  readonly pki?: string;
  readonly management?: string;
  /** Workload stacks per cloud (an interconnect may route their CIDRs). */
  readonly workloads: Readonly<Partial<Record<Cloud, string>>>;
}

const REQUIREMENTS: Record<Role, (spec: StackSpec) => Array<{ role: Role; cloud?: Cloud; optional?: boolean }>> = {
  foundation: () => [],
  pki: () => [],
  management: (s) => [{ role: "foundation", cloud: s.clouds[0] }, { role: "pki" }],
  workload: (s) => [{ role: "foundation", cloud: s.clouds[0] }, { role: "pki" }, { role: "management", optional: true }],
  interconnect: (s) => s.clouds.map((c) => ({ role: "foundation" as Role, cloud: c })),
  attached: () => [],
  guardrails: () => [],
  // Reads workload stacks named in meridian:dns.records (checked by the role).
  dns: () => [],
};

/**
 * Resolve a stack's dependsOn into the upstream stacks its role needs; throws a
 * FleetConfigError naming the file when a required one is missing or ambiguous.
 */
export function upstreamOf(fleet: Fleet, spec: StackSpec): Upstream {
  const deps = spec.dependsOn.map((d) => fleet.stacks.get(d)).filter((d): d is StackSpec => d !== undefined);
  const pick = (role: Role, cloud?: Cloud, optional = false): string | undefined => {
    const matches = deps.filter((d) => d.role === role && (cloud === undefined || d.clouds.includes(cloud)));
    const what = `${role} stack${cloud ? ` on ${cloud}` : ""}`;
    if (matches.length > 1) {
      throw new FleetConfigError(spec.file, DEPENDS_ON, `a ${spec.role} stack reads one ${what}; found ${matches.map((m) => m.name).join(", ")}`);
    }
    if (matches.length === 0 && !optional) {
      throw new FleetConfigError(spec.file, DEPENDS_ON, `a ${spec.role} stack needs a ${what} in its dependsOn; found none`);
    }
    return matches[0]?.name;
  };
  for (const req of REQUIREMENTS[spec.role](spec)) pick(req.role, req.cloud, req.optional);
  const byCloud = (role: Role): Partial<Record<Cloud, string>> =>
    Object.fromEntries(deps.filter((d) => d.role === role && d.clouds.length === 1).map((d) => [d.clouds[0], d.name]));
  return {
    foundations: byCloud("foundation"),
    pki: deps.find((d) => d.role === "pki")?.name,
    management: deps.find((d) => d.role === "management")?.name,
    workloads: byCloud("workload"),
  };
}
