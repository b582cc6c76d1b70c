import { findAll, findOne, installMocks, settle, valueOf } from "../../support/mocks";
import * as aws from "@pulumi/aws";
import * as azure from "@pulumi/azure-native";
import * as gcp from "@pulumi/gcp";
import { ResidencyKey } from "../../../components/kms";
import { ResidencyRegistry, validateResidencyRegistryArgs } from "../../../components/registry";

const cloud = installMocks();

describe("ResidencyRegistry", () => {
  it("ECR: KMS with the domain key, immutable tags, scan on push, enhanced scanning, no replication", async () => {
    const provider = new aws.Provider("p-aws", { region: "eu-central-1" });
    const key = new ResidencyKey("k", { domain: "eu", cloud: "aws", region: "eu-central-1" }, { providers: [provider] });
    const reg = new ResidencyRegistry("r", { domain: "eu", key: key.handle }, { providers: [provider] });
    const prefixes = await valueOf(reg.imagePrefixes);
    await settle();
    const repos = findAll(cloud, "aws:ecr/repository:Repository");
    expect(repos.map((r) => r.inputs.name)).toEqual(["meridian/eu/platform", "meridian/eu/apps"]);
    const arn = await valueOf(key.keyId);
    for (const r of repos) {
      expect(r.inputs.imageTagMutability).toBe("IMMUTABLE");
      expect(r.inputs.imageScanningConfiguration).toEqual({ scanOnPush: true });
      expect(r.inputs.encryptionConfigurations).toEqual([{ encryptionType: "KMS", kmsKey: arn }]);
    }
    expect(findOne(cloud, "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration").inputs.scanType).toBe("ENHANCED");
    expect(findAll(cloud, "aws:ecr/replicationConfiguration:ReplicationConfiguration")).toHaveLength(0);
    expect(prefixes).toEqual(["123456789012.dkr.ecr.eu-central-1.amazonaws.com/meridian/eu/"]);
  });

  it("ACR: Premium, CMK through a user-assigned identity with a versionless key URI, admin off, private", async () => {
    const provider = new azure.Provider("p-az", { location: "westeurope" });
    const key = new ResidencyKey("kz", { domain: "eu", cloud: "azure", region: "westeurope" }, { providers: [provider] });
    const reg = new ResidencyRegistry("rz", { domain: "eu", key: key.handle }, { providers: [provider] });
    const prefixes = await valueOf(reg.imagePrefixes);
    await settle();
    const acr = findOne(cloud, "azure-native:containerregistry:Registry");
    expect(acr.inputs.sku).toEqual({ name: "Premium" });
    expect(acr.inputs.adminUserEnabled).toBe(false);
    expect(acr.inputs.publicNetworkAccess).toBe("Disabled");
    const enc = acr.inputs.encryption as { status: string; keyVaultProperties: { keyIdentifier: string; identity: string } };
    expect(enc.status).toBe("enabled");
    expect(enc.keyVaultProperties.keyIdentifier).toMatch(/\/keys\/[^/]+$/);
    const identity = findOne(cloud, "azure-native:managedidentity:UserAssignedIdentity", "rz");
    expect(enc.keyVaultProperties.identity).toBe(identity.state.clientId);
    const grant = findOne(cloud, "azure-native:authorization:RoleAssignment", "rz");
    expect(grant.inputs.principalId).toBe(identity.state.principalId);
    expect(findAll(cloud, "azure-native:containerregistry:Replication")).toHaveLength(0);
    expect(prefixes[0]).toMatch(/\.azurecr\.io\/$/);
  });

  it("Artifact Registry: Docker, CMEK, immutable tags, scanning, service agent granted the key", async () => {
    const provider = new gcp.Provider("p-gcp", { project: "meridian-eu-prod", region: "europe-west1" });
    const key = new ResidencyKey("kg", { domain: "eu", cloud: "gcp", region: "europe-west1" }, { providers: [provider] });
    const reg = new ResidencyRegistry("rg", { domain: "eu", key: key.handle, repositories: ["platform"] }, { providers: [provider] });
    const prefixes = await valueOf(reg.imagePrefixes);
    await settle();
    const repo = findOne(cloud, "gcp:artifactregistry/repository:Repository");
    expect(repo.inputs.format).toBe("DOCKER");
    expect(repo.inputs.location).toBe("europe-west1");
    expect(repo.inputs.kmsKeyName).toBe(await valueOf(key.keyId));
    expect(repo.inputs.dockerConfig).toEqual({ immutableTags: true });
    const grant = findOne(cloud, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember");
    expect(grant.inputs.member).toMatch(/^serviceAccount:service-\d+@gcp-sa-artifactregistry\.iam\.gserviceaccount\.com$/);
    expect(prefixes).toEqual(["europe-west1-docker.pkg.dev/meridian-eu-prod/eu-platform/"]);
  });

  it("validates repository names and the key's domain", () => {
    const key = { domain: "us", cloud: "aws", region: "us-east-1", arn: "x" } as never;
    const problems = validateResidencyRegistryArgs({ domain: "eu", key, repositories: ["Bad Name", "ok", "ok"] });
    expect(problems.map((p) => p.propertyPath).sort()).toEqual(["key", "repositories", "repositories[0]"]);
  });
});
