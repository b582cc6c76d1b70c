/**
 * Pass and fail inputs for the secrets policies (policy-pack/policies/secrets.ts), one per
 * resource type each covers, run by coverage.test.ts with the harness's EU config. The store
 * shapes are the ones components/external-secrets renders (test/policy/secrets.test.ts runs
 * the policies over the real plan as well).
 */
import type { Case } from "./cases";
import { awsEu, gcpEu, k8sEu, res } from "./harness";

const GKEY = "projects/p-eu/locations/europe-west1/keyRings/eu/cryptoKeys/secrets";
const US_GKEY = "projects/p-us/locations/us-central1/keyRings/us/cryptoKeys/secrets";
const KEY = "arn:aws:kms:eu-central-1:123456789012:key/0f0e0d0c-aaaa-bbbb-cccc-000000000001";
const IE_KEY = "arn:aws:kms:eu-west-1:123456789012:key/0f0e0d0c-aaaa-bbbb-cccc-000000000003";

const replica = (location: string, kmsKeyName?: string) => ({ location, ...(kmsKeyName ? { customerManagedEncryption: { kmsKeyName } } : {}) });
const gcpSecret = (replication: Record<string, unknown>) => res("gcp:secretmanager/secret:Secret", "payments--db", { secretId: "payments--db", replication }, { provider: gcpEu });
const goodGcp = gcpSecret({ userManaged: { replicas: [replica("europe-west1", GKEY)] } });
const regional = (location: string, kmsKeyName?: string) =>
  res("gcp:secretmanager/regionalSecret:RegionalSecret", "payments--api", { secretId: "payments--api", location, ...(kmsKeyName ? { customerManagedEncryption: { kmsKeyName } } : {}) }, { provider: gcpEu });
const awsSecret = (replicas: Record<string, unknown>[]) => res("aws:secretsmanager/secret:Secret", "payments-db", { name: "payments/db", kmsKeyId: KEY, replicas }, { provider: awsEu });

export const STORE = "kubernetes:external-secrets.io/v1:ClusterSecretStore";
export const storeOf = (spec: Record<string, unknown>, type = STORE) =>
  res(type, "eu-workload-aws-secrets-store-payments", { apiVersion: type.split(":")[1], kind: "ClusterSecretStore", metadata: { name: "meridian-payments" }, spec }, { provider: k8sEu });
export const awsStoreSpec = (over: Record<string, unknown> = {}, aws: Record<string, unknown> = {}) => ({
  provider: { aws: { service: "SecretsManager", region: "eu-central-1", auth: { jwt: { serviceAccountRef: { name: "payments-workload" } } }, ...aws } },
  conditions: [{ namespaces: ["payments"] }],
  ...over,
});
const gcpStoreSpec = (auth: Record<string, unknown>) => ({ provider: { gcpsm: { projectID: "p-eu", auth } }, conditions: [{ namespaces: ["payments"] }] });
const wi = { workloadIdentity: { clusterLocation: "europe-west1", clusterName: "eu-workload-gcp", clusterProjectID: "p-eu", serviceAccountRef: { name: "payments-workload" } } };
const azStoreSpec = (az: Record<string, unknown>) => ({
  provider: { azurekv: { authType: "WorkloadIdentity", vaultUrl: "https://kv-payments.vault.azure.net/", serviceAccountRef: { name: "payments-workload" }, ...az } },
  conditions: [{ namespaces: ["payments"] }],
});

const SCOPE = "meridian-kubernetes-clustersecretstore-tenant-scope";

export const SECRETS_CASES: Record<string, Case[]> = {
  "meridian-residency-secret-replica-allowlist": [
    { type: "gcp:secretmanager/secret:Secret", pass: [goodGcp], fail: [gcpSecret({ auto: {} })], expect: "replication.auto lets Google place replicas in any location" },
    { type: "gcp:secretmanager/secret:Secret", pass: [goodGcp], fail: [gcpSecret({ userManaged: { replicas: [replica("europe-west1", GKEY), replica("us-central1", US_GKEY)] } })], expect: "replication.userManaged.replicas[1].location" },
    { type: "aws:secretsmanager/secret:Secret", pass: [awsSecret([{ region: "eu-west-1", kmsKeyId: IE_KEY }])], fail: [awsSecret([{ region: "us-east-1", kmsKeyId: IE_KEY }])], expect: "Secrets Manager replica replicas[0].region" },
  ],
  "meridian-gcp-secretmanager-secret-cmek-require": [
    { type: "gcp:secretmanager/secret:Secret", pass: [goodGcp], fail: [gcpSecret({ userManaged: { replicas: [replica("europe-west1")] } })], expect: "replicas[0].customerManagedEncryption.kmsKeyName must name the domain's Cloud KMS key" },
    {
      type: "gcp:secretmanager/secret:Secret",
      pass: [goodGcp],
      fail: [gcpSecret({ userManaged: { replicas: [replica("europe-west4", GKEY)] } })],
      expect: "is a key in europe-west1; the replica is in europe-west4",
    },
    { type: "gcp:secretmanager/regionalSecret:RegionalSecret", pass: [regional("europe-west1", GKEY)], fail: [regional("europe-west1")], expect: "customerManagedEncryption.kmsKeyName must name" },
  ],
  "meridian-aws-secretsmanager-replica-cmk-require": [
    { type: "aws:secretsmanager/secret:Secret", pass: [awsSecret([{ region: "eu-west-1", kmsKeyId: IE_KEY }])], fail: [awsSecret([{ region: "eu-west-1" }])], expect: "replicas[0].kmsKeyId must name a customer-managed key" },
    { type: "aws:secretsmanager/secret:Secret", pass: [awsSecret([])], fail: [awsSecret([{ region: "eu-west-1", kmsKeyId: "alias/aws/secretsmanager" }])], expect: "replicas[0].kmsKeyId must name a customer-managed key" },
  ],
  [SCOPE]: [
    { type: STORE, pass: [storeOf(awsStoreSpec())], fail: [storeOf(awsStoreSpec({ conditions: [] }))], expect: "spec.conditions is empty" },
    { type: STORE, pass: [storeOf(awsStoreSpec())], fail: [storeOf(awsStoreSpec({ conditions: [{ namespaceRegexes: [".*"] }] }))], expect: "namespaceRegexes cannot be reviewed" },
    {
      type: STORE,
      pass: [storeOf(awsStoreSpec())],
      fail: [storeOf(awsStoreSpec({}, { auth: { jwt: { serviceAccountRef: { name: "payments-workload", namespace: "payments" } } } }))],
      expect: "serviceAccountRef.namespace pins one namespace's ServiceAccount",
    },
    { type: STORE, pass: [storeOf(awsStoreSpec())], fail: [storeOf(awsStoreSpec({}, { auth: undefined }))], expect: "the controller's own identity would serve every namespace" },
    {
      type: STORE,
      pass: [storeOf(awsStoreSpec())],
      fail: [storeOf(awsStoreSpec({}, { auth: { secretRef: { accessKeyIDSecretRef: { name: "k", key: "id" } } } }))],
      expect: "static access keys",
    },
    { type: STORE, pass: [storeOf(awsStoreSpec())], fail: [storeOf(awsStoreSpec({}, { role: "arn:aws:iam::123456789012:role/all-tenants" }))], expect: "chains to another role" },
    { type: STORE, pass: [storeOf(awsStoreSpec())], fail: [storeOf(awsStoreSpec({}, { region: "us-east-1" }))], expect: "Secrets Manager region spec.provider.aws.region" },
    { type: STORE, pass: [storeOf(gcpStoreSpec(wi))], fail: [storeOf(gcpStoreSpec({ secretRef: { secretAccessKeySecretRef: { name: "sa", key: "json" } } }))], expect: "service-account key" },
    { type: STORE, pass: [storeOf(azStoreSpec({}))], fail: [storeOf(azStoreSpec({ authType: "ManagedIdentity" }))], expect: "only WorkloadIdentity authenticates as the tenant" },
    {
      type: "kubernetes:external-secrets.io/v1beta1:ClusterSecretStore",
      pass: [storeOf(awsStoreSpec(), "kubernetes:external-secrets.io/v1beta1:ClusterSecretStore")],
      fail: [storeOf({ provider: { vault: { server: "https://vault.example.com" } }, conditions: [{ namespaces: ["payments"] }] }, "kubernetes:external-secrets.io/v1beta1:ClusterSecretStore")],
      expect: "is not AWS Secrets Manager, Azure Key Vault or GCP Secret Manager",
    },
  ],
};
