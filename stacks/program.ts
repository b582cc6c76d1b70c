/**
 * The one program behind every stack: find this stack in the fleet model, check the
 * engine's config agrees with the file, and dispatch on the role. `pulumi up -s <stack>`,
 * the orchestrator and the offline plan all run exactly this function.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Fleet, Role, StackSpec } from "../automation/fleet";
import type { Domain } from "../components/residency";
import { createContext, type RoleContext } from "./context";
import { foundation } from "./roles/foundation";
import { interconnect } from "./roles/interconnect";
import { management } from "./roles/management";
import { pki } from "./roles/pki";
import { workload } from "./roles/workload";
import { attached } from "./roles/attached";
import { guardrails } from "./roles/guardrails";
import { dns } from "./roles/dns";

export { NotImplementedError } from "./roles/notImplemented";

export type StackOutputs = Record<string, unknown>;
export type RoleProgram = <D extends Domain>(ctx: RoleContext<D>) => Promise<StackOutputs>;

export const ROLE_PROGRAMS: Record<Role, RoleProgram> = { foundation, pki, management, workload, interconnect, attached, guardrails, dns };

export async function runStack(fleet: Fleet, stackName = pulumi.getStack()): Promise<StackOutputs> {
  const spec = fleet.stacks.get(stackName);
  if (spec === undefined) {
    throw new Error(`stack "${stackName}" has no ${fleet.dir}/Pulumi.${stackName}.yaml in the fleet`);
  }
  checkEngineConfig(spec);
  const program = ROLE_PROGRAMS[spec.role];
  // Narrow the run-time domain to a literal type once, here; below this line it is a type.
  return spec.domain === "eu" ? program(createContext(fleet, spec, "eu")) : program(createContext(fleet, spec, "us"));
}

/**
 * The engine passes the stack's config; it must agree with the file the fleet model read
 * (they differ only if someone ran `pulumi config set` without committing).
 */
function checkEngineConfig(spec: StackSpec): void {
  const config = new pulumi.Config("meridian");
  for (const key of ["domain", "role"] as const) {
    const fromEngine = config.get(key);
    const fromFile = key === "domain" ? spec.domain : spec.role;
    if (fromEngine !== undefined && fromEngine !== fromFile) {
      throw new Error(`${spec.file}: meridian:${key}: the engine says "${fromEngine}" but the file says "${fromFile}"; commit the config change`);
    }
  }
}
