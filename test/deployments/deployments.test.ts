/**
 * The Deployments program under mocks: for both domains' stack configs (deployments/Pulumi.eu.yaml,
 * Pulumi.us.yaml) and the reference fleet (with each domain's control plane declared: an
 * in-domain Pulumi Cloud and the domain's KMS key), every fleet stack gets DeploymentSettings
 * with the path filters of its own inputs, its domain's branch (EU: main; US: deploy/us), OIDC
 * for exactly its clouds plus its control plane's from its own domain, its domain's agent pool,
 * `npm ci` before the run, a drift schedule, its domain's policy group, and an
 * `update_succeeded` webhook from each triggering upstream. Order and canary: ordering.test.ts.
 * (Offline only: nothing here talks to Pulumi Cloud.)
 */
import * as pulumi from "@pulumi/pulumi";
import { installMocks, settle, findAll, valueOf } from "../support/mocks";
import { FleetDeployments, validateFleetDeploymentsArgs, type FleetDeploymentsArgs } from "../../components/deployments";
import { deploymentsArgs, ownPathFilters, triggeringUpstreams, type DeploymentsConfig } from "../../deployments/program";
import { controlPlaneAccess } from "../../deployments/credentials";
import { CONTROL_PLANES, configOf, referenceFleet, withControlPlanes } from "./support";

const fleet = referenceFleet();
const configs = { eu: configOf("eu"), us: configOf("us") };

type Settings = {
  stack: string;
  agentPoolId: string;
  vcs: { provider: string; repository: string; deployCommits: boolean; previewPullRequests: boolean; paths: string[] };
  sourceContext: { git: { branch: string; repoDir: string } };
  operationContext: { preRunCommands: string[]; options: { skipInstallDependencies: boolean }; environmentVariables: Record<string, string>; oidc?: Record<string, Record<string, string>> };
};

describe("Deployments program under mocks", () => {
  const cloud = installMocks({ stack: "eu" });
  beforeAll(async () => {
    for (const d of ["eu", "us"] as const) new FleetDeployments(`meridian-${d}`, deploymentsArgs(fleet, configs[d], d));
    await settle();
  });
  const settings = () => findAll(cloud, "pulumiservice:index:DeploymentSettings");
  const of = (stack: string) => settings().find((r) => r.inputs.stack === stack)!.inputs as unknown as Settings;

  it("creates deployment settings for every fleet stack exactly once", () => {
    expect(settings().map((r) => r.inputs.stack).sort()).toEqual([...fleet.stacks.keys()].sort());
  });

  it.each([...fleet.stacks.keys()].sort().map((n) => [n]))("%s: path filters, branch, repo, agent pool, pre-run", (name: string) => {
    const s = of(name);
    const spec = fleet.stacks.get(name)!;
    const cfg = configs[spec.domain];
    expect(s.vcs).toEqual({ provider: "github", repository: cfg.repository, deployCommits: true, previewPullRequests: false, pullRequestTemplate: false, paths: ownPathFilters(fleet, name) });
    expect(s.vcs.paths).toContain(`stacks/Pulumi.${name}.yaml`);
    // Only its own config: never another stack's (an upstream's change arrives by webhook).
    expect(s.vcs.paths.filter((p) => /Pulumi\.(eu|us)-/.test(p))).toEqual([`stacks/Pulumi.${name}.yaml`]);
    // The canary domain deploys from main; the other from its promotion branch.
    expect(s.sourceContext).toEqual({ git: { branch: spec.domain === "eu" ? "refs/heads/main" : "refs/heads/deploy/us", repoDir: "." } });
    expect(s.agentPoolId).toBe(cfg.agentPoolId);
    expect(s.operationContext.preRunCommands).toEqual(["npm ci --no-audit --no-fund"]);
    expect(s.operationContext.options.skipInstallDependencies).toBe(true);
    expect(s.operationContext.environmentVariables.MERIDIAN_DOMAIN).toBe(spec.domain);
  });

  it.each([...fleet.stacks.keys()].sort().map((n) => [n]))("%s: OIDC for exactly its clouds and its state key's cloud, from its own domain; no passphrase", (name: string) => {
    const spec = fleet.stacks.get(name)!;
    const ids = configs[spec.domain].identities;
    const oidc = of(name).operationContext.oidc ?? {};
    // awskms:// state key: AWS credentials for every stack (pki and GCP/Azure stacks too).
    expect(Object.keys(oidc).sort()).toEqual([...new Set([...spec.clouds, "aws"])].sort());
    expect(of(name).operationContext.environmentVariables.PULUMI_CONFIG_PASSPHRASE).toBeUndefined();
    expect(oidc.aws).toEqual({ roleARN: ids.aws!.roleArn, sessionName: `meridian-${name}`, duration: "1h0m0s" });
    if (spec.clouds.includes("azure")) expect(oidc.azure).toEqual({ clientId: ids.azure!.clientId, tenantId: ids.azure!.tenantId, subscriptionId: ids.azure!.subscriptionId });
    if (spec.clouds.includes("gcp")) {
      expect(oidc.gcp).toEqual({ projectId: ids.gcp!.projectNumber, workloadPoolId: ids.gcp!.workloadPoolId, providerId: ids.gcp!.providerId, serviceAccount: ids.gcp!.serviceAccount, tokenLifetime: "1h0m0s", region: spec.regions.gcp });
    }
  });

  it("never puts one domain's identifiers, pool or organization into the other domain's resources", () => {
    const secretsOf = (c: DeploymentsConfig) => [c.organization, c.agentPoolId, c.identities.aws!.roleArn, ...Object.values(c.identities.azure!), ...Object.values(c.identities.gcp!)];
    for (const [mine, other] of [["eu", "us"], ["us", "eu"]] as const) {
      const text = JSON.stringify(cloud.records.filter((r) => r.name.startsWith(`meridian-${mine}-`)).map((r) => r.inputs));
      expect(text.length).toBeGreaterThan(1000);
      for (const v of secretsOf(configs[other])) expect([mine, v, text.includes(v)]).toEqual([mine, v, false]);
      for (const v of secretsOf(configs[mine])) expect([mine, v, text.includes(v)]).toEqual([mine, v, true]);
    }
  });

  it("triggers each stack from its triggering upstreams' successful updates, inside its own organization", () => {
    const hooks = findAll(cloud, "pulumiservice:index:Webhook").map((r) => r.inputs);
    const expected = [...fleet.stacks.values()].flatMap((s) => triggeringUpstreams(fleet, s.name).map((u) => `${configs[s.domain].organization} ${u} -> meridian/${s.name}`));
    expect(hooks.map((h) => `${String(h.organizationName)} ${String(h.stackName)} -> ${String(h.payloadUrl)}`).sort()).toEqual(expected.sort());
    expect(expected.length).toBeGreaterThan(20);
    for (const h of hooks) expect(h).toMatchObject({ format: "pulumi_deployments", filters: ["update_succeeded"], active: true, projectName: "meridian" });
    // The transitive reduction: eu-workload-aws waits for eu-mgmt, not for eu-foundation-aws next to it.
    expect(triggeringUpstreams(fleet, "eu-workload-aws")).toEqual(["eu-mgmt"]);
  });

  it("schedules drift detection for every stack, spread over the hour, reporting only", () => {
    const drift = findAll(cloud, "pulumiservice:index:DriftSchedule");
    expect(drift.map((r) => r.inputs.stack).sort()).toEqual([...fleet.stacks.keys()].sort());
    for (const r of drift) {
      expect(r.inputs.scheduleCron).toMatch(/^([0-9]|[1-5][0-9]) 3 \* \* \*$/);
      expect(r.inputs.autoRemediate).toBe(false);
      expect(r.inputs.organization).toBe(configs[fleet.stacks.get(String(r.inputs.stack))!.domain].organization);
    }
    expect(new Set(drift.map((r) => r.inputs.scheduleCron)).size).toBeGreaterThan(5);
  });

  it("enforces the policy pack on each domain's stacks through that domain's policy group", async () => {
    const groups = findAll(cloud, "pulumiservice:index:PolicyGroup");
    expect(groups.map((g) => g.inputs.name).sort()).toEqual(["meridian-eu", "meridian-us"]);
    for (const g of groups) {
      const d = g.inputs.name === "meridian-eu" ? "eu" : "us";
      expect(g.inputs).toMatchObject({ organizationName: configs[d].organization, mode: "preventative", entityType: "stacks", policyPacks: [{ name: "meridian" }] });
      expect((g.inputs.stacks as Array<{ name: string; routingProject: string }>).map((s) => s.name).sort()).toEqual([...fleet.stacks.values()].filter((s) => s.domain === d).map((s) => s.name).sort());
    }
  });

  it("parents every resource to its domain's component", () => {
    for (const r of cloud.records.filter((x) => x.type.startsWith("pulumiservice:"))) expect(r.name).toMatch(/^meridian-(eu|us)-/);
  });

  it("exposes the stack names as an output", async () => {
    // Two stacks alone (their upstreams are not in this probe, so nothing triggers them).
    const two = deploymentsArgs(fleet, configs.eu, "eu").stacks.filter((s) => s.name.startsWith("eu-foundation-")).slice(0, 2).map((s) => ({ ...s, triggeredBy: [] }));
    const c = new FleetDeployments("probe", { ...deploymentsArgs(fleet, configs.eu, "eu"), stacks: two });
    expect(await valueOf(c.stackNames)).toEqual(["eu-foundation-aws", "eu-foundation-azure"]);
  });
});

describe("validation", () => {
  const eu = deploymentsArgs(fleet, configs.eu, "eu");
  const reasons = (a: FleetDeploymentsArgs) => validateFleetDeploymentsArgs(a).map((p) => `${p.propertyPath}: ${p.reason}`);

  it("accepts both committed configs", () => {
    expect(reasons(eu)).toEqual([]);
    expect(reasons(deploymentsArgs(fleet, configs.us, "us"))).toEqual([]);
  });

  it("refuses a stack of the other domain (runners and credentials never cross)", () => {
    const us = { ...deploymentsArgs(fleet, configs.us, "us").stacks[0], triggeredBy: [] };
    expect(reasons({ ...eu, stacks: [...eu.stacks, us] })).toEqual([expect.stringMatching(new RegExp(`^stacks\\[${eu.stacks.length}\\]\\.domain: ${us.name} is in domain us; this component deploys domain eu only`))]);
  });

  it("requires an identity for every cloud used and well-formed identifiers", () => {
    const r = reasons({ ...eu, identities: { aws: { roleArn: "arn:aws:iam::1:user/x" }, gcp: { ...configs.eu.identities.gcp!, serviceAccount: "me@gmail.com" } } });
    expect(r).toEqual(expect.arrayContaining([expect.stringMatching(/^identities\.azure: required: eu-foundation-azure/), expect.stringMatching(/^identities\.aws\.roleArn: not an IAM role ARN/), expect.stringMatching(/^identities\.gcp\.serviceAccount:/)]));
  });

  it("refuses a stack without path filters and a bad cron", () => {
    expect(reasons({ ...eu, stacks: [{ ...eu.stacks[0], paths: [], triggeredBy: [] }], driftCron: "daily" })).toEqual([
      "stacks[0].paths: eu-dns has no path filters: every push would deploy it",
      'driftCron: a 5-field cron expression, got "daily"',
    ]);
  });

  it("requires an identity for the control plane's cloud and refuses a trigger from outside the component", () => {
    const gcpOnly = { ...eu, stacks: [{ ...eu.stacks.find((s) => s.name === "eu-foundation-gcp")!, triggeredBy: [] }], identities: { gcp: configs.eu.identities.gcp! }, controlPlaneClouds: ["aws" as const] };
    expect(reasons(gcpOnly)).toEqual(["identities.aws: required: the domain's state backend / secrets provider is in aws"]);
    expect(reasons({ ...eu, stacks: [{ ...eu.stacks[0], triggeredBy: ["us-pki"] }] })).toEqual([expect.stringMatching(/^stacks\[0\]\.triggeredBy: eu-dns is triggered by us-pki, which is not a stack of this component/)]);
  });

  it("takes the secrets provider from the domain's control plane: KMS needs OIDC, passphrase needs the deployments stack's secret, file:// cannot deploy", () => {
    expect(controlPlaneAccess(CONTROL_PLANES.eu)).toEqual({ clouds: ["aws"], backendKind: "pulumi-cloud", passphrase: false });
    expect(controlPlaneAccess({ backend: "gs://b", secretsProvider: "gcpkms://projects/p/locations/europe-west3/keyRings/r/cryptoKeys/k", evidenceStore: "gs://e" })).toEqual({ clouds: ["gcp"], backendKind: "object-store", passphrase: false });
    const local = withControlPlanes(fleet, {});
    expect(() => deploymentsArgs(local, configs.eu, "eu")).toThrow(/^fleet\.yaml domains\.eu\.backend is "file:\/\/.*": Pulumi Deployments run only stacks kept in a Pulumi Cloud/);
    const pass = withControlPlanes(fleet, { ...CONTROL_PLANES, eu: { ...CONTROL_PLANES.eu, secretsProvider: "passphrase" } });
    expect(() => deploymentsArgs(pass, configs.eu, "eu")).toThrow(/secretsProvider is passphrase: set the deployments stack's secret meridian-deployments:passphrase/);
    const args = deploymentsArgs(pass, configs.eu, "eu", { passphrase: pulumi.secret("pw") });
    expect(args.controlPlaneClouds).toEqual([]);
    expect(args.passphrase).toBeDefined();
  });

  it("refuses to deploy a later domain from main (it would skip the canary)", () => {
    expect(() => deploymentsArgs(fleet, { ...configs.us, branch: "main" }, "us")).toThrow(/branch "main" would deploy us on the same push as the canary domain eu/);
    expect(deploymentsArgs(fleet, configs.us, "us").branch).toBe("deploy/us");
  });

  it("throws InputPropertiesError from the component, and refuses a deployments stack named after the other domain", () => {
    expect(() => new FleetDeployments("bad", { ...eu, repository: "nope" })).toThrow(pulumi.InputPropertiesError);
    expect(() => deploymentsArgs(fleet, configs.eu, "us")).toThrow(/configures domain "eu"/);
  });
});
