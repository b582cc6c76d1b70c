import * as gcp from "../sdk/gcp";
import type * as pulumi from "@pulumi/pulumi";
import { GCP_CONSTRAINTS, gcpRegionValueGroup, type GcpExemption, type GcpGuardrailSpec } from "./spec";

/** One org policy, as the resource receives it. */
export interface GcpPolicySpec {
  readonly key: keyof typeof GCP_CONSTRAINTS;
  readonly parent: string;
  readonly name: string;
  readonly spec: { readonly rules: gcp.types.input.orgpolicy.PolicySpecRule[] };
}

/**
 * A conditional rule is how an org policy makes an exception: resources carrying the tag
 * value are not restricted. The title records owner and expiry (an org policy has no expiry
 * of its own), the description the reason; the pack checks all three.
 */
export function exemptionRule(e: GcpExemption): gcp.types.input.orgpolicy.PolicySpecRule {
  return {
    condition: {
      expression: `resource.matchTagId('${e.tagKey}', '${e.tagValue}')`,
      title: `meridian-exemption expires=${e.expires} owner=${e.owner}`,
      description: e.reason,
    },
    allowAll: "TRUE",
  };
}

/** The three list constraints at every parent (folder or project) of the domain. */
export function gcpPolicies(spec: GcpGuardrailSpec): GcpPolicySpec[] {
  return spec.parents.flatMap((parent): GcpPolicySpec[] => [
    {
      key: "resourceLocations",
      parent,
      name: `${parent}/policies/${GCP_CONSTRAINTS.resourceLocations}`,
      spec: { rules: [{ values: { allowedValues: spec.regions.map(gcpRegionValueGroup) } }, ...spec.exemptions.map(exemptionRule)] },
    },
    {
      key: "restrictNonCmekServices",
      parent,
      name: `${parent}/policies/${GCP_CONSTRAINTS.restrictNonCmekServices}`,
      spec: { rules: [{ values: { deniedValues: [...spec.cmekServices] } }] },
    },
    {
      key: "restrictCmekCryptoKeyProjects",
      parent,
      name: `${parent}/policies/${GCP_CONSTRAINTS.restrictCmekCryptoKeyProjects}`,
      spec: { rules: [{ values: { allowedValues: spec.keyProjects.map((p) => `under:projects/${p}`) } }] },
    },
  ]);
}

/** GCP Organization Policy (v2 API): `gcp.orgpolicy.Policy` per constraint and parent. */
export function createGcpGuardrails(name: string, spec: GcpGuardrailSpec, opts: { parent: pulumi.Resource; protect: boolean }): pulumi.Output<string>[] {
  return gcpPolicies(spec).map((p) => {
    const index = spec.parents.indexOf(p.parent);
    return new gcp.orgpolicy.Policy(`${name}-${p.key}-${index}`, { parent: p.parent, name: p.name, spec: p.spec }, opts).id;
  });
}
