/**
 * Every meridian policy, in evaluation order, and their metadata. Import this (not
 * ../index.ts, which starts the engine's gRPC server) from tests, the plan and tools.
 */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { policyMetadata, type PolicyMeta } from "../lib/define";
import { awsPolicies } from "./aws";
import { azurePolicies } from "./azure";
import { backupPolicies } from "./backup";
import { baselinePolicies } from "./baseline";
import { controlPlanePolicies } from "./controlPlane";
import { containerPolicies } from "./containers";
import { dataEncryptionPolicies } from "./dataEncryption";
import { exposurePolicies } from "./exposure";
import { exposureGatewayPolicies } from "./exposure-gateway";
import { gcpPolicies } from "./gcp";
import { gitopsPolicies } from "./gitops";
import { exemptionActive, governancePolicies, setKnownPolicies } from "./governance";
import { guardrailPolicies } from "./guardrails";
import { interconnectPolicies } from "./interconnect";
import { kubernetesPolicies } from "./kubernetes";
import { placementPolicies } from "./placement";
import { residencyPolicies } from "./residency";
import { supplyChainPolicies } from "./supplyChain";
import { secretsPolicies } from "./secrets";
import { telemetryPolicies } from "./telemetry";

export type MeridianPolicy = ResourceValidationPolicy | StackValidationPolicy;

export const allPolicies: readonly MeridianPolicy[] = [
  ...residencyPolicies,
  ...controlPlanePolicies,
  ...placementPolicies,
  ...awsPolicies,
  ...azurePolicies,
  ...gcpPolicies,
  ...kubernetesPolicies,
  ...gitopsPolicies,
  ...interconnectPolicies,
  ...baselinePolicies,
  ...guardrailPolicies,
  ...dataEncryptionPolicies,
  ...exposurePolicies,
  ...exposureGatewayPolicies,
  ...backupPolicies,
  ...containerPolicies,
  ...supplyChainPolicies,
  ...secretsPolicies,
  ...telemetryPolicies,
  ...governancePolicies,
  // Last: reports the exemptions the policies above used.
  exemptionActive,
];

export const policyNames: readonly string[] = allPolicies.map((p) => p.name);
setKnownPolicies(policyNames);

/** Metadata (what, why, how to fix, rule ids, frameworks, types) in list order. */
export const allPolicyMetadata: readonly PolicyMeta[] = policyNames.map((n) => policyMetadata.get(n)!);

export { policyMetadata };
export type { PolicyMeta };
