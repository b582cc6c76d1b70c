/**
 * The engine's entry point: `pulumi preview --policy-pack policy-pack
 * --policy-pack-config policy-config.json`. Constructing the PolicyPack starts the
 * analyzer gRPC server, so only the engine (run-policy-pack) should load this file;
 * tests, the plan and tools import ./policies or ./evaluate instead.
 */
import { PolicyPack } from "@pulumi/policy";
import { environmentConfig } from "./lib/config";
import { installEngineHooks } from "./lib/phase";
import { allPolicies } from "./policies";

// Under the engine, MERIDIAN_POLICY_CONFIG (a compact PackConfig file) is the base config.
environmentConfig.enabled = true;
// Learn preview vs update from the engine's ConfigureStack call (lib/phase.ts says why).
installEngineHooks();

export const pack = new PolicyPack("meridian", {
  description: "meridian: data residency (EU/US) and encryption everywhere, for AWS, Azure, GCP and Kubernetes",
  displayName: "meridian residency and encryption",
  provider: "multi-cloud",
  tags: ["residency", "encryption", "kubernetes", "soc2"],
  // Each policy declares its own level (residency and encryption mandatory); this is
  // the fallback for none.
  enforcementLevel: "advisory",
  policies: [...allPolicies],
});
