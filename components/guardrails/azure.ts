import * as azure from "../sdk/azure";
import type * as pulumi from "@pulumi/pulumi";
import type { Domain } from "../residency/catalogue";
import { AZURE_BUILTIN, AZURE_EFFECT, type AzureExemption, type AzureGuardrail, type AzureGuardrailSpec } from "./spec";

/** Short assignment names: at management-group scope Azure allows at most 24 characters. */
const SHORT: Record<AzureGuardrail, string> = {
  allowedLocations: "locations",
  allowedResourceGroupLocations: "rg-locations",
  diskCustomerManagedKey: "disk-cmk",
  storageCustomerManagedKey: "storage-cmk",
};

/** One policy assignment, as the resource receives it. */
export interface AzureAssignmentSpec {
  readonly guardrail: AzureGuardrail;
  readonly scope: string;
  readonly policyAssignmentName: string;
  readonly policyDefinitionId: string;
  readonly parameters: Record<string, { value: unknown }>;
  readonly enforcementMode: "Default";
}

/** Every assignment of a domain: the four built-ins at each of its scopes, enforced. */
export function azureAssignments(domain: Domain, spec: AzureGuardrailSpec): AzureAssignmentSpec[] {
  return spec.scopes.flatMap((scope) =>
    (Object.keys(AZURE_BUILTIN) as AzureGuardrail[]).map((guardrail) => {
      const effect = AZURE_EFFECT[guardrail];
      const locations = guardrail === "allowedLocations" || guardrail === "allowedResourceGroupLocations";
      return {
        guardrail,
        scope,
        policyAssignmentName: `mer-${domain}-${SHORT[guardrail]}`,
        policyDefinitionId: `/providers/Microsoft.Authorization/policyDefinitions/${AZURE_BUILTIN[guardrail]}`,
        parameters: {
          ...(locations ? { listOfAllowedLocations: { value: [...spec.locations] } } : {}),
          ...(effect ? { effect: { value: effect } } : {}),
        },
        enforcementMode: "Default" as const,
      };
    }),
  );
}

/** The assignment an exemption waives: the same guardrail at the scope that contains it. */
export function assignmentFor(exemption: AzureExemption, assignments: readonly AzureAssignmentSpec[]): AzureAssignmentSpec | undefined {
  const candidates = assignments.filter((a) => a.guardrail === exemption.guardrail);
  const under = (scope: string) => exemption.scope.toLowerCase() === scope.toLowerCase() || exemption.scope.toLowerCase().startsWith(`${scope.toLowerCase()}/`);
  const direct = candidates.find((a) => under(a.scope));
  // Which subscriptions sit under a management group is Azure's to know, not this program's: take it on trust.
  return direct ?? candidates.find((a) => a.scope.startsWith("/providers/Microsoft.Management/managementGroups/"));
}

/** Azure Policy: assignments of the built-ins, and a policy exemption per declared exemption (with expiry). */
export function createAzureGuardrails(
  name: string,
  domain: Domain,
  spec: AzureGuardrailSpec,
  tags: Readonly<Record<string, string>>,
  opts: { parent: pulumi.Resource; protect: boolean },
): pulumi.Output<string>[] {
  const specs = azureAssignments(domain, spec);
  const created = new Map<AzureAssignmentSpec, azure.authorization.PolicyAssignment>();
  specs.forEach((a) => {
    const index = spec.scopes.indexOf(a.scope);
    created.set(
      a,
      new azure.authorization.PolicyAssignment(
        `${name}-${SHORT[a.guardrail]}-${index}`,
        {
          scope: a.scope,
          policyAssignmentName: a.policyAssignmentName,
          policyDefinitionId: a.policyDefinitionId,
          displayName: `meridian ${domain}: ${SHORT[a.guardrail]}`,
          description: `meridian residency guardrail for domain ${domain}`,
          parameters: a.parameters,
          enforcementMode: a.enforcementMode,
          metadata: { ...tags },
          nonComplianceMessages: [{ message: `meridian ${domain}: outside the ${domain} residency domain (docs/guardrails.md)` }],
        },
        opts,
      ),
    );
  });
  spec.exemptions.forEach((e, i) => {
    const target = assignmentFor(e, specs)!; // validateResidencyGuardrailsArgs checked it resolves
    new azure.authorization.PolicyExemption(
      `${name}-exemption-${i}`,
      {
        scope: e.scope,
        policyAssignmentId: created.get(target)!.id,
        exemptionCategory: "Waiver",
        expiresOn: `${e.expires}T23:59:59Z`,
        displayName: `meridian ${domain}: ${SHORT[e.guardrail]} exemption`,
        description: e.reason,
        metadata: { reason: e.reason, owner: e.owner, expires: e.expires },
      },
      opts,
    );
  });
  return [...created.values()].map((a) => a.id);
}
