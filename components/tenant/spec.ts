/**
 * The tenant on one cluster as plain data: names, the Kubernetes objects the tenant gets on
 * top of the baseline's namespace/quota/persona model (the workload ServiceAccount per
 * namespace, the platform's allow-rule NetworkPolicies, the right to write its own
 * NetworkPolicies and the ValidatingAdmissionPolicy that keeps those inside the platform's
 * limits), and the cloud-side least-privilege statements. Pure functions, so tests and docs
 * read exactly what a cluster gets; the adapters and index.ts only turn them into resources.
 */
import type { Manifest } from "../baseline/policies";
import type { Domain } from "../residency";

/** What the component needs of a tenant (fleet.yaml `tenants.<domain>.<tenant>`, settled). */
export interface TenantPolicyInput {
  readonly name: string;
  readonly team: string;
  readonly developersGroup: string;
  readonly namespaces: readonly string[];
  readonly egress: ReadonlyArray<{ readonly cidr: string; readonly ports: readonly number[] } | { readonly fqdn: string; readonly ports: readonly number[] }>;
  readonly services: ReadonlyArray<{ readonly namespace: string; readonly service: string; readonly ports: readonly number[] }>;
  readonly hostnames?: readonly string[];
}

/** The namespace the exposure service's Gateways run in; tenants receive traffic only from it. */
export const GATEWAY_NAMESPACE = "meridian-gateway";

/** The workload ServiceAccount of a tenant, one per namespace, bound to the namespace's cloud identity. */
export function workloadServiceAccount(tenant: string): string {
  return `${tenant}-workload`;
}

/** Repository path of the tenant in the domain registry (ECR / ACR), under the domain's admitted prefix. */
export function repositoryPath(domain: Domain, tenant: string): string {
  return `meridian/${domain}/${tenant}`;
}

/** Artifact Registry repository id of the tenant: a repository of its own, in the domain registry's project and region. */
export function artifactRegistryRepositoryId(domain: Domain, tenant: string): string {
  return `${domain}-tenant-${tenant}`;
}

/**
 * The image prefixes a cluster must admit for a tenant's repository, derived from the domain
 * registry's prefixes: on AWS and Azure the repository sits under the domain prefix already
 * (nothing extra); on GCP it is its own Artifact Registry repository in the same host and
 * project (`<loc>-docker.pkg.dev/<project>/<domain>-tenant-<tenant>/`). The GCP adapter
 * checks the created repository's URL against this value, so the two cannot drift.
 */
export function tenantImagePrefixes(cloud: string, domainPrefixes: readonly string[], domain: Domain, tenants: readonly string[]): string[] {
  if (cloud !== "gcp") return [];
  const first = domainPrefixes[0];
  if (first === undefined) return [];
  const [host, project] = first.split("/");
  return tenants.map((t) => `${host}/${project}/${artifactRegistryRepositoryId(domain, t)}/`);
}

/** Secrets naming convention per cloud (read by the secrets service): AWS `<tenant>/<name>`, GCP `<tenant>--<name>`, Azure a vault per tenant. */
export const SECRET_PREFIX = {
  aws: (tenant: string) => `${tenant}/`,
  gcp: (tenant: string) => `${tenant}--`,
} as const;

/** NetworkPolicy names the platform owns in a tenant namespace: tenants may not change or delete them. */
export const PLATFORM_NETWORK_POLICIES = ["default-deny", "allow-dns-egress"] as const;
export const PLATFORM_POLICY_PREFIX = "meridian-";

/** Pure validation; every problem at once. */
export function validateTenantInput(t: TenantPolicyInput): Array<{ propertyPath: string; reason: string }> {
  const problems: Array<{ propertyPath: string; reason: string }> = [];
  if (!/^[a-z]([-a-z0-9]{0,18}[a-z0-9])?$/.test(t.name)) problems.push({ propertyPath: "tenant.name", reason: `"${t.name}" is not a DNS-1123 label of at most 20 characters` });
  if (t.namespaces.length === 0) problems.push({ propertyPath: "tenant.namespaces", reason: "at least one namespace" });
  t.namespaces.forEach((ns, i) => {
    if (ns === "default" || ns.startsWith("kube-") || ns.startsWith("meridian-")) {
      problems.push({ propertyPath: `tenant.namespaces[${i}]`, reason: `"${ns}" is reserved for system and platform namespaces` });
    }
  });
  t.services.forEach((s, i) => {
    if (t.namespaces.includes(s.namespace)) problems.push({ propertyPath: `tenant.services[${i}]`, reason: "a service in the tenant's own namespaces needs no rule" });
  });
  return problems;
}

// ---------------------------------------------------------------------------------------
// Kubernetes: ServiceAccounts, allow rules, the tenant's own NetworkPolicies and their limits

const celList = (xs: readonly string[]) => `[${xs.map((x) => JSON.stringify(x)).join(", ")}]`;
const tcp = (ports: readonly number[]) => ports.map((port) => ({ protocol: "TCP", port }));
const platformLabels = (tenant: string) => ({ "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "meridian-tenant", tenant });

/** The workload ServiceAccount per namespace; `annotations` bind it to the cloud identity (Azure client id, GCP service account). */
export function serviceAccountManifests(t: TenantPolicyInput, annotations: Readonly<Record<string, string>> = {}): Manifest[] {
  return t.namespaces.map((ns) => ({
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: workloadServiceAccount(t.name), namespace: ns, labels: platformLabels(t.name), ...(Object.keys(annotations).length > 0 ? { annotations: { ...annotations } } : {}) },
    // Workload identity tokens are projected by the cloud's webhook / metadata server; the
    // Kubernetes API token is not needed by a tenant workload.
    automountServiceAccountToken: false,
  }));
}

/**
 * The platform's allow rules, on top of the baseline's default-deny and DNS egress, in every
 * namespace of the tenant: within the tenant (its own namespaces), from the Gateway namespace,
 * to the named in-domain services (pods labelled `app.kubernetes.io/name=<service>`, which
 * admission requires of every pod) and to the CIDR allowlist.
 */
export function allowRuleManifests(t: TenantPolicyInput): Manifest[] {
  const cidrs = t.egress.filter((e): e is { cidr: string; ports: readonly number[] } => "cidr" in e);
  return t.namespaces.flatMap((ns) => {
    const np = (name: string, spec: Record<string, unknown>): Manifest => ({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: `${PLATFORM_POLICY_PREFIX}${name}`, namespace: ns, labels: platformLabels(t.name) },
      spec: { podSelector: {}, ...spec },
    });
    const tenantPeer = { namespaceSelector: { matchLabels: { tenant: t.name } } };
    const out = [
      np("allow-within-tenant", { policyTypes: ["Ingress", "Egress"], ingress: [{ from: [tenantPeer] }], egress: [{ to: [tenantPeer] }] }),
      np("allow-from-gateway", { policyTypes: ["Ingress"], ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": GATEWAY_NAMESPACE } } }] }] }),
    ];
    if (t.services.length > 0) {
      out.push(
        np("allow-to-services", {
          policyTypes: ["Egress"],
          egress: t.services.map((s) => ({
            to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": s.namespace } }, podSelector: { matchLabels: { "app.kubernetes.io/name": s.service } } }],
            ports: tcp(s.ports),
          })),
        }),
      );
    }
    if (cidrs.length > 0) {
      out.push(np("allow-egress-allowlist", { policyTypes: ["Egress"], egress: cidrs.map((c) => ({ to: [{ ipBlock: { cidr: c.cidr } }], ports: tcp(c.ports) })) }));
    }
    return out;
  });
}

/** Tenant developers may write NetworkPolicies in their namespaces (the baseline persona only reads them); the VAP bounds what they write. */
export function networkAuthorManifests(t: TenantPolicyInput): Manifest[] {
  const role = "meridian:tenant-network-author";
  return t.namespaces.flatMap((ns) => [
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: role, namespace: ns, labels: platformLabels(t.name) },
      rules: [{ apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: ["get", "list", "watch", "create", "update", "patch", "delete"] }],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: role, namespace: ns, labels: platformLabels(t.name) },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role },
      subjects: [{ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: t.developersGroup }],
    },
  ]);
}

/**
 * The virtual permission that exempts the platform from the tenant limits: nobody is granted
 * it explicitly; cluster-admin-equivalent deployers (Pulumi, break-glass) hold it through `*`.
 */
export const LIMITS_BYPASS = { group: "meridian.io", resource: "tenantnetworklimits", verb: "bypass" } as const;

export function networkLimitsPolicyName(tenant: string): string {
  return `meridian-tenant-netpol-${tenant}`;
}

/** The namespaces a tenant's own NetworkPolicies may name: its own, the Gateway's and those of its declared services. */
export function allowedPeerNamespaces(t: TenantPolicyInput): string[] {
  return [...new Set([...t.namespaces, GATEWAY_NAMESPACE, ...t.services.map((s) => s.namespace)])];
}

/**
 * The limits on the tenant's own NetworkPolicies (a ValidatingAdmissionPolicy bound to the
 * tenant's namespaces): no change to the platform's policies; every rule names its peers (an
 * empty `from`/`to` admits everything); ipBlocks only from the tenant's CIDR allowlist;
 * namespaceSelectors only by `tenant=<self>` or by name of an allowed namespace (its own, the
 * Gateway's, its declared services'). Kept to CEL both the API server and cel-js evaluate.
 */
export function networkLimitsPolicy(domain: Domain, t: TenantPolicyInput): { policy: Manifest; binding: Manifest } {
  const name = networkLimitsPolicyName(t.name);
  const cidrs = celList(t.egress.filter((e): e is { cidr: string; ports: readonly number[] } => "cidr" in e).map((e) => e.cidr));
  const namespaces = celList(allowedPeerNamespaces(t));
  const self = JSON.stringify(t.name);
  const peerOk =
    `(!has(p.ipBlock) || p.ipBlock.cidr in ${cidrs}) && ` +
    `(!has(p.namespaceSelector) || (has(p.namespaceSelector.matchLabels) && ` +
    `(("tenant" in p.namespaceSelector.matchLabels && p.namespaceSelector.matchLabels["tenant"] == ${self}) || ` +
    `("kubernetes.io/metadata.name" in p.namespaceSelector.matchLabels && p.namespaceSelector.matchLabels["kubernetes.io/metadata.name"] in ${namespaces}))))`;
  const notDelete = 'request.operation == "DELETE"';
  const labels = { "app.kubernetes.io/part-of": "meridian-tenant", tenant: t.name, residency: domain };
  const { group, resource, verb } = LIMITS_BYPASS;
  return {
    policy: {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicy",
      metadata: { name, labels },
      spec: {
        failurePolicy: "Fail",
        matchConstraints: {
          namespaceSelector: { matchLabels: { tenant: t.name } },
          resourceRules: [{ apiGroups: ["networking.k8s.io"], apiVersions: ["v1"], resources: ["networkpolicies"], operations: ["CREATE", "UPDATE", "DELETE"] }],
        },
        matchConditions: [{ name: "not-platform", expression: `!authorizer.group(${JSON.stringify(group)}).resource(${JSON.stringify(resource)}).check(${JSON.stringify(verb)}).allowed()` }],
        variables: [
          { name: "target", expression: `${notDelete} ? oldObject : object` },
          {
            name: "platformOwned",
            expression: `variables.target.metadata.name in ${celList(PLATFORM_NETWORK_POLICIES)} || variables.target.metadata.name.startsWith(${JSON.stringify(PLATFORM_POLICY_PREFIX)})`,
          },
        ],
        validations: [
          {
            expression: "!variables.platformOwned",
            message: `the platform's NetworkPolicies (${PLATFORM_NETWORK_POLICIES.join(", ")}, ${PLATFORM_POLICY_PREFIX}*) are not the tenant's to change`,
            reason: "Forbidden",
          },
          {
            expression: `${notDelete} || ((!has(object.spec.ingress) || object.spec.ingress.all(r, has(r.from) && size(r.from) > 0)) && (!has(object.spec.egress) || object.spec.egress.all(r, has(r.to) && size(r.to) > 0)))`,
            message: "every ingress rule names its sources and every egress rule its destinations (an empty from/to admits everything)",
            reason: "Forbidden",
          },
          {
            expression: `${notDelete} || ((!has(object.spec.ingress) || object.spec.ingress.all(r, !has(r.from) || r.from.all(p, ${peerOk}))) && (!has(object.spec.egress) || object.spec.egress.all(r, !has(r.to) || r.to.all(p, ${peerOk}))))`,
            message: `tenant ${t.name} may name only its allowlisted CIDRs (${t.egress.filter((e) => "cidr" in e).map((e) => (e as { cidr: string }).cidr).join(", ") || "none"}) and the namespaces ${allowedPeerNamespaces(t).join(", ")} (or tenant=${t.name})`,
            reason: "Forbidden",
          },
        ],
      },
    },
    binding: {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicyBinding",
      metadata: { name, labels },
      spec: { policyName: name, validationActions: ["Deny", "Audit"] },
    },
  };
}

// ---------------------------------------------------------------------------------------
// Cloud side: least privilege, as data

/** ECR pull actions on the tenant's repository; GetAuthorizationToken cannot be scoped to a repository (AWS). */
export const ECR_PULL_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"] as const;
export const SECRETS_READ_ACTIONS = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"] as const;

/** The IAM policy of one namespace's role: pull its repository, read `secret:<tenant>/*`, decrypt those secrets through Secrets Manager only. */
export function awsWorkloadPolicy(p: { repositoryArn: string; region: string; accountId: string; tenant: string; keyArn: string }): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "PullOwnRepository", Effect: "Allow", Action: [...ECR_PULL_ACTIONS], Resource: p.repositoryArn },
      { Sid: "RegistryLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
      { Sid: "ReadOwnSecrets", Effect: "Allow", Action: [...SECRETS_READ_ACTIONS], Resource: `arn:aws:secretsmanager:${p.region}:${p.accountId}:secret:${SECRET_PREFIX.aws(p.tenant)}*` },
      {
        Sid: "DecryptOwnSecretsViaSecretsManager",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: p.keyArn,
        Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${p.region}.amazonaws.com` } },
      },
    ],
  };
}

/** EKS Pod Identity trust: only this cluster's `<tenant>-workload` ServiceAccount in this namespace (session tags set by EKS). */
export function awsPodIdentityTrust(p: { accountId: string; clusterName: string; namespace: string; serviceAccount: string }): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "pods.eks.amazonaws.com" },
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Condition: {
          StringEquals: {
            "aws:SourceAccount": p.accountId,
            "aws:RequestTag/eks-cluster-name": p.clusterName,
            "aws:RequestTag/kubernetes-namespace": p.namespace,
            "aws:RequestTag/kubernetes-service-account": p.serviceAccount,
          },
        },
      },
    ],
  };
}

/**
 * IRSA (web identity through the cluster's OIDC provider) for the same ServiceAccount: External
 * Secrets authenticates *as* the tenant by minting that ServiceAccount's token
 * (`serviceAccountRef`), which works with IRSA and not with Pod Identity (the Pod Identity
 * agent serves only pods). `sub` pins namespace and ServiceAccount, `aud` the STS audience.
 */
export function awsIrsaTrustStatement(p: { accountId: string; oidcIssuer: string; namespace: string; serviceAccount: string }): Record<string, unknown> {
  const provider = p.oidcIssuer.replace(/^https:\/\//, "");
  return {
    Sid: "IrsaForExternalSecrets",
    Effect: "Allow",
    Principal: { Federated: `arn:aws:iam::${p.accountId}:oidc-provider/${provider}` },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: { StringEquals: { [`${provider}:sub`]: `system:serviceaccount:${p.namespace}:${p.serviceAccount}`, [`${provider}:aud`]: "sts.amazonaws.com" } },
  };
}

/** Azure built-in roles (role definition ids). */
export const AZURE_ROLES = {
  keyVaultSecretsUser: "4633458b-17de-408a-b874-0445c86b69e6",
  /** ABAC-capable; the condition scopes it to the tenant's repository (honoured once the registry is in ABAC repository-permissions mode). */
  containerRegistryRepositoryReader: "b93aa761-3e63-49ed-ac28-beffa264f7ac",
} as const;

/** The ABAC condition limiting a repository-reader assignment to the tenant's repositories. */
export function acrRepositoryCondition(repository: string): string {
  return (
    "((!(ActionMatches{'Microsoft.ContainerRegistry/registries/repositories/content/read'}) AND !(ActionMatches{'Microsoft.ContainerRegistry/registries/repositories/metadata/read'}))" +
    ` OR (@Request[Microsoft.ContainerRegistry/registries/repositories:name] StringStartsWithIgnoreCase '${repository}'))`
  );
}

/** The Key Vault name for a tenant on a cluster (3–24 chars, globally unique, deterministic). */
export function tenantVaultName(domain: Domain, tenant: string, clusterName: string): string {
  const suffix = shortHash(`${domain}/${clusterName}/${tenant}`);
  return `kv${domain}${tenant.replace(/-/g, "")}`.slice(0, 18) + suffix;
}

/** A GCP service account id (6–30 chars) for a tenant namespace. */
export function gcpServiceAccountId(tenant: string, namespace: string): string {
  return `t-${tenant}`.slice(0, 23) + `-${shortHash(`${tenant}/${namespace}`)}`;
}

/** The IAM condition limiting Secret Manager access to the tenant's secrets (`<tenant>--<name>`), by the resource name the API checks. */
export function gcpSecretCondition(projectNumber: string, tenant: string): { title: string; description: string; expression: string } {
  return {
    title: `secrets-of-${tenant}`,
    description: `Only secrets named ${SECRET_PREFIX.gcp(tenant)}<name>`,
    expression: `resource.name.startsWith("projects/${projectNumber}/secrets/${SECRET_PREFIX.gcp(tenant)}")`,
  };
}

/** Six lower-case hex characters, stable per input (FNV-1a). */
function shortHash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0").slice(0, 6);
}
