import * as azure from "../sdk/azure";
import * as pulumi from "@pulumi/pulumi";
import type { KeyRef, SigningKeyRef } from "../residency";
import { SIGNING_ALGORITHM, type SigningKeySpec } from "./index";

const TWO_YEARS_SECONDS = 2 * 365 * 24 * 3600;

/**
 * An `EC-HSM` P-256 key allowed only to sign and verify, in the domain's residency Key Vault
 * (Premium, RBAC, purge protection, private). ARM does not return the public half, so
 * admission verifies through the vault by reference (components/supply-chain/azure.ts).
 */
export function createAzureSigningKey(
  name: string,
  spec: SigningKeySpec,
  home: Extract<KeyRef, { cloud: "azure" }>,
  parent: pulumi.Resource,
): { ref: Extract<SigningKeyRef, { cloud: "azure" }>; kmsUri: pulumi.Output<string> } {
  const vaultName = pulumi.output(home.vaultId).apply(vaultNameOf);
  const key = new azure.keyvault.Key(
    `${name}-key`,
    {
      resourceGroupName: home.resourceGroupName,
      vaultName,
      keyName: `meridian-${spec.domain}-${name}`,
      properties: {
        kty: "EC-HSM",
        curveName: SIGNING_ALGORITHM.azure,
        keyOps: ["sign", "verify"],
        attributes: { enabled: true, expires: Math.floor(Date.now() / 1000) + TWO_YEARS_SECONDS },
        // Notify only, never rotate: a new version would void every signature made with the
        // old one. Before expiry the re-sign runbook (docs/supply-chain.md) rolls the key.
        rotationPolicy: {
          attributes: { expiryTime: "P2Y" },
          lifetimeActions: [{ action: { type: "notify" }, trigger: { timeBeforeExpiry: "P60D" } }],
        },
      },
      tags: { ...spec.tags },
    },
    {
      parent,
      protect: spec.protect,
      // The expiry is set once at creation (as for the residency key); without this every run would diff.
      ignoreChanges: ["properties.attributes.expires"],
    },
  );
  const host = pulumi.output(home.vaultUri).apply((u) => u.replace(/^https:\/\//, "").replace(/\/+$/, ""));
  return {
    ref: { cloud: "azure", vaultId: home.vaultId, vaultUri: home.vaultUri, keyName: key.name },
    kmsUri: pulumi.interpolate`azurekms://${host}/${key.name}`,
  };
}

/** `/subscriptions/…/providers/Microsoft.KeyVault/vaults/<name>` → `<name>`. */
export function vaultNameOf(vaultId: string): string {
  const m = /\/vaults\/([^/]+)$/i.exec(vaultId);
  if (!m) throw new Error(`signing key: "${vaultId}" is not a Key Vault id`);
  return m[1];
}
