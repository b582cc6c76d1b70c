/**
 * The GitOps path through the real stack programs under the mock cloud (the offline plan's
 * machinery): each domain's management stack installs Argo CD and one ApplicationSet per
 * tenant, each workload stack reads the management stack's outputs through a StackReference
 * and registers itself — on all three clouds, with the EU controller on EKS (Pod Identity role
 * chaining) and the US controller on GKE (web identity into AWS). Then the pack judges the
 * planned registrations, and a registration pointed at the other domain's cluster fails.
 */
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { loadFleet, type Fleet } from "../../../automation/fleet";
import { planFleet, type PlannedResource, type StackPlan } from "../../../automation/plan";
import { stackPackConfig } from "../../../automation/plan/policies";
import { ARGOCD_CHART, ARGOCD_IMAGES, LABELS } from "../../../components/gitops";
import { evaluateStack } from "../../../policy-pack/evaluate";
import { policy } from "../../policy/harness";
import { runStack } from "../../../stacks/program";
import { fleetDir, readReference } from "../../support/fleetDir";
import { unwrapSecret } from "../../support/mocks";

const TENANTS = `
tenants:
  eu:
    payments:
      team: payments
      developersGroup: meridian-eu-payments-developers
      clusters: [eu-workload-aws, eu-workload-azure, eu-workload-gcp]
      namespaces: [payments, payments-batch]
  us:
    ledger:
      team: ledger
      developersGroup: meridian-us-ledger-developers
      clusters: [us-workload-aws, us-workload-gcp]
`;

/* eslint-disable @typescript-eslint/no-explicit-any */
let plans: Map<string, StackPlan>;
let fleet: Fleet;

beforeAll(async () => {
  // This test's own tenants replace the reference ones.
  const reference = parseYaml(readReference("fleet.yaml")) as Record<string, unknown>;
  const full = loadFleet(fleetDir({ "fleet.yaml": stringifyYaml({ ...reference, tenants: (parseYaml(TENANTS) as { tenants: unknown }).tenants }) }));
  const wanted = [...full.stacks.values()].filter((s) => ["guardrails", "foundation", "pki", "management", "workload"].includes(s.role));
  fleet = { ...full, stacks: new Map(wanted.map((s) => [s.name, s])) };
  const result = await planFleet(fleet, { program: (f, s) => runStack(f, s) });
  plans = new Map(result.stacks.map((p) => [p.name, p]));
  for (const p of result.stacks) expect([p.name, p.status, p.error]).toEqual([p.name, "planned", undefined]);
}, 300_000);

// The GitOps service's own resources (other platform services on the same clusters create their own).
const of = (stack: string, type: string) => plans.get(stack)!.resources.filter((r) => r.type === type && (type === "pulumi:pulumi:StackReference" || r.name.includes("gitops")));
const one = (stack: string, type: string) => {
  const all = of(stack, type);
  expect(all.map((r) => r.name)).toHaveLength(1);
  return all[0]!;
};
const registration = (stack: string) => of(stack, "kubernetes:core/v1:Secret").find((r) => r.name.endsWith("-gitops-cluster"))!;
/** The Secret's stringData (the Kubernetes SDK marks it secret: Pulumi's wire form in the plan). */
const dataOf = (stack: string) => unwrapSecret(registration(stack).props.stringData).value as Record<string, string>;
const configOf = (stack: string) => JSON.parse(dataOf(stack).config!) as Record<string, any>;

describe("management stacks", () => {
  it.each(["eu-mgmt", "us-mgmt"])("%s installs the pinned Argo CD chart from its own registry's mirror, images by digest", (stack) => {
    const domain = stack.slice(0, 2);
    const release = one(stack, "kubernetes:helm.sh/v3:Release");
    expect(release.props.chart).toBe(ARGOCD_CHART.chart);
    expect(release.props.version).toBe(ARGOCD_CHART.version);
    const repo = String((release.props.repositoryOpts as { repo: string }).repo);
    expect(repo).toMatch(/^oci:\/\/.+\/charts$/);
    const values = release.props.values as Record<string, any>;
    const prefix = repo.slice("oci://".length, -"charts".length);
    expect(values.global.image.repository).toBe(`${prefix}${ARGOCD_IMAGES.argocd.repository}`);
    expect(values.global.image.tag).toMatch(/@sha256:[a-f0-9]{64}$/);
    expect(values.redis.image.repository.startsWith(prefix)).toBe(true);
    // The registry is the domain's: its host names the domain's region.
    expect(prefix).toMatch(domain === "eu" ? /(eu-central-1|europe-west1|westeurope|\.azurecr\.io)/ : /(us-east-1|us-central1|eastus|\.azurecr\.io)/);
    expect(values.configs.cm["admin.enabled"]).toBe(false);
    expect(values.configs.params["applicationsetcontroller.enable.progressive.syncs"]).toBe(true);
    expect(values.dex.enabled).toBe(false);
    // The controller presents audience-bound projected tokens, never a stored credential.
    const audiences = values.controller.volumes.flatMap((v: any) => v.projected?.sources?.map((s: any) => s.serviceAccountToken.audience) ?? []);
    expect(audiences).toEqual(["sts.amazonaws.com", "api://AzureADTokenExchange", `meridian-gitops-${domain}`]);
  });

  it("one AppProject and one ApplicationSet per tenant of the domain, rings from meridian:ring", () => {
    const sets = of("eu-mgmt", "kubernetes:argoproj.io/v1alpha1:ApplicationSet");
    expect(sets.map((s) => (s.props.metadata as { name: string }).name)).toEqual(["payments"]);
    const spec = sets[0]!.props.spec as Record<string, any>;
    expect(spec.strategy.rollingSync.steps).toEqual([
      { matchExpressions: [{ key: LABELS.ring, operator: "In", values: ["0"] }] },
      { matchExpressions: [{ key: LABELS.ring, operator: "In", values: ["1"] }] },
    ]);
    expect(spec.generators[0].matrix.generators[0].clusters.selector.matchLabels).toEqual({ [LABELS.tenant("payments")]: "true" });
    expect(spec.template.spec.source.repoURL).toBe("https://git.eu.meridian.example/tenants/payments.git");
    const project = one("eu-mgmt", "kubernetes:argoproj.io/v1alpha1:AppProject").props.spec as Record<string, any>;
    expect(project.clusterResourceWhitelist).toEqual([]);
    expect(project.destinations).toHaveLength(6);
    expect(project.destinations.every((d: any) => d.name.startsWith("eu-workload-") && ["payments", "payments-batch"].includes(d.namespace))).toBe(true);
    // The US tenant is delivered by the US controller only.
    expect(of("us-mgmt", "kubernetes:argoproj.io/v1alpha1:ApplicationSet").map((s) => (s.props.metadata as { name: string }).name)).toEqual(["ledger"]);
  });

  it("on EKS the controller's Pod Identity role may assume only its domain's GitOps roles", () => {
    const policyDoc = JSON.parse(String(of("eu-mgmt", "aws:iam/rolePolicy:RolePolicy").find((r) => r.name.endsWith("-gitops-controller-assume"))!.props.policy));
    expect(policyDoc.Statement).toEqual([{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "arn:aws:iam::*:role/meridian-gitops/eu/*" }]);
    expect(of("eu-mgmt", "aws:eks/podIdentityAssociation:PodIdentityAssociation").map((r) => r.props.serviceAccount)).toEqual(["argocd-application-controller", "argocd-server"]);
    expect(of("us-mgmt", "aws:iam/role:Role")).toEqual([]);
  });
});

describe("workload registrations", () => {
  it("read the management stack through a StackReference of their own domain", () => {
    for (const stack of ["eu-workload-aws", "eu-workload-azure", "eu-workload-gcp", "us-workload-aws"]) {
      const refs = of(stack, "pulumi:pulumi:StackReference").map((r) => String(r.props.name));
      expect(refs).toContain(`organization/meridian/${stack.slice(0, 2)}-mgmt`);
    }
  });

  it("label the cluster with domain, ring and its tenants; limit the controller to the tenants' namespaces", () => {
    const s = registration("eu-workload-azure");
    const labels = (s.props.metadata as { labels: Record<string, string> }).labels;
    expect(labels).toMatchObject({ [LABELS.secretType]: "cluster", [LABELS.domain]: "eu", [LABELS.ring]: "1", [LABELS.tenant("payments")]: "true" });
    const data = dataOf("eu-workload-azure");
    expect(data).toMatchObject({ name: "eu-workload-azure", namespaces: "payments,payments-batch", clusterResources: "false" });
    expect(data.server).toMatch(/\.privatelink\.westeurope\.azmk8s\.io:443$/);
    const bindings = of("eu-workload-azure", "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding").filter((r) => r.name.includes("-gitops-edit-"));
    expect(bindings.map((b) => (b.props.metadata as { namespace: string }).namespace)).toEqual(["payments", "payments-batch"]);
    expect(bindings.every((b) => (b.props.roleRef as { name: string }).name === "edit")).toBe(true);
    // us-workload-azure carries no US tenant: it is registered with nothing to manage.
    expect(dataOf("us-workload-azure").namespaces).toBe("");
  });

  it("EKS under an EKS controller: a permission-less role trusting the controller's role, mapped to a group", () => {
    const config = configOf("eu-workload-aws");
    expect(Object.keys(config).sort()).toEqual(["awsAuthConfig", "tlsClientConfig"]);
    expect(config.tlsClientConfig.insecure).toBe(false);
    const role = of("eu-workload-aws", "aws:iam/role:Role").find((r) => r.name.endsWith("-gitops-role"))!;
    expect(role.props.path).toBe("/meridian-gitops/eu/");
    const trust = JSON.parse(String(role.props.assumeRolePolicy));
    expect(trust.Statement[0].Principal.AWS).toMatch(/^arn:aws:iam::\d{12}:role\//);
    expect(of("eu-workload-aws", "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((r) => r.name.includes("-gitops"))).toEqual([]);
    const entry = of("eu-workload-aws", "aws:eks/accessEntry:AccessEntry").find((r) => r.name.endsWith("-gitops-access"))!;
    expect(entry.props.kubernetesGroups).toEqual(["meridian:gitops"]);
    expect(of("eu-workload-aws", "aws:eks/accessPolicyAssociation:AccessPolicyAssociation").filter((r) => r.name.includes("-gitops"))).toEqual([]);
  });

  it("EKS under a GKE controller: web identity from the US management issuer, for the controller's ServiceAccounts only", () => {
    const config = configOf("us-workload-aws");
    expect(config.execProviderConfig.args).toEqual(["aws", "--cluster-name", expect.any(String)]);
    expect(config.execProviderConfig.env.AWS_WEB_IDENTITY_TOKEN_FILE).toBe("/var/run/secrets/meridian/gitops/aws/token");
    const usIssuer = String((plans.get("us-mgmt")!.outputs.services as any).gitops.oidcIssuer);
    expect(usIssuer).toMatch(/^https:\/\/container\.googleapis\.com\/v1\/projects\/.+\/locations\/us-central1\//);
    const oidc = of("us-workload-aws", "aws:iam/openIdConnectProvider:OpenIdConnectProvider").find((r) => r.name.endsWith("-gitops-oidc"))!;
    expect(oidc.props).toMatchObject({ url: usIssuer, clientIdLists: ["sts.amazonaws.com"] });
    const role = of("us-workload-aws", "aws:iam/role:Role").find((r) => r.name.endsWith("-gitops-role"))!;
    const statement = JSON.parse(String(role.props.assumeRolePolicy)).Statement[0];
    const host = usIssuer.replace("https://", "");
    expect(statement.Action).toBe("sts:AssumeRoleWithWebIdentity");
    expect(statement.Condition.StringEquals).toEqual({
      [`${host}:aud`]: "sts.amazonaws.com",
      [`${host}:sub`]: ["system:serviceaccount:meridian-gitops:argocd-application-controller", "system:serviceaccount:meridian-gitops:argocd-server"],
    });
    expect(config.execProviderConfig.env.AWS_ROLE_ARN).toMatch(/^arn:aws:iam::\d{12}:role\/.*us-workload-aws-gitops-role/);
  });

  it("AKS: federated credentials trusting the EU management issuer, one per controller ServiceAccount", () => {
    const mgmtIssuer = String((plans.get("eu-mgmt")!.outputs.services as any).gitops.oidcIssuer);
    expect(mgmtIssuer).toMatch(/eks\.eu-central-1\.amazonaws\.com/);
    const creds = of("eu-workload-azure", "azure-native:managedidentity:FederatedIdentityCredential");
    expect(creds.map((c) => [c.props.issuer, c.props.subject, c.props.audiences])).toEqual([
      [mgmtIssuer, "system:serviceaccount:meridian-gitops:argocd-application-controller", ["api://AzureADTokenExchange"]],
      [mgmtIssuer, "system:serviceaccount:meridian-gitops:argocd-server", ["api://AzureADTokenExchange"]],
    ]);
    expect(configOf("eu-workload-azure").execProviderConfig.env).toMatchObject({ AAD_LOGIN_METHOD: "workloadidentity", AZURE_FEDERATED_TOKEN_FILE: "/var/run/secrets/meridian/gitops/azure/token" });
  });

  it("GKE: a Workload Identity provider for the management issuer and a key-less credential configuration", () => {
    const mgmtIssuer = String((plans.get("eu-mgmt")!.outputs.services as any).gitops.oidcIssuer);
    const provider = one("eu-workload-gcp", "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider");
    expect(provider.props.oidc).toEqual({ issuerUri: mgmtIssuer, allowedAudiences: ["meridian-gitops-eu"] });
    expect(String(provider.props.attributeCondition)).toContain("system:serviceaccount:meridian-gitops:argocd-application-controller");
    const viewer = of("eu-workload-gcp", "gcp:projects/iAMMember:IAMMember").find((r) => r.name.endsWith("-gitops-viewer"))!;
    expect(viewer.props.role).toBe("roles/container.clusterViewer");
    const cm = of("eu-workload-gcp", "kubernetes:core/v1:ConfigMap").find((r) => r.name.endsWith("-gitops-credentials"))!;
    const cred = JSON.parse(String((cm.props.data as Record<string, string>)["credentials.json"]));
    expect(cred.type).toBe("external_account");
    expect(cred.credential_source).toEqual({ file: "/var/run/secrets/meridian/gitops/gcp/token" });
    expect(JSON.stringify(cred)).not.toMatch(/private_key/);
  });
});

describe("the pack on the planned registrations", () => {
  const name = "meridian-kubernetes-gitops-registration-domain";
  const judge = (stack: string, resources: readonly PlannedResource[]) =>
    evaluateStack(stack, [...resources], stackPackConfig(fleet, stack), { policies: [policy(name)] }).filter((v) => v.policy === name);

  it.each(["eu-workload-aws", "eu-workload-azure", "eu-workload-gcp", "us-workload-aws", "us-workload-azure", "us-workload-gcp"])("%s: its own registration passes", (stack) => {
    expect(judge(stack, plans.get(stack)!.resources)).toEqual([]);
  });

  it("the EU stack registering the US EKS cluster's server is a mandatory violation", () => {
    const usServer = dataOf("us-workload-aws").server;
    const bad = plans.get("eu-workload-aws")!.resources.map((r) =>
      r === registration("eu-workload-aws") ? { ...r, props: { ...r.props, stringData: { ...dataOf("eu-workload-aws"), server: usServer } } } : r,
    );
    const vs = judge("eu-workload-aws", bad);
    expect(vs.map((v) => v.level)).toEqual(["mandatory"]);
    expect(vs[0]!.message).toMatch(/us-east-1.*not in the eu domain/);
  });
});
