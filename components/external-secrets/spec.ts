/**
 * Shared types, pinned versions and pure builders of the External Secrets component: the chart
 * and image pins, the typed Helm values, the tenant secret-naming convention, the
 * ClusterSecretStore specs per cloud and the AWS secrets-key policy. Data and pure functions
 * only (no Pulumi resources), so the component, the adapters, the service and the tests share
 * one source.
 */
import type { types } from "@pulumi/kubernetes";
import { z } from "zod";
import type { Cloud } from "../residency/catalogue";

/** Namespace the operator runs in (Pod Security `restricted`). */
export const ESO_NAMESPACE = "meridian-external-secrets";
/** Helm release name and `fullnameOverride`: the controller's ServiceAccount is named after it. */
export const ESO_RELEASE = "external-secrets";
/** The controller's ServiceAccount (the chart's `serviceAccount.name`), granted token creation per tenant. */
export const ESO_CONTROLLER_SERVICE_ACCOUNT = "external-secrets";

/**
 * The chart, pinned exactly. Installed from the domain registry's OCI chart mirror
 * (`oci://<registry prefix>charts/external-secrets`), never from the public repository.
 * 2.9.0 is the chart of ESO v2.9.0 (API `external-secrets.io/v1`, `rbac.serviceAccountTokenCreate`).
 */
export const ESO_CHART = { name: "external-secrets", version: "2.9.0" } as const;

/**
 * The operator image (controller, webhook and cert controller share it), mirrored into each
 * domain registry under `path` and pinned by digest. PLACEHOLDER: the digest below must be
 * replaced by the digest of the mirrored `ghcr.io/external-secrets/external-secrets:v2.9.0`
 * (this machine cannot reach the upstream registry); see docs/secrets.md.
 */
export const ESO_IMAGE = {
  path: "external-secrets/external-secrets",
  tag: "v2.9.0",
  digest: "sha256:0000000000000000000000000000000000000000000000000000000000000000",
} as const;

/** ClusterSecretStore API. */
export const STORE_API_VERSION = "external-secrets.io/v1";

// ------------------------------------------------------------------------------------------
// The tenant secret-naming convention (shared with the tenant component's IAM scopes).

/** The tenant's workload ServiceAccount in each of its namespaces (created by the tenant component). */
export function tenantServiceAccount(tenant: string): string {
  return `${tenant}-workload`;
}

/** The ClusterSecretStore a tenant's ExternalSecrets name in `secretStoreRef` (kind ClusterSecretStore). */
export function storeName(tenant: string): string {
  return `meridian-${tenant}`;
}

/**
 * The name prefix of a tenant's secrets: `<tenant>/` in AWS Secrets Manager (IAM resource
 * `secret:<tenant>/*`), `<tenant>--` in GCP Secret Manager (IAM condition on the name prefix).
 * On Azure every tenant has its own Key Vault per cluster region, so names carry no prefix.
 */
export function secretNamePrefix(cloud: Cloud, tenant: string): string {
  return cloud === "aws" ? `${tenant}/` : cloud === "gcp" ? `${tenant}--` : "";
}

// ------------------------------------------------------------------------------------------
// Helm values: typed and validated before they reach the chart.

const digestRef = z.string().regex(/^v[0-9][^@]*@sha256:[0-9a-f]{64}$/, "a tag pinned by digest (v<version>@sha256:<64 hex>)");
const imageSchema = z.strictObject({ repository: z.string().min(1), tag: digestRef, pullPolicy: z.literal("IfNotPresent") });
const restrictedSecurityContext = z.strictObject({
  allowPrivilegeEscalation: z.literal(false),
  capabilities: z.strictObject({ drop: z.tuple([z.literal("ALL")]) }),
  readOnlyRootFilesystem: z.literal(true),
  runAsNonRoot: z.literal(true),
  seccompProfile: z.strictObject({ type: z.literal("RuntimeDefault") }),
});
const component = z.strictObject({ image: imageSchema, securityContext: restrictedSecurityContext });

export const esoValuesSchema = z.strictObject({
  fullnameOverride: z.literal(ESO_RELEASE),
  installCRDs: z.literal(true),
  image: imageSchema,
  securityContext: restrictedSecurityContext,
  webhook: component,
  certController: component,
  serviceAccount: z.strictObject({ create: z.literal(true), name: z.literal(ESO_CONTROLLER_SERVICE_ACCOUNT) }),
  // Token creation for tenant ServiceAccounts is granted per namespace, by resource name.
  rbac: z.strictObject({ create: z.literal(true), serviceAccountTokenCreate: z.literal(false) }),
  // Tenant identities are read-only: no pushing cluster secrets out to the cloud.
  processPushSecret: z.literal(false),
  processClusterPushSecret: z.literal(false),
  "bitwarden-sdk-server": z.strictObject({ enabled: z.literal(false) }),
  commonLabels: z.record(z.string(), z.string()),
  podLabels: z.record(z.string(), z.string()),
});
export type EsoValues = z.infer<typeof esoValuesSchema>;

const RESTRICTED: EsoValues["securityContext"] = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  seccompProfile: { type: "RuntimeDefault" },
};

/** The chart mirror for a registry prefix (`<host>/<path>/`): `oci://<host>/<path>/charts`. */
export function chartRepository(registryPrefix: string): string {
  return `oci://${registryPrefix.replace(/\/*$/, "/")}charts`;
}

/** Values for the chart with every image from the domain registry, pinned by digest; throws on a value the schema refuses. */
export function esoValues(registryPrefix: string, labels: Readonly<Record<string, string>>): EsoValues {
  const image = {
    repository: `${registryPrefix.replace(/\/*$/, "/")}${ESO_IMAGE.path}`,
    tag: `${ESO_IMAGE.tag}@${ESO_IMAGE.digest}`,
    pullPolicy: "IfNotPresent" as const,
  };
  return esoValuesSchema.parse({
    fullnameOverride: ESO_RELEASE,
    installCRDs: true,
    image,
    securityContext: RESTRICTED,
    webhook: { image, securityContext: RESTRICTED },
    certController: { image, securityContext: RESTRICTED },
    serviceAccount: { create: true, name: ESO_CONTROLLER_SERVICE_ACCOUNT },
    rbac: { create: true, serviceAccountTokenCreate: false },
    processPushSecret: false,
    processClusterPushSecret: false,
    "bitwarden-sdk-server": { enabled: false },
    commonLabels: { ...labels },
    podLabels: { ...labels },
  });
}

// ------------------------------------------------------------------------------------------
// ClusterSecretStores.

/** Where a tenant's store points, per cloud (values may be unknown until deploy). */
export type StoreTarget<S = string> =
  | { readonly cloud: "aws"; readonly region: string }
  | { readonly cloud: "azure"; readonly vaultUri: S; readonly tenantId: S }
  | { readonly cloud: "gcp"; readonly project: string; readonly clusterName: S; readonly clusterLocation: string };

/**
 * The `spec` of a tenant's ClusterSecretStore. Referent authentication: `serviceAccountRef`
 * names the tenant's workload ServiceAccount and deliberately carries no `namespace`, so ESO
 * resolves it in the namespace of the ExternalSecret being reconciled (ESO source,
 * providers/v1/{aws/auth/auth.go credsFromServiceAccount, azure/keyvault/keyvault.go,
 * gcp/secretmanager/workload_identity.go}: the store's namespace is used only when set on a
 * ClusterSecretStore). `conditions` admit only the tenant's namespaces
 * (pkg/controllers/secretstore/client_manager.go shouldProcessSecret matches
 * `kubernetes.io/metadata.name`), so another tenant's ExternalSecret is refused before any
 * token is minted; the cloud trust (role trust policy / federated credential / WI binding on
 * `system:serviceaccount:<ns>:<tenant>-workload`) is what finally decides.
 */
export function storeSpec<S>(tenant: string, namespaces: readonly string[], target: StoreTarget<S>): Record<string, unknown> {
  const serviceAccountRef = { name: tenantServiceAccount(tenant) };
  const provider =
    target.cloud === "aws"
      ? { aws: { service: "SecretsManager", region: target.region, auth: { jwt: { serviceAccountRef } } } }
      : target.cloud === "azure"
        ? { azurekv: { authType: "WorkloadIdentity", vaultUrl: target.vaultUri, tenantId: target.tenantId, environmentType: "PublicCloud", serviceAccountRef } }
        : {
            gcpsm: {
              projectID: target.project,
              auth: { workloadIdentity: { clusterLocation: target.clusterLocation, clusterName: target.clusterName, clusterProjectID: target.project, serviceAccountRef } },
            },
          };
  return { provider, conditions: [{ namespaces: [...namespaces] }] };
}

// ------------------------------------------------------------------------------------------
// Cloud side.

/** GCP Secret Manager: what every tenant secret must set (user-managed replication in the cluster's region, the domain CMK). */
export function gcpSecretDefaults<S>(region: string, kmsKeyName: S): { replication: { userManaged: { replicas: [{ location: string; customerManagedEncryption: { kmsKeyName: S } }] } } } {
  return { replication: { userManaged: { replicas: [{ location: region, customerManagedEncryption: { kmsKeyName } }] } } };
}

/** A tenant's decrypt principal on the AWS secrets key. */
export interface AwsTenantPrincipal {
  readonly tenant: string;
  /** The tenant's workload roles (one per namespace). */
  readonly roleArns: readonly string[];
}

/** Key administration without the cryptographic operations: the account keeps control, IAM alone cannot decrypt. */
const KEY_ADMIN_ACTIONS = [
  "kms:Create*",
  "kms:Describe*",
  "kms:Enable*",
  "kms:List*",
  "kms:Put*",
  "kms:Update*",
  "kms:Revoke*",
  "kms:Disable*",
  "kms:Get*",
  "kms:Delete*",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:ScheduleKeyDeletion",
  "kms:CancelKeyDeletion",
  "kms:RotateKeyOnDemand",
];

/**
 * The AWS secrets key's policy. The account administers the key but is not granted
 * `kms:Decrypt`; principals of the account may encrypt through Secrets Manager in this region
 * (so a pipeline can write a tenant secret it cannot read back); each tenant's workload role
 * may decrypt only through Secrets Manager in this region and only secrets named
 * `<tenant>/...` (the encryption context Secrets Manager sends is the secret's ARN).
 */
export function awsSecretsKeyPolicy(p: { account: string; partition: string; region: string; tenants: readonly AwsTenantPrincipal[] }): Record<string, unknown> {
  const viaSecretsManager = `secretsmanager.${p.region}.amazonaws.com`;
  const secretArn = (tenant: string) => `arn:${p.partition}:secretsmanager:${p.region}:${p.account}:secret:${secretNamePrefix("aws", tenant)}*`;
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: `arn:${p.partition}:iam::${p.account}:root` }, Action: KEY_ADMIN_ACTIONS, Resource: "*" },
      {
        Sid: "AccountEncryptsThroughSecretsManager",
        Effect: "Allow",
        Principal: { AWS: `arn:${p.partition}:iam::${p.account}:root` },
        Action: ["kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*", "kms:DescribeKey"],
        Resource: "*",
        Condition: { StringEquals: { "kms:ViaService": viaSecretsManager, "kms:CallerAccount": p.account } },
      },
      ...p.tenants.filter((t) => t.roleArns.length > 0).map((t) => ({
        Sid: `TenantDecrypt${t.tenant.replace(/[^A-Za-z0-9]/g, "")}`,
        Effect: "Allow",
        Principal: { AWS: [...t.roleArns].sort() },
        Action: ["kms:Decrypt", "kms:DescribeKey"],
        Resource: "*",
        Condition: { StringEquals: { "kms:ViaService": viaSecretsManager }, StringLike: { "kms:EncryptionContext:SecretARN": secretArn(t.tenant) } },
      })),
    ],
  };
}

// ------------------------------------------------------------------------------------------
// The operator's namespace network: default deny, then only what ESO needs.

/** The webhook's container port (the chart's `webhook.port`), called by the API server. */
export const ESO_WEBHOOK_PORT = 10250;

/** Google's Private Google Access VIP (private.googleapis.com): Secret Manager and STS without internet egress. */
export const GOOGLE_PRIVATE_ACCESS_CIDR = "199.36.153.8/30";

/**
 * NetworkPolicies of the operator's namespace: default deny both ways, DNS to kube-dns,
 * HTTPS egress only to `privateCidrs` (the cluster network, where the API server's private
 * endpoint and the secret service's private endpoints live, plus Google's private VIP on
 * GCP), and webhook ingress only from those ranges (the control plane calls it from there).
 */
export function esoNetworkPolicies(privateCidrs: readonly string[]): { name: string; spec: types.input.networking.v1.NetworkPolicySpec }[] {
  const peers = privateCidrs.map((cidr) => ({ ipBlock: { cidr } }));
  return [
    { name: "default-deny", spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } },
    {
      name: "allow-dns-egress",
      spec: {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
          {
            to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
            ports: [
              { protocol: "UDP", port: 53 },
              { protocol: "TCP", port: 53 },
            ],
          },
        ],
      },
    },
    { name: "allow-private-https-egress", spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: peers, ports: [{ protocol: "TCP", port: 443 }] }] } },
    {
      name: "allow-webhook-ingress",
      spec: {
        podSelector: { matchLabels: { "app.kubernetes.io/name": `${ESO_RELEASE}-webhook` } },
        policyTypes: ["Ingress"],
        ingress: [{ from: peers, ports: [{ protocol: "TCP", port: ESO_WEBHOOK_PORT }] }],
      },
    },
  ];
}

/**
 * Per tenant namespace, the Role and RoleBinding that let the controller mint tokens for the
 * tenant's workload ServiceAccount only (the chart runs with `rbac.serviceAccountTokenCreate:
 * false`, so it has no cluster-wide `serviceaccounts/token` right).
 */
export function tokenGrantManifests(tenant: string, namespace: string): { role: types.input.rbac.v1.Role; binding: types.input.rbac.v1.RoleBinding } {
  const name = `meridian-eso-token-${tenant}`;
  return {
    role: {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name, namespace, labels: { tenant } },
      rules: [{ apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"], resourceNames: [tenantServiceAccount(tenant)] }],
    },
    binding: {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name, namespace, labels: { tenant } },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
      subjects: [{ kind: "ServiceAccount", name: ESO_CONTROLLER_SERVICE_ACCOUNT, namespace: ESO_NAMESPACE }],
    },
  };
}
