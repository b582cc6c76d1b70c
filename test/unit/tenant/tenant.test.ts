/**
 * ClusterTenant under mocks on all three clouds: the security-relevant inputs of the
 * repository, the workload identity per namespace (trust limited to the namespace's
 * `<tenant>-workload` ServiceAccount, access limited to its own repository and secrets), the
 * Azure vault, and the Kubernetes side (ServiceAccounts bound to the principal, allow rules,
 * the tenant's NetworkPolicy rights and the VAP bounding them).
 */
import * as aws from "@pulumi/aws";
import * as azure from "@pulumi/azure-native";
import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import { findAll, installMocks, settle, valueOf } from "../../support/mocks";

const cloud = installMocks({ stack: "eu-workload-aws" });

import { claimResident, type RegistryHandle } from "../../../components/residency";
import { AZURE_ROLES, ClusterTenant, tenantImagePrefixes, type TenantPolicyInput } from "../../../components/tenant";
import { EU_AWS_KEY, EU_AWS_REGISTRY, EU_AZURE_KEY, EU_GCP_KEY } from "../cluster/fixtures";

const tenant: TenantPolicyInput = {
  name: "payments",
  team: "payments",
  developersGroup: "eu-payments-devs",
  namespaces: ["payments", "payments-batch"],
  egress: [{ cidr: "203.0.113.0/24", ports: [443] }, { fqdn: "api.acquirer.example.eu", ports: [443] }],
  services: [{ namespace: "meridian-system", service: "ledger-api", ports: [8443] }],
};
const EU_ACR: RegistryHandle<"eu"> = claimResident("eu", { cloud: "azure" as const, region: "westeurope", imagePrefixes: ["meridianeu.azurecr.io/"] });
const EU_AR: RegistryHandle<"eu"> = claimResident("eu", {
  cloud: "gcp" as const,
  region: "europe-west1",
  imagePrefixes: ["europe-west1-docker.pkg.dev/meridian-eu-prod/eu-platform/", "europe-west1-docker.pkg.dev/meridian-eu-prod/eu-apps/"],
});

const kube = (n: string) => new k8s.Provider(`${n}-k8s`, { kubeconfig: "{}" });
new ClusterTenant(
  "aws-payments",
  { domain: "eu", tenant, provider: kube("aws"), clusterName: "eu-workload-aws", cloud: { cloud: "aws", region: "eu-central-1", key: EU_AWS_KEY, registry: EU_AWS_REGISTRY, oidcIssuer: "https://oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLE" } },
  { providers: [new aws.Provider("aws", { region: "eu-central-1" })] },
);
new ClusterTenant(
  "azure-payments",
  {
    domain: "eu",
    tenant,
    provider: kube("azure"),
    clusterName: "eu-workload-azure",
    cloud: { cloud: "azure", region: "westeurope", key: EU_AZURE_KEY, registry: EU_ACR, oidcIssuer: "https://westeurope.oic.prod-aks.azure.com/t/i/" },
  },
  { providers: [new azure.Provider("azure", { location: "westeurope" })] },
);
const gcpTenant = new ClusterTenant(
  "gcp-payments",
  { domain: "eu", tenant, provider: kube("gcp"), clusterName: "eu-workload-gcp", cloud: { cloud: "gcp", region: "europe-west1", key: EU_GCP_KEY, registry: EU_AR } },
  { providers: [new gcp.Provider("gcp", { project: "meridian-eu-prod", region: "europe-west1" })] },
);
new ClusterTenant("local-payments", { domain: "eu", tenant, provider: kube("local"), clusterName: "local-eu", cloud: { cloud: "none" } });

beforeAll(settle);

type Doc = { Statement: Array<Record<string, any>> }; // eslint-disable-line @typescript-eslint/no-explicit-any
const of = (type: string, prefix: string) => findAll(cloud, type).filter((r) => r.name.startsWith(prefix));

describe("AWS", () => {
  it("creates the tenant's ECR repository under the domain prefix, KMS-encrypted with the domain key, immutable", () => {
    const [repo] = of("aws:ecr/repository:Repository", "aws-payments");
    expect(repo.inputs).toMatchObject({ name: "meridian/eu/payments", imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: true } });
    expect(repo.inputs.encryptionConfigurations).toEqual([{ encryptionType: "KMS", kmsKey: EU_AWS_KEY.arn }]);
  });

  it("one role per namespace, assumable (Pod Identity for pods, IRSA for External Secrets) only by that namespace's <tenant>-workload on this cluster", () => {
    const roles = of("aws:iam/role:Role", "aws-payments");
    expect(roles.map((r) => r.name).sort()).toEqual(["aws-payments-payments-batch-role", "aws-payments-payments-role"]);
    const trust = JSON.parse(String(roles.find((r) => r.name === "aws-payments-payments-role")!.inputs.assumeRolePolicy)) as Doc;
    expect(trust.Statement).toHaveLength(2);
    expect(trust.Statement[0].Principal).toEqual({ Service: "pods.eks.amazonaws.com" });
    // IRSA: only this namespace's ServiceAccount, through this cluster's OIDC provider, for STS.
    expect(trust.Statement[1]).toMatchObject({
      Principal: { Federated: expect.stringMatching(/:oidc-provider\/oidc\.eks\.eu-central-1\.amazonaws\.com\/id\/EXAMPLE$/) },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringEquals: {
          "oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLE:sub": "system:serviceaccount:payments:payments-workload",
          "oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLE:aud": "sts.amazonaws.com",
        },
      },
    });
    type Meta = { metadata?: { namespace?: string; name?: string; annotations?: Record<string, string> } };
    const sa = findAll(cloud, "kubernetes:core/v1:ServiceAccount")
      .map((r) => ({ name: r.name, inputs: r.inputs as Meta }))
      .find((r) => r.inputs.metadata?.namespace === "payments" && r.inputs.metadata?.name === "payments-workload" && r.name.startsWith("aws-"));
    expect(sa?.inputs.metadata?.annotations?.["eks.amazonaws.com/role-arn"]).toMatch(/^arn:aws:iam::/);
    expect(trust.Statement[0].Condition.StringEquals).toMatchObject({
      "aws:RequestTag/eks-cluster-name": "eu-workload-aws",
      "aws:RequestTag/kubernetes-namespace": "payments",
      "aws:RequestTag/kubernetes-service-account": "payments-workload",
    });
    const assoc = of("aws:eks/podIdentityAssociation:PodIdentityAssociation", "aws-payments");
    expect(assoc.map((a) => [a.inputs.namespace, a.inputs.serviceAccount, a.inputs.clusterName]).sort()).toEqual([
      ["payments", "payments-workload", "eu-workload-aws"],
      ["payments-batch", "payments-workload", "eu-workload-aws"],
    ]);
  });

  it("the policy pulls only its repository and reads only secret:<tenant>/*, decrypting only via Secrets Manager", () => {
    const policy = JSON.parse(String(of("aws:iam/rolePolicy:RolePolicy", "aws-payments-payments-policy")[0].inputs.policy)) as Doc;
    const by = Object.fromEntries(policy.Statement.map((s) => [s.Sid, s]));
    expect(by.PullOwnRepository.Resource).toMatch(/:repository\/meridian\/eu\/payments$/);
    expect(by.PullOwnRepository.Action).not.toContain("ecr:PutImage");
    expect(by.RegistryLogin).toMatchObject({ Action: "ecr:GetAuthorizationToken", Resource: "*" });
    expect(by.ReadOwnSecrets.Resource).toMatch(/^arn:aws:secretsmanager:eu-central-1:\d{12}:secret:payments\/\*$/);
    expect(by.DecryptOwnSecretsViaSecretsManager).toMatchObject({ Resource: EU_AWS_KEY.arn, Condition: { StringEquals: { "kms:ViaService": "secretsmanager.eu-central-1.amazonaws.com" } } });
    // Nothing else: no wildcard resource beyond the unscopable registry login.
    expect(policy.Statement.filter((s) => s.Resource === "*").map((s) => s.Sid)).toEqual(["RegistryLogin"]);
  });
});

describe("Azure", () => {
  it("a Key Vault per tenant per cluster region: RBAC, no public access, purge protection", () => {
    const [vault] = of("azure-native:keyvault:Vault", "azure-payments");
    expect(vault.inputs.location).toBe("westeurope");
    expect(vault.inputs.properties).toMatchObject({ enableRbacAuthorization: true, publicNetworkAccess: "Disabled", enablePurgeProtection: true, networkAcls: { defaultAction: "Deny" } });
    expect(String(vault.inputs.vaultName).length).toBeLessThanOrEqual(24);
  });

  it("one identity per namespace, federated only for that namespace's <tenant>-workload with the cluster's issuer", () => {
    const fics = of("azure-native:managedidentity:FederatedIdentityCredential", "azure-payments");
    expect(fics.map((f) => f.inputs.subject).sort()).toEqual(["system:serviceaccount:payments-batch:payments-workload", "system:serviceaccount:payments:payments-workload"]);
    for (const f of fics) {
      expect(f.inputs.issuer).toBe("https://westeurope.oic.prod-aks.azure.com/t/i/");
      expect(f.inputs.audiences).toEqual(["api://AzureADTokenExchange"]);
    }
  });

  it("grants Key Vault Secrets User on its own vault and repository read on the domain ACR limited to its repository", () => {
    const assignments = of("azure-native:authorization:RoleAssignment", "azure-payments-payments-");
    const secrets = assignments.find((a) => a.name.endsWith("-secrets"))!;
    expect(String(secrets.inputs.roleDefinitionId)).toMatch(new RegExp(`${AZURE_ROLES.keyVaultSecretsUser}$`));
    expect(String(secrets.inputs.scope)).toMatch(/Microsoft.KeyVault\/vaults\//);
    const pull = assignments.find((a) => a.name.endsWith("-pull"))!;
    expect(String(pull.inputs.roleDefinitionId)).toMatch(new RegExp(`${AZURE_ROLES.containerRegistryRepositoryReader}$`));
    expect(pull.inputs.scope).toMatch(/\/resourceGroups\/eu-kms\/providers\/Microsoft.ContainerRegistry\/registries\/meridianeu$/);
    expect(pull.inputs.condition).toContain("StringStartsWithIgnoreCase 'meridian/eu/payments'");
    expect(pull.inputs.conditionVersion).toBe("2.0");
  });

  it("annotates each ServiceAccount with its namespace's identity client id", () => {
    const sas = of("kubernetes:core/v1:ServiceAccount", "azure-payments");
    expect(sas).toHaveLength(2);
    for (const sa of sas) expect(Object.keys((sa.inputs.metadata as { annotations: object }).annotations)).toEqual(["azure.workload.identity/client-id"]);
  });
});

describe("GCP", () => {
  it("an Artifact Registry repository of its own in the domain registry's region, CMEK with the domain key", () => {
    const [repo] = of("gcp:artifactregistry/repository:Repository", "gcp-payments");
    expect(repo.inputs).toMatchObject({ repositoryId: "eu-tenant-payments", location: "europe-west1", format: "DOCKER", kmsKeyName: EU_GCP_KEY.cryptoKeyId, dockerConfig: { immutableTags: true } });
  });

  it("the repository's prefix is exactly the one the cluster's image admission was given before it existed", async () => {
    const admitted = tenantImagePrefixes("gcp", await valueOf(EU_AR.imagePrefixes), "eu", ["payments"]);
    expect(admitted).toEqual(["europe-west1-docker.pkg.dev/meridian-eu-prod/eu-tenant-payments/"]);
    expect(await valueOf(gcpTenant.repository)).toBe(admitted[0]);
    expect(tenantImagePrefixes("aws", ["123456789012.dkr.ecr.eu-central-1.amazonaws.com/meridian/eu/"], "eu", ["payments"])).toEqual([]);
  });

  it("a GSA per namespace, impersonable only by that namespace's <tenant>-workload; reader on its repository; secrets limited by name prefix", () => {
    const wi = of("gcp:serviceaccount/iAMMember:IAMMember", "gcp-payments");
    expect(wi.map((m) => [m.inputs.role, m.inputs.member]).sort()).toEqual([
      ["roles/iam.workloadIdentityUser", "serviceAccount:meridian-eu-prod.svc.id.goog[payments-batch/payments-workload]"],
      ["roles/iam.workloadIdentityUser", "serviceAccount:meridian-eu-prod.svc.id.goog[payments/payments-workload]"],
    ]);
    const pulls = of("gcp:artifactregistry/repositoryIamMember:RepositoryIamMember", "gcp-payments");
    expect(pulls.map((p) => p.inputs.role)).toEqual(["roles/artifactregistry.reader", "roles/artifactregistry.reader"]);
    const secrets = of("gcp:projects/iAMMember:IAMMember", "gcp-payments");
    expect(secrets).toHaveLength(2);
    for (const s of secrets) {
      expect(s.inputs.role).toBe("roles/secretmanager.secretAccessor");
      expect((s.inputs.condition as { expression: string }).expression).toMatch(/^resource\.name\.startsWith\("projects\/\d+\/secrets\/payments--"\)$/);
    }
  });

  it("annotates each ServiceAccount with its GSA", () => {
    for (const sa of of("kubernetes:core/v1:ServiceAccount", "gcp-payments")) {
      expect((sa.inputs.metadata as { annotations: Record<string, string> }).annotations["iam.gke.io/gcp-service-account"]).toMatch(/^t-payments-[0-9a-f]{6}@/);
    }
  });
});

describe("Kubernetes (every cluster, also attached)", () => {
  it("a <tenant>-workload ServiceAccount per namespace without the API token, no cloud annotation on attached clusters", () => {
    const sas = of("kubernetes:core/v1:ServiceAccount", "local-payments");
    expect(sas.map((s) => (s.inputs.metadata as { namespace: string }).namespace).sort()).toEqual(["payments", "payments-batch"]);
    for (const sa of sas) {
      expect(sa.inputs.automountServiceAccountToken).toBe(false);
      expect((sa.inputs.metadata as { name: string; annotations: object }).annotations).toEqual({});
    }
    expect(of("aws:ecr/repository:Repository", "local-payments")).toHaveLength(0);
  });

  it("allow rules: within the tenant, from the Gateway namespace, to its declared service, to its CIDR allowlist — nothing wider", () => {
    const policies = of("kubernetes:networking.k8s.io/v1:NetworkPolicy", "local-payments").filter((p) => (p.inputs.metadata as { namespace: string }).namespace === "payments");
    expect(policies.map((p) => (p.inputs.metadata as { name: string }).name).sort()).toEqual([
      "meridian-allow-egress-allowlist",
      "meridian-allow-from-gateway",
      "meridian-allow-to-services",
      "meridian-allow-within-tenant",
    ]);
    const text = JSON.stringify(policies.map((p) => p.inputs.spec));
    expect(text).not.toContain("0.0.0.0/0");
    expect(text).toContain('"cidr":"203.0.113.0/24"');
    expect(text).toContain('"kubernetes.io/metadata.name":"meridian-gateway"');
    for (const p of policies) {
      const spec = p.inputs.spec as { ingress?: Array<{ from?: unknown[] }>; egress?: Array<{ to?: unknown[] }> };
      for (const r of spec.ingress ?? []) expect(r.from?.length).toBeGreaterThan(0);
      for (const r of spec.egress ?? []) expect(r.to?.length).toBeGreaterThan(0);
    }
  });

  it("developers get NetworkPolicy write only in their namespaces; the limits VAP is bound to the tenant's namespaces", () => {
    const roles = of("kubernetes:rbac.authorization.k8s.io/v1:Role", "local-payments");
    expect(roles).toHaveLength(2);
    for (const r of roles) expect(r.inputs.rules).toEqual([{ apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: ["get", "list", "watch", "create", "update", "patch", "delete"] }]);
    const bindings = of("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "local-payments");
    for (const b of bindings) expect(b.inputs.subjects).toEqual([{ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "eu-payments-devs" }]);
    const [vap] = of("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy", "local-payments");
    const spec = vap.inputs.spec as { failurePolicy: string; matchConstraints: { namespaceSelector: unknown } };
    expect(spec.failurePolicy).toBe("Fail");
    expect(spec.matchConstraints.namespaceSelector).toEqual({ matchLabels: { tenant: "payments" } });
    const [binding] = of("kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicyBinding", "local-payments");
    expect((binding.inputs.spec as { validationActions: string[] }).validationActions).toEqual(["Deny", "Audit"]);
  });
});

describe("refusals", () => {
  it("a US key or registry for an EU tenant, a reserved namespace", () => {
    const usKey = claimResident("us", { cloud: "aws" as const, region: "us-east-1", arn: "arn:aws:kms:us-east-1:1:key/k" });
    expect(
      () =>
        new ClusterTenant("bad", {
          domain: "eu",
          tenant: { ...tenant, namespaces: ["kube-system"] },
          provider: kube("bad"),
          clusterName: "c",
          // The type forbids this (test/types/tenant.ts); this is the run-time line behind it.
          cloud: { cloud: "aws", region: "eu-central-1", key: usKey as unknown as typeof EU_AWS_KEY, registry: EU_AWS_REGISTRY, oidcIssuer: "https://oidc.eks.eu-central-1.amazonaws.com/id/EXAMPLE" },
        }),
    ).toThrow(/invalid arguments/);
  });
});
