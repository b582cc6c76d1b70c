/**
 * The one program behind every stack: find this stack in the fleet model, check the
 * engine's config agrees with the file, and dispatch on the role. `pulumi up -s <stack>`,
 * the orchestrator and the offline plan all run exactly this function.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Fleet, Role, StackSpec } from "../automation/fleet";
import type { Domain } from "../components/residency";
import { createContext, type RoleContext } from "./context";
import { currentEngineConfig, specFromEngine } from "./engineConfig";
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
  const fromFiles = fleet.stacks.get(stackName);
  if (fromFiles === undefined) {
    throw new Error(`stack "${stackName}" has no ${fleet.dir}/Pulumi.${stackName}.yaml in the fleet`);
  }
  const spec = engineSpec(fleet, fromFiles);
  const program = ROLE_PROGRAMS[spec.role];
  // Narrow the run-time domain to a literal type once, here; below this line it is a type.
  return spec.domain === "eu" ? program(createContext(fleet, spec, "eu")) : program(createContext(fleet, spec, "us"));
}

/**
 * The stack's settings as the engine passes them (stack file, Pulumi.yaml, ESC, `pulumi
 * config set`), validated like the file and held to the files for what the rollout plans.
 */
function engineSpec(fleet: Fleet, fromFiles: StackSpec): StackSpec {
  const { spec, notInFiles } = specFromEngine(fleet, fromFiles, currentEngineConfig(fromFiles));
  if (notInFiles.length > 0) {
    void pulumi.log.info(`${notInFiles.join(", ")}: set in Pulumi config outside the fleet's files (an ESC environment or an uncommitted \`pulumi config set\`); this run uses the engine's values, the offline plan did not see them`);
  }
  return spec;
}
