/**
 * ClusterTelemetry under mocks on all three clouds: the backends' region, key and retention,
 * the collector's identity and least privilege, what the collector exports to (only the
 * domain's backends), the SLO alerts and the receiver they page.
 */
import * as aws from "@pulumi/aws";
import * as azure from "@pulumi/azure-native";
import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { findAll, findOne, installMocks, settle } from "../../support/mocks";

const cloud = installMocks({ stack: "eu-workload-aws" });

import { ClusterTelemetry, COLLECTOR_PINS, inDomainEndpoint, BURN_RATE_WINDOWS, type ClusterTelemetryArgs, type CollectorValues } from "../../../components/observability";
import { claimResident, DEFAULT_REGIONS, type RegistryHandle } from "../../../components/residency";
import { EU_AWS_KEY, EU_AWS_NETWORK, EU_AWS_REGISTRY, EU_AZURE_KEY, EU_AZURE_NETWORK, EU_GCP_KEY, EU_GCP_NETWORK } from "../cluster/fixtures";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

const EMAILS = ["oncall-eu@example.com"];
const TENANTS = [{ name: "payments", namespaces: ["payments", "payments-batch"] }];
const registry = (cloudName: "azure" | "gcp", prefix: string): RegistryHandle<"eu"> => claimResident("eu", { cloud: cloudName, region: cloudName === "azure" ? "westeurope" : "europe-west1", imagePrefixes: [prefix] });
const fakeCluster = (name: string) => ({
  domain: "eu" as const,
  clusterName: pulumi.output(name),
  oidcIssuer: pulumi.output(`https://oidc.example/${name}`),
  provider: new k8s.Provider(`${name}-k8s`, { kubeconfig: "{}", clusterIdentifier: `meridian:eu:${name}` }),
});

function telemetry(name: string, over: Partial<ClusterTelemetryArgs<"eu">> & Pick<ClusterTelemetryArgs<"eu">, "cloud" | "region" | "key" | "registry" | "network">, opts: pulumi.ComponentResourceOptions): ClusterTelemetry<"eu"> {
  return new ClusterTelemetry(name, { domain: "eu", clusterName: name, cluster: fakeCluster(name), allowlist: DEFAULT_REGIONS, tenants: TENANTS, receiverEmails: EMAILS, ...over }, opts);
}

const awsProvider = new aws.Provider("eu-aws", { region: "eu-central-1" });
const azureProvider = new azure.Provider("eu-azure", { location: "westeurope" });
const gcpProvider = new gcp.Provider("eu-gcp", { project: "meridian-eu-prod", region: "europe-west1" });
const extra = inDomainEndpoint("eu", "https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-2/api/v1/remote_write", DEFAULT_REGIONS);

telemetry("eu-wl-aws", { cloud: "aws", region: "eu-central-1", key: EU_AWS_KEY, registry: EU_AWS_REGISTRY, network: EU_AWS_NETWORK, additionalRemoteWrite: [extra] }, { providers: [awsProvider] });
telemetry("eu-wl-azure", { cloud: "azure", region: "westeurope", key: EU_AZURE_KEY, registry: registry("azure", "eumeridian.azurecr.io/meridian/eu/"), network: EU_AZURE_NETWORK }, { providers: [azureProvider] });
telemetry("eu-wl-gcp", { cloud: "gcp", region: "europe-west1", key: EU_GCP_KEY, registry: registry("gcp", "europe-west1-docker.pkg.dev/meridian-eu-prod/meridian/eu/"), network: EU_GCP_NETWORK }, { providers: [gcpProvider] });

beforeAll(settle);

const values = (cluster: string): CollectorValues => findOne(cloud, "kubernetes:helm.sh/v3:Release", `${cluster}-collector`).inputs.values as CollectorValues;
const hostsOf = (v: CollectorValues): string[] =>
  Object.values(v.config.exporters)
    .map((e) => (e as Loose).endpoint as string | undefined)
    .filter((e): e is string => e !== undefined)
    .map((e) => new URL(e).hostname);

describe("the collector (every cloud)", () => {
  it.each(["eu-wl-aws", "eu-wl-azure", "eu-wl-gcp"])("%s: pinned chart from the domain registry's mirror, image by digest from the same registry", (c) => {
    const r = findOne(cloud, "kubernetes:helm.sh/v3:Release", `${c}-collector`);
    expect(r.inputs).toMatchObject({ chart: "opentelemetry-collector", version: COLLECTOR_PINS.chartVersion, namespace: "meridian-node-agents", atomic: true });
    const prefix = c.endsWith("aws") ? EU_AWS_REGISTRY.imagePrefixes[0] : c.endsWith("azure") ? "eumeridian.azurecr.io/meridian/eu/" : "europe-west1-docker.pkg.dev/meridian-eu-prod/meridian/eu/";
    expect((r.inputs.repositoryOpts as Loose).repo).toBe(`oci://${prefix}charts`);
    const v = values(c);
    expect(v.image).toEqual({ repository: `${prefix}platform/opentelemetry-collector-contrib`, digest: COLLECTOR_PINS.digest });
    // Its Kubernetes provider is the cluster's.
    expect(r.provider?.inputs.clusterIdentifier).toBe(`meridian:eu:${c}`);
  });

  it.each([
    ["eu-wl-aws", "eu-central-1"],
    ["eu-wl-azure", "westeurope"],
    ["eu-wl-gcp", "europe-west1"],
  ])("%s: every datum carries the domain and the cluster's region (GMP stores by `location`)", (c, region) => {
    const attrs = (values(c).config.processors["resource/residency"] as Loose).attributes as { key: string; value: string }[];
    expect(Object.fromEntries(attrs.map((a) => [a.key, a.value]))).toMatchObject({ "meridian.domain": "eu", "cloud.region": region, location: region, "k8s.cluster.name": c });
    for (const p of Object.values(values(c).config.service.pipelines)) expect(p.processors).toContain("resource/residency");
  });

  it("every pipeline exports only to exporters that are defined (no chart defaults such as debug)", () => {
    for (const c of ["eu-wl-aws", "eu-wl-azure", "eu-wl-gcp"]) {
      const v = values(c);
      const used = Object.values(v.config.service.pipelines).flatMap((p) => p.exporters);
      expect(new Set(used)).toEqual(new Set(Object.keys(v.config.exporters)));
    }
  });

  it("egress is limited to HTTPS, the API server and kubelets; OTLP ingress only", () => {
    const np = findAll(cloud, "kubernetes:networking.k8s.io/v1:NetworkPolicy").filter((r) => r.name.startsWith("eu-wl-aws"));
    expect(np).toHaveLength(1);
    expect((np[0].inputs.spec as Loose).egress[0].ports.map((p: Loose) => p.port)).toEqual([443, 6443, 10250]);
    expect((np[0].inputs.spec as Loose).ingress[0].ports.map((p: Loose) => p.port)).toEqual([4317, 4318]);
  });
});

describe("AWS", () => {
  it("AMP workspace and both log groups under the domain key; retention from config in a value CloudWatch accepts", () => {
    const ws = findOne(cloud, "aws:amp/workspace:Workspace");
    expect(ws.inputs.kmsKeyArn).toBe(EU_AWS_KEY.arn);
    expect(ws.provider?.inputs.region).toBe("eu-central-1");
    expect(findOne(cloud, "aws:amp/workspaceConfiguration:WorkspaceConfiguration").inputs).toMatchObject({ workspaceId: ws.state.id, retentionPeriodInDays: 400 });
    const groups = findAll(cloud, "aws:cloudwatch/logGroup:LogGroup").filter((g) => g.name.startsWith("eu-wl-aws"));
    expect(groups.map((g) => g.inputs.name).sort()).toEqual(["/aws/prometheus/eu-wl-aws", "/meridian/eu-wl-aws/workloads"]);
    for (const g of groups) expect(g.inputs).toMatchObject({ kmsKeyId: EU_AWS_KEY.arn, retentionInDays: 365 });
  });

  it("exports only to the in-domain AMP and CloudWatch endpoints, signed with SigV4", () => {
    const v = values("eu-wl-aws");
    expect(hostsOf(v).sort()).toEqual(["aps-workspaces.eu-central-1.amazonaws.com", "aps-workspaces.eu-west-1.amazonaws.com", "logs.eu-central-1.amazonaws.com"]);
    expect(v.config.extensions.sigv4auth).toEqual({ region: "eu-central-1", service: "aps" });
    expect((v.config.exporters.awscloudwatchlogs as Loose).region).toBe("eu-central-1");
  });

  it("the collector's role: Pod Identity for its ServiceAccount only; remote write to this workspace and this log group only", () => {
    const role = findAll(cloud, "aws:iam/role:Role").find((r) => r.name === "eu-wl-aws-collector")!;
    expect(JSON.parse(role.inputs.assumeRolePolicy as string).Statement[0].Principal).toEqual({ Service: "pods.eks.amazonaws.com" });
    const assoc = findOne(cloud, "aws:eks/podIdentityAssociation:PodIdentityAssociation");
    expect(assoc.inputs).toMatchObject({ clusterName: "eu-wl-aws", namespace: "meridian-node-agents", serviceAccount: "otel-collector" });
    const policy = JSON.parse(findOne(cloud, "aws:iam/rolePolicy:RolePolicy", "eu-wl-aws-collector-write").inputs.policy as string);
    const ws = findOne(cloud, "aws:amp/workspace:Workspace");
    expect(policy.Statement).toHaveLength(2);
    expect(policy.Statement[0]).toMatchObject({ Action: ["aps:RemoteWrite"], Resource: ws.state.arn });
    const lg = findAll(cloud, "aws:cloudwatch/logGroup:LogGroup").find((g) => g.name === "eu-wl-aws-logs")!.state.arn as string;
    expect(policy.Statement[1]).toMatchObject({ Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource: [lg, `${lg}:*`] });
  });

  it("SLO rules in the workspace; Alertmanager pages the domain's KMS-encrypted SNS topic, which only this workspace may publish to", () => {
    const rules = parse(findOne(cloud, "aws:amp/ruleGroupNamespace:RuleGroupNamespace").inputs.data as string) as Loose;
    expect(rules.groups.map((g: Loose) => g.name)).toEqual(["slo-cluster-api", "slo-tenant-payments"]);
    const alerts = rules.groups[1].rules.filter((r: Loose) => r.alert);
    expect(alerts).toHaveLength(BURN_RATE_WINDOWS.length);
    expect(alerts[0].labels).toMatchObject({ domain: "eu", tenant: "payments", severity: "page", slo: "tenant-payments" });
    const topic = findAll(cloud, "aws:sns/topic:Topic").find((t) => t.name === "eu-wl-aws-alerts")!;
    expect(topic.inputs.kmsMasterKeyId).toBe(EU_AWS_KEY.arn);
    const am = parse(parse(findOne(cloud, "aws:amp/alertManagerDefinition:AlertManagerDefinition").inputs.definition as string).alertmanager_config);
    expect(am.receivers[0].sns_configs[0]).toMatchObject({ topic_arn: topic.state.arn, sigv4: { region: "eu-central-1" } });
    const tp = JSON.parse(findOne(cloud, "aws:sns/topicPolicy:TopicPolicy").inputs.policy as string).Statement[0];
    expect(tp).toMatchObject({ Principal: { Service: "aps.amazonaws.com" }, Condition: { ArnEquals: { "aws:SourceArn": findOne(cloud, "aws:amp/workspace:Workspace").state.arn } } });
    expect(findAll(cloud, "aws:sns/topicSubscription:TopicSubscription").map((s) => [s.inputs.protocol, s.inputs.endpoint])).toEqual([["email", EMAILS[0]]]);
  });
});

describe("Azure", () => {
  it("Azure Monitor workspace, collection endpoint and rule in the cluster's region and resource group", () => {
    for (const t of ["azure-native:monitor:AzureMonitorWorkspace", "azure-native:monitor:DataCollectionEndpoint", "azure-native:monitor:DataCollectionRule"]) {
      expect(findOne(cloud, t).inputs).toMatchObject({ location: "westeurope", resourceGroupName: "eu-net" });
    }
  });

  it("exports only to the in-domain ingestion endpoint, as the federated identity that may publish to this rule only", () => {
    const v = values("eu-wl-azure");
    const hosts = hostsOf(v);
    expect(hosts).toHaveLength(1);
    expect(hosts[0]).toMatch(/\.westeurope-1\.metrics\.ingest\.monitor\.azure\.com$/);
    const fed = findOne(cloud, "azure-native:managedidentity:FederatedIdentityCredential");
    expect(fed.inputs).toMatchObject({ issuer: "https://oidc.example/eu-wl-azure", subject: "system:serviceaccount:meridian-node-agents:otel-collector", audiences: ["api://AzureADTokenExchange"] });
    const grant = findOne(cloud, "azure-native:authorization:RoleAssignment", "collector-publish");
    expect(grant.inputs.scope).toBe(findOne(cloud, "azure-native:monitor:DataCollectionRule").state.id);
    expect(grant.inputs.roleDefinitionId).toMatch(/roleDefinitions\/3913510d-42f4-4e42-8a64-420c390055eb$/);
    const identity = findOne(cloud, "azure-native:managedidentity:UserAssignedIdentity");
    expect(v.serviceAccount.annotations["azure.workload.identity/client-id"]).toBe(identity.state.clientId);
    expect(v.podLabels["azure.workload.identity/use"]).toBe("true");
  });

  it("SLO rule groups scoped to the workspace, every alert routed to the domain's action group", () => {
    const groups = findAll(cloud, "azure-native:alertsmanagement:PrometheusRuleGroup");
    expect(groups).toHaveLength(2);
    const amw = findOne(cloud, "azure-native:monitor:AzureMonitorWorkspace").state.id;
    const ag = findOne(cloud, "azure-native:monitor:ActionGroup");
    expect((ag.inputs.emailReceivers as Loose[]).map((r) => r.emailAddress)).toEqual(EMAILS);
    for (const g of groups) {
      expect(g.inputs).toMatchObject({ location: "westeurope", scopes: [amw], clusterName: "eu-wl-azure" });
      const alerts = (g.inputs.rules as Loose[]).filter((r) => r.alert);
      expect(alerts).toHaveLength(4);
      for (const a of alerts) expect(a.actions).toEqual([{ actionGroupId: ag.state.id }]);
    }
  });
});

describe("GCP", () => {
  it("logs: a bucket in the cluster's region, CMEK with the domain key (Logging's agent may use it), retention from config", () => {
    const b = findOne(cloud, "gcp:logging/projectBucketConfig:ProjectBucketConfig");
    expect(b.inputs).toMatchObject({ location: "europe-west1", retentionDays: 365, cmekSettings: { kmsKeyName: EU_GCP_KEY.cryptoKeyId } });
    const grant = findOne(cloud, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "eu-wl-gcp-logs-key");
    expect(grant.inputs).toMatchObject({ cryptoKeyId: EU_GCP_KEY.cryptoKeyId, role: "roles/cloudkms.cryptoKeyEncrypterDecrypter" });
    expect(grant.inputs.member).toMatch(/^serviceAccount:service-\d+@gcp-sa-logging\.iam\.gserviceaccount\.com$/);
  });

  it("the collector's log and VPC flow logs are routed to that bucket and kept out of _Default", () => {
    const sink = findOne(cloud, "gcp:logging/projectSink:ProjectSink");
    const bucket = findOne(cloud, "gcp:logging/projectBucketConfig:ProjectBucketConfig");
    expect(sink.inputs.destination).toBe(`logging.googleapis.com/${bucket.state.id}`);
    expect(sink.inputs.filter).toContain('log_id("compute.googleapis.com/vpc_flows")');
    expect(sink.inputs.filter).toContain("/logs/meridian-otel");
    expect(findOne(cloud, "gcp:logging/projectExclusion:ProjectExclusion").inputs.filter).toBe(sink.inputs.filter);
    expect((values("eu-wl-gcp").config.exporters.googlecloud as Loose).log.default_log_name).toBe("meridian-otel");
  });

  it("the collector impersonates a GSA through Workload Identity, for its ServiceAccount only, with write roles only", () => {
    const wi = findOne(cloud, "gcp:serviceaccount/iAMMember:IAMMember", "collector-wi");
    expect(wi.inputs).toMatchObject({ role: "roles/iam.workloadIdentityUser", member: "serviceAccount:meridian-eu-prod.svc.id.goog[meridian-node-agents/otel-collector]" });
    const roles = findAll(cloud, "gcp:projects/iAMMember:IAMMember").filter((r) => r.name.startsWith("eu-wl-gcp")).map((r) => r.inputs.role);
    expect(roles.sort()).toEqual(["roles/logging.logWriter", "roles/monitoring.metricWriter"]);
    expect(values("eu-wl-gcp").serviceAccount.annotations["iam.gke.io/gcp-service-account"]).toMatch(/^otel-eu-wl-gcp@meridian-eu-prod\.iam\.gserviceaccount\.com$/);
  });

  it("one PromQL alert policy per burn-rate pair and SLO, each paging the domain's channels", () => {
    const policies = findAll(cloud, "gcp:monitoring/alertPolicy:AlertPolicy");
    expect(policies).toHaveLength(2 * BURN_RATE_WINDOWS.length);
    const channels = findAll(cloud, "gcp:monitoring/notificationChannel:NotificationChannel");
    expect(channels.map((c) => (c.inputs.labels as Loose).email_address)).toEqual(EMAILS);
    for (const p of policies) {
      expect(p.inputs.notificationChannels).toEqual(channels.map((c) => c.state.name));
      const q = (p.inputs.conditions as Loose[])[0].conditionPrometheusQueryLanguage.query as string;
      expect(q).toContain('cluster="eu-wl-gcp"');
    }
  });
});
