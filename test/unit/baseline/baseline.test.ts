/** ClusterBaseline under mocks: what it creates, through which provider. */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { findAll, findOne, installMocks, settle } from "../../support/mocks";

const cloud = installMocks({ stack: "eu-workload-aws" });

import { ClusterBaseline, POLICY_NAMES, validateClusterBaselineArgs, validateImagePrefixes } from "../../../components/baseline";
import { claimResident, type KeyHandle, type RegistryHandle } from "../../../components/residency";

const EU_ECR = "123456789012.dkr.ecr.eu-central-1.amazonaws.com/";
const DIGEST = `@sha256:${"0f".repeat(32)}`;
const registry: RegistryHandle<"eu"> = claimResident("eu", { cloud: "aws" as const, region: "eu-central-1", imagePrefixes: [EU_ECR] });
const key = claimResident("eu", {
  cloud: "aws" as const,
  region: "eu-central-1",
  arn: "arn:aws:kms:eu-central-1:123456789012:key/k",
}) as KeyHandle<"eu">;

const provider = new k8s.Provider("eu-cluster-k8s", { kubeconfig: pulumi.secret("apiVersion: v1"), clusterIdentifier: "meridian:eu:eu-workload-aws" });
const other = new k8s.Provider("unrelated-k8s", { kubeconfig: pulumi.secret("apiVersion: v1") });
void other;

new ClusterBaseline("base", {
  domain: "eu",
  provider,
  clusterName: "eu-workload-aws",
  cloud: "aws",
  kubernetesVersion: "1.33",
  registries: [registry],
  tenants: [
    { name: "payments", team: "payments", developersGroup: "eu-payments-devs" },
    { name: "search", team: "search", developersGroup: "eu-search-devs", quota: { cpu: "8" } },
  ],
  groups: { platformAdmins: ["eu-breakglass"], platformOperators: ["eu-platform-ops"], auditors: ["eu-auditors"] },
  addons: [{ name: "capacity-reserve", namespace: "meridian-system", image: `${EU_ECR}platform/pause${DIGEST}`, replicas: 2, priorityClassName: "meridian-capacity-reserve" }],
  storage: { cloud: "aws", key, zones: ["eu-central-1a", "eu-central-1b"] },
});

beforeAll(settle);

const k8sRecords = () => cloud.records.filter((r) => r.type.startsWith("kubernetes:"));

it("sends every Kubernetes object through the cluster's own provider", () => {
  expect(k8sRecords().length).toBeGreaterThan(30);
  for (const r of k8sRecords()) {
    expect(r.providerRef).toContain("eu-cluster-k8s");
    expect(r.provider?.inputs.clusterIdentifier).toBe("meridian:eu:eu-workload-aws");
  }
});

it("labels every namespace with the residency domain and Pod Security (restricted unless allow-listed)", () => {
  const namespaces = findAll(cloud, "kubernetes:core/v1:Namespace");
  expect(namespaces.map((n) => (n.inputs.metadata as { name: string }).name).sort()).toEqual(["meridian-node-agents", "meridian-system", "payments", "search"]);
  for (const n of namespaces) {
    const md = n.inputs.metadata as { name: string; labels: Record<string, string>; annotations?: Record<string, string> };
    expect(md.labels.residency).toBe("eu");
    for (const l of ["team", "tenant", "env"]) expect(md.labels[l]).toBeTruthy();
    expect(md.labels["pod-security.kubernetes.io/audit"]).toBe("restricted");
    expect(md.labels["pod-security.kubernetes.io/warn"]).toBe("restricted");
    expect(md.labels["pod-security.kubernetes.io/enforce-version"]).toBe("v1.33");
    if (md.name === "meridian-node-agents") {
      expect(md.labels["pod-security.kubernetes.io/enforce"]).toBe("privileged");
      expect(md.annotations?.["meridian.io/psa-exception"]).toMatch(/hostPath/);
    } else {
      expect(md.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    }
  }
});

it("puts a default-deny (ingress + egress) and a DNS-only egress policy in every namespace, never 0.0.0.0/0", () => {
  const pols = findAll(cloud, "kubernetes:networking.k8s.io/v1:NetworkPolicy");
  for (const ns of ["meridian-node-agents", "meridian-system", "payments", "search"]) {
    const mine = pols.filter((p) => (p.inputs.metadata as { namespace: string }).namespace === ns);
    const deny = mine.find((p) => (p.inputs.metadata as { name: string }).name === "default-deny")!;
    expect(deny.inputs.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    const dns = mine.find((p) => (p.inputs.metadata as { name: string }).name === "allow-dns-egress")!;
    expect(JSON.stringify(dns.inputs.spec)).toContain('"port":53');
  }
  expect(JSON.stringify(pols.map((p) => p.inputs))).not.toContain("0.0.0.0/0");
});

it("binds personas to IdP groups; only break-glass gets cluster-admin and no other role has a wildcard", () => {
  const roles = findAll(cloud, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole");
  expect(roles.map((r) => (r.inputs.metadata as { name: string }).name).sort()).toEqual(["meridian:auditor", "meridian:platform-operator", "meridian:team-developer"]);
  for (const r of roles) {
    for (const rule of r.inputs.rules as Array<Record<string, string[]>>) {
      for (const field of ["verbs", "resources", "apiGroups"]) expect(rule[field]).not.toContain("*");
    }
  }
  const auditor = roles.find((r) => (r.inputs.metadata as { name: string }).name === "meridian:auditor")!;
  expect(JSON.stringify(auditor.inputs.rules)).not.toContain("secrets");
  for (const rule of auditor.inputs.rules as Array<{ verbs: string[] }>) expect(rule.verbs).toEqual(["get", "list", "watch"]);
  const crbs = findAll(cloud, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding");
  const admin = crbs.filter((b) => (b.inputs.roleRef as { name: string }).name === "cluster-admin");
  expect(admin).toHaveLength(1);
  expect(admin[0].inputs.subjects).toEqual([{ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "eu-breakglass" }]);
  const rbs = findAll(cloud, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding");
  expect(rbs.map((b) => [(b.inputs.metadata as { namespace: string }).namespace, (b.inputs.subjects as Array<{ name: string }>)[0].name]).sort()).toEqual([
    ["payments", "eu-payments-devs"],
    ["search", "eu-search-devs"],
  ]);
});

it("sets quotas and limit ranges per tenant namespace, no LoadBalancer/NodePort services", () => {
  const quotas = findAll(cloud, "kubernetes:core/v1:ResourceQuota");
  expect(quotas).toHaveLength(2);
  const search = quotas.find((q) => (q.inputs.metadata as { namespace: string }).namespace === "search")!;
  expect((search.inputs.spec as { hard: Record<string, string> }).hard).toMatchObject({ "requests.cpu": "8", "services.loadbalancers": "0", "services.nodeports": "0" });
  expect(findAll(cloud, "kubernetes:core/v1:LimitRange")).toHaveLength(2);
});

it("creates the four priority classes (+ capacity reserve), one global default", () => {
  const pcs = findAll(cloud, "kubernetes:scheduling.k8s.io/v1:PriorityClass");
  expect(pcs.map((p) => (p.inputs.metadata as { name: string }).name)).toEqual(
    expect.arrayContaining(["meridian-platform-critical", "meridian-workload-high", "meridian-workload-default", "meridian-batch"]),
  );
  expect(pcs.filter((p) => p.inputs.globalDefault === true)).toHaveLength(1);
});

it("annotates add-on Deployments with skipAwait and gives each a PDB", () => {
  const dep = findOne(cloud, "kubernetes:apps/v1:Deployment");
  expect((dep.inputs.metadata as { annotations: Record<string, string> }).annotations["pulumi.com/skipAwait"]).toBe("true");
  expect(JSON.stringify(dep.inputs.spec)).toContain(`${EU_ECR}platform/pause${DIGEST}`);
  const pdb = findOne(cloud, "kubernetes:policy/v1:PodDisruptionBudget");
  expect(pdb.inputs.spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: { "app.kubernetes.io/name": "capacity-reserve" } } });
});

it("applies every admission policy with a Deny binding, the registry prefixes inside the CEL", () => {
  const vaps = findAll(cloud, "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy");
  expect(vaps.map((v) => (v.inputs.metadata as { name: string }).name).sort()).toEqual(Object.values(POLICY_NAMES).sort());
  const images = vaps.find((v) => (v.inputs.metadata as { name: string }).name === POLICY_NAMES.images)!;
  expect(JSON.stringify(images.inputs.spec)).toContain(EU_ECR);
  const bindings = findAll(cloud, "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding");
  expect(bindings).toHaveLength(vaps.length);
  for (const b of bindings) expect((b.inputs.spec as { validationActions: string[] }).validationActions).toContain("Deny");
});

it("creates an encrypted default StorageClass with the domain key, limited to the cluster's zones", () => {
  const sc = findOne(cloud, "kubernetes:storage.k8s.io/v1:StorageClass");
  expect(sc.inputs.provisioner).toBe("ebs.csi.aws.com");
  expect(sc.inputs.parameters).toEqual({ type: "gp3", encrypted: "true", kmsKeyId: "arn:aws:kms:eu-central-1:123456789012:key/k" });
  expect((sc.inputs.metadata as { annotations: Record<string, string> }).annotations["storageclass.kubernetes.io/is-default-class"]).toBe("true");
  expect(sc.inputs.allowedTopologies).toEqual([{ matchLabelExpressions: [{ key: "topology.kubernetes.io/zone", values: ["eu-central-1a", "eu-central-1b"] }] }]);
});

describe("validation", () => {
  const ok = { domain: "eu" as const, clusterName: "c", registries: [registry] };
  it("accepts the defaults", () => expect(validateClusterBaselineArgs(ok)).toEqual([]));
  it("names each bad property", () => {
    const us = claimResident("us", { cloud: "aws" as const, region: "us-east-1", imagePrefixes: ["x/"] });
    const problems = validateClusterBaselineArgs({
      ...ok,
      registries: [us as unknown as RegistryHandle<"eu">],
      tenants: [{ name: "kube-evil", team: "t", developersGroup: "g" }, { name: "Bad_Name", team: "", developersGroup: "g" }],
      platformNamespaces: [{ name: "meridian-x", enforce: "privileged" }],
      kubernetesVersion: "1.33.1",
    });
    expect(problems.map((p) => p.propertyPath)).toEqual([
      "registries[0]",
      "tenants[0].name",
      "tenants[1].name",
      "tenants[1].team",
      "platformNamespaces[0].reason",
      "kubernetesVersion",
    ]);
  });
  it("refuses tenants on a management cluster", () => {
    expect(validateClusterBaselineArgs({ ...ok, clusterRole: "management", tenants: [{ name: "a", team: "a", developersGroup: "g" }] })[0].propertyPath).toBe("tenants");
  });
  it("refuses image prefixes that do not end in / (a prefix must not match a longer host)", () => {
    expect(validateImagePrefixes([EU_ECR, "europe-west1-docker.pkg.dev/p/r/"])).toEqual([]);
    expect(validateImagePrefixes(["123456789012.dkr.ecr.eu-central-1.amazonaws.com", "docker.io/*"])).toHaveLength(2);
  });
  it("throws InputPropertiesError from the constructor", () => {
    expect(() => new ClusterBaseline("bad", { ...ok, provider, registries: [] })).toThrow(pulumi.InputPropertiesError);
  });
});
