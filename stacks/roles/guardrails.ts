/**
 * The guardrails role: the domain's residency guardrails on one cloud, in the cloud's own
 * control plane, derived from the fleet's allowlists and fleet.yaml `guardrails.<domain>.<cloud>`.
 * It runs first in its domain (the cloud's foundation lists it in `meridian:dependsOn`).
 * Exports match `guardrailsExports` (stacks/contracts.ts).
 */
import type { RoleConfig } from "../../automation/fleet";
import { deriveGuardrails } from "../../automation/fleet/guardrails";
import { ResidencyGuardrails } from "../../components/guardrails";
import type { Domain } from "../../components/residency";
import type { RoleContext } from "../context";

export async function guardrails<D extends Domain>(ctx: RoleContext<D>): Promise<Record<string, unknown>> {
  const config = ctx.spec.config as RoleConfig<"guardrails">;
  const cloud = config["meridian:cloud"];
  const spec = deriveGuardrails(ctx.domain, ctx.fleet.settings).clouds[cloud];
  if (spec === undefined) {
    throw new Error(`${ctx.fleet.dir}/fleet.yaml: guardrails.${ctx.domain}.${cloud}: missing; ${ctx.stack} needs the domain's ${cloud} scope (docs/guardrails.md)`);
  }
  const component = new ResidencyGuardrails(`${ctx.stack}-guardrails`, { domain: ctx.domain, guardrails: spec, tags: ctx.tags }, { providers: [ctx.provider(cloud)] });
  const allowed = spec.cloud === "azure" ? spec.locations : spec.regions;
  const scopes = spec.cloud === "aws" ? spec.targets : spec.cloud === "azure" ? spec.scopes : spec.parents;
  return { domain: ctx.domain, stack: ctx.stack, role: "guardrails", cloud, allowedRegions: [...allowed], scopes: [...scopes], policyIds: component.policyIds };
}
