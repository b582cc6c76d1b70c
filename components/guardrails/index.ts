/**
 * ResidencyGuardrails: the domain's residency rules in the cloud's own control plane, so a
 * console click or another team's tooling in the domain's accounts, subscriptions or
 * projects is held to the same regions the fleet plan allows:
 *   AWS   — service control policies (region deny with the documented global-service
 *           exceptions; no multi-region keys, no key or S3 replication; guardrails changed
 *           only by their deployer), attached to the domain's OUs / accounts;
 *   Azure — the built-in "Allowed locations" (resources and resource groups) and the
 *           customer-managed-key built-ins, assigned and enforced at the management group
 *           or subscriptions;
 *   GCP   — org policies `gcp.resourceLocations` (region-level value groups),
 *           `gcp.restrictNonCmekServices` and `gcp.restrictCmekCryptoKeyProjects`.
 * The spec comes from `deriveGuardrails` (automation/fleet/guardrails.ts): the same
 * allowlists the plan checks regions against.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Domain } from "../residency/catalogue";
import { createAwsGuardrails, scpDocuments } from "./aws";
import { assignmentFor, azureAssignments, createAzureGuardrails } from "./azure";
import { createGcpGuardrails } from "./gcp";
import { SCP_MAX_CHARACTERS, type CloudGuardrailSpec } from "./spec";

export * from "./spec";
export { scpDocuments, regionDenyDocument, residencyProtectDocument, exemptionTagId, exemptionTags } from "./aws";
export { azureAssignments } from "./azure";
export { gcpPolicies } from "./gcp";

export interface ResidencyGuardrailsArgs<D extends Domain> {
  /** (Required) The residency domain the guardrails hold its scopes to. */
  readonly domain: D;
  /** (Required) One cloud's guardrails of the domain: `deriveGuardrails(domain, settings).clouds[cloud]`. */
  readonly guardrails: CloudGuardrailSpec<D>;
  /** (Optional) Tags (AWS) / assignment metadata (Azure) on every policy. Defaults to none. */
  readonly tags?: Readonly<Record<string, string>>;
  /** (Optional) Protect every policy from `pulumi destroy`: removing a guardrail is a deliberate, reviewed step. Defaults to true. */
  readonly protect?: boolean;
}

/** Pure validation, testable without mocks; every problem at once. */
export function validateResidencyGuardrailsArgs(args: ResidencyGuardrailsArgs<Domain>): pulumi.InputPropertyErrorDetails[] {
  const g = args.guardrails;
  const problems: pulumi.InputPropertyErrorDetails[] = [];
  const need = (ok: boolean, propertyPath: string, reason: string) => {
    if (!ok) problems.push({ propertyPath, reason });
  };
  switch (g.cloud) {
    case "aws":
      need(g.regions.length > 0, "guardrails.regions", "a domain with no AWS region would deny everything");
      need(g.targets.length > 0, "guardrails.targets", "at least one OU or account");
      for (const doc of scpDocuments(args.domain, g)) {
        need(doc.content.length <= SCP_MAX_CHARACTERS, `guardrails.${doc.key}`, `SCP ${doc.name} is ${doc.content.length} characters; AWS allows ${SCP_MAX_CHARACTERS}`);
      }
      break;
    case "azure":
      need(g.locations.length > 0, "guardrails.locations", "at least one location");
      need(g.scopes.length > 0, "guardrails.scopes", "a management group or at least one subscription");
      for (const a of azureAssignments(args.domain, g)) {
        need(a.policyAssignmentName.length <= 24, "guardrails.scopes", `assignment name ${a.policyAssignmentName} exceeds 24 characters`);
      }
      g.exemptions.forEach((e, i) => {
        need(assignmentFor(e, azureAssignments(args.domain, g)) !== undefined, `guardrails.exemptions[${i}].scope`, `${e.scope} lies under none of the domain's scopes`);
      });
      break;
    case "gcp":
      need(g.regions.length > 0, "guardrails.regions", "at least one region");
      need(g.parents.length > 0, "guardrails.parents", "a folder or at least one project");
      need(g.keyProjects.length > 0, "guardrails.keyProjects", "at least one key project");
      break;
  }
  return problems;
}

export class ResidencyGuardrails<D extends Domain> extends pulumi.ComponentResource {
  /** Ids of the policies (SCPs, policy assignments, org policies) this component created. */
  readonly policyIds: pulumi.Output<string[]>;

  constructor(name: string, args: ResidencyGuardrailsArgs<D>, opts?: pulumi.ComponentResourceOptions) {
    super("meridian:guardrails:ResidencyGuardrails", name, {}, opts);
    const problems = validateResidencyGuardrailsArgs(args);
    if (problems.length > 0) {
      throw new pulumi.InputPropertiesError({ message: `ResidencyGuardrails ${name}: invalid arguments`, errors: problems });
    }
    const tags = args.tags ?? {};
    const childOpts = { parent: this, protect: args.protect ?? true };
    const g = args.guardrails;
    const ids =
      g.cloud === "aws"
        ? createAwsGuardrails(name, args.domain, g, tags, childOpts)
        : g.cloud === "azure"
          ? createAzureGuardrails(name, args.domain, g, tags, childOpts)
          : createGcpGuardrails(name, g, childOpts);
    this.policyIds = pulumi.all(ids);
    this.registerOutputs({ policyIds: this.policyIds });
  }
}
