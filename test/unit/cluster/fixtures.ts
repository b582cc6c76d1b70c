/** Resident handles for cluster tests (minted the way stack references mint them). */
import { claimResident, type KeyHandle, type NetworkHandle, type RegistryHandle } from "../../../components/residency";

export const EU_AWS_KEY = claimResident("eu", {
  cloud: "aws" as const,
  region: "eu-central-1",
  arn: "arn:aws:kms:eu-central-1:123456789012:key/eu-key",
}) as KeyHandle<"eu"> & { readonly cloud: "aws"; readonly arn: string };
export const US_AWS_KEY = claimResident("us", {
  cloud: "aws" as const,
  region: "us-east-1",
  arn: "arn:aws:kms:us-east-1:123456789012:key/us-key",
}) as KeyHandle<"us">;
export const EU_AWS_NETWORK: NetworkHandle<"eu"> = claimResident("eu", {
  cloud: "aws" as const,
  region: "eu-central-1",
  networkId: "vpc-eu",
  privateSubnetIds: ["subnet-a", "subnet-b", "subnet-c"],
  cidr: "10.0.0.0/16",
});
export const EU_AWS_REGISTRY: RegistryHandle<"eu"> & { readonly imagePrefixes: string[] } = claimResident("eu", {
  cloud: "aws" as const,
  region: "eu-central-1",
  imagePrefixes: ["123456789012.dkr.ecr.eu-central-1.amazonaws.com/"],
});

export const EU_GCP_KEY = claimResident("eu", {
  cloud: "gcp" as const,
  region: "europe-west1",
  cryptoKeyId: "projects/meridian-eu-prod/locations/europe-west1/keyRings/eu/cryptoKeys/eu",
}) as KeyHandle<"eu"> & { readonly cloud: "gcp"; readonly cryptoKeyId: string };
export const EU_GCP_NETWORK: NetworkHandle<"eu"> = claimResident("eu", {
  cloud: "gcp" as const,
  region: "europe-west1",
  networkId: "projects/meridian-eu-prod/global/networks/eu",
  privateSubnetIds: ["projects/meridian-eu-prod/regions/europe-west1/subnetworks/eu-private"],
  cidr: "10.2.0.0/16",
});

export const EU_AZURE_KEY = claimResident("eu", {
  cloud: "azure" as const,
  region: "westeurope",
  vaultId: "/subscriptions/s/resourceGroups/eu-kms/providers/Microsoft.KeyVault/vaults/eukv",
  vaultUri: "https://eukv.vault.azure.net/",
  keyName: "eu",
  keyUri: "https://eukv.vault.azure.net/keys/eu",
  keyUriWithVersion: "https://eukv.vault.azure.net/keys/eu/0123456789abcdef0123456789abcdef",
  resourceGroupName: "eu-kms",
}) as KeyHandle<"eu"> & { readonly cloud: "azure"; readonly vaultId: string; readonly keyUri: string; readonly keyUriWithVersion: string };
export const EU_AZURE_NETWORK: NetworkHandle<"eu"> = claimResident("eu", {
  cloud: "azure" as const,
  region: "westeurope",
  networkId: "/subscriptions/s/resourceGroups/eu-net/providers/Microsoft.Network/virtualNetworks/eu",
  privateSubnetIds: ["/subscriptions/s/resourceGroups/eu-net/providers/Microsoft.Network/virtualNetworks/eu/subnets/nodes"],
  cidr: "10.3.0.0/16",
  resourceGroupName: "eu-net",
});

export const DIGEST = `@sha256:${"c0".repeat(32)}`;
