/**
 * GitOpsController and ClusterRegistration under `pulumi.runtime.setMocks`: the controller on an
 * EU EKS management cluster, and an EKS, an AKS and a GKE workload cluster registering with it
 * (EKS once with the controller's Pod Identity role, once by web identity as under a non-AWS
 * controller). Asserts the security-relevant inputs: pinned chart, domain images, no stored
 * credential, trust limited to the controller's ServiceAccounts, least privilege in the cluster.
 */
import * as aws from "@pulumi/aws";
import * as azure from "@pulumi/azure-native";
import * as gcp from "@pulumi/gcp";
import type * as pulumi from "@pulumi/pulumi";
import { aksUserCredentials } from "../../../automation/plan/mock-cloud/clusters";
import { findAll, installMocks, settle, unwrapSecret } from "../../support/mocks";

const cloud = installMocks({ stack: "eu-workload" });
const call = cloud.call.bind(cloud);
cloud.call = (a: pulumi.runtime.MockCallArgs) => (a.token === "azure-native:containerservice:listManagedClusterUserCredentials" ? aksUserCredentials(a.inputs) : call(a));

import { ManagementCluster, WorkloadCluster, type ClusterArgs } from "../../../components/cluster";
import { ARGOCD_CHART, GitOpsController } from "../../../components/gitops";
import { ClusterRegistration } from "../../../components/gitops/registration";
import { claimResident, type GitOpsControllerHandle } from "../../../components/residency";
import { EU_AWS_KEY, EU_AWS_NETWORK, EU_AWS_REGISTRY, EU_AZURE_KEY, EU_AZURE_NETWORK, EU_GCP_KEY, EU_GCP_NETWORK } from "../cluster/fixtures";

/* eslint-disable @typescript-eslint/no-explicit-any */
const awsP = new aws.Provider("aws", { region: "eu-central-1" });
const azureP = new azure.Provider("azure", { location: "westeurope" });
const gcpP = new gcp.Provider("gcp", { project: "meridian-eu-prod", region: "europe-west1" });
const base = { domain: "eu" as const, kubernetesVersion: "1.33", podCidr: "100.64.0.0/18", serviceCidr: "172.16.0.0/22" };
const awsArgs = (clusterName: string): ClusterArgs<"eu"> => ({ ...base, cloud: "aws", clusterName, region: "eu-central-1", network: EU_AWS_NETWORK, key: EU_AWS_KEY });

const mgmt = new ManagementCluster("mgmt", awsArgs("eu-mgmt"), { providers: [awsP] });
const controller = new GitOpsController(
  "ctl",
  {
    domain: "eu",
    stack: "eu-mgmt",
    cluster: mgmt,
    registry: EU_AWS_REGISTRY,
    gcpStacks: ["eu-workload-gcp"],
    tenants: [{ name: "payments", namespaces: ["payments"], clusters: ["eu-workload-aws", "eu-workload-gcp"], rings: { "eu-workload-aws": 0, "eu-workload-gcp": 2 }, source: { repoURL: "https://git.eu.example/payments.git", revision: "main", path: "clusters/{cluster}/{namespace}" } }],
  },
  { providers: [awsP] },
);
const tenants = [{ name: "payments", namespaces: ["payments", "payments-jobs"] }];

const eks = new WorkloadCluster("eks", awsArgs("eu-workload-aws"), { providers: [awsP] });
new ClusterRegistration("reg-aws", { domain: "eu", controller: controller.handle, cluster: eks, stack: "eu-workload-aws", region: "eu-central-1", ring: 0, tenants }, { providers: [awsP] });

// The same EKS cluster under a controller that is not on AWS (no Pod Identity role to chain from).
const webIdentityController: GitOpsControllerHandle<"eu"> = claimResident("eu", {
  stack: "eu-mgmt-gke",
  namespace: "meridian-gitops",
  oidcIssuer: "https://container.googleapis.com/v1/projects/meridian-eu-prod/locations/europe-west1/clusters/eu-mgmt",
  subjects: ["system:serviceaccount:meridian-gitops:argocd-application-controller"],
  gcpAudience: "meridian-gitops-eu",
  kubeconfig: mgmt.kubeconfig,
});
new ClusterRegistration("reg-webid", { domain: "eu", controller: webIdentityController, cluster: eks, stack: "eu-workload-aws", region: "eu-central-1", tenants }, { providers: [awsP] });

const aks = new WorkloadCluster("aks", { ...base, cloud: "azure", clusterName: "eu-workload-azure", region: "westeurope", network: EU_AZURE_NETWORK, key: EU_AZURE_KEY }, { providers: [azureP] });
new ClusterRegistration("reg-azure", { domain: "eu", controller: controller.handle, cluster: aks, stack: "eu-workload-azure", region: "westeurope", ring: 1, tenants, resourceGroupName: "rg-eu" }, { providers: [azureP] });

const gke = new WorkloadCluster("gke", { ...base, cloud: "gcp", clusterName: "eu-workload-gcp", region: "europe-west1", network: EU_GCP_NETWORK, key: EU_GCP_KEY }, { providers: [gcpP] });
new ClusterRegistration("reg-gcp", { domain: "eu", controller: controller.handle, cluster: gke, stack: "eu-workload-gcp", region: "europe-west1", ring: 2, tenants, gcpProject: "meridian-eu-prod" }, { providers: [gcpP] });

beforeAll(settle);

const named = (type: string, prefix: string) => findAll(cloud, type).filter((r) => r.name.startsWith(prefix));
const secretOf = (prefix: string) => {
  const [s] = named("kubernetes:core/v1:Secret", `${prefix}-cluster`);
  return unwrapSecret(s!.inputs.stringData).value as Record<string, string>;
};

describe("GitOpsController", () => {
  it("installs the pinned chart from the domain registry's OCI mirror with digest-pinned domain images", () => {
    const [release] = findAll(cloud, "kubernetes:helm.sh/v3:Release");
    const r = release!.inputs as Record<string, any>;
    expect([r.chart, r.version, r.namespace, r.atomic]).toEqual([ARGOCD_CHART.chart, ARGOCD_CHART.version, "meridian-gitops", true]);
    const prefix = EU_AWS_REGISTRY.imagePrefixes[0]!;
    expect(r.repositoryOpts.repo).toBe(`oci://${prefix.replace(/\/$/, "")}/charts`);
    expect(r.values.global.image.repository.startsWith(prefix)).toBe(true);
    expect(r.values.redis.image.tag).toMatch(/@sha256:/);
    expect(r.values.configs.cm).toEqual({ "admin.enabled": false, "exec.enabled": false });
    // The GCP stack's credential configuration is mounted (optional until the stack registers).
    expect(r.values.controller.volumes).toContainEqual({ name: "meridian-gcp-eu-workload-gcp", configMap: { name: "gitops-gcp-eu-workload-gcp", optional: true } });
  });

  it("opens the baseline's default-deny only among its own pods and for TCP 443 egress", () => {
    const policies = named("kubernetes:networking.k8s.io/v1:NetworkPolicy", "ctl-netpol-").sort((a, b) => (a.name < b.name ? 1 : -1));
    expect(policies.map((p) => [(p.inputs.metadata as any).name, (p.inputs.spec as any).policyTypes])).toEqual([
      ["allow-intra-namespace", ["Ingress", "Egress"]],
      ["allow-https-egress", ["Egress"]],
    ]);
    expect((policies[1]!.inputs.spec as any).egress).toEqual([{ ports: [{ protocol: "TCP", port: 443 }] }]);
    expect((policies[0]!.inputs.spec as any).ingress).toEqual([{ from: [{ podSelector: {} }] }]);
  });

  it("rings become RollingSync steps in ring order", () => {
    const [set] = findAll(cloud, "kubernetes:argoproj.io/v1alpha1:ApplicationSet");
    const steps = (set!.inputs as any).spec.strategy.rollingSync.steps.map((s: any) => s.matchExpressions[0].values[0]);
    expect(steps).toEqual(["0", "2"]);
  });

  it("the Pod Identity role has no permission but assuming the domain's GitOps roles", () => {
    const [trust] = named("aws:iam/role:Role", "ctl-controller").map((r) => JSON.parse(String(r.inputs.assumeRolePolicy)));
    expect(trust.Statement[0].Principal).toEqual({ Service: "pods.eks.amazonaws.com" });
    expect(named("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "ctl")).toEqual([]);
    expect(JSON.parse(String(named("aws:iam/rolePolicy:RolePolicy", "ctl")[0]!.inputs.policy)).Statement[0].Resource).toBe("arn:aws:iam::*:role/meridian-gitops/eu/*");
  });
});

describe("ClusterRegistration on three clouds", () => {
  it("never carries a bearer token, key or password; TLS is verified", () => {
    for (const prefix of ["reg-aws", "reg-webid", "reg-azure", "reg-gcp"]) {
      const s = secretOf(prefix);
      const config = JSON.parse(s.config!);
      expect(config.bearerToken).toBeUndefined();
      expect(config.tlsClientConfig).toMatchObject({ insecure: false });
      expect(config.tlsClientConfig.certData ?? config.tlsClientConfig.keyData).toBeUndefined();
      expect(JSON.stringify(config)).not.toMatch(/password|private_key|client_secret/i);
      expect(s.clusterResources).toBe("false");
      expect(s.namespaces).toBe("payments,payments-jobs");
    }
  });

  it("AWS: role chaining from the controller role; web identity restricted to the controller's subjects", () => {
    expect(Object.keys(JSON.parse(secretOf("reg-aws").config!))).toContain("awsAuthConfig");
    const [webid] = named("aws:iam/role:Role", "reg-webid-role");
    const cond = JSON.parse(String(webid!.inputs.assumeRolePolicy)).Statement[0].Condition.StringEquals;
    expect(Object.values(cond)).toEqual(["sts.amazonaws.com", ["system:serviceaccount:meridian-gitops:argocd-application-controller"]]);
    for (const prefix of ["reg-aws", "reg-webid"]) {
      const [entry] = named("aws:eks/accessEntry:AccessEntry", `${prefix}-access`);
      expect(entry!.inputs.kubernetesGroups).toEqual(["meridian:gitops"]);
      expect(named("aws:eks/accessPolicyAssociation:AccessPolicyAssociation", prefix)).toEqual([]);
      expect(named("aws:iam/role:Role", `${prefix}-role`)[0]!.inputs.path).toBe("/meridian-gitops/eu/");
    }
  });

  it("Azure: a user-assigned identity federated with the management issuer, bound to edit in tenant namespaces only", () => {
    const creds = named("azure-native:managedidentity:FederatedIdentityCredential", "reg-azure");
    expect(creds.map((c) => c.inputs.subject)).toEqual(["system:serviceaccount:meridian-gitops:argocd-application-controller", "system:serviceaccount:meridian-gitops:argocd-server"]);
    expect(creds.every((c) => String(c.inputs.issuer).includes("oidc.eks.eu-central-1.amazonaws.com"))).toBe(true);
    expect(named("azure-native:authorization:RoleAssignment", "reg-azure")).toEqual([]);
    const bindings = named("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "reg-azure-edit");
    expect(bindings.map((b) => [(b.inputs.metadata as any).namespace, (b.inputs.roleRef as any).name, (b.inputs.subjects as any)[0].kind])).toEqual([
      ["payments", "edit", "User"],
      ["payments-jobs", "edit", "User"],
    ]);
    expect(findAll(cloud, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding").filter((b) => b.name.startsWith("reg-"))).toEqual([]);
  });

  it("GCP: pool provider limited to the controller's subjects and audience, viewer-only IAM, key-less credential config", () => {
    const [provider] = named("gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider", "reg-gcp");
    expect((provider!.inputs.oidc as any).allowedAudiences).toEqual(["meridian-gitops-eu"]);
    expect(provider!.inputs.attributeCondition).toBe("assertion.sub in ['system:serviceaccount:meridian-gitops:argocd-application-controller', 'system:serviceaccount:meridian-gitops:argocd-server']");
    expect(named("gcp:projects/iAMMember:IAMMember", "reg-gcp").map((m) => m.inputs.role)).toEqual(["roles/container.clusterViewer"]);
    expect(named("gcp:serviceaccount/key:Key", "reg-gcp")).toEqual([]);
    const [cm] = named("kubernetes:core/v1:ConfigMap", "reg-gcp-credentials");
    const cred = JSON.parse((cm!.inputs.data as any)["credentials.json"]);
    expect(cred.audience).toMatch(/^\/\/iam\.googleapis\.com\/projects\/\d+\/locations\/global\/workloadIdentityPools\/gitops-eu\/providers\/management$/);
    expect(JSON.parse(secretOf("reg-gcp").config!).execProviderConfig.env.GOOGLE_APPLICATION_CREDENTIALS).toBe("/var/run/secrets/meridian/gitops/gcp-config/eu-workload-gcp/credentials.json");
  });

  it("the registration Secret goes to the management cluster, the RoleBindings to the workload cluster", () => {
    const [secret] = named("kubernetes:core/v1:Secret", "reg-aws-cluster");
    const [binding] = named("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "reg-aws-edit");
    expect(secret!.provider?.inputs.clusterIdentifier).toBe("meridian:eu:eu-mgmt");
    expect(binding!.provider?.inputs.clusterIdentifier).toBe("meridian:eu:eu-workload-aws");
  });
});
