/** WorkloadCluster on EKS under mocks: every security property of the issue, and the wiring. */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { findAll, findOne, installMocks, settle, unwrapSecret, valueOf } from "../../support/mocks";

const cloud = installMocks({ stack: "eu-workload-aws" });

import { ClusterBaseline } from "../../../components/baseline";
import { EKS_LOG_TYPES, WorkloadCluster, validateClusterArgs, type ClusterArgs } from "../../../components/cluster";
import { DIGEST, EU_AWS_KEY, EU_AWS_NETWORK, EU_AWS_REGISTRY } from "./fixtures";

const awsProvider = new aws.Provider("eu-workload-aws-aws", { region: "eu-central-1" });

const args: ClusterArgs<"eu"> = {
  domain: "eu",
  cloud: "aws",
  clusterName: "eu-workload-aws",
  region: "eu-central-1",
  kubernetesVersion: "1.33",
  network: EU_AWS_NETWORK,
  key: EU_AWS_KEY,
  podCidr: "100.64.64.0/18",
  serviceCidr: "172.16.4.0/22",
  workloadPools: [{ name: "general" }, { name: "batch", taints: [{ key: "meridian.io/batch", value: "true", effect: "NoSchedule" }], labels: { workload: "batch" } }],
  aws: { accessEntries: [{ principalArn: "arn:aws:iam::123456789012:role/eu-breakglass", clusterAdmin: true }, { principalArn: "arn:aws:iam::123456789012:role/eu-auditor", groups: ["eu-auditors"] }] },
};
const cluster = new WorkloadCluster("wl", args, { providers: [awsProvider] });
new ClusterBaseline("wl-baseline", {
  domain: "eu",
  provider: cluster.provider,
  clusterName: "eu-workload-aws",
  cloud: "aws",
  registries: [EU_AWS_REGISTRY],
  storage: cluster.storage,
  addons: [{ name: "capacity-reserve", namespace: "meridian-system", image: `${EU_AWS_REGISTRY.imagePrefixes[0]}platform/pause${DIGEST}`, replicas: 2, priorityClassName: "meridian-capacity-reserve" }],
});

beforeAll(settle);

describe("EKS control plane", () => {
  it("encrypts secrets with the domain's KMS key", () => {
    const c = findOne(cloud, "aws:eks/cluster:Cluster");
    expect(c.inputs.encryptionConfig).toEqual({ resources: ["secrets"], provider: { keyArn: EU_AWS_KEY.arn } });
  });

  it("has a private endpoint only", () => {
    const vpc = findOne(cloud, "aws:eks/cluster:Cluster").inputs.vpcConfig as Record<string, unknown>;
    expect(vpc.endpointPublicAccess).toBe(false);
    expect(vpc.endpointPrivateAccess).toBe(true);
    expect(vpc.publicAccessCidrs).toBeUndefined();
    expect(vpc.subnetIds).toEqual(["subnet-a", "subnet-b", "subnet-c"]);
  });

  it("sends every control-plane log type to a KMS-encrypted log group with retention, named where EKS writes", () => {
    const c = findOne(cloud, "aws:eks/cluster:Cluster");
    expect(c.inputs.enabledClusterLogTypes).toEqual([...EKS_LOG_TYPES]);
    expect(EKS_LOG_TYPES).toHaveLength(5);
    const lg = findOne(cloud, "aws:cloudwatch/logGroup:LogGroup");
    expect(lg.inputs).toMatchObject({ name: "/aws/eks/eu-workload-aws/cluster", retentionInDays: 365, kmsKeyId: EU_AWS_KEY.arn });
  });

  it("uses access entries only (API mode), pinned standard support, version from config, service CIDR from IPAM", () => {
    const c = findOne(cloud, "aws:eks/cluster:Cluster");
    expect(c.inputs.accessConfig).toEqual({ authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false });
    expect(c.inputs.version).toBe("1.33");
    expect(c.inputs.upgradePolicy).toEqual({ supportType: "STANDARD" });
    expect(c.inputs.kubernetesNetworkConfig).toEqual({ ipFamily: "ipv4", serviceIpv4Cidr: "172.16.4.0/22" });
    expect(c.inputs.deletionProtection).toBe(true);
    const entries = findAll(cloud, "aws:eks/accessEntry:AccessEntry");
    expect(entries.map((e) => e.inputs.principalArn)).toEqual(["arn:aws:iam::123456789012:role/eu-breakglass", "arn:aws:iam::123456789012:role/eu-auditor"]);
    expect(entries[1].inputs.kubernetesGroups).toEqual(["eu-auditors"]);
    const assoc = findOne(cloud, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation");
    expect(assoc.inputs.policyArn).toBe("arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy");
  });

  it("sets up workload identity: IRSA OIDC provider on the issuer, and the Pod Identity agent", () => {
    const oidc = findOne(cloud, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
    expect(oidc.inputs.url).toMatch(/^https:\/\/oidc\.eks\.eu-central-1\.amazonaws\.com\/id\//);
    expect(oidc.inputs.clientIdLists).toEqual(["sts.amazonaws.com"]);
    expect(findAll(cloud, "aws:eks/addon:Addon").map((a) => a.inputs.addonName)).toEqual(
      expect.arrayContaining(["eks-pod-identity-agent", "vpc-cni", "coredns", "kube-proxy", "aws-ebs-csi-driver"]),
    );
  });

  it("turns on VPC CNI network policy enforcement", () => {
    const cni = findAll(cloud, "aws:eks/addon:Addon").find((a) => a.inputs.addonName === "vpc-cni")!;
    expect(JSON.parse(cni.inputs.configurationValues as string)).toEqual({ enableNetworkPolicy: "true" });
    expect(cni.inputs.podIdentityAssociations).toEqual([expect.objectContaining({ serviceAccount: "aws-node" })]);
  });
});

describe("EKS nodes", () => {
  it("runs managed node groups through launch templates with CMK-encrypted EBS and IMDSv2", () => {
    const lts = findAll(cloud, "aws:ec2/launchTemplate:LaunchTemplate");
    expect(lts).toHaveLength(3);
    for (const lt of lts) {
      const [bdm] = lt.inputs.blockDeviceMappings as Array<{ ebs: Record<string, unknown> }>;
      expect(bdm.ebs).toMatchObject({ encrypted: "true", kmsKeyId: EU_AWS_KEY.arn });
      expect(lt.inputs.metadataOptions).toMatchObject({ httpTokens: "required", httpPutResponseHopLimit: 1 });
    }
    const groups = findAll(cloud, "aws:eks/nodeGroup:NodeGroup");
    expect(groups.map((g) => g.inputs.nodeGroupName).sort()).toEqual(["batch", "general", "system"]);
    for (const g of groups) {
      expect((g.inputs.launchTemplate as { id: string }).id).toMatch(/^lt-/);
      expect(g.inputs.subnetIds).toHaveLength(3); // ≥ 2 zones
      expect(g.inputs.version).toBe("1.33");
    }
  });

  it("separates the system pool (tainted CriticalAddonsOnly) from labelled/tainted workload pools with autoscaling bounds", () => {
    const groups = findAll(cloud, "aws:eks/nodeGroup:NodeGroup");
    const system = groups.find((g) => g.inputs.nodeGroupName === "system")!;
    expect(system.inputs.taints).toEqual([{ key: "CriticalAddonsOnly", value: "true", effect: "NO_SCHEDULE" }]);
    expect(system.inputs.scalingConfig).toEqual({ minSize: 2, maxSize: 3, desiredSize: 2 });
    const batch = groups.find((g) => g.inputs.nodeGroupName === "batch")!;
    expect(batch.inputs.labels).toMatchObject({ workload: "batch", "meridian.io/pool": "batch", "meridian.io/plane": "workload" });
    expect(batch.inputs.taints).toEqual([{ key: "meridian.io/batch", value: "true", effect: "NO_SCHEDULE" }]);
  });

  it("grants Auto Scaling use of the CMK so encrypted node volumes can launch", () => {
    const g = findOne(cloud, "aws:kms/grant:Grant");
    expect(g.inputs.keyId).toBe(EU_AWS_KEY.arn);
    expect(g.inputs.granteePrincipal).toBe("arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling");
  });
});

describe("wiring and outputs", () => {
  it("places every AWS resource with the EU provider (eu-central-1)", () => {
    const awsRecords = cloud.records.filter((r) => r.type.startsWith("aws:"));
    expect(awsRecords.length).toBeGreaterThan(20);
    for (const r of awsRecords) expect(r.provider?.inputs.region).toBe("eu-central-1");
  });

  it("gives every Kubernetes child the cluster's own provider, which names the domain", () => {
    const k8sProvider = findOne(cloud, "pulumi:providers:kubernetes");
    expect(k8sProvider.inputs.clusterIdentifier).toBe("meridian:eu:eu-workload-aws");
    const kubeChildren = cloud.records.filter((r) => r.type.startsWith("kubernetes:"));
    expect(kubeChildren.length).toBeGreaterThan(20);
    for (const r of kubeChildren) expect(r.providerRef).toContain("wl-k8s");
  });

  it("outputs an exec-auth kubeconfig as a secret, with no static credentials", async () => {
    expect(await pulumi.isSecret(cluster.kubeconfig)).toBe(true);
    const kc = JSON.parse(await valueOf(cluster.kubeconfig));
    expect(kc.users[0].user.exec).toMatchObject({ command: "aws", args: ["eks", "get-token", "--cluster-name", "eu-workload-aws", "--region", "eu-central-1", "--output", "json"] });
    expect(JSON.stringify(kc)).not.toMatch(/"token"|client-key|password/);
    expect(kc["current-context"]).toBe("meridian-eu-eu-workload-aws");
    const providerKubeconfig = unwrapSecret(findOne(cloud, "pulumi:providers:kubernetes").inputs.kubeconfig);
    expect(providerKubeconfig.secret).toBe(true);
  });

  it("outputs the OIDC issuer and the IPAM CIDRs", async () => {
    expect(await valueOf(cluster.oidcIssuer)).toMatch(/^https:\/\/oidc\.eks\.eu-central-1\.amazonaws\.com\/id\//);
    expect([cluster.podCidr, cluster.serviceCidr]).toEqual(["100.64.64.0/18", "172.16.4.0/22"]);
  });

  it("makes the baseline's StorageClass EBS-encrypted with the domain key in the cluster's zones", () => {
    const sc = findOne(cloud, "kubernetes:storage.k8s.io/v1:StorageClass");
    expect(sc.inputs.parameters).toEqual({ type: "gp3", encrypted: "true", kmsKeyId: EU_AWS_KEY.arn });
    expect(JSON.stringify(sc.inputs.allowedTopologies)).toContain("eu-central-1c");
  });
});

describe("misconfiguration fails with InputPropertiesError naming the property", () => {
  const paths = (a: Partial<ClusterArgs<"eu">>, role: "workload" | "management" = "workload") =>
    validateClusterArgs({ ...args, ...a } as ClusterArgs<"eu">, role).map((p) => p.propertyPath);

  it("accepts the defaults", () => expect(paths({})).toEqual([]));
  it("refuses a public endpoint for prod, and for a management cluster in any environment", () => {
    expect(paths({ endpoint: { access: "public", authorizedCidrs: ["203.0.113.0/24"] } })).toEqual(["endpoint.access"]);
    expect(paths({ environment: "dev", endpoint: { access: "public", authorizedCidrs: ["203.0.113.0/24"] } })).toEqual([]);
    expect(paths({ environment: "dev", endpoint: { access: "public", authorizedCidrs: ["0.0.0.0/0"] } })).toEqual(["endpoint.authorizedCidrs[0]"]);
    expect(paths({ environment: "dev", endpoint: { access: "public", authorizedCidrs: ["203.0.113.0/24"] } }, "management")).toEqual(["endpoint.access"]);
  });
  it("refuses a two-minor upgrade and a downgrade, allows one minor", () => {
    expect(paths({ runningVersion: "1.31", kubernetesVersion: "1.33" })).toEqual(["kubernetesVersion"]);
    expect(paths({ runningVersion: "1.34", kubernetesVersion: "1.33" })).toEqual(["kubernetesVersion"]);
    expect(paths({ runningVersion: "1.32", kubernetesVersion: "1.33" })).toEqual([]);
    expect(paths({ kubernetesVersion: "1.29" })).toEqual(["kubernetesVersion"]);
  });
  it("refuses a key or network of another cloud or region, overlapping CIDRs, bad pools", () => {
    expect(paths({ key: { ...EU_AWS_KEY, region: "eu-west-1" } })).toEqual(["key"]);
    expect(paths({ podCidr: "10.0.128.0/18" })).toEqual(["podCidr"]);
    expect(paths({ serviceCidr: "100.64.64.0/22" })).toEqual(["serviceCidr"]);
    expect(paths({ systemPool: { minSize: 1 }, workloadPools: [{ name: "General_Pool" }, { name: "x", minSize: 4, maxSize: 2 }] })).toEqual([
      "workloadPools[0].name",
      "workloadPools[1].maxSize",
      "systemPool.minSize",
    ]);
    expect(paths({ zones: 1 })).toEqual(["zones"]);
  });
  it("throws from the constructor", () => {
    expect(() => new WorkloadCluster("bad", { ...args, runningVersion: "1.31" }, { providers: [awsProvider] })).toThrow(pulumi.InputPropertiesError);
    try {
      new WorkloadCluster("bad2", { ...args, endpoint: { access: "public", authorizedCidrs: ["203.0.113.0/24"] } }, { providers: [awsProvider] });
    } catch (e) {
      expect((e as pulumi.InputPropertiesError).errors?.map((x) => x.propertyPath)).toEqual(["endpoint.access"]);
    }
    expect.assertions(2);
  });
});
