/**
 * EKS adapter. Secure by default: secrets envelope-encrypted with the domain key, private
 * endpoint only, every control-plane log type to a KMS-encrypted log group with retention,
 * access entries only (`authenticationMode: API`), IRSA and Pod Identity, managed node
 * groups on an encrypted (CMK) launch template with IMDSv2, across the spec's zones, and
 * the VPC CNI with network policy enforcement.
 */
import * as aws from "../sdk/aws";
import * as pulumi from "@pulumi/pulumi";
import { execKubeconfig, minorOf, type AdapterResult, type ClusterSpec, type PoolSpec, type UpgradeSpec } from "./spec";

export const EKS_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

type Parent = { parent: pulumi.Resource };

function keyArn(spec: ClusterSpec): pulumi.Input<string> {
  if (spec.key.cloud !== "aws") throw new Error("EKS needs an AWS key");
  return spec.key.arn;
}

function assumeRole(service: string, extra: string[] = []): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: ["sts:AssumeRole", ...extra] }],
  });
}

function role(name: string, service: string, managedPolicies: string[], spec: ClusterSpec, o: Parent, extra: string[] = []): aws.iam.Role {
  const r = new aws.iam.Role(name, { assumeRolePolicy: assumeRole(service, extra), tags: { ...spec.tags } }, o);
  managedPolicies.forEach((p, i) => new aws.iam.RolePolicyAttachment(`${name}-attach-${i}`, { role: r.name, policyArn: `arn:aws:iam::aws:policy/${p}` }, o));
  return r;
}

function kmsUsePolicy(name: string, r: aws.iam.Role, spec: ClusterSpec, actions: string[], o: Parent): aws.iam.RolePolicy {
  return new aws.iam.RolePolicy(
    name,
    {
      role: r.id,
      policy: pulumi.output(keyArn(spec)).apply((arn) =>
        JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: arn }] }),
      ),
    },
    o,
  );
}

/** The control plane: log group first (else EKS creates an unencrypted one), then the cluster. */
export function createEksControlPlane(name: string, spec: ClusterSpec, parent: pulumi.Resource): aws.eks.Cluster {
  const o = { parent };
  const logGroup = new aws.cloudwatch.LogGroup(
    `${name}-eksLogs`,
    { name: `/aws/eks/${spec.clusterName}/cluster`, retentionInDays: spec.logRetentionDays, kmsKeyId: keyArn(spec), tags: { ...spec.tags } },
    o,
  );
  const clusterRole = role(`${name}-eksRole`, "eks.amazonaws.com", ["AmazonEKSClusterPolicy"], spec, o, ["sts:TagSession"]);
  const kms = kmsUsePolicy(`${name}-eksRole-kms`, clusterRole, spec, ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey", "kms:CreateGrant", "kms:ListGrants"], o);
  const adminEntries = spec.aws.accessEntries ?? [];
  return new aws.eks.Cluster(
    `${name}-eksCluster`,
    {
      name: spec.clusterName,
      version: spec.kubernetesVersion,
      roleArn: clusterRole.arn,
      vpcConfig: {
        subnetIds: spec.network.privateSubnetIds,
        // The domain's peer networks (over the VPNs) reach the private API endpoint.
        ...(spec.network.peerSecurityGroupId ? { securityGroupIds: [spec.network.peerSecurityGroupId] } : {}),
        endpointPrivateAccess: true,
        endpointPublicAccess: spec.publicEndpoint,
        ...(spec.publicEndpoint ? { publicAccessCidrs: [...spec.authorizedCidrs] } : {}),
      },
      encryptionConfig: { resources: ["secrets"], provider: { keyArn: keyArn(spec) } },
      enabledClusterLogTypes: [...EKS_LOG_TYPES],
      accessConfig: {
        authenticationMode: "API",
        // The deployer needs admin to apply the baseline; when an explicit admin principal
        // is configured it gets an access entry instead and the creator gets nothing.
        bootstrapClusterCreatorAdminPermissions: !adminEntries.some((e) => e.clusterAdmin === true),
      },
      kubernetesNetworkConfig: { ipFamily: "ipv4", serviceIpv4Cidr: spec.serviceCidr },
      // Extended support silently costs 6x and hides a missed upgrade.
      upgradePolicy: { supportType: "STANDARD" },
      // We install and pin the add-ons ourselves (vpc-cni with network policy on).
      bootstrapSelfManagedAddons: false,
      deletionProtection: spec.deletionProtection,
      tags: { ...spec.tags, Name: spec.clusterName },
    },
    { parent, dependsOn: [logGroup, kms] },
  );
}

/** A Pod Identity role for one service account of an add-on. */
function podIdentityRole(name: string, spec: ClusterSpec, policies: string[], o: Parent): aws.iam.Role {
  return role(name, "pods.eks.amazonaws.com", policies, spec, o, ["sts:TagSession"]);
}

export function createEks(name: string, spec: ClusterSpec, parent: pulumi.Resource): AdapterResult {
  const o = { parent };
  const cluster = createEksControlPlane(name, spec, parent);
  const identity = aws.getCallerIdentityOutput({}, o);

  // IRSA: the cluster's OIDC issuer as an IAM identity provider (Pod Identity is the default path).
  const issuer = cluster.identities.apply((ids) => ids?.[0]?.oidcs?.[0]?.issuer ?? "");
  new aws.iam.OpenIdConnectProvider(`${name}-oidc`, { url: issuer, clientIdLists: ["sts.amazonaws.com"], tags: { ...spec.tags } }, o);

  // Access entries (authenticationMode API): admins by policy, others by Kubernetes group (bound by the baseline).
  (spec.aws.accessEntries ?? []).forEach((e, i) => {
    const entry = new aws.eks.AccessEntry(
      `${name}-access-${i}`,
      { clusterName: cluster.name, principalArn: e.principalArn, type: "STANDARD", kubernetesGroups: [...(e.groups ?? [])], tags: { ...spec.tags } },
      o,
    );
    if (e.clusterAdmin) {
      new aws.eks.AccessPolicyAssociation(
        `${name}-access-${i}-admin`,
        {
          clusterName: cluster.name,
          principalArn: e.principalArn,
          policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
          accessScope: { type: "cluster" },
        },
        { parent, dependsOn: [entry] },
      );
    }
  });

  // Networking add-ons before nodes: without the CNI no node becomes Ready.
  const podIdentityAgent = new aws.eks.Addon(`${name}-addon-pod-identity`, { clusterName: cluster.name, addonName: "eks-pod-identity-agent", resolveConflictsOnUpdate: "OVERWRITE" }, o);
  const cniRole = podIdentityRole(`${name}-cniRole`, spec, ["AmazonEKS_CNI_Policy"], o);
  const vpcCni = new aws.eks.Addon(
    `${name}-addon-vpc-cni`,
    {
      clusterName: cluster.name,
      addonName: "vpc-cni",
      // Network policy enforcement in the VPC CNI (eBPF agent); without it NetworkPolicies are ignored.
      configurationValues: JSON.stringify({ enableNetworkPolicy: "true" }),
      podIdentityAssociations: [{ roleArn: cniRole.arn, serviceAccount: "aws-node" }],
      resolveConflictsOnUpdate: "OVERWRITE",
    },
    { parent, dependsOn: [podIdentityAgent] },
  );
  const kubeProxy = new aws.eks.Addon(`${name}-addon-kube-proxy`, { clusterName: cluster.name, addonName: "kube-proxy", resolveConflictsOnUpdate: "OVERWRITE" }, o);

  // Nodes: one role, an encrypted launch template, and a grant so Auto Scaling can use the CMK for EBS.
  const nodeRole = role(`${name}-nodeRole`, "ec2.amazonaws.com", ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly"], spec, o);
  const grant = new aws.kms.Grant(
    `${name}-asg-ebs-grant`,
    {
      keyId: keyArn(spec),
      granteePrincipal: pulumi.interpolate`arn:aws:iam::${identity.accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`,
      operations: ["Encrypt", "Decrypt", "ReEncryptFrom", "ReEncryptTo", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "DescribeKey", "CreateGrant"],
    },
    o,
  );
  const pools = [spec.systemPool, ...spec.workloadPools];
  const nodeGroups = pools.map((p) => nodeGroup(name, spec, p, cluster, nodeRole, { parent, dependsOn: [vpcCni, kubeProxy, grant] }));

  const ebsRole = podIdentityRole(`${name}-ebsCsiRole`, spec, ["service-role/AmazonEBSCSIDriverPolicy"], o);
  kmsUsePolicy(`${name}-ebsCsiRole-kms`, ebsRole, spec, ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey", "kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], o);
  const coredns = new aws.eks.Addon(`${name}-addon-coredns`, { clusterName: cluster.name, addonName: "coredns", resolveConflictsOnUpdate: "OVERWRITE" }, { parent, dependsOn: nodeGroups });
  const ebsCsi = new aws.eks.Addon(
    `${name}-addon-ebs-csi`,
    {
      clusterName: cluster.name,
      addonName: "aws-ebs-csi-driver",
      podIdentityAssociations: [{ roleArn: ebsRole.arn, serviceAccount: "ebs-csi-controller-sa" }],
      resolveConflictsOnUpdate: "OVERWRITE",
    },
    { parent, dependsOn: nodeGroups },
  );

  const kubeconfig = pulumi
    .all([cluster.name, cluster.endpoint, cluster.certificateAuthority])
    .apply(([clusterName, endpoint, ca]) =>
      execKubeconfig({
        domain: spec.domain,
        clusterName,
        server: endpoint,
        caData: ca.data ?? "",
        command: "aws",
        args: ["eks", "get-token", "--cluster-name", clusterName, "--region", spec.region, "--output", "json"],
        installHint: "install the AWS CLI v2 (aws eks get-token)",
      }),
    );
  return {
    clusterName: cluster.name,
    endpoint: cluster.endpoint,
    oidcIssuer: issuer,
    kubeconfig: pulumi.secret(kubeconfig),
    // Read back from the cloud: what the control plane runs now, not what config asked for.
    runningVersion: aws.eks.getClusterOutput({ name: cluster.name }, o).version.apply((v) => minorOf(v) ?? v),
    readyResources: [cluster, ...nodeGroups, vpcCni, coredns, ebsCsi],
  };
}

/** A count or a percentage of nodes down at once (EKS surges new nodes on its own). */
export function eksUpdateConfig(u: UpgradeSpec): aws.types.input.eks.NodeGroupUpdateConfig {
  return typeof u.maxUnavailable === "string" ? { maxUnavailablePercentage: Number(u.maxUnavailable.slice(0, -1)) } : { maxUnavailable: u.maxUnavailable };
}

function nodeGroup(name: string, spec: ClusterSpec, p: PoolSpec, cluster: aws.eks.Cluster, nodeRole: aws.iam.Role, opts: pulumi.CustomResourceOptions): aws.eks.NodeGroup {
  const o = { parent: opts.parent! };
  const lt = new aws.ec2.LaunchTemplate(
    `${name}-${p.name}-lt`,
    {
      description: `meridian ${spec.domain} ${spec.clusterName} ${p.name} nodes`,
      blockDeviceMappings: [
        {
          deviceName: "/dev/xvda",
          ebs: { encrypted: "true", kmsKeyId: keyArn(spec), volumeSize: p.diskSizeGb, volumeType: "gp3", deleteOnTermination: "true" },
        },
      ],
      // IMDSv2 only, hop limit 1: pods cannot reach node credentials (they use Pod Identity).
      metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" },
      // Security groups set here replace the cluster security group EKS would add, so it is listed too.
      ...(spec.network.peerSecurityGroupId
        ? { vpcSecurityGroupIds: [cluster.vpcConfig.clusterSecurityGroupId, pulumi.output(spec.network.peerSecurityGroupId)] }
        : {}),
      tagSpecifications: [
        { resourceType: "instance", tags: { ...spec.tags, Name: `${spec.clusterName}-${p.name}` } },
        { resourceType: "volume", tags: { ...spec.tags } },
      ],
      tags: { ...spec.tags },
    },
    o,
  );
  return new aws.eks.NodeGroup(
    `${name}-${p.name}-nodes`,
    {
      clusterName: cluster.name,
      nodeGroupName: p.name,
      nodeRoleArn: nodeRole.arn,
      version: spec.kubernetesVersion,
      amiType: "AL2023_x86_64_STANDARD",
      instanceTypes: [p.machineType],
      // All private subnets: one per zone, so the group spans every zone of the spec.
      subnetIds: spec.network.privateSubnetIds,
      scalingConfig: { minSize: p.minSize, maxSize: p.maxSize, desiredSize: Math.max(p.minSize, 1) },
      launchTemplate: { id: lt.id, version: pulumi.interpolate`${lt.latestVersion}` },
      labels: { ...p.labels },
      taints: p.taints.map((t) => ({ key: t.key, value: t.value, effect: t.effect === "NoSchedule" ? "NO_SCHEDULE" : t.effect === "NoExecute" ? "NO_EXECUTE" : "PREFER_NO_SCHEDULE" })),
      updateConfig: eksUpdateConfig(p.upgrade),
      // Never evict past a PodDisruptionBudget: a blocked drain fails the update instead.
      forceUpdateVersion: false,
      tags: { ...spec.tags },
    },
    {
      ...opts,
      // The cluster autoscaler owns desiredSize after creation.
      // https://www.pulumi.com/registry/packages/aws/api-docs/eks/nodegroup/#ignoring-changes-to-desired-size
      ignoreChanges: ["scalingConfig.desiredSize"],
    },
  );
}
