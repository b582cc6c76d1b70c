/**
 * Whole stacks through the whole pack: a complete, secure EU stack plans with zero
 * violations; a deliberately bad one fails with the expected policy names; the bench
 * entry point runs over planned resources.
 */
import { benchPolicy, syntheticResources } from "../../bench/policy";
import { hasMandatory } from "../../policy-pack/evaluate";
import { awsEu, EU, gcpEu, provider, res, runAll } from "./harness";

const reason = "legacy vendor bucket, migration tracked in TICKET-42";

it("a complete, secure EU AWS workload stack (cloud + Kubernetes) has no violation at all", () => {
  const KEY = "arn:aws:kms:eu-central-1:123456789012:key/11111111-2222-3333-4444-555555555555";
  const IMG = "123456789012.dkr.ecr.eu-central-1.amazonaws.com/web@sha256:" + "c".repeat(64);
  const key = res("aws:kms/key:Key", "residency", { enableKeyRotation: true }, { provider: awsEu });
  const withKey = (prop: string) => ({ provider: awsEu, propertyDependencies: { [prop]: [key.urn] } });
  const bucket = res("aws:s3/bucketV2:BucketV2", "evidence", { bucket: "evidence-eu" }, { provider: awsEu });
  const k8s = provider("kubernetes", "eu-workload-aws", {
    kubeconfig:
      "apiVersion: v1\nclusters:\n- cluster:\n    server: https://ABC.gr7.eu-central-1.eks.amazonaws.com\n  name: eu-workload-aws\ncontexts:\n- context:\n    cluster: eu-workload-aws\n    user: aws\n  name: aws\ncurrent-context: aws\n",
  });
  const stack = [
    res(awsEu.type, "aws-eu", awsEu.props),
    res(k8s.type, "eu-workload-aws", k8s.props),
    res("pulumi:pulumi:StackReference", "foundation", { name: "organization/meridian/eu-foundation-aws" }),
    key,
    res("aws:eks/cluster:Cluster", "eks", {
      encryptionConfig: { resources: ["secrets"], provider: { keyArn: KEY } },
      vpcConfig: { endpointPublicAccess: false, endpointPrivateAccess: true },
      enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
    }, withKey("encryptionConfig")),
    res("aws:ec2/launchTemplate:LaunchTemplate", "nodes", { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", kmsKeyId: KEY } }] }, withKey("blockDeviceMappings")),
    res("aws:eks/nodeGroup:NodeGroup", "nodes", { launchTemplate: { id: "lt-1", version: "1" } }, { provider: awsEu }),
    res("aws:cloudwatch/logGroup:LogGroup", "cluster-logs", { kmsKeyId: KEY, retentionInDays: 400 }, withKey("kmsKeyId")),
    res("aws:ecr/repository:Repository", "web", { encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: KEY }], imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: true } }, withKey("encryptionConfigurations")),
    bucket,
    res("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "evidence", { bucket: "evidence-eu", rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY } }] }, { provider: awsEu, propertyDependencies: { bucket: [bucket.urn], rules: [key.urn] } }),
    res("kubernetes:core/v1:Namespace", "apps", { metadata: { name: "apps", labels: { residency: "eu", "pod-security.kubernetes.io/enforce": "restricted" } } }, { provider: k8s }),
    res("kubernetes:networking.k8s.io/v1:NetworkPolicy", "apps-deny", { metadata: { namespace: "apps" }, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } }, { provider: k8s }),
    res(
      "kubernetes:apps/v1:Deployment",
      "web",
      {
        metadata: { namespace: "apps" },
        spec: {
          template: {
            spec: {
              securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
              containers: [{ name: "web", image: IMG, securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } } }],
            },
          },
        },
      },
      { provider: k8s },
    ),
    res("kubernetes:storage.k8s.io/v1:StorageClass", "encrypted", { provisioner: "ebs.csi.aws.com", parameters: { encrypted: "true", kmsKeyId: KEY } }, { provider: k8s }),
  ];
  expect(runAll(stack)).toEqual([]);
});

it("a deliberately bad EU stack fails with the expected policies", () => {
  const bad = [
    res("aws:eks/cluster:Cluster", "eks", { vpcConfig: { endpointPublicAccess: false, endpointPrivateAccess: true }, enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"] }, { provider: awsEu }),
    res("aws:ecr/repository:Repository", "repo", { encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: "arn:aws:kms:eu-central-1:1:key/k" }], imageTagMutability: "MUTABLE", imageScanningConfiguration: { scanOnPush: true } }, { provider: awsEu }),
    res("gcp:storage/bucket:Bucket", "archive", { location: "US", encryption: { defaultKmsKeyName: "projects/p/locations/europe-west1/keyRings/r/cryptoKeys/k" }, publicAccessPrevention: "enforced" }, { provider: gcpEu }),
  ];
  const vs = runAll(bad, { ...EU, exemptions: [{ policy: "meridian-gcp-storage-bucket-harden", resource: "archive", reason, expires: "2021-01-01" }] });
  expect(hasMandatory(vs)).toBe(true);
  expect([...new Set(vs.filter((v) => v.level === "mandatory").map((v) => v.policy))].sort()).toEqual([
    "meridian-aws-ecr-repository-harden",
    "meridian-aws-eks-cluster-encrypt",
    "meridian-governance-exemption-expire",
    "meridian-residency-resource-region-allowlist",
  ]);
});

it("benchPolicy evaluates planned resources and reports its figures", async () => {
  const resources = syntheticResources(300);
  const r = await benchPolicy(resources, 20);
  expect(r.resources).toBe(300);
  expect(r.policies).toBeGreaterThan(40);
  expect(r.msPerResource).toBeGreaterThan(0);
});
