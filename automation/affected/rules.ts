/**
 * Which stacks a changed file can change: the one mapping behind `fleet affected` (CI
 * previews) and the Deployments path filters (what a push deploys). Both read this table,
 * so a pull request previews exactly the stacks its merge will deploy.
 *
 * A stack config (`stacks/Pulumi.<stack>.yaml`) affects its own stack; every other path is
 * matched against PATH_RULES and the union of the matching rules' selections is taken (the
 * same union semantics as a list of path filters). A path no rule matches affects every
 * stack (fail-safe), and test/affected checks that every tracked file matches a rule, so
 * that case cannot silently diverge from the path filters.
 *
 * test/affected/rules.test.ts also checks this table against the real import graph of
 * each role's program: a file a role imports must select that role.
 */
import type { Cloud } from "../../components/residency/catalogue";
import type { Role } from "../fleet/schema";
import { matchGlob } from "./glob";

export type Selector =
  /** Every stack of the fleet (shared code, the fleet model, the policy pack, dependencies). */
  | { readonly kind: "all" }
  /** No fleet stack (docs, tests, tooling, this CI and the Deployments program itself). */
  | { readonly kind: "none" }
  /** Stacks of these roles that deploy into every one of `clouds` (all clouds when omitted). */
  | { readonly kind: "roles"; readonly roles: readonly Role[]; readonly clouds?: readonly Cloud[] };

export interface PathRule {
  /** Globs in the subset of ./glob.ts (valid Pulumi Deployments path filters too). */
  readonly globs: readonly string[];
  readonly selects: Selector;
  /** Why, for the report and docs/fleet.md. */
  readonly why: string;
}

const ALL = { kind: "all" } as const;
const NONE = { kind: "none" } as const;
const roles = (r: Role[], clouds?: Cloud[]): Selector => ({ kind: "roles", roles: r, ...(clouds ? { clouds } : {}) });
const CLUSTER_ROLES: Role[] = ["management", "workload"];

/** Stack configs: `stacks/Pulumi.<stack>.yaml` affects `<stack>`. */
export const STACK_CONFIG = /^stacks\/Pulumi\.([^./]+)\.ya?ml$/;

export const PATH_RULES: readonly PathRule[] = [
  // The program every stack runs, the fleet model it loads, and what every resource passes.
  { globs: ["Pulumi.yaml", "package.json", "package-lock.json", "tsconfig.json"], selects: ALL, why: "project, SDK and provider versions" },
  // The programs import components by relative path; an install change shows in package-lock.json (above).
  { globs: ["components/package.json", "components/multi-language/**"], selects: NONE, why: "the components package's manifest and its non-generic facades, for other projects; no stack reads them" },
  { globs: ["stacks/fleet.yaml", "stacks/index.ts", "stacks/program.ts", "stacks/context.ts", "stacks/engineConfig.ts", "stacks/contracts.ts", "stacks/references.ts", "stacks/roles/notImplemented.ts"], selects: ALL, why: "the program entry, fleet settings and StackReference contracts" },
  { globs: ["automation/fleet/**"], selects: ALL, why: "the fleet model every stack loads" },
  { globs: ["components/sdk/**"], selects: ALL, why: "the provider SDK services the program imports (stacks/context.ts makes every cloud's provider)" },
  { globs: ["policy-pack/**"], selects: ALL, why: "the policy pack every preview and update runs" },
  { globs: ["components/residency/**", "components/network/ipam.ts", "components/guardrails/spec.ts", "components/gateway/zones.ts", "components/cluster/upgrade.ts", "components/observability/facts.ts"], selects: ALL, why: "residency catalogue, IPAM, guardrail constants, exposure zones, node-pool upgrade settings and Log Analytics tiers, read by the fleet model" },
  // Roles.
  { globs: ["stacks/roles/foundation.ts"], selects: roles(["foundation"]), why: "foundation role" },
  { globs: ["stacks/roles/pki.ts"], selects: roles(["pki"]), why: "pki role" },
  { globs: ["stacks/roles/management.ts"], selects: roles(["management"]), why: "management role" },
  { globs: ["stacks/roles/workload.ts"], selects: roles(CLUSTER_ROLES), why: "workload role (management reuses deployCluster)" },
  { globs: ["stacks/roles/interconnect.ts"], selects: roles(["interconnect"]), why: "interconnect role" },
  { globs: ["stacks/roles/attached.ts"], selects: roles(["attached"]), why: "attached role (baseline on an existing cluster)" },
  { globs: ["stacks/roles/tenantNamespaces.ts"], selects: roles([...CLUSTER_ROLES, "attached"]), why: "tenant namespaces of a cluster (fleet.yaml tenants)" },
  { globs: ["stacks/roles/guardrails.ts", "components/guardrails/index.ts"], selects: roles(["guardrails"]), why: "guardrails role and component" },
  ...(["aws", "azure", "gcp"] as const).map((cloud): PathRule => ({ globs: [`components/guardrails/${cloud}.ts`], selects: roles(["guardrails"], [cloud]), why: `guardrails adapter for ${cloud}` })),
  // Foundation components: shared file → every foundation; adapter → that cloud's.
  ...(["network", "kms", "registry"] as const).flatMap((c): PathRule[] => [
    { globs: [`components/${c}/index.ts`], selects: roles(["foundation"]), why: `${c} component` },
    ...(["aws", "azure", "gcp"] as const).map((cloud): PathRule => ({ globs: [`components/${c}/${cloud}.ts`], selects: roles(["foundation"], [cloud]), why: `${c} adapter for ${cloud}` })),
  ]),
  { globs: ["components/pki/**"], selects: roles(["pki"]), why: "PKI component" },
  // Clusters and their baseline.
  { globs: ["components/cluster/index.ts", "components/cluster/spec.ts"], selects: roles(CLUSTER_ROLES), why: "cluster component" },
  { globs: ["components/baseline/**"], selects: roles([...CLUSTER_ROLES, "attached"]), why: "cluster baseline" },
  { globs: ["stacks/roles/services/**"], selects: roles(CLUSTER_ROLES), why: "cluster platform services (each service picks its roles)" },
  { globs: ["components/gateway/index.ts", "components/gateway/spec.ts"], selects: roles([...CLUSTER_ROLES, "attached"]), why: "Gateway component (workload service; management imports the service list, attached the trust-root helper)" },
  ...(["aws", "azure", "gcp"] as const).map((cloud): PathRule => ({ globs: [`components/gateway/${cloud}.ts`], selects: roles(CLUSTER_ROLES, [cloud]), why: `Gateway adapter for ${cloud}` })),
  // Cluster platform services: the list imports every service, so each service file selects every cluster role.
  { globs: ["stacks/roles/services/index.ts"], selects: roles(CLUSTER_ROLES), why: "cluster platform services list" },
  { globs: ["stacks/roles/services/gitops.ts", "stacks/roles/services/gitops-registration.ts", "components/gitops/**"], selects: roles(CLUSTER_ROLES), why: "GitOps controller and cluster registration" },
  { globs: ["components/cluster/eks.ts"], selects: roles(CLUSTER_ROLES, ["aws"]), why: "EKS adapter" },
  { globs: ["components/cluster/aks.ts"], selects: roles(CLUSTER_ROLES, ["azure"]), why: "AKS adapter" },
  { globs: ["components/cluster/gke.ts"], selects: roles(CLUSTER_ROLES, ["gcp"]), why: "GKE adapter" },
  // Cluster platform services: the list and each service with its component (shared file → every cluster; adapter → that cloud's).
  { globs: ["stacks/roles/services/index.ts"], selects: roles(CLUSTER_ROLES), why: "cluster platform services list" },
  { globs: ["stacks/roles/services/secrets.ts", "components/external-secrets/index.ts", "components/external-secrets/spec.ts"], selects: roles(CLUSTER_ROLES), why: "External Secrets service" },
  ...(["aws", "azure", "gcp"] as const).map((cloud): PathRule => ({ globs: [`components/external-secrets/${cloud}.ts`], selects: roles(CLUSTER_ROLES, [cloud]), why: `External Secrets adapter for ${cloud}` })),
  // The kms rotation ranges are read by the fleet schema (every stack loads it).
  { globs: ["components/kms/spec.ts"], selects: ALL, why: "KMS rotation ranges, read by the fleet model" },
  // Signing keys (foundations) and peer networks (foundations' network rules).
  { globs: ["components/signing-key/index.ts", "stacks/peers.ts"], selects: roles(["foundation"]), why: "signing key component, peer networks over the VPNs" },
  ...(["aws", "azure", "gcp"] as const).map((cloud): PathRule => ({ globs: [`components/signing-key/${cloud}.ts`], selects: roles(["foundation"], [cloud]), why: `signing key on ${cloud}` })),
  // Tenants (cluster roles through the services list; attached clusters get the Kubernetes part).
  { globs: ["components/tenant/index.ts", "components/tenant/spec.ts"], selects: roles([...CLUSTER_ROLES, "attached"]), why: "tenant component" },
  ...(["aws", "azure", "gcp"] as const).map((cloud): PathRule => ({ globs: [`components/tenant/${cloud}.ts`], selects: roles(CLUSTER_ROLES, [cloud]), why: `tenant identity, repository and secrets on ${cloud}` })),
  { globs: ["components/tenant/aws.ts", "components/tenant/azure.ts", "components/tenant/gcp.ts"], selects: roles(["attached"]), why: "tenant adapters, loaded by the attached role's tenant component" },
  // Image signature verification (cluster roles through the services list).
  { globs: ["components/supply-chain/index.ts", "components/supply-chain/spec.ts"], selects: roles(CLUSTER_ROLES), why: "image signature verification" },
  ...(["aws", "azure", "gcp"] as const).map((cloud): PathRule => ({ globs: [`components/supply-chain/${cloud}.ts`], selects: roles(CLUSTER_ROLES, [cloud]), why: `signature verification on ${cloud}` })),
  // Backups (every cluster) and the domain's DNS failover (dns stacks); their spec files are read by the fleet schema.
  { globs: ["components/backup/spec.ts", "components/failover/spec.ts"], selects: ALL, why: "backup and DNS settings schemas, read by the fleet model" },
  { globs: ["stacks/roles/services/**", "components/backup/index.ts"], selects: roles(CLUSTER_ROLES), why: "cluster platform services (backup, ...)" },
  // The Azure backup target uses the kms component's key-user identity (which imports the component).
  { globs: ["components/kms/index.ts"], selects: roles(CLUSTER_ROLES, ["azure"]), why: "kms component, via the Azure backup target" },
  ...(["aws", "azure", "gcp"] as const).map((cloud): PathRule => ({ globs: [`components/kms/${cloud}.ts`], selects: roles(CLUSTER_ROLES, ["azure", cloud]), why: `kms adapter for ${cloud}, via the Azure backup target` })),
  ...(["aws", "azure", "gcp"] as const).map((cloud): PathRule => ({ globs: [`components/backup/${cloud}.ts`], selects: roles(CLUSTER_ROLES, [cloud]), why: `backup target on ${cloud}` })),
  { globs: ["stacks/roles/dns.ts", "components/failover/index.ts"], selects: roles(["dns"]), why: "dns role and DNS failover component" },
  // Platform services on every cluster (one file each) and the telemetry component.
  { globs: ["stacks/roles/services/**"], selects: roles(CLUSTER_ROLES), why: "cluster platform services" },
  { globs: ["components/observability/index.ts", "components/observability/spec.ts"], selects: roles(CLUSTER_ROLES), why: "cluster telemetry component" },
  { globs: ["components/observability/receivers.ts"], selects: roles([...CLUSTER_ROLES, "interconnect"]), why: "alert receivers (SLO alerts and tunnel alarms)" },
  ...(["aws", "azure", "gcp"] as const).map((cloud): PathRule => ({ globs: [`components/observability/${cloud}.ts`], selects: roles(CLUSTER_ROLES, [cloud]), why: `telemetry backend on ${cloud}` })),
  { globs: ["components/interconnect/alarms.ts"], selects: roles(["interconnect"]), why: "VPN tunnel alarms" },
  // Interconnects: shared files → every interconnect; one cloud's side → interconnects using it; a pair → that pair.
  { globs: ["components/interconnect/index.ts", "components/interconnect/types.ts", "components/interconnect/allocate.ts", "components/interconnect/claims.ts", "components/interconnect/crypto.ts"], selects: roles(["interconnect"]), why: "interconnect component" },
  ...(["aws", "azure", "gcp"] as const).map((cloud): PathRule => ({ globs: [`components/interconnect/${cloud}.ts`], selects: roles(["interconnect"], [cloud]), why: `interconnect side for ${cloud}` })),
  ...([["aws", "gcp"], ["aws", "azure"], ["gcp", "azure"]] as const).map(([a, b]): PathRule => ({ globs: [`components/interconnect/${a}-${b}.ts`], selects: roles(["interconnect"], [a, b]), why: `interconnect ${a}<->${b}` })),
  // Nothing a fleet stack deploys.
  {
    globs: [
      "docs/**", "**/*.md", "test/**", "**/*.test.ts", "bench/**", "tools/**", "scripts/**", ".github/**", ".ci/**",
      ".gitignore", ".nvmrc", "eslint.config.mjs", "jest.config.js", "jest.e2e.config.js", "tsconfig.jest.json",
      "automation/cli.ts", "automation/commands/**", "automation/affected/**", "automation/filters/**", "automation/plan/**", "automation/orchestrator/**", "automation/scheduler/**", "automation/engine/**", "automation/evidence-store/**", "automation/drill/**", "automation/upgrade/**",
      "components/deployments/**", "deployments/**",
    ],
    selects: NONE,
    why: "docs, tests, tooling, CI and the Deployments program (its own project)",
  },
];

/** The rules a path matches; empty when none does. */
export function rulesFor(file: string, rules: readonly PathRule[] = PATH_RULES): PathRule[] {
  return rules.filter((r) => r.globs.some((g) => matchGlob(g, file)));
}

/** Does a selector pick a stack of this role and these clouds? */
export function selects(selector: Selector, stack: { role: Role; clouds: readonly Cloud[] }): boolean {
  switch (selector.kind) {
    case "all":
      return true;
    case "none":
      return false;
    case "roles":
      return selector.roles.includes(stack.role) && (selector.clouds ?? []).every((c) => stack.clouds.includes(c));
  }
}
