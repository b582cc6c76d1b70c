/**
 * Policy evaluation cost: every meridian policy over a set of planned resources, per
 * stack (grouped by the stack in each URN), exactly as the fleet plan runs it.
 *
 *   benchPolicy(resources) → { msPerResource, policies, resources }
 *
 * `npx tsx bench/policy.ts [count]` runs it on a synthetic, realistic fleet (all three
 * clouds, Kubernetes objects, providers, property dependencies, secrets and unknowns).
 */
import { performance } from "node:perf_hooks";
import { evaluateStack, type PackConfig, type PlannedResource } from "../policy-pack/evaluate";
import { allPolicies } from "../policy-pack/policies";

export interface PolicyBench {
  /** CPU milliseconds (user + system) per resource: robust on a shared machine, unlike wall time. */
  msPerResource: number;
  policies: number;
  resources: number;
}

/** Wall-clock figure of the last run, for the CLI output. */
export const lastWallMsPerResource = { value: 0 };

function stackOf(urn: string): string {
  const m = /^urn:pulumi:([^:]+)::/.exec(urn);
  return m ? m[1]! : "default";
}

/** The config the plan would pass for a stack named `<domain>-…`. */
function configFor(stack: string, stackDomains: Record<string, "eu" | "us">): PackConfig {
  const domain = stack.startsWith("us-") ? "us" : "eu";
  return {
    domain,
    stackDomains,
    registries: { eu: ["123456789012.dkr.ecr.eu-central-1.amazonaws.com/"], us: ["123456789012.dkr.ecr.us-east-1.amazonaws.com/"] },
  };
}

export async function benchPolicy(resources: PlannedResource[], minMs = 500): Promise<PolicyBench> {
  const byStack = new Map<string, PlannedResource[]>();
  for (const r of resources) {
    const s = stackOf(r.urn);
    const list = byStack.get(s) ?? [];
    list.push(r);
    byStack.set(s, list);
  }
  const stackDomains = Object.fromEntries([...byStack.keys()].map((s) => [s, s.startsWith("us-") ? "us" : "eu"] as const));
  const configs = new Map([...byStack.keys()].map((s) => [s, configFor(s, stackDomains)]));
  const once = () => {
    for (const [stack, list] of byStack) {
      evaluateStack(stack, list, configs.get(stack)!);
    }
  };
  once(); // warm-up: JIT, config parsing and caches, as in a plan that evaluates many stacks
  let iterations = 0;
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  do {
    once();
    iterations++;
  } while (performance.now() - start < minMs && iterations < 1000);
  const wall = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  await Promise.resolve();
  const per = (ms: number) => (resources.length === 0 ? 0 : ms / (iterations * resources.length));
  lastWallMsPerResource.value = per(wall);
  return {
    msPerResource: per(cpuMs),
    policies: allPolicies.length,
    resources: resources.length,
  };
}

// ------------------------------------------------------------------------------------------
// Synthetic fleet.

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const DIGEST = "@sha256:" + "b".repeat(64);

export function syntheticResources(count: number): PlannedResource[] {
  const out: PlannedResource[] = [];
  const stacks = ["eu-workload-aws", "eu-workload-azure", "eu-workload-gcp", "us-workload-aws", "us-workload-azure", "us-workload-gcp"];
  let i = 0;
  const add = (stack: string, type: string, name: string, props: Record<string, unknown>, provider?: PlannedResource["provider"], propertyDependencies: Record<string, string[]> = {}) => {
    const r: PlannedResource = {
      urn: `urn:pulumi:${stack}::meridian::${type}::${name}`,
      type,
      name,
      props,
      ...(provider ? { provider } : {}),
      dependencies: Object.values(propertyDependencies).flat(),
      propertyDependencies,
    };
    out.push(r);
    return r;
  };
  while (out.length < count) {
    const stack = stacks[i % stacks.length]!;
    const us = stack.startsWith("us-");
    const n = `${i}`;
    const region = us ? "us-east-1" : "eu-central-1";
    const key = `arn:aws:kms:${region}:123456789012:key/k${n}`;
    if (i % stacks.length === 0 || i % stacks.length === 3) {
      if (out.filter((r) => r.urn.startsWith(`urn:pulumi:${stack}::`)).length === 0) {
        add(stack, "pulumi:pulumi:Stack", `meridian-${stack}`, {});
      }
      const aws = add(stack, "pulumi:providers:aws", `aws-${n}`, { region }).urn;
      const awsp = { urn: aws, type: "pulumi:providers:aws", props: { region } };
      const kmsKey = add(stack, "aws:kms/key:Key", `key-${n}`, { enableKeyRotation: true }, awsp);
      add(stack, "aws:eks/cluster:Cluster", `eks-${n}`, {
        encryptionConfig: { resources: ["secrets"], provider: { keyArn: key } },
        vpcConfig: { endpointPublicAccess: false, endpointPrivateAccess: true, subnetIds: [UNKNOWN] },
        enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
        roleArn: UNKNOWN,
      }, awsp, { "encryptionConfig": [kmsKey.urn] });
      add(stack, "aws:ec2/launchTemplate:LaunchTemplate", `lt-${n}`, { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true", kmsKeyId: key, volumeSize: 50 } }] }, awsp);
      add(stack, "aws:eks/nodeGroup:NodeGroup", `ng-${n}`, { launchTemplate: { id: UNKNOWN, version: "1" }, scalingConfig: { minSize: 1, maxSize: 3, desiredSize: 2 } }, awsp);
      add(stack, "aws:cloudwatch/logGroup:LogGroup", `lg-${n}`, { kmsKeyId: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: key }, retentionInDays: 400 }, awsp);
      add(stack, "aws:ecr/repository:Repository", `repo-${n}`, { encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: key }], imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: true } }, awsp);
      add(stack, "aws:ec2/subnet:Subnet", `subnet-${n}`, { vpcId: UNKNOWN, cidrBlock: "10.0.0.0/20", availabilityZone: `${region}a` }, awsp);
    } else if (i % stacks.length === 1 || i % stacks.length === 4) {
      const location = us ? "eastus" : "westeurope";
      const az = add(stack, "pulumi:providers:azure-native", `az-${n}`, { location }).urn;
      const azp = { urn: az, type: "pulumi:providers:azure-native", props: { location } };
      const vault = add(stack, "azure-native:keyvault:Vault", `kv-${n}`, { location, properties: { enablePurgeProtection: true, publicNetworkAccess: "Disabled" } }, azp);
      const k = add(stack, "azure-native:keyvault:Key", `kek-${n}`, { vaultName: UNKNOWN, properties: { kty: "RSA-HSM", attributes: { expires: 1900000000 }, rotationPolicy: {} } }, azp, { vaultName: [vault.urn] });
      add(stack, "azure-native:containerservice:ManagedCluster", `aks-${n}`, {
        location,
        securityProfile: { azureKeyVaultKms: { enabled: true, keyId: UNKNOWN, keyVaultNetworkAccess: "Private" } },
        diskEncryptionSetID: "/subscriptions/s/des",
        agentPoolProfiles: [{ name: "system", enableEncryptionAtHost: true, count: 3 }],
        apiServerAccessProfile: { enablePrivateCluster: true },
        disableLocalAccounts: true,
        aadProfile: { managed: true, enableAzureRBAC: true },
      }, azp, { securityProfile: [k.urn] });
      add(stack, "azure-native:storage:StorageAccount", `sa${n}`, { location, sku: { name: "Standard_ZRS" }, encryption: { keySource: "Microsoft.Keyvault", requireInfrastructureEncryption: true }, minimumTlsVersion: "TLS1_2", enableHttpsTrafficOnly: true }, azp);
      add(stack, "azure-native:network:VirtualNetwork", `vnet-${n}`, { location, addressSpace: { addressPrefixes: ["10.1.0.0/16"] } }, azp);
    } else {
      const gregion = us ? "us-central1" : "europe-west1";
      const gkey = `projects/p/locations/${gregion}/keyRings/r/cryptoKeys/k${n}`;
      const gcp = add(stack, "pulumi:providers:gcp", `gcp-${n}`, { project: "p", region: gregion }).urn;
      const gp = { urn: gcp, type: "pulumi:providers:gcp", props: { project: "p", region: gregion } };
      add(stack, "gcp:container/cluster:Cluster", `gke-${n}`, {
        location: gregion,
        databaseEncryption: { state: "ENCRYPTED", keyName: gkey },
        privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: true },
        workloadIdentityConfig: { workloadPool: "p.svc.id.goog" },
        binaryAuthorization: { evaluationMode: "PROJECT_SINGLETON_POLICY_ENFORCE" },
        loggingConfig: { enableComponents: ["SYSTEM_COMPONENTS", "APISERVER"] },
      }, gp);
      add(stack, "gcp:container/nodePool:NodePool", `np-${n}`, { location: gregion, nodeConfig: { bootDiskKmsKey: gkey, machineType: "e2-standard-4" } }, gp);
      add(stack, "gcp:storage/bucket:Bucket", `b-${n}`, { location: us ? "US" : "EU", encryption: { defaultKmsKeyName: gkey }, publicAccessPrevention: "enforced" }, gp);
      const k8s = add(stack, "pulumi:providers:kubernetes", `k8s-${n}`, { context: stack }).urn;
      const kp = { urn: k8s, type: "pulumi:providers:kubernetes", props: { context: stack } };
      const domain = us ? "us" : "eu";
      add(stack, "kubernetes:core/v1:Namespace", `ns-${n}`, { metadata: { name: `ns-${n}`, labels: { residency: domain, "pod-security.kubernetes.io/enforce": "restricted" } } }, kp);
      add(stack, "kubernetes:networking.k8s.io/v1:NetworkPolicy", `deny-${n}`, { metadata: { namespace: `ns-${n}` }, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } }, kp);
      add(stack, "kubernetes:apps/v1:Deployment", `web-${n}`, {
        metadata: { namespace: `ns-${n}` },
        spec: { replicas: 2, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: `123456789012.dkr.ecr.${us ? "us-east-1" : "eu-central-1"}.amazonaws.com/web${DIGEST}`, ports: [{ containerPort: 8080 }] }] } } },
      }, kp);
    }
    i++;
  }
  return out.slice(0, count);
}

if (require.main === module) {
  const count = Number(process.argv[2] ?? 3000);
  void benchPolicy(syntheticResources(count)).then((r) => console.log(JSON.stringify({ policy: r, wallMsPerResource: lastWallMsPerResource.value })));
}
