/**
 * Mock outputs for cluster types (EKS, AKS, GKE) — owned by the clusters area. Shaped like
 * the real providers' outputs the cluster components read (endpoints, CA data, OIDC
 * issuers), carrying the provider's region so residency checks see what they would see.
 */
import { awsRegion } from "./aws";
import { azureLocation } from "./azure";
import { gcpProject, gcpRegion } from "./gcp";
import { awsAccountOf, FAKE_AZURE_TENANT, physicalName, plain, stableHash, str, type MockContext } from "./shared";

/** Base64 of a syntactically valid (fake) PEM, as clouds return CA data. */
function fakeCaData(seed: string): string {
  const body = Buffer.from(`meridian-mock-ca-${stableHash(seed, 16)}`).toString("base64");
  return Buffer.from(`-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`).toString("base64");
}

export const clusterShapers: Record<string, (ctx: MockContext) => Record<string, unknown>> = {
  "aws:eks/cluster:Cluster": (ctx) => {
    const region = awsRegion(ctx);
    const name = str(ctx.inputs.name, physicalName(ctx));
    const oidcId = stableHash(`${region}/${name}`, 32).toUpperCase();
    const vpcConfig = (plain(ctx.inputs.vpcConfig) ?? {}) as Record<string, unknown>;
    return {
      id: name,
      name,
      arn: `arn:aws:eks:${region}:${awsAccountOf(ctx.provider)}:cluster/${name}`,
      endpoint: `https://${oidcId}.gr7.${region}.eks.amazonaws.com`,
      certificateAuthority: { data: fakeCaData(name) },
      identities: [{ oidcs: [{ issuer: `https://oidc.eks.${region}.amazonaws.com/id/${oidcId}` }] }],
      vpcConfig: { ...vpcConfig, clusterSecurityGroupId: `sg-${stableHash(name + "csg", 17)}` },
      status: "ACTIVE",
      platformVersion: "eks.1",
    };
  },
  "aws:eks/nodeGroup:NodeGroup": (ctx) => {
    const region = awsRegion(ctx);
    const cluster = str(ctx.inputs.clusterName, "cluster");
    const group = str(ctx.inputs.nodeGroupName, physicalName(ctx));
    return {
      id: `${cluster}:${group}`,
      arn: `arn:aws:eks:${region}:${awsAccountOf(ctx.provider)}:nodegroup/${cluster}/${group}/${stableHash(ctx.name, 8)}`,
      status: "ACTIVE",
    };
  },
  "aws:eks/addon:Addon": (ctx) => {
    const region = awsRegion(ctx);
    const cluster = str(ctx.inputs.clusterName, "cluster");
    const addon = str(ctx.inputs.addonName, ctx.name);
    return { id: `${cluster}:${addon}`, arn: `arn:aws:eks:${region}:${awsAccountOf(ctx.provider)}:addon/${cluster}/${addon}/${stableHash(ctx.name, 8)}`, addonVersion: "v0.0.0-eksbuild.1" };
  },
  "aws:ec2/launchTemplate:LaunchTemplate": () => ({ latestVersion: 1, defaultVersion: 1 }),
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": (ctx) => {
    const url = str(ctx.inputs.url, "https://oidc.example").replace(/^https:\/\//, "");
    const arn = `arn:aws:iam::${awsAccountOf(ctx.provider)}:oidc-provider/${url}`;
    return { id: arn, arn };
  },
  "azure-native:containerservice:ManagedCluster": (ctx) => {
    const location = azureLocation(ctx);
    const name = str(ctx.inputs.resourceName, physicalName(ctx));
    const dns = str(ctx.inputs.dnsPrefix, name);
    const h = stableHash(`${location}/${name}`, 8);
    return {
      fqdn: `${dns}-${h}.hcp.${location}.azmk8s.io`,
      privateFQDN: `${dns}-${h}.privatelink.${location}.azmk8s.io`,
      oidcIssuerProfile: { enabled: true, issuerURL: `https://${location}.oic.prod-aks.azure.com/${FAKE_AZURE_TENANT}/${stableHash(name, 8)}-0000-4000-8000-${stableHash(name, 12)}/` },
      provisioningState: "Succeeded",
      currentKubernetesVersion: str(ctx.inputs.kubernetesVersion, "1.33"),
    };
  },
  "azure-native:compute:DiskEncryptionSet": (ctx) => ({
    identity: { type: "SystemAssigned", principalId: `${stableHash(ctx.name + "p", 8)}-0000-4000-8000-${stableHash(ctx.name + "p2", 12)}`, tenantId: FAKE_AZURE_TENANT },
  }),
  "gcp:container/cluster:Cluster": (ctx) => {
    const project = gcpProject(ctx);
    const location = gcpRegion(ctx);
    const name = str(ctx.inputs.name, physicalName(ctx));
    const hash = parseInt(stableHash(name, 4), 16);
    return {
      id: `projects/${project}/locations/${location}/clusters/${name}`,
      name,
      location,
      endpoint: `172.31.${hash % 256}.2`,
      masterAuth: { clusterCaCertificate: fakeCaData(name), clientCertificateConfig: { issueClientCertificate: false } },
      selfLink: `https://container.googleapis.com/v1/projects/${project}/locations/${location}/clusters/${name}`,
      masterVersion: `${str(ctx.inputs.minMasterVersion, "1.33")}.1-gke.100`,
    };
  },
  "gcp:container/nodePool:NodePool": (ctx) => {
    const project = gcpProject(ctx);
    const location = gcpRegion(ctx);
    const name = str(ctx.inputs.name, physicalName(ctx));
    return { id: `projects/${project}/locations/${location}/clusters/-/nodePools/${name}`, name, location };
  },
};

/**
 * Answer for `azure-native:containerservice:listManagedClusterUserCredentials` (an invoke,
 * so MockCloud.call must route it; see the note in the clusters issue). Returns an
 * exec-format kubeconfig whose CA the AKS adapter reads.
 */
export function aksUserCredentials(inputs: Record<string, unknown>): Record<string, unknown> {
  const name = str(inputs.resourceName, "aks");
  const kubeconfig = [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    `- name: ${name}`,
    "  cluster:",
    `    certificate-authority-data: ${fakeCaData(name)}`,
    `    server: https://${name}.privatelink.azmk8s.io:443`,
    "",
  ].join("\n");
  return { kubeconfigs: [{ name: "clusterUser", value: Buffer.from(kubeconfig).toString("base64") }] };
}

/** What the cluster data sources need of the mock's records. */
type RecordedResource = { readonly type: string; readonly state: Record<string, unknown> };

/**
 * The cluster data sources (`runningVersion`): the mock cloud runs exactly what was last
 * registered, so each answers from the recorded cluster of that name — its version as the
 * cloud reports it (EKS `1.33`, AKS `1.33.<patch>`, GKE `1.33.<patch>-gke.<build>`). A name
 * with no recorded cluster fails, like any data source the mock cannot answer.
 */
export const clusterVersionInvokes: Record<string, (inputs: Record<string, unknown>, records: readonly RecordedResource[]) => Record<string, unknown>> = {
  "aws:eks/getCluster:getCluster": (inputs, records) => {
    const state = recordedCluster(records, "aws:eks/cluster:Cluster", "name", inputs.name);
    return { ...state, version: str(state.version, "1.33") };
  },
  "azure-native:containerservice:getManagedCluster": (inputs, records) => {
    const state = recordedCluster(records, "azure-native:containerservice:ManagedCluster", "resourceName", inputs.resourceName);
    return { ...state, currentKubernetesVersion: `${str(state.currentKubernetesVersion, "1.33")}.4` };
  },
  "gcp:container/getCluster:getCluster": (inputs, records) => recordedCluster(records, "gcp:container/cluster:Cluster", "name", inputs.name),
};

function recordedCluster(records: readonly RecordedResource[], type: string, key: string, name: unknown): Record<string, unknown> {
  const found = [...records].reverse().find((r) => r.type === type && r.state[key] === name);
  if (found === undefined) throw new Error(`mock cloud: data source for ${type} "${String(name)}" but no such cluster was registered`);
  return found.state;
}
