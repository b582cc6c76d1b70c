/**
 * Argo CD on a domain's management cluster: the pinned chart and images, the typed chart
 * values, the per-tenant AppProject and ApplicationSet (rollout rings from `meridian:ring`),
 * and the cluster-Secret `config` each cloud's registration uses. Pure functions, testable
 * without mocks; components/gitops/index.ts and ./registration create the resources.
 *
 * Why Argo CD (ADR-5, docs/adr.md): one controller per domain on the management cluster that
 * reaches the domain's workload clusters (hub and spoke) with per-cluster short-lived cloud
 * credentials (`awsAuthConfig`, `execProviderConfig` with `argocd-k8s-auth`), and
 * ApplicationSet progressive syncs (RollingSync) for rings. Flux runs per cluster and would
 * need a kubeconfig per remote cluster for the same shape.
 */
import type * as k8s from "@pulumi/kubernetes";
import { z } from "zod";
import type { TenantSource } from "../../automation/fleet/gitops";
import type { Cloud, Domain } from "../residency";

/** The management cluster's namespace for GitOps (created by the baseline, PSA restricted). */
export const GITOPS_NAMESPACE = "meridian-gitops";

/**
 * The chart, pinned exactly, installed from the domain registry's OCI chart mirror
 * (`oci://<registry prefix>charts/argo-cd`). Chart 8.0.x ships Argo CD v3.0.x; the pair is
 * mirrored together (docs/gitops.md, "Mirroring").
 */
export const ARGOCD_CHART = { chart: "argo-cd", version: "8.0.17", appVersion: "v3.0.6" } as const;

/**
 * Every image the chart runs, mirrored into the domain registry under `mirror/` and pinned by
 * digest. PLACEHOLDER digests: fill them from the mirror (`crane digest <prefix>mirror/...:<tag>`)
 * when the images are copied; the admission policy and the pack require `@sha256:`.
 */
export const ARGOCD_IMAGES = {
  argocd: { repository: "mirror/argoproj/argocd", tag: ARGOCD_CHART.appVersion, digest: `sha256:${"0".repeat(63)}1` },
  redis: { repository: "mirror/library/redis", tag: "7.2.8-alpine", digest: `sha256:${"0".repeat(63)}2` },
} as const;

/** ServiceAccounts that talk to workload clusters: the application controller and the API server (logs, actions). */
export const CONTROLLER_SERVICE_ACCOUNTS = ["argocd-application-controller", "argocd-server"] as const;

/** Where the controller's projected, audience-bound ServiceAccount tokens are mounted, per target cloud. */
export const TOKEN_DIR = "/var/run/secrets/meridian/gitops";
export const TOKEN_AUDIENCES: Readonly<Record<Cloud, (domain: Domain) => string>> = {
  aws: () => "sts.amazonaws.com",
  azure: () => "api://AzureADTokenExchange",
  gcp: (domain) => `meridian-gitops-${domain}`,
};
export const tokenPath = (cloud: Cloud): string => `${TOKEN_DIR}/${cloud}/token`;
/** Directory of the GCP credential configuration (external_account JSON) of one GCP workload stack. */
export const gcpCredentialDir = (stack: string): string => `${TOKEN_DIR}/gcp-config/${stack}`;
/** ConfigMap (in the GitOps namespace) holding that configuration; written by the registration. */
export const gcpCredentialConfigMap = (stack: string): string => `gitops-gcp-${stack}`;
/** Projected token lifetime: short, refreshed by the kubelet. */
export const TOKEN_SECONDS = 3600;

export const LABELS = {
  secretType: "argocd.argoproj.io/secret-type",
  domain: "meridian.io/domain",
  cloud: "meridian.io/cloud",
  ring: "meridian.io/ring",
  stack: "meridian.io/stack",
  tenant: (t: string) => `tenant.meridian.io/${t}`,
} as const;

/** IAM path of the workload clusters' GitOps roles: the controller may assume only its own domain's. */
export const gitopsRolePath = (domain: Domain): string => `/meridian-gitops/${domain}/`;

export const subjectsOf = (namespace: string): string[] => CONTROLLER_SERVICE_ACCOUNTS.map((sa) => `system:serviceaccount:${namespace}:${sa}`);

// ------------------------------------------------------------------------------------------
// Chart values: typed, validated before they reach the chart.

const image = z.strictObject({ repository: z.string().min(1), tag: z.string().regex(/^[^@\s]+@sha256:[a-f0-9]{64}$/, "a tag pinned by digest (tag@sha256:…)") });
const volume = z.looseObject({ name: z.string().min(1) });
const mount = z.strictObject({ name: z.string().min(1), mountPath: z.string().startsWith("/"), readOnly: z.literal(true) });
const workloadValues = z.looseObject({
  serviceAccount: z.strictObject({ create: z.literal(true), name: z.string().min(1) }),
  volumes: z.array(volume),
  volumeMounts: z.array(mount),
});

export const argoCdValuesSchema = z.looseObject({
  global: z.looseObject({ image, domain: z.string().optional() }),
  configs: z.looseObject({
    cm: z.looseObject({ "admin.enabled": z.literal(false), "exec.enabled": z.literal(false) }),
    params: z.looseObject({
      "applicationsetcontroller.enable.progressive.syncs": z.literal(true),
      "applicationsetcontroller.policy": z.literal("create-update"),
    }),
  }),
  controller: workloadValues,
  server: workloadValues,
  redis: z.looseObject({ image: z.strictObject({ repository: z.string().min(1), tag: image.shape.tag }) }),
  dex: z.strictObject({ enabled: z.literal(false) }),
  notifications: z.strictObject({ enabled: z.literal(false) }),
  "redis-ha": z.strictObject({ enabled: z.literal(false) }),
});
export type ArgoCdValues = z.infer<typeof argoCdValuesSchema>;

export interface ControllerValuesInput {
  readonly domain: Domain;
  readonly namespace: string;
  /** The domain registry prefix every image is pulled from (ends with `/`). */
  readonly registryPrefix: string;
  /** GCP workload stacks of the domain: one optional credential ConfigMap each. */
  readonly gcpStacks: readonly string[];
}

/** The projected-token volumes (one audience per target cloud) and the GCP credential configs. */
type Volume = { name: string } & Record<string, unknown>;
function tokenVolumes(domain: Domain, gcpStacks: readonly string[]): { volumes: Volume[]; volumeMounts: z.infer<typeof mount>[] } {
  const clouds = Object.keys(TOKEN_AUDIENCES) as Cloud[];
  const volumes: Volume[] = clouds.map((c) => ({
    name: `meridian-token-${c}`,
    projected: { sources: [{ serviceAccountToken: { audience: TOKEN_AUDIENCES[c](domain), expirationSeconds: TOKEN_SECONDS, path: "token" } }] },
  }));
  const volumeMounts = clouds.map((c) => ({ name: `meridian-token-${c}`, mountPath: `${TOKEN_DIR}/${c}`, readOnly: true as const }));
  for (const s of gcpStacks) {
    volumes.push({ name: `meridian-gcp-${s}`, configMap: { name: gcpCredentialConfigMap(s), optional: true } });
    volumeMounts.push({ name: `meridian-gcp-${s}`, mountPath: gcpCredentialDir(s), readOnly: true });
  }
  return { volumes, volumeMounts };
}

const pinned = (prefix: string, i: { repository: string; tag: string; digest: string }) => ({ repository: `${prefix}${i.repository}`, tag: `${i.tag}@${i.digest}` });

/** The chart values: images from the domain registry by digest, no local admin, no exec, progressive syncs on. */
export function argoCdValues(input: ControllerValuesInput): ArgoCdValues {
  const tokens = tokenVolumes(input.domain, input.gcpStacks);
  const sa = (name: string) => ({ serviceAccount: { create: true as const, name }, ...tokens });
  return {
    global: { image: pinned(input.registryPrefix, ARGOCD_IMAGES.argocd) },
    configs: {
      cm: { "admin.enabled": false, "exec.enabled": false },
      params: {
        "applicationsetcontroller.enable.progressive.syncs": true,
        // ApplicationSets create and update Applications; deleting one is a human decision.
        "applicationsetcontroller.policy": "create-update",
      },
    },
    controller: sa(CONTROLLER_SERVICE_ACCOUNTS[0]),
    server: sa(CONTROLLER_SERVICE_ACCOUNTS[1]),
    redis: { image: pinned(input.registryPrefix, ARGOCD_IMAGES.redis) },
    dex: { enabled: false },
    notifications: { enabled: false },
    "redis-ha": { enabled: false },
  };
}

/** Every problem with a values object (schema, then every image from the domain registry). */
export function validateArgoCdValues(values: unknown, registryPrefixes: readonly string[]): string[] {
  const parsed = argoCdValuesSchema.safeParse(values);
  if (!parsed.success) return parsed.error.issues.map((i) => `values.${i.path.join(".")}: ${i.message}`);
  const images: Array<[string, string]> = [
    ["global.image.repository", parsed.data.global.image.repository],
    ["redis.image.repository", parsed.data.redis.image.repository],
  ];
  return images
    .filter(([, repo]) => !registryPrefixes.some((p) => repo.startsWith(p)))
    .map(([key, repo]) => `values.${key}: "${repo}" is not in the domain registry (${registryPrefixes.join(", ") || "none"})`);
}

/** The chart mirror of a registry prefix: `oci://<host>/<path>/charts`. */
export function chartMirror(registryPrefix: string): string {
  return `oci://${registryPrefix.replace(/\/+$/, "")}/charts`;
}

/**
 * NetworkPolicies on top of the baseline's default-deny: traffic among Argo CD's own pods, and
 * egress on TCP 443 only (API servers, STS / Entra / Google token endpoints, HTTPS Git). The
 * token endpoints are public and their addresses not fixed, so the egress is not narrowed by
 * address; the controller holds credentials for its own domain's clusters only.
 */
export function gitopsNetworkPolicies(namespace: string): Array<{ readonly metadata: { readonly name: string; readonly namespace: string }; readonly spec: k8s.types.input.networking.v1.NetworkPolicySpec }> {
  return [
    {
      metadata: { name: "allow-intra-namespace", namespace },
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"], ingress: [{ from: [{ podSelector: {} }] }], egress: [{ to: [{ podSelector: {} }] }] },
    },
    {
      metadata: { name: "allow-https-egress", namespace },
      spec: { podSelector: {}, policyTypes: ["Egress"], egress: [{ ports: [{ protocol: "TCP", port: 443 }] }] },
    },
  ];
}

// ------------------------------------------------------------------------------------------
// Per tenant: an AppProject (what it may deploy, where) and an ApplicationSet (rings).

export interface TenantDelivery {
  readonly name: string;
  readonly namespaces: readonly string[];
  /** Workload stacks (= registered cluster names) the tenant lands on. */
  readonly clusters: readonly string[];
  /** `meridian:ring` of each of those stacks. */
  readonly rings: Readonly<Record<string, number>>;
  readonly source: TenantSource;
}

/** Namespaced kinds a tenant's Git may not set: the platform owns quotas and limits. */
export const TENANT_DENIED_KINDS = ["ResourceQuota", "LimitRange"] as const;

export function appProject(t: TenantDelivery, namespace: string): Record<string, unknown> {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "AppProject",
    metadata: { name: t.name, namespace, labels: { [LABELS.tenant(t.name)]: "true" } },
    spec: {
      description: `Tenant ${t.name}: its repository, its namespaces on its clusters, no cluster-scoped objects.`,
      sourceRepos: [t.source.repoURL],
      destinations: t.clusters.flatMap((c) => t.namespaces.map((ns) => ({ name: c, namespace: ns }))),
      clusterResourceWhitelist: [],
      namespaceResourceBlacklist: TENANT_DENIED_KINDS.map((kind) => ({ group: "", kind })),
      sourceNamespaces: [],
    },
  };
}

/** RollingSync steps: one per ring, ascending — ring N syncs after ring N-1 is healthy. */
export function ringSteps(rings: Readonly<Record<string, number>>): Array<Record<string, unknown>> {
  const distinct = [...new Set(Object.values(rings))].sort((a, b) => a - b);
  return distinct.map((r) => ({ matchExpressions: [{ key: LABELS.ring, operator: "In", values: [String(r)] }] }));
}

export function applicationSet(t: TenantDelivery, namespace: string): Record<string, unknown> {
  const fill = (p: string) => p.replaceAll("{cluster}", "{{.name}}").replaceAll("{namespace}", "{{.namespace}}");
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "ApplicationSet",
    metadata: { name: t.name, namespace, labels: { [LABELS.tenant(t.name)]: "true" } },
    spec: {
      goTemplate: true,
      goTemplateOptions: ["missingkey=error"],
      generators: [
        {
          matrix: {
            generators: [
              // Registered clusters that carry this tenant (the registration sets the label from fleet.yaml).
              { clusters: { selector: { matchLabels: { [LABELS.tenant(t.name)]: "true" } } } },
              { list: { elements: t.namespaces.map((ns) => ({ namespace: ns })) } },
            ],
          },
        },
      ],
      strategy: { type: "RollingSync", rollingSync: { steps: ringSteps(t.rings) } },
      template: {
        metadata: {
          name: `${t.name}-{{.name}}-{{.namespace}}`,
          labels: { [LABELS.ring]: `{{index .metadata.labels "${LABELS.ring}"}}`, [LABELS.tenant(t.name)]: "true" },
        },
        spec: {
          project: t.name,
          source: { repoURL: t.source.repoURL, targetRevision: t.source.revision, path: fill(t.source.path) },
          destination: { name: "{{.name}}", namespace: "{{.namespace}}" },
          syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ["CreateNamespace=false", "ServerSideApply=true"] },
        },
      },
    },
  };
}

// ------------------------------------------------------------------------------------------
// Registration: the cluster Secret's `config` per target cloud (no bearer token, no key).

export type RegistrationAuth =
  /** EKS target, controller on EKS: the controller's Pod Identity role assumes the target role. */
  | { readonly kind: "aws-role"; readonly clusterName: string; readonly roleArn: string }
  /** EKS target, controller elsewhere: web identity from the projected token straight into the target role. */
  | { readonly kind: "aws-web-identity"; readonly clusterName: string; readonly roleArn: string; readonly region: string }
  /** AKS target: Entra workload identity federation on a user-assigned identity. */
  | { readonly kind: "azure"; readonly clientId: string; readonly tenantId: string }
  /** GKE target: Workload Identity Federation through the stack's credential configuration. */
  | { readonly kind: "gcp"; readonly stack: string };

const EXEC_API = "client.authentication.k8s.io/v1beta1";

/** Argo CD's cluster `config` (docs: declarative setup, clusters). */
export function clusterConfig(auth: RegistrationAuth, caData: string): Record<string, unknown> {
  const tlsClientConfig = { insecure: false, caData };
  const exec = (args: string[], env: Record<string, string>) => ({ execProviderConfig: { command: "argocd-k8s-auth", args, env, apiVersion: EXEC_API }, tlsClientConfig });
  switch (auth.kind) {
    case "aws-role":
      return { awsAuthConfig: { clusterName: auth.clusterName, roleARN: auth.roleArn }, tlsClientConfig };
    case "aws-web-identity":
      return exec(["aws", "--cluster-name", auth.clusterName], { AWS_ROLE_ARN: auth.roleArn, AWS_WEB_IDENTITY_TOKEN_FILE: tokenPath("aws"), AWS_REGION: auth.region });
    case "azure":
      return exec(["azure"], {
        AAD_LOGIN_METHOD: "workloadidentity",
        AAD_ENVIRONMENT_NAME: "AzurePublicCloud",
        AZURE_AUTHORITY_HOST: "https://login.microsoftonline.com/",
        AZURE_CLIENT_ID: auth.clientId,
        AZURE_TENANT_ID: auth.tenantId,
        AZURE_FEDERATED_TOKEN_FILE: tokenPath("azure"),
      });
    case "gcp":
      return exec(["gcp"], { GOOGLE_APPLICATION_CREDENTIALS: `${gcpCredentialDir(auth.stack)}/credentials.json` });
  }
}

/** The external_account credential configuration (no key material) for GCP Workload Identity Federation. */
export function gcpCredentialConfig(providerName: string, serviceAccountEmail: string): Record<string, unknown> {
  return {
    type: "external_account",
    audience: `//iam.googleapis.com/${providerName}`,
    subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
    token_url: "https://sts.googleapis.com/v1/token",
    service_account_impersonation_url: `https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/${serviceAccountEmail}:generateAccessToken`,
    credential_source: { file: tokenPath("gcp") },
  };
}

/** The cluster Secret's labels: domain, cloud, ring and one label per tenant (the ApplicationSets select on these). */
export function registrationLabels(args: { domain: Domain; cloud: Cloud; stack: string; ring: number; tenants: readonly string[] }): Record<string, string> {
  return {
    [LABELS.secretType]: "cluster",
    [LABELS.domain]: args.domain,
    [LABELS.cloud]: args.cloud,
    [LABELS.stack]: args.stack,
    [LABELS.ring]: String(args.ring),
    ...Object.fromEntries(args.tenants.map((t) => [LABELS.tenant(t), "true"])),
  };
}
