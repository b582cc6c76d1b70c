/** GCP-shaped mock outputs: IDs and self links carry the provider's project and region. */
import { FAKE_GCP_PROJECT_NUMBER, fakePublicKeyPem, kindOf, physicalName, str, type MockContext, type ProviderState } from "./shared";

export function gcpProject(ctx: { inputs: Record<string, unknown>; provider: ProviderState | undefined }): string {
  return str(ctx.inputs.project, str(ctx.provider?.inputs.project, "mock-project"));
}

export function gcpRegion(ctx: { inputs: Record<string, unknown>; provider: ProviderState | undefined }): string {
  return str(ctx.inputs.region, str(ctx.inputs.location, str(ctx.provider?.inputs.region, "us-central1")));
}

export function gcpOutputs(ctx: MockContext): Record<string, unknown> {
  const project = gcpProject(ctx);
  const region = gcpRegion(ctx);
  const name = str(ctx.inputs.name, physicalName(ctx));
  const kind = kindOf(ctx.type);
  const compute = `https://www.googleapis.com/compute/v1/projects/${project}`;
  switch (ctx.type) {
    case "gcp:kms/keyRing:KeyRing":
      return { id: `projects/${project}/locations/${region}/keyRings/${name}`, name, location: region };
    case "gcp:kms/cryptoKey:CryptoKey": {
      const ring = str(ctx.inputs.keyRing, `projects/${project}/locations/${region}/keyRings/unknown`);
      return { id: `${ring}/cryptoKeys/${name}`, name };
    }
    case "gcp:artifactregistry/repository:Repository": {
      const repositoryId = str(ctx.inputs.repositoryId, name);
      return { id: `projects/${project}/locations/${region}/repositories/${repositoryId}`, name: repositoryId, location: region, project };
    }
    case "gcp:compute/network:Network":
      return { id: `projects/${project}/global/networks/${name}`, name, selfLink: `${compute}/global/networks/${name}` };
    case "gcp:compute/subnetwork:Subnetwork":
    case "gcp:compute/router:Router":
    case "gcp:compute/haVpnGateway:HaVpnGateway":
    case "gcp:compute/vPNTunnel:VPNTunnel": {
      const collection = { Subnetwork: "subnetworks", Router: "routers", HaVpnGateway: "vpnGateways", VPNTunnel: "vpnTunnels" }[kind];
      return { id: `projects/${project}/regions/${region}/${collection}/${name}`, name, region, selfLink: `${compute}/regions/${region}/${collection}/${name}` };
    }
    case "gcp:serviceaccount/account:Account": {
      const accountId = str(ctx.inputs.accountId, name);
      const email = `${accountId}@${project}.iam.gserviceaccount.com`;
      return { id: `projects/${project}/serviceAccounts/${email}`, email, name: `projects/${project}/serviceAccounts/${email}`, member: `serviceAccount:${email}` };
    }
    case "gcp:projects/serviceIdentity:ServiceIdentity": {
      // A Google-managed service agent: service-<project number>@gcp-sa-<service>.iam.gserviceaccount.com
      const email = `service-${FAKE_GCP_PROJECT_NUMBER}@gcp-sa-${str(ctx.inputs.service, "unknown.googleapis.com").split(".")[0]}.iam.gserviceaccount.com`;
      return { id: `projects/${project}/services/${str(ctx.inputs.service, "unknown")}`, email, member: `serviceAccount:${email}` };
    }
    // Workload Identity Federation names carry the project number (gitops registration).
    case "gcp:iam/workloadIdentityPool:WorkloadIdentityPool": {
      const poolId = str(ctx.inputs.workloadIdentityPoolId, name);
      return { id: `projects/${project}/locations/global/workloadIdentityPools/${poolId}`, name: `projects/${FAKE_GCP_PROJECT_NUMBER}/locations/global/workloadIdentityPools/${poolId}`, project };
    }
    case "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider": {
      const pool = str(ctx.inputs.workloadIdentityPoolId, "pool");
      const providerId = str(ctx.inputs.workloadIdentityPoolProviderId, name);
      return { id: `projects/${project}/locations/global/workloadIdentityPools/${pool}/providers/${providerId}`, name: `projects/${FAKE_GCP_PROJECT_NUMBER}/locations/global/workloadIdentityPools/${pool}/providers/${providerId}`, project };
    }
    case "gcp:orgpolicy/policy:Policy": // guardrails: the id is the policy's name (`folders/N/policies/<constraint>`)
      return { id: name, name };
    default:
      return { id: `projects/${project}/locations/${region}/${kind.toLowerCase()}s/${name}`, name, project };
  }
}

export const gcpInvokes: Record<string, (inputs: Record<string, unknown>, provider: ProviderState | undefined) => Record<string, unknown>> = {
  "gcp:organizations/getProject:getProject": (inputs, provider) => {
    const projectId = str(inputs.projectId, gcpProject({ inputs: {}, provider }));
    return { projectId, number: FAKE_GCP_PROJECT_NUMBER, name: projectId, id: `projects/${projectId}` };
  },
  "gcp:organizations/getClientConfig:getClientConfig": (_i, provider) => ({
    project: gcpProject({ inputs: {}, provider }),
    region: gcpRegion({ inputs: {}, provider }),
    id: "client-config",
    accessToken: "mock-token",
  }),
  "gcp:compute/getZones:getZones": (inputs, provider) => {
    const region = str(inputs.region, gcpRegion({ inputs: {}, provider }));
    return { id: region, names: ["b", "c", "d"].map((z) => `${region}-${z}`), project: gcpProject({ inputs, provider }), region };
  },
  "gcp:compute/getImage:getImage": (inputs) => {
    const family = str(inputs.family, "debian-12");
    const project = str(inputs.project, "debian-cloud");
    const selfLink = `https://www.googleapis.com/compute/v1/projects/${project}/global/images/${family}-v20260101`;
    return { id: selfLink, selfLink, name: `${family}-v20260101`, family, project };
  },
  // The primary version of an asymmetric Cloud KMS key (image signing) and its public half.
  "gcp:kms/getKMSCryptoKeyVersion:getKMSCryptoKeyVersion": (inputs) => {
    const name = `${str(inputs.cryptoKey, "unknown")}/cryptoKeyVersions/1`;
    return { id: name, name, cryptoKey: inputs.cryptoKey, version: 1, state: "ENABLED", algorithm: "EC_SIGN_P256_SHA256", protectionLevel: "HSM", publicKeys: [{ algorithm: "EC_SIGN_P256_SHA256", pem: fakePublicKeyPem(name) }] };
  },
  // The Cloud Storage service agent, which CMEK grants name.
  "gcp:storage/getProjectServiceAccount:getProjectServiceAccount": (inputs, provider) => {
    const email = `service-${FAKE_GCP_PROJECT_NUMBER}@gs-project-accounts.iam.gserviceaccount.com`;
    return { id: email, emailAddress: email, member: `serviceAccount:${email}`, project: gcpProject({ inputs, provider }) };
  },
};
