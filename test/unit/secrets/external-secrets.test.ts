/**
 * ExternalSecrets under mocks on all three clouds: the chart pinned and mirrored, every image
 * from the domain registry by digest, one referent-auth ClusterSecretStore per tenant in the
 * cluster's region admitting only the tenant's namespaces, token creation only for
 * `<tenant>-workload`, and each secret service's CMK (AWS key policy: decrypt by tenant roles
 * only; GCP: Secret Manager agent on the domain key, user-managed replication in-region).
 */
import { findAll, findOne, installMocks, settle, valueOf } from "../../support/mocks";
import * as aws from "@pulumi/aws";
import * as azure from "@pulumi/azure-native";
import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import {
  ESO_CHART,
  ESO_IMAGE,
  ExternalSecrets,
  awsSecretsKeyPolicy,
  esoValues,
  esoValuesSchema,
  validateExternalSecretsArgs,
  type ExternalSecretsArgs,
} from "../../../components/external-secrets";
import { claimResident, type Domain, type KeyHandle, type RegistryHandle } from "../../../components/residency";

const cloud = installMocks();

const EU_ECR = "123456789012.dkr.ecr.eu-central-1.amazonaws.com/";
const EU_ACR = "meridianeu.azurecr.io/";
const EU_GAR = "europe-west1-docker.pkg.dev/meridian-eu-prod/platform/";
const GCP_KEY = "projects/meridian-eu-prod/locations/europe-west1/keyRings/meridian-eu-foundation/cryptoKeys/meridian-eu-foundation";
const ROLE_A = "arn:aws:iam::123456789012:role/eu-workload-aws-tenant-payments-payments-role";
const ROLE_B = "arn:aws:iam::123456789012:role/eu-workload-aws-tenant-payments-payments-batch-role";

function registry<D extends Domain>(domain: D, c: "aws" | "azure" | "gcp", region: string, prefix: string): RegistryHandle<D> {
  return claimResident(domain, { cloud: c, region, imagePrefixes: [prefix] }) as RegistryHandle<D>;
}
const awsKey = claimResident("eu", { cloud: "aws" as const, arn: "arn:aws:kms:eu-central-1:123456789012:key/domain", region: "eu-central-1" }) as KeyHandle<"eu">;
const azureKey = claimResident("eu", {
  cloud: "azure" as const,
  region: "westeurope",
  vaultId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv",
  vaultUri: "https://kv.vault.azure.net/",
  keyName: "k",
  keyUri: "https://kv.vault.azure.net/keys/k",
  keyUriWithVersion: "https://kv.vault.azure.net/keys/k/1",
  resourceGroupName: "rg",
}) as KeyHandle<"eu">;
const gcpKey = claimResident("eu", { cloud: "gcp" as const, cryptoKeyId: GCP_KEY, region: "europe-west1" }) as KeyHandle<"eu">;

type Rec = ReturnType<typeof findOne>;
const ofComponent = (prefix: string) => (r: Rec) => r.name.startsWith(prefix);
const spec = (r: Rec) => r.inputs.spec as { provider: Record<string, Record<string, unknown>>; conditions: { namespaces: string[] }[] };

function expectPinnedRelease(name: string, prefix: string): void {
  const release = findAll(cloud, "kubernetes:helm.sh/v3:Release").find(ofComponent(name))!;
  expect(release.inputs.chart).toBe("external-secrets");
  expect(release.inputs.version).toBe(ESO_CHART.version);
  expect(release.inputs.version).toMatch(/^\d+\.\d+\.\d+$/);
  expect(release.inputs.namespace).toBe("meridian-external-secrets");
  expect((release.inputs.repositoryOpts as { repo: string }).repo).toBe(`oci://${prefix}charts`);
  expect(release.provider?.type).toBe("pulumi:providers:kubernetes");
  const values = release.inputs.values as Record<string, { repository: string; tag: string }> & { image: { repository: string; tag: string } };
  for (const image of [values.image, (values.webhook as unknown as { image: { repository: string; tag: string } }).image, (values.certController as unknown as { image: { repository: string; tag: string } }).image]) {
    expect(image.repository).toBe(`${prefix}${ESO_IMAGE.path}`);
    expect(image.tag).toMatch(/^v[\d.]+@sha256:[0-9a-f]{64}$/);
  }
  expect(values.rbac).toEqual({ create: true, serviceAccountTokenCreate: false });
  expect(values.processPushSecret).toBe(false);
  expect(values.processClusterPushSecret).toBe(false);
}

function expectTokenGrants(name: string, tenant: string, namespaces: string[]): void {
  const roles = findAll(cloud, "kubernetes:rbac.authorization.k8s.io/v1:Role").filter(ofComponent(name));
  expect(roles.map((r) => (r.inputs.metadata as { namespace: string }).namespace).sort()).toEqual([...namespaces].sort());
  for (const r of roles) {
    expect(r.inputs.rules).toEqual([{ apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"], resourceNames: [`${tenant}-workload`] }]);
  }
  const bindings = findAll(cloud, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding").filter(ofComponent(name));
  expect(bindings).toHaveLength(namespaces.length);
  for (const b of bindings) expect(b.inputs.subjects).toEqual([{ kind: "ServiceAccount", name: "external-secrets", namespace: "meridian-external-secrets" }]);
}

describe("ExternalSecrets", () => {
  it("AWS: Secrets Manager store in the cluster's region as the tenant's ServiceAccount; the secrets key lets only tenant roles decrypt", async () => {
    const provider = new k8s.Provider("k8s-aws", { kubeconfig: "{}" });
    const awsProvider = new aws.Provider("p-aws", { region: "eu-central-1" });
    const eso = new ExternalSecrets(
      "eu-workload-aws-secrets",
      {
        domain: "eu",
        cloud: "aws",
        region: "eu-central-1",
        environment: "prod",
        privateCidrs: ["10.0.0.0/16"],
        provider,
        clusterName: "eu-workload-aws",
        registry: registry("eu", "aws", "eu-central-1", EU_ECR),
        key: awsKey,
        tenants: [{ name: "payments", namespaces: ["payments", "payments-batch"], awsRoleArns: [ROLE_B, ROLE_A] }],
      },
      { providers: [awsProvider] },
    );
    const stores = await valueOf(eso.stores);
    const defaults = await valueOf(eso.secretDefaults);
    await settle();
    expectPinnedRelease("eu-workload-aws-secrets", EU_ECR);
    expect(stores).toEqual({ payments: "meridian-payments" });

    const store = findAll(cloud, "kubernetes:external-secrets.io/v1:ClusterSecretStore").find(ofComponent("eu-workload-aws-secrets"))!;
    expect(store.inputs.kind).toBe("ClusterSecretStore");
    expect(spec(store).provider).toEqual({ aws: { service: "SecretsManager", region: "eu-central-1", auth: { jwt: { serviceAccountRef: { name: "payments-workload" } } } } });
    expect(spec(store).conditions).toEqual([{ namespaces: ["payments", "payments-batch"] }]);
    expectTokenGrants("eu-workload-aws-secrets", "payments", ["payments", "payments-batch"]);

    const key = findAll(cloud, "aws:kms/key:Key").find(ofComponent("eu-workload-aws-secrets"))!;
    expect(key.inputs.enableKeyRotation).toBe(true);
    expect(key.inputs.multiRegion).toBe(false);
    expect(key.inputs.rotationPeriodInDays).toBe(365);
    expect(key.provider?.inputs.region).toBe("eu-central-1");
    const policy = JSON.parse(String(key.inputs.policy)) as { Statement: { Sid: string; Principal: { AWS: string | string[] }; Action: string[]; Condition?: Record<string, Record<string, string>> }[] };
    const decrypters = policy.Statement.filter((s) => s.Action.includes("kms:Decrypt"));
    expect(decrypters).toHaveLength(1);
    expect(decrypters[0]!.Principal.AWS).toEqual([ROLE_B, ROLE_A].sort());
    expect(decrypters[0]!.Condition).toEqual({
      StringEquals: { "kms:ViaService": "secretsmanager.eu-central-1.amazonaws.com" },
      StringLike: { "kms:EncryptionContext:SecretARN": expect.stringMatching(/^arn:aws:secretsmanager:eu-central-1:\d{12}:secret:payments\/\*$/) },
    });
    // The account administers the key but is never granted decrypt or kms:* (no delegation to IAM).
    for (const s of policy.Statement.filter((x) => String(x.Principal.AWS).endsWith(":root"))) {
      expect(s.Action).not.toContain("kms:*");
      expect(s.Action).not.toContain("kms:Decrypt");
    }
    expect(defaults).toEqual({ kmsKeyId: expect.stringMatching(/^arn:aws:kms:eu-central-1:/) });

    const netpols = findAll(cloud, "kubernetes:networking.k8s.io/v1:NetworkPolicy").filter(ofComponent("eu-workload-aws-secrets"));
    const byName = Object.fromEntries(netpols.map((n) => [(n.inputs.metadata as { name: string }).name, n.inputs.spec as Record<string, unknown>]));
    expect((netpols[0]!.inputs.metadata as { namespace: string }).namespace).toBe("meridian-external-secrets");
    expect(byName["default-deny"]).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    expect(byName["allow-private-https-egress"]).toEqual({ podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/16" } }], ports: [{ protocol: "TCP", port: 443 }] }] });
    expect(JSON.stringify(byName)).not.toContain("0.0.0.0/0");
    expect(eso.secretsKey.domain).toBe("eu");
  });

  it("Azure: Key Vault store on the tenant's own vault with workload identity; no extra key", async () => {
    const provider = new k8s.Provider("k8s-az", { kubeconfig: "{}" });
    const azProvider = new azure.Provider("p-az", { location: "westeurope" });
    const before = findAll(cloud, "aws:kms/key:Key").length + findAll(cloud, "azure-native:keyvault:Vault").length;
    new ExternalSecrets(
      "eu-workload-azure-secrets",
      {
        domain: "eu",
        cloud: "azure",
        region: "westeurope",
        environment: "prod",
        privateCidrs: ["10.0.0.0/16"],
        provider,
        clusterName: "eu-workload-azure",
        registry: registry("eu", "azure", "westeurope", EU_ACR),
        key: azureKey,
        tenants: [{ name: "payments", namespaces: ["payments"], azureVaultUri: "https://kv-payments-weu.vault.azure.net/" }],
      },
      { providers: [azProvider] },
    );
    await settle();
    expectPinnedRelease("eu-workload-azure-secrets", EU_ACR);
    const store = findAll(cloud, "kubernetes:external-secrets.io/v1:ClusterSecretStore").find(ofComponent("eu-workload-azure-secrets"))!;
    const kv = spec(store).provider.azurekv!;
    expect(kv.authType).toBe("WorkloadIdentity");
    expect(kv.vaultUrl).toBe("https://kv-payments-weu.vault.azure.net/");
    expect(kv.tenantId).toMatch(/^[0-9a-f-]{36}$/);
    expect(kv.serviceAccountRef).toEqual({ name: "payments-workload" });
    expect(spec(store).conditions).toEqual([{ namespaces: ["payments"] }]);
    expectTokenGrants("eu-workload-azure-secrets", "payments", ["payments"]);
    expect(findAll(cloud, "aws:kms/key:Key").length + findAll(cloud, "azure-native:keyvault:Vault").length).toBe(before);
  });

  it("GCP: Secret Manager store via GKE Workload Identity; the Secret Manager agent may use the domain key; replicas in-region with the CMK", async () => {
    const provider = new k8s.Provider("k8s-gcp", { kubeconfig: "{}" });
    const gcpProvider = new gcp.Provider("p-gcp", { project: "meridian-eu-prod", region: "europe-west1" });
    const eso = new ExternalSecrets(
      "eu-workload-gcp-secrets",
      {
        domain: "eu",
        cloud: "gcp",
        region: "europe-west1",
        environment: "prod",
        privateCidrs: ["10.0.0.0/16"],
        provider,
        clusterName: "eu-workload-gcp",
        registry: registry("eu", "gcp", "europe-west1", EU_GAR),
        key: gcpKey,
        gcp: { project: "meridian-eu-prod" },
        tenants: [{ name: "payments", namespaces: ["payments"] }],
      },
      { providers: [gcpProvider] },
    );
    const defaults = await valueOf(eso.secretDefaults);
    await settle();
    expectPinnedRelease("eu-workload-gcp-secrets", EU_GAR);
    const store = findAll(cloud, "kubernetes:external-secrets.io/v1:ClusterSecretStore").find(ofComponent("eu-workload-gcp-secrets"))!;
    expect(spec(store).provider).toEqual({
      gcpsm: {
        projectID: "meridian-eu-prod",
        auth: { workloadIdentity: { clusterLocation: "europe-west1", clusterName: "eu-workload-gcp", clusterProjectID: "meridian-eu-prod", serviceAccountRef: { name: "payments-workload" } } },
      },
    });
    const agent = findOne(cloud, "gcp:projects/serviceIdentity:ServiceIdentity");
    expect(agent.inputs.service).toBe("secretmanager.googleapis.com");
    const grant = findOne(cloud, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember");
    expect(grant.inputs.cryptoKeyId).toBe(GCP_KEY);
    expect(grant.inputs.role).toBe("roles/cloudkms.cryptoKeyEncrypterDecrypter");
    expect(grant.inputs.member).toMatch(/^serviceAccount:service-\d+@gcp-sa-secretmanager\.iam\.gserviceaccount\.com$/);
    expect(defaults).toEqual({ replication: { userManaged: { replicas: [{ location: "europe-west1", customerManagedEncryption: { kmsKeyName: GCP_KEY } }] } } });
  });

  it("a cluster without tenants (management) runs the operator and no store", async () => {
    const provider = new k8s.Provider("k8s-mgmt", { kubeconfig: "{}" });
    const eso = new ExternalSecrets(
      "eu-mgmt-secrets",
      { domain: "eu", cloud: "aws", region: "eu-central-1", environment: "prod", privateCidrs: ["10.0.0.0/16"], provider, clusterName: "eu-mgmt", registry: registry("eu", "aws", "eu-central-1", EU_ECR), key: awsKey },
      { providers: [new aws.Provider("p-aws-mgmt", { region: "eu-central-1" })] },
    );
    expect(await valueOf(eso.stores)).toEqual({});
    await settle();
    expectPinnedRelease("eu-mgmt-secrets", EU_ECR);
    expect(findAll(cloud, "kubernetes:external-secrets.io/v1:ClusterSecretStore").filter(ofComponent("eu-mgmt-secrets"))).toHaveLength(0);
    const key = findAll(cloud, "aws:kms/key:Key").find(ofComponent("eu-mgmt-secrets"))!;
    const policy = JSON.parse(String(key.inputs.policy)) as { Statement: { Action: string[] }[] };
    expect(policy.Statement.some((s) => s.Action.includes("kms:Decrypt"))).toBe(false);
  });
});

describe("validateExternalSecretsArgs", () => {
  const base = {
    domain: "eu" as Domain,
    cloud: "aws" as const,
    region: "eu-central-1",
    environment: "prod",
    privateCidrs: ["10.0.0.0/16"],
    provider: {} as k8s.Provider,
    clusterName: "c",
    registry: registry("eu", "aws", "eu-central-1", EU_ECR) as RegistryHandle<Domain>,
    key: awsKey as KeyHandle<Domain>,
  };
  const paths = (a: ExternalSecretsArgs<Domain>) => validateExternalSecretsArgs(a).map((p) => p.propertyPath);

  it("accepts a well-formed cluster", () => {
    expect(validateExternalSecretsArgs({ ...base, tenants: [{ name: "payments", namespaces: ["payments"] }] })).toEqual([]);
  });
  it("refuses the other domain's key or registry (the run-time guard behind the type)", () => {
    const usKey = claimResident("us", { cloud: "aws" as const, arn: "arn:aws:kms:us-east-1:1:key/x", region: "eu-central-1" }) as KeyHandle<Domain>;
    expect(paths({ ...base, key: usKey })).toEqual(["key"]);
    expect(paths({ ...base, registry: registry("us", "aws", "us-east-1", "1.dkr.ecr.us-east-1.amazonaws.com/") as RegistryHandle<Domain> })).toEqual(["registry"]);
  });
  it("refuses a key outside the cluster's region or of another cloud", () => {
    expect(paths({ ...base, region: "eu-west-1" })).toContain("key");
    expect(paths({ ...base, cloud: "gcp", key: awsKey as KeyHandle<Domain>, gcp: { project: "p" } })).toContain("key");
  });
  it("refuses a tenant without namespaces, duplicate or malformed names, an Azure tenant without a vault, GCP without a project, and rotation outside 90–2560", () => {
    expect(paths({ ...base, tenants: [{ name: "payments", namespaces: [] }] })).toEqual(["tenants[0].namespaces"]);
    expect(paths({ ...base, tenants: [{ name: "a", namespaces: ["a"] }, { name: "a", namespaces: ["b"] }] })).toEqual(["tenants[1].name"]);
    expect(paths({ ...base, tenants: [{ name: "Pay_ments", namespaces: ["ok"] }] })).toEqual(["tenants[0].name"]);
    expect(paths({ ...base, cloud: "azure", key: azureKey as KeyHandle<Domain>, region: "westeurope", registry: registry("eu", "azure", "westeurope", EU_ACR) as RegistryHandle<Domain>, tenants: [{ name: "p", namespaces: ["p"] }] })).toEqual(["tenants[0].azureVaultUri"]);
    expect(paths({ ...base, cloud: "gcp", key: gcpKey as KeyHandle<Domain>, region: "europe-west1", registry: registry("eu", "gcp", "europe-west1", EU_GAR) as RegistryHandle<Domain> })).toEqual(["gcp.project"]);
    expect(paths({ ...base, keyRotationDays: 30 })).toEqual(["keyRotationDays"]);
    expect(paths({ ...base, keyRotationDays: 2561 })).toEqual(["keyRotationDays"]);
    expect(paths({ ...base, privateCidrs: ["0.0.0.0/0"] })).toEqual(["privateCidrs[0]"]);
    expect(paths({ ...base, privateCidrs: [] })).toEqual(["privateCidrs"]);
  });
  it("the component throws with every problem", () => {
    expect(() => new ExternalSecrets("bad", { ...base, keyRotationDays: 1, tenants: [{ name: "x", namespaces: [] }] } as ExternalSecretsArgs<Domain>)).toThrow(/invalid arguments/);
  });
});

describe("Helm values and the key policy (pure)", () => {
  const good = esoValues(EU_ECR, { residency: "eu" });
  it("the values schema accepts the built values and refuses a tag without digest, token creation for every ServiceAccount, PushSecret", () => {
    expect(esoValuesSchema.safeParse(good).success).toBe(true);
    expect(esoValuesSchema.safeParse({ ...good, image: { ...good.image, tag: "v2.9.0" } }).success).toBe(false);
    expect(esoValuesSchema.safeParse({ ...good, webhook: { ...good.webhook, image: { ...good.image, tag: "latest" } } }).success).toBe(false);
    expect(esoValuesSchema.safeParse({ ...good, rbac: { create: true, serviceAccountTokenCreate: true } }).success).toBe(false);
    expect(esoValuesSchema.safeParse({ ...good, processPushSecret: true }).success).toBe(false);
    expect(esoValuesSchema.safeParse({ ...good, extraArgs: { "enable-flag": "x" } }).success).toBe(false);
  });
  it("a tenant without roles gets no decrypt statement; tenants never share one", () => {
    const policy = awsSecretsKeyPolicy({
      account: "123456789012",
      partition: "aws",
      region: "eu-central-1",
      tenants: [
        { tenant: "payments", roleArns: [ROLE_A] },
        { tenant: "ledger", roleArns: [] },
        { tenant: "search", roleArns: ["arn:aws:iam::123456789012:role/search"] },
      ],
    }) as { Statement: { Sid: string; Principal: { AWS: unknown }; Condition?: { StringLike?: Record<string, string> } }[] };
    const tenantStatements = policy.Statement.filter((s) => s.Sid.startsWith("TenantDecrypt"));
    expect(tenantStatements.map((s) => [s.Principal.AWS, s.Condition?.StringLike?.["kms:EncryptionContext:SecretARN"]])).toEqual([
      [[ROLE_A], "arn:aws:secretsmanager:eu-central-1:123456789012:secret:payments/*"],
      [["arn:aws:iam::123456789012:role/search"], "arn:aws:secretsmanager:eu-central-1:123456789012:secret:search/*"],
    ]);
  });
});
