/**
 * Cluster baseline on all three clouds: private API endpoints, identity, and audit
 * logging on (AWS-08, AZ-03, GCP-01 non-encryption part, plus AKS/GKE audit logs).
 */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { resourcePolicy, stackPolicy } from "../lib/define";
import { arrayAt, at, equalsCI, expect, isSet, isTrue, UNKNOWN } from "../lib/values";

const SOC2_ACCESS = ["SOC2 CC6.1", "SOC2 CC6.6"];
const SOC2_MONITOR = ["SOC2 CC7.2", "SOC2 CC7.3"];

export const eksPrivateEndpoint: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-aws-eks-cluster-private-endpoint",
    area: "aws",
    rules: ["AWS-08"],
    description: "EKS API endpoints are private only.",
    why: "A public endpoint (the EKS default) exposes the control plane of a domain cluster to the internet.",
    remediation: "Set `vpcConfig.endpointPublicAccess: false` and `vpcConfig.endpointPrivateAccess: true`; reach the API through the domain's network.",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: SOC2_ACCESS,
    types: ["aws:eks/cluster:Cluster"],
  },
  (r, ctx) => {
    expect(ctx, r.props, "vpcConfig.endpointPublicAccess", (v) => v === false, "vpcConfig.endpointPublicAccess must be false (it defaults to true)");
    expect(ctx, r.props, "vpcConfig.endpointPrivateAccess", isTrue, "vpcConfig.endpointPrivateAccess must be true");
  },
);

const EKS_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

export const eksAuditLogging: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-aws-eks-cluster-audit-logging-enable",
    area: "aws",
    rules: ["AWS-08"],
    description: "EKS clusters send all control-plane log types (api, audit, authenticator, controllerManager, scheduler) to CloudWatch.",
    why: "Audit and authenticator logs are the evidence of who did what in a domain cluster.",
    remediation: `Set \`enabledClusterLogTypes: ${JSON.stringify(EKS_LOG_TYPES)}\`.`,
    severity: "medium",
    enforcementLevel: "mandatory",
    frameworks: SOC2_MONITOR,
    types: ["aws:eks/cluster:Cluster"],
  },
  (r, ctx) => {
    const types = arrayAt(r.props, "enabledClusterLogTypes");
    if (types === UNKNOWN) {
      ctx.unknown("enabledClusterLogTypes");
      return;
    }
    const missing = EKS_LOG_TYPES.filter((t) => !types.includes(t));
    if (missing.length > 0) {
      ctx.report(`enabledClusterLogTypes is missing ${missing.join(", ")}`);
    }
  },
);

export const aksPrivateCluster: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-azure-aks-cluster-private",
    area: "azure",
    rules: ["AZ-03"],
    description: "AKS clusters are private, without local accounts, with Entra ID and Azure RBAC.",
    why: "A public API server and the static local admin kubeconfig bypass the domain's identity and network controls.",
    remediation:
      "Set `apiServerAccessProfile.enablePrivateCluster: true`, `disableLocalAccounts: true`, `aadProfile: { managed: true, enableAzureRBAC: true }`.",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: SOC2_ACCESS,
    types: ["azure-native:containerservice:ManagedCluster"],
  },
  (r, ctx) => {
    expect(ctx, r.props, "apiServerAccessProfile.enablePrivateCluster", isTrue, "apiServerAccessProfile.enablePrivateCluster must be true");
    expect(ctx, r.props, "disableLocalAccounts", isTrue, "disableLocalAccounts must be true");
    expect(ctx, r.props, "aadProfile.enableAzureRBAC", isTrue, "aadProfile.enableAzureRBAC must be true");
  },
);

const AKS_AUDIT = new Set(["kube-audit", "kube-audit-admin"]);
const AUDIT_GROUPS = new Set(["audit", "alllogs"]);

export const aksAuditLogging: StackValidationPolicy = stackPolicy(
  {
    name: "meridian-azure-aks-audit-logging-enable",
    area: "azure",
    rules: ["MER-BASE-01"],
    description: "Every AKS cluster has a diagnostic setting that ships its audit logs (kube-audit or the audit/allLogs group).",
    why: "AKS keeps no audit log unless a diagnostic setting sends it somewhere; without it there is no evidence of API access.",
    remediation:
      "Add an `azure-native:monitor:DiagnosticSetting` with `resourceUri: cluster.id`, `workspaceId: <domain workspace>` and `logs: [{ categoryGroup: \"audit\", enabled: true }]`.",
    severity: "medium",
    enforcementLevel: "mandatory",
    frameworks: SOC2_MONITOR,
    types: ["azure-native:containerservice:ManagedCluster", "azure-native:monitor:DiagnosticSetting"],
  },
  (resources, ctx) => {
    const audited = new Set<string>();
    for (const r of resources) {
      if (r.type !== "azure-native:monitor:DiagnosticSetting") {
        continue;
      }
      const logs = arrayAt(r.props, "logs");
      if (logs === UNKNOWN) {
        ctx.unknown(`${r.name}.logs`);
        continue;
      }
      const shipsAudit = logs.some(
        (l) =>
          at(l, "enabled") !== false &&
          (AKS_AUDIT.has(String(at(l, "category"))) || AUDIT_GROUPS.has(String(at(l, "categoryGroup")).toLowerCase())),
      );
      if (shipsAudit) {
        for (const d of r.propertyDependencies.resourceUri ?? []) {
          audited.add(d.urn);
        }
      }
    }
    for (const r of resources) {
      if (r.type === "azure-native:containerservice:ManagedCluster" && !audited.has(r.urn)) {
        ctx.report(`AKS cluster '${r.name}' has no diagnostic setting shipping kube-audit logs`, r.urn);
      }
    }
  },
);

export const gkePrivateCluster: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-gcp-gke-cluster-private",
    area: "gcp",
    rules: ["GCP-01"],
    description: "GKE clusters have private nodes and a private endpoint, Workload Identity and Binary Authorization enforced.",
    why: "Public nodes/endpoints expose the domain cluster; node service-account keys and unsigned images bypass the domain's controls.",
    remediation:
      "Set `privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: true }`, `workloadIdentityConfig: { workloadPool: \"<project>.svc.id.goog\" }`, `binaryAuthorization: { evaluationMode: \"PROJECT_SINGLETON_POLICY_ENFORCE\" }`.",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: SOC2_ACCESS,
    types: ["gcp:container/cluster:Cluster"],
  },
  (r, ctx) => {
    expect(ctx, r.props, "privateClusterConfig.enablePrivateNodes", isTrue, "privateClusterConfig.enablePrivateNodes must be true");
    expect(ctx, r.props, "privateClusterConfig.enablePrivateEndpoint", isTrue, "privateClusterConfig.enablePrivateEndpoint must be true");
    expect(ctx, r.props, "workloadIdentityConfig.workloadPool", isSet, "workloadIdentityConfig.workloadPool must be set");
    expect(
      ctx,
      r.props,
      "binaryAuthorization.evaluationMode",
      equalsCI("PROJECT_SINGLETON_POLICY_ENFORCE"),
      "binaryAuthorization.evaluationMode must be \"PROJECT_SINGLETON_POLICY_ENFORCE\"",
    );
  },
);

/** What a cluster without `loggingConfig` logs: GKE enables system and workload logs by default. */
const GKE_DEFAULT_LOG_COMPONENTS: readonly string[] = ["SYSTEM_COMPONENTS", "WORKLOADS"];

export const gkeAuditLogging: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-gcp-gke-cluster-audit-logging-enable",
    area: "gcp",
    rules: ["MER-BASE-02"],
    description: "GKE clusters log system components and the API server to Cloud Logging.",
    why: "API server logs complement Cloud Audit Logs with the requests' detail; without them incident response is blind.",
    remediation: "Set `loggingConfig: { enableComponents: [\"SYSTEM_COMPONENTS\", \"APISERVER\", \"WORKLOADS\"] }`.",
    severity: "medium",
    enforcementLevel: "mandatory",
    frameworks: SOC2_MONITOR,
    types: ["gcp:container/cluster:Cluster"],
  },
  (r, ctx) => {
    const config = at(r.props, "loggingConfig");
    const comps = config === undefined || config === null ? GKE_DEFAULT_LOG_COMPONENTS : arrayAt(r.props, "loggingConfig.enableComponents");
    if (comps === UNKNOWN) {
      ctx.unknown("loggingConfig.enableComponents");
      return;
    }
    const missing = ["SYSTEM_COMPONENTS", "APISERVER"].filter((c) => !comps.includes(c));
    if (missing.length > 0) {
      const unset = comps === GKE_DEFAULT_LOG_COMPONENTS ? ` (loggingConfig is unset: GKE's default logs ${GKE_DEFAULT_LOG_COMPONENTS.join(", ")} only)` : "";
      ctx.report(`loggingConfig.enableComponents is missing ${missing.join(", ")}${unset}`);
    }
  },
);

export const baselinePolicies = [eksPrivateEndpoint, eksAuditLogging, aksPrivateCluster, aksAuditLogging, gkePrivateCluster, gkeAuditLogging];
