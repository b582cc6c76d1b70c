/**
 * Azure encryption rules (AZ-01, AZ-02, AZ-04, AZ-05, AZ-06). AZ-03 (private AKS) and
 * AKS audit logging are in baseline.ts, AZ-07 (VPN) in interconnect.ts.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { resourcePolicy } from "../lib/define";
import { arrayAt, equalsCI, expect, isSet, isTrue, UNKNOWN } from "../lib/values";

const SOC2_ENCRYPTION = ["SOC2 CC6.1", "SOC2 CC6.7"];
const MANAGED_CLUSTER = "azure-native:containerservice:ManagedCluster";
const AGENT_POOL = "azure-native:containerservice:AgentPool";

export const aksKmsEncrypt: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-azure-aks-kms-encrypt",
    area: "azure",
    rules: ["AZ-01"],
    description: "AKS clusters encrypt Kubernetes secrets with a Key Vault key (KMS v2) reached over a private Key Vault.",
    why: "etcd encryption with the domain's Key Vault key keeps Secrets decryptable only in the domain; a public Key Vault widens the attack surface.",
    remediation:
      "Set `securityProfile.azureKeyVaultKms: { enabled: true, keyId: <key URL>, keyVaultNetworkAccess: \"Private\", keyVaultResourceId: <vault id> }`.",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: SOC2_ENCRYPTION,
    types: [MANAGED_CLUSTER],
  },
  (r, ctx) => {
    const base = "securityProfile.azureKeyVaultKms.";
    expect(ctx, r.props, `${base}enabled`, isTrue, `${base}enabled must be true`);
    expect(ctx, r.props, `${base}keyId`, isSet, `${base}keyId must name the domain's Key Vault key`);
    expect(ctx, r.props, `${base}keyVaultNetworkAccess`, equalsCI("Private"), `${base}keyVaultNetworkAccess must be "Private"`);
  },
);

export const aksDiskEncrypt: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-azure-aks-disk-encrypt",
    area: "azure",
    rules: ["AZ-02"],
    description: "AKS OS/data disks use a disk encryption set and every node pool enables encryption at host.",
    why: "Without a disk encryption set the disks use platform keys; without encryption at host temp disks and caches are unencrypted.",
    remediation:
      "Set `diskEncryptionSetID` on the ManagedCluster and `enableEncryptionAtHost: true` on every agent pool profile and AgentPool.",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: SOC2_ENCRYPTION,
    types: [MANAGED_CLUSTER, AGENT_POOL],
  },
  (r, ctx) => {
    if (r.type === AGENT_POOL) {
      expect(ctx, r.props, "enableEncryptionAtHost", isTrue, "enableEncryptionAtHost must be true");
      return;
    }
    expect(ctx, r.props, "diskEncryptionSetID", isSet, "diskEncryptionSetID must name the domain's disk encryption set");
    const pools = arrayAt(r.props, "agentPoolProfiles");
    if (pools === UNKNOWN) {
      ctx.unknown("agentPoolProfiles");
      return;
    }
    pools.forEach((p, i) =>
      expect(ctx, p, "enableEncryptionAtHost", isTrue, `agentPoolProfiles[${i}].enableEncryptionAtHost must be true`, `agentPoolProfiles[${i}].`),
    );
  },
);

export const keyVaultProtect: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-azure-keyvault-vault-protect",
    area: "azure",
    rules: ["AZ-04"],
    description: "Key Vaults have purge protection (and soft delete) on and public network access disabled.",
    why: "Without purge protection a deleted vault takes every key (and so every encrypted disk and secret) with it.",
    remediation: "Set `properties.enablePurgeProtection: true`, keep `enableSoftDelete` true, and `properties.publicNetworkAccess: \"Disabled\"` with a private endpoint.",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: [...SOC2_ENCRYPTION, "SOC2 A1.2"],
    types: ["azure-native:keyvault:Vault"],
  },
  (r, ctx) => {
    expect(ctx, r.props, "properties.enablePurgeProtection", isTrue, "properties.enablePurgeProtection must be true");
    expect(ctx, r.props, "properties.enableSoftDelete", (v) => v !== false, "properties.enableSoftDelete must not be false");
    expect(ctx, r.props, "properties.publicNetworkAccess", equalsCI("Disabled"), "properties.publicNetworkAccess must be \"Disabled\"");
  },
);

export const keyVaultKeyHarden: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-azure-keyvault-key-harden",
    area: "azure",
    rules: ["AZ-04"],
    description: "Key Vault keys are HSM-backed, have an expiry and a rotation policy.",
    why: "HSM keys cannot be exported; expiry and rotation bound the data under one key version.",
    remediation:
      "Set `properties.kty: \"RSA-HSM\"` (or `EC-HSM`), `properties.attributes.expires` (epoch seconds), and `properties.rotationPolicy` with a Rotate lifetime action.",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: SOC2_ENCRYPTION,
    types: ["azure-native:keyvault:Key"],
  },
  (r, ctx) => {
    expect(ctx, r.props, "properties.kty", equalsCI("RSA-HSM", "EC-HSM", "oct-HSM"), "properties.kty must be an HSM key type (RSA-HSM, EC-HSM)");
    expect(ctx, r.props, "properties.attributes.expires", isSet, "properties.attributes.expires must be set");
    expect(ctx, r.props, "properties.rotationPolicy", isSet, "properties.rotationPolicy must be set");
  },
);

export const acrRegistryHarden: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-azure-acr-registry-harden",
    area: "azure",
    rules: ["AZ-05"],
    description: "Container registries are Premium, encrypted with a Key Vault key, private, without the admin user.",
    why: "CMK needs Premium; a public registry or the shared admin credential lets images leave (or enter) the domain unseen.",
    remediation:
      "Set `sku.name: \"Premium\"`, `encryption: { status: \"enabled\", keyVaultProperties: { keyIdentifier, identity } }`, `publicNetworkAccess: \"Disabled\"`, `adminUserEnabled: false`.",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: [...SOC2_ENCRYPTION, "SOC2 CC6.6"],
    types: ["azure-native:containerregistry:Registry"],
  },
  (r, ctx) => {
    expect(ctx, r.props, "sku.name", equalsCI("Premium"), "sku.name must be \"Premium\" (required for customer-managed keys)");
    expect(ctx, r.props, "encryption.status", equalsCI("enabled"), "encryption.status must be \"enabled\"");
    expect(ctx, r.props, "encryption.keyVaultProperties.keyIdentifier", isSet, "encryption.keyVaultProperties.keyIdentifier must name the domain's Key Vault key");
    expect(ctx, r.props, "publicNetworkAccess", equalsCI("Disabled"), "publicNetworkAccess must be \"Disabled\"");
    expect(ctx, r.props, "adminUserEnabled", (v) => v !== true, "adminUserEnabled must be false");
  },
);

export const storageAccountEncrypt: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-azure-storage-account-encrypt",
    area: "azure",
    rules: ["AZ-06"],
    description: "Storage accounts use a Key Vault key, infrastructure encryption, TLS 1.2+ and HTTPS only.",
    why: "Microsoft-managed keys are not the domain's key; double encryption and modern TLS close the remaining gaps.",
    remediation:
      "Set `encryption: { keySource: \"Microsoft.Keyvault\", keyVaultProperties: {...}, requireInfrastructureEncryption: true }`, `minimumTlsVersion: \"TLS1_2\"`, `enableHttpsTrafficOnly: true`.",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: SOC2_ENCRYPTION,
    types: ["azure-native:storage:StorageAccount"],
  },
  (r, ctx) => {
    const source = expect(ctx, r.props, "encryption.keySource", equalsCI("Microsoft.Keyvault"), "encryption.keySource must be \"Microsoft.Keyvault\"");
    if (equalsCI("Microsoft.Keyvault")(source)) {
      // The key itself, so that RES-05 can tell whose it is (Key Vault URI → vault → location).
      expect(ctx, r.props, "encryption.keyVaultProperties.keyVaultUri", isSet, "encryption.keyVaultProperties.keyVaultUri must name the domain's Key Vault");
      expect(ctx, r.props, "encryption.keyVaultProperties.keyName", isSet, "encryption.keyVaultProperties.keyName must name the domain's key");
    }
    expect(ctx, r.props, "encryption.requireInfrastructureEncryption", isTrue, "encryption.requireInfrastructureEncryption must be true");
    expect(ctx, r.props, "minimumTlsVersion", equalsCI("TLS1_2", "TLS1_3"), "minimumTlsVersion must be \"TLS1_2\" or newer");
    expect(ctx, r.props, "enableHttpsTrafficOnly", isTrue, "enableHttpsTrafficOnly must be true");
  },
);

export const azurePolicies = [aksKmsEncrypt, aksDiskEncrypt, keyVaultProtect, keyVaultKeyHarden, acrRegistryHarden, storageAccountEncrypt];
