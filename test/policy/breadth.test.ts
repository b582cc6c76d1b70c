/**
 * The details behind the estate-wide policies' single pass/fail pairs (casesBreadth.ts):
 * each Pod Security control on its own, namespace exceptions, what a narrowing policy
 * condition is, CMK unknowns and inheritance, key co-location through the table's key
 * fields, the configurable public ports, and origin host names.
 */
import type { PlannedResource } from "../../policy-pack/evaluate";
import { publicStatements } from "../../policy-pack/lib/policyDocument";
import { regionOfHost } from "../../policy-pack/policies/placement";
import { advisory, awsEu, azureEu, EU, k8sEu, mandatory, res, run, UNKNOWN } from "./harness";

const messages = (name: string, rs: PlannedResource[], config = EU) => mandatory(run(name, rs, config)).filter((v) => v.policy === name).map((v) => v.message);

describe("pod security on workloads", () => {
  const NAME = "meridian-kubernetes-workload-securitycontext-restrict";
  const deploy = (pod: Record<string, unknown>, namespace = "default") =>
    res("kubernetes:apps/v1:Deployment", "web", { metadata: { namespace }, spec: { template: { spec: pod } } }, { provider: k8sEu });
  const good = { name: "c", image: "x", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } };
  const podSc = { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };

  it("passes with the pod-level runAsNonRoot and seccomp inherited by every container", () => {
    expect(messages(NAME, [deploy({ securityContext: podSc, containers: [good], initContainers: [good] })])).toEqual([]);
  });

  it.each([
    ["allowPrivilegeEscalation", { ...good, securityContext: { capabilities: { drop: ["ALL"] } } }, podSc, "allowPrivilegeEscalation must be false"],
    ["drop ALL", { ...good, securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["NET_RAW"] } } }, podSc, "capabilities.drop must include \"ALL\""],
    ["seccomp", good, { runAsNonRoot: true }, "seccompProfile.type must be \"RuntimeDefault\""],
    ["root user", { ...good, securityContext: { ...good.securityContext, runAsUser: 0 } }, podSc, "runAsUser must not be 0"],
    ["privileged", { ...good, securityContext: { ...good.securityContext, privileged: true } }, podSc, "privileged must not be true"],
  ])("refuses a missing %s control", (_what, container, pod, expected) => {
    expect(messages(NAME, [deploy({ securityContext: pod, containers: [container] })]).join("\n")).toContain(expected);
  });

  it("refuses host namespaces, and checks init containers too", () => {
    const ms = messages(NAME, [deploy({ hostNetwork: true, securityContext: podSc, containers: [good], initContainers: [{ name: "i", image: "x" }] })]).join("\n");
    expect(ms).toContain("hostNetwork must not be true");
    expect(ms).toContain("initContainers[0].securityContext.allowPrivilegeEscalation must be false");
  });

  it("honours namespaceExceptions: baseline keeps only the privileged and host checks, privileged skips", () => {
    const root = deploy({ containers: [{ name: "c", image: "x" }] }, "ingress");
    const config = { ...EU, namespaceExceptions: { ingress: { podSecurity: "baseline" as const, reason: "ingress controller binds host ports" } } };
    expect(messages(NAME, [root], config)).toEqual([]);
    const privileged = deploy({ containers: [{ name: "c", image: "x", securityContext: { privileged: true } }] }, "ingress");
    expect(messages(NAME, [privileged], config).join("\n")).toContain("privileged must not be true");
    const full = { ...EU, namespaceExceptions: { ingress: { podSecurity: "privileged" as const, reason: "CNI daemonset needs host access" } } };
    expect(messages(NAME, [privileged], full)).toEqual([]);
  });

  it("a namespace unknown at preview is still held to restricted when no exception could apply", () => {
    const unknownNs = res("kubernetes:apps/v1:Deployment", "web", { metadata: { namespace: UNKNOWN }, spec: { template: { spec: { containers: [{ name: "c", image: "x" }] } } } }, { provider: k8sEu });
    expect(messages(NAME, [unknownNs]).join("\n")).toContain("runAsNonRoot must be true");
    const withExceptions = { ...EU, namespaceExceptions: { ingress: { podSecurity: "baseline" as const, reason: "ingress controller binds host ports" } } };
    expect(run(NAME, [unknownNs], withExceptions).filter((v) => v.policy === NAME).map((v) => v.level)).toEqual(["advisory"]);
  });

  it("reports a securityContext unknown at preview as cannot verify, not a pass", () => {
    const vs = run(NAME, [deploy({ securityContext: podSc, containers: [{ name: "c", image: "x", securityContext: UNKNOWN }] })]).filter((v) => v.policy === NAME);
    expect(vs.map((v) => v.level)).toEqual(["advisory"]);
  });
});

describe("resource policies granting to everyone", () => {
  const stmt = (extra: Record<string, unknown>) => ({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*", ...extra }] });
  it.each([
    ["a JSON string", JSON.stringify(stmt({})), 1],
    ["an object", stmt({}), 1],
    ["Principal { AWS: [\"*\"] }", { Statement: [{ Effect: "Allow", Principal: { AWS: ["*"] }, Action: "sqs:*" }] }, 1],
    ["a Deny statement", { Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": "false" } } }] }, 0],
    ["a narrowing aws:SourceAccount", stmt({ Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } }), 0],
    ["a narrowing aws:PrincipalOrgID", stmt({ Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc" } } }), 0],
    ["an …IfExists condition (absence matches)", stmt({ Condition: { StringEqualsIfExists: { "aws:SourceAccount": "123456789012" } } }), 1],
    ["a negated condition", stmt({ Condition: { StringNotEquals: { "aws:SourceAccount": "123456789012" } } }), 1],
    ["a wildcard condition value", stmt({ Condition: { StringLike: { "aws:SourceArn": "*" } } }), 1],
    ["a condition on a key that does not narrow", stmt({ Condition: { Bool: { "aws:SecureTransport": "true" } } }), 1],
    ["a named principal", { Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "s3:*" }] }, 0],
  ])("%s", (_what, policy, count) => {
    expect(publicStatements(policy)).toHaveLength(count);
  });
});

describe("customer-managed keys for data services", () => {
  const NAME = "meridian-aws-datastore-cmk-require";
  it("a key unknown at preview is cannot verify, not a pass", () => {
    const vs = run(NAME, [res("aws:sqs/queue:Queue", "q", { kmsMasterKeyId: UNKNOWN }, { provider: awsEu })]).filter((v) => v.policy === NAME);
    expect(vs.map((v) => v.level)).toEqual(["advisory"]);
  });
  it("a snapshot of a cluster this stack does not declare is cannot verify", () => {
    const vs = run(NAME, [res("aws:rds/clusterSnapshot:ClusterSnapshot", "s", { dbClusterIdentifier: "legacy" }, { provider: awsEu })]).filter((v) => v.policy === NAME);
    expect(vs).toEqual([expect.objectContaining({ level: "advisory", message: expect.stringContaining("inherits its encryption from a resource this stack does not declare") })]);
  });
  it("a Lambda without environment variables and an SSM String parameter are not data-bearing rows", () => {
    expect(run(NAME, [res("aws:lambda/function:Function", "f", { runtime: "nodejs20.x" }, { provider: awsEu }), res("aws:ssm/parameter:Parameter", "p", { type: "String", value: "x" }, { provider: awsEu })])).toEqual([]);
  });
  it("whose key it is: a Cosmos DB key in a US vault is refused by key co-location", () => {
    const vault = res("azure-native:keyvault:Vault", "kv", { location: "eastus" }, { provider: azureEu });
    const key = res("azure-native:keyvault:Key", "k", { vaultName: "kv" }, { provider: azureEu, propertyDependencies: { vaultName: [vault.urn] } });
    const cosmos = res("azure-native:cosmosdb:DatabaseAccount", "db", { location: "westeurope", keyVaultKeyUri: "https://kv.vault.azure.net/keys/k" }, { provider: azureEu, propertyDependencies: { keyVaultKeyUri: [key.urn] } });
    expect(messages("meridian-residency-key-colocate", [vault, key, cosmos]).join("\n")).toContain("keyVaultKeyUri uses key 'k' in 'eastus' (domain us)");
  });
});

describe("public ingress ports are configuration", () => {
  const NAME = "meridian-baseline-ingress-open-restrict";
  const sg = (port: number) => res("aws:ec2/securityGroup:SecurityGroup", "sg", { ingress: [{ protocol: "tcp", fromPort: port, toPort: port, cidrBlocks: ["0.0.0.0/0"] }] }, { provider: awsEu });
  it("443 by default; another port only when configured", () => {
    expect(messages(NAME, [sg(443)])).toEqual([]);
    expect(messages(NAME, [sg(8443)]).join("\n")).toContain("opens 8443");
    expect(messages(NAME, [sg(8443)], { ...EU, publicIngressPorts: [443, 8443] })).toEqual([]);
  });
  it("an NSG's port 80 is allowed by default (Application Gateway redirects) but not when 80 is configured away", () => {
    const nsg = res("azure-native:network:NetworkSecurityGroup", "nsg", { location: "westeurope", securityRules: [{ name: "http", direction: "Inbound", access: "Allow", protocol: "Tcp", sourceAddressPrefix: "Internet", destinationPortRange: "80" }] }, { provider: azureEu });
    expect(messages(NAME, [nsg])).toEqual([]);
    expect(messages(NAME, [nsg], { ...EU, publicIngressPorts: [443] }).join("\n")).toContain("opens 80");
  });
  it("an invalid port list is a config error, not a silent default", () => {
    const vs = run("meridian-governance-config-validate", [], { ...EU, publicIngressPorts: [0] as number[] });
    expect(vs.map((v) => v.message).join("\n")).toContain("publicIngressPorts");
  });
});

describe("origin host names", () => {
  it.each([
    ["site.s3.eu-central-1.amazonaws.com", "aws", "eu-central-1"],
    ["site.s3-website-eu-west-1.amazonaws.com", "aws", "eu-west-1"],
    ["my-alb-123.us-east-2.elb.amazonaws.com", "aws", "us-east-2"],
    ["abc.execute-api.eu-north-1.amazonaws.com", "aws", "eu-north-1"],
    ["x.lambda-url.us-west-2.on.aws", "aws", "us-west-2"],
    ["app.westeurope.cloudapp.azure.com", "azure", "westeurope"],
  ])("%s is %s %s", (host, cloud, region) => {
    expect(regionOfHost(host)).toEqual({ cloud, region });
  });
  it.each(["site.s3.amazonaws.com", "example.com", "eu-central-1.amazonaws.com.evil.example"])("%s proves nothing", (host) => {
    expect(regionOfHost(host)).toBeUndefined();
  });
});

it("the read-only root filesystem rule is advisory and names the container", () => {
  const NAME = "meridian-kubernetes-workload-rootfs-readonly";
  const vs = run(NAME, [res("kubernetes:core/v1:Pod", "p", { spec: { containers: [{ name: "web", image: "x" }] } }, { provider: k8sEu })]);
  expect(advisory(vs).map((v) => v.message)).toEqual([expect.stringContaining("(web): securityContext.readOnlyRootFilesystem is not true")]);
  expect(mandatory(vs)).toEqual([]);
});
