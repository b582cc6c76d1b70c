/**
 * Under mocks, on all three clouds: the domain's signing key is an asymmetric HSM key in the
 * domain's KMS, and admission verifies with exactly that key — the policy-controller chart
 * pinned and pulled from the domain registry, its images by digest, failing closed; the
 * ClusterImagePolicy's key is the domain key's public half (or its Key Vault reference on
 * Azure, read through a federated identity that may only read and verify); on GKE, the
 * Binary Authorization attestor is keyed by the same Cloud KMS key version.
 */
import { findAll, findOne, installMocks, settle, valueOf } from "../../support/mocks";
import * as aws from "@pulumi/aws";
import * as azure from "@pulumi/azure-native";
import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { fakePublicKeyPem } from "../../../automation/plan/mock-cloud/shared";
import { ResidencyKey } from "../../../components/kms";
import { ResidencyRegistry } from "../../../components/registry";
import { claimResident, type Cloud, type SigningKeyHandle } from "../../../components/residency";
import { SigningKey } from "../../../components/signing-key";
import { ImageVerification, POLICY_CONTROLLER, policyControllerValues, validateImageVerification } from "../../../components/supply-chain";
import { VERIFIER_DATA_ACTIONS } from "../../../components/supply-chain/azure";

const cloud = installMocks({ stack: "eu-workload-test" });

const providers = {
  aws: () => new aws.Provider("p-aws", { region: "eu-central-1" }),
  azure: () => new azure.Provider("p-az", { location: "westeurope" }),
  gcp: () => new gcp.Provider("p-gcp", { project: "meridian-eu-prod", region: "europe-west1" }),
};
const region: Record<Cloud, string> = { aws: "eu-central-1", azure: "westeurope", gcp: "europe-west1" };

async function setUp(c: Cloud) {
  const provider = providers[c]();
  const key = new ResidencyKey(`k-${c}`, { domain: "eu", cloud: c, region: region[c] }, { providers: [provider] });
  const registry = new ResidencyRegistry(`r-${c}`, { domain: "eu", key: key.handle }, { providers: [provider] });
  const signing = new SigningKey(`s-${c}`, { domain: "eu", residencyKey: key.handle }, { providers: [provider] });
  const kube = new k8s.Provider(`k8s-${c}`, { kubeconfig: pulumi.secret("apiVersion: v1") });
  const v = new ImageVerification(
    `v-${c}`,
    { domain: "eu", cloud: c, provider: kube, signingKey: signing.handle, registry: registry.handle, oidcIssuer: "https://westeurope.oic.prod-aks.azure.com/tenant/issuer/" },
    { providers: [provider] },
  );
  const prefix = (await valueOf(registry.imagePrefixes))[0];
  const kmsUri = await valueOf(signing.kmsUri);
  await valueOf(v.policyName);
  await settle();
  const release = findOne(cloud, "kubernetes:helm.sh/v3:Release", `v-${c}`);
  const policy = findOne(cloud, "kubernetes:policy.sigstore.dev/v1beta1:ClusterImagePolicy", `v-${c}`);
  return { key, signing, prefix, kmsUri, release, policy, v };
}

type Values = ReturnType<typeof policyControllerValues.parse>;
type Cip = { metadata: { annotations: Record<string, string> }; spec: { mode: string; images: Array<{ glob: string }>; authorities: Array<{ key: Record<string, string> }> } };

function expectPinnedChart(release: { inputs: Record<string, unknown>; providerRef: string | undefined }, prefix: string, c: Cloud) {
  expect(release.inputs.chart).toBe("policy-controller");
  expect(release.inputs.version).toBe(POLICY_CONTROLLER.version);
  expect(release.inputs.repositoryOpts).toEqual({ repo: `oci://${prefix}charts` });
  expect(release.providerRef).toContain(`k8s-${c}`);
  const values = release.inputs.values as Values;
  expect(policyControllerValues.parse(values)).toEqual(values);
  expect(values.webhook.image).toEqual({ repository: `${prefix}${POLICY_CONTROLLER.images.webhook.path}`, version: POLICY_CONTROLLER.images.webhook.digest, pullPolicy: "IfNotPresent" });
  expect(values.leasescleanup.image.repository.startsWith(prefix)).toBe(true);
  expect(values.webhook.failurePolicy).toBe("Fail");
  expect(values.webhook.configData).toEqual({ "no-match-policy": "deny" });
  expect(values.webhook.replicaCount).toBeGreaterThanOrEqual(2);
  expect(values.webhook.namespaceSelector.matchExpressions[0].values).toContain("meridian-supply-chain");
  expect(values.webhook.namespaceSelector.matchExpressions[0].values).not.toContain("default");
}

describe("SigningKey + ImageVerification", () => {
  it("AWS: SIGN_VERIFY P-256 single-region key; the policy trusts its public half, every domain-registry image, enforced", async () => {
    const { prefix, kmsUri, release, policy } = await setUp("aws");
    const key = findOne(cloud, "aws:kms/key:Key", "s-aws-key");
    expect(key.inputs).toMatchObject({ keyUsage: "SIGN_VERIFY", customerMasterKeySpec: "ECC_NIST_P256", multiRegion: false, enableKeyRotation: false });
    expect(key.provider?.inputs.region).toBe("eu-central-1");
    expect(kmsUri).toBe(`awskms:///${String(key.state.arn)}`);
    expectPinnedChart(release, prefix, "aws");
    const cip = policy.inputs as unknown as Cip;
    expect(cip.spec.mode).toBe("enforce");
    expect(cip.spec.images).toEqual([{ glob: `${prefix}**` }]);
    expect(cip.spec.authorities).toEqual([{ name: "eu-aws-signing-key", key: { data: fakePublicKeyPem(String(key.state.arn)), hashAlgorithm: "sha256" } }]);
    expect(cip.metadata.annotations["meridian.io/signing-key"]).toBe(kmsUri);
    expect(findAll(cloud, "kubernetes:networking.k8s.io/v1:NetworkPolicy").filter((r) => r.name.startsWith("v-aws")).map((r) => r.name)).toEqual(["v-aws-default-deny", "v-aws-allow-webhook"]);
  });

  it("GCP: ASYMMETRIC_SIGN HSM key in the residency ring; policy and BinAuthz attestor keyed by the same key version; REQUIRE_ATTESTATION", async () => {
    const { prefix, kmsUri, release, policy, v } = await setUp("gcp");
    const ring = findOne(cloud, "gcp:kms/keyRing:KeyRing", "k-gcp");
    const key = findOne(cloud, "gcp:kms/cryptoKey:CryptoKey", "s-gcp-key");
    expect(key.inputs).toMatchObject({ purpose: "ASYMMETRIC_SIGN", keyRing: ring.state.id, versionTemplate: { algorithm: "EC_SIGN_P256_SHA256", protectionLevel: "HSM" } });
    expect(key.inputs.rotationPeriod).toBeUndefined();
    expect(kmsUri).toBe(`gcpkms://${String(key.state.id)}`);
    expectPinnedChart(release, prefix, "gcp");
    const version = `${String(key.state.id)}/cryptoKeyVersions/1`;
    expect((policy.inputs as unknown as Cip).spec.authorities[0].key).toEqual({ data: fakePublicKeyPem(version), hashAlgorithm: "sha256" });
    const attestor = findOne(cloud, "gcp:binaryauthorization/attestor:Attestor", "v-gcp");
    expect(attestor.inputs.attestationAuthorityNote).toMatchObject({
      publicKeys: [{ id: `//cloudkms.googleapis.com/v1/${version}`, pkixPublicKey: { publicKeyPem: fakePublicKeyPem(version), signatureAlgorithm: "ECDSA_P256_SHA256" } }],
    });
    const binauthz = findOne(cloud, "gcp:binaryauthorization/policy:Policy", "v-gcp");
    expect(binauthz.inputs.globalPolicyEvaluationMode).toBe("ENABLE");
    expect(binauthz.inputs.defaultAdmissionRule).toEqual({ evaluationMode: "REQUIRE_ATTESTATION", enforcementMode: "ENFORCED_BLOCK_AND_AUDIT_LOG", requireAttestationsBies: [attestor.state.name] });
    expect(await valueOf(v.attestor!)).toBe(attestor.state.name);
    expect(binauthz.provider?.inputs.project).toBe("meridian-eu-prod");
  });

  it("Azure: EC-HSM sign/verify key in the domain vault; the verifier reads it by reference as a federated identity allowed only to read and verify", async () => {
    const { prefix, kmsUri, release, policy } = await setUp("azure");
    const vault = findOne(cloud, "azure-native:keyvault:Vault", "k-azure");
    const key = findOne(cloud, "azure-native:keyvault:Key", "s-azure-key");
    expect(key.inputs.vaultName).toBe(vault.state.name);
    expect(key.inputs.properties).toMatchObject({ kty: "EC-HSM", curveName: "P-256", keyOps: ["sign", "verify"] });
    expect((key.inputs.properties as { rotationPolicy: { lifetimeActions: Array<{ action: { type: string } }> } }).rotationPolicy.lifetimeActions.map((a) => a.action.type)).toEqual(["notify"]);
    expect(kmsUri).toMatch(/^azurekms:\/\/[^/]+\.vault\.azure\.net\/meridian-eu-s-azure$/);
    expectPinnedChart(release, prefix, "azure");
    expect((policy.inputs as unknown as Cip).spec.authorities[0].key).toEqual({ kms: kmsUri, hashAlgorithm: "sha256" });

    const identity = findOne(cloud, "azure-native:managedidentity:UserAssignedIdentity", "v-azure-verifier");
    const federation = findOne(cloud, "azure-native:managedidentity:FederatedIdentityCredential", "v-azure");
    expect(federation.inputs).toMatchObject({ subject: "system:serviceaccount:meridian-supply-chain:policy-controller-webhook", audiences: ["api://AzureADTokenExchange"], resourceName: identity.state.name });
    const role = findOne(cloud, "azure-native:authorization:RoleDefinition", "v-azure");
    expect(role.inputs.scope).toBe(vault.state.id);
    expect(role.inputs.permissions).toEqual([{ actions: [], dataActions: [...VERIFIER_DATA_ACTIONS], notActions: [], notDataActions: [] }]);
    const grant = findOne(cloud, "azure-native:authorization:RoleAssignment", "v-azure-verifier-grant");
    expect(grant.inputs).toMatchObject({ scope: vault.state.id, principalId: identity.state.principalId, roleDefinitionId: role.state.id });
    const values = release.inputs.values as Values;
    expect(values.webhook.serviceAccount).toEqual({ create: true, name: "policy-controller-webhook", annotations: { "azure.workload.identity/client-id": identity.state.clientId } });
    expect(values.webhook.env.AZURE_CLIENT_ID).toBe(identity.state.clientId);
    expect(values.webhook.env.AZURE_FEDERATED_TOKEN_FILE).toBe("/var/run/secrets/azure/tokens/azure-identity-token");
  });

  it("refuses a signing key of another cloud, or of another domain at run time", () => {
    const kube = new k8s.Provider("k8s-x", { kubeconfig: "apiVersion: v1" });
    const registry = claimResident("eu", { cloud: "aws" as const, region: "eu-central-1", imagePrefixes: ["123456789012.dkr.ecr.eu-central-1.amazonaws.com/meridian/eu/"] });
    const gcpKey = claimResident("eu", { cloud: "gcp" as const, region: "europe-west1", kmsUri: "gcpkms://x", cryptoKeyId: "x", cryptoKeyVersionId: "x/cryptoKeyVersions/1", publicKeyPem: "pem" }) as SigningKeyHandle<"eu">;
    let error: unknown;
    try {
      new ImageVerification("bad-cloud", { domain: "eu", cloud: "aws", provider: kube, signingKey: gcpKey, registry });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(pulumi.InputPropertiesError);
    expect((error as pulumi.InputPropertiesError).errors).toEqual([{ propertyPath: "signingKey", reason: "is a gcp key; a aws cluster verifies with the domain's aws key" }]);
    const usKey = claimResident("us", { cloud: "aws" as const, region: "us-east-1", kmsUri: "awskms:///arn:aws:kms:us-east-1:1:key/x", arn: "arn:aws:kms:us-east-1:1:key/x", publicKeyPem: "pem" });
    expect(() => new ImageVerification("bad-domain", { domain: "eu", cloud: "aws", provider: kube, signingKey: usKey as unknown as SigningKeyHandle<"eu">, registry })).toThrow(/belongs to domain "us" but is used in domain "eu"/);
  });

  it("validates its arguments, every problem at once", () => {
    expect(validateImageVerification({ imagePrefixes: ["no-slash"], exemptNamespaces: ["Bad_NS"], namespace: "ok", replicas: 1 }).map((p) => p.propertyPath)).toEqual(["registry.imagePrefixes[0]", "exemptNamespaces[0]", "replicas"]);
  });
});
