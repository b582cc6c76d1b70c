/**
 * The plan runs an ordinary Pulumi program the way the engine would: default providers
 * configured from the stack's config, data sources answered, `getResource` and resource
 * references resolved. A program that never settles fails within its timeout. (Programs that
 * fail are tested through the CLI, test/plan/bad-program.test.ts: jest's sandbox turns the
 * runtime's own rejections into test failures before the plan can report them.)
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { planProgram, type ProgramRun } from "../../automation/plan/planStack";

/** A custom resource of a made-up package, to see what the engine would be shown for a resource input. */
class Thing extends pulumi.CustomResource {
  constructor(name: string, props: Record<string, unknown>) {
    super("tenant:index:Thing", name, props);
  }
}

const base = { project: "tenant", stack: "eu-tenant", config: { "aws:region": "eu-central-1" } } as const;
const plan = (program: ProgramRun["program"], extra: Partial<ProgramRun> = {}) => planProgram({ ...base, program, ...extra });

describe("planProgram on an ordinary program", () => {
  it("configures the default provider from the stack's config, as the engine does", async () => {
    const p = await plan(async () => {
      const bucket = new aws.s3.Bucket("data");
      return { arn: bucket.arn };
    }, { config: { "aws:region": "eu-central-1", "aws:defaultTags": JSON.stringify({ tags: { team: "payments" } }) } });
    expect(p.error).toBeUndefined();
    const provider = p.resources.find((r) => r.type === "pulumi:providers:aws")!;
    expect(provider.urn).toMatch(/^urn:pulumi:eu-tenant::tenant::pulumi:providers:aws::default_7_48_0$/);
    expect(provider.props).toMatchObject({ region: "eu-central-1", defaultTags: JSON.stringify({ tags: { team: "payments" } }), version: "7.48.0" });
    const bucket = p.resources.find((r) => r.type === "aws:s3/bucket:Bucket")!;
    expect(bucket.provider?.urn).toBe(provider.urn);
    expect(p.outputs.arn).toBeDefined();
    // S3 bucket ARNs carry no region or account (arn:aws:s3:::<name>), as AWS writes them.
    expect(String(bucket.props.arn)).toMatch(/^arn:aws:s3:::/);
  });

  it("answers the common data sources with values of the stack's region", async () => {
    let seen: Record<string, unknown> = {};
    const p = await plan(async () => {
      const [identity, region, zones, ami] = await Promise.all([
        aws.getCallerIdentity(),
        aws.getRegion(),
        aws.getAvailabilityZones({ state: "available" }),
        aws.ec2.getAmi({ mostRecent: true, owners: ["amazon"], filters: [{ name: "name", values: ["al2023-ami-*"] }] }),
      ]);
      const doc = await aws.iam.getPolicyDocument({ statements: [{ actions: ["s3:GetObject"], resources: ["*"], principals: [{ type: "*", identifiers: ["*"] }] }] });
      seen = { account: identity.accountId, region: region.name, zones: zones.names, ami: ami.id, doc: JSON.parse(doc.json) };
    });
    expect(p.error).toBeUndefined();
    expect(seen).toMatchObject({ account: "123456789012", region: "eu-central-1", zones: ["eu-central-1a", "eu-central-1b", "eu-central-1c"] });
    expect(seen.ami).toMatch(/^ami-[0-9a-f]{17}$/);
    expect(seen.doc).toEqual({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*", Principal: "*" }] });
  });

  it("answers getResource for a resource rehydrated by URN, and passes resource references as the engine shows them", async () => {
    const p = await plan(async () => {
      const bucket = new aws.s3.Bucket("data");
      const urn = await new Promise<string>((resolve) => bucket.urn.apply(resolve));
      const again = new aws.s3.Bucket("data-again", {}, { urn });
      new Thing("thing", { target: bucket });
      return { again: again.arn };
    });
    expect(p.error).toBeUndefined();
    const bucket = p.resources.find((r) => r.name === "data")!;
    expect(p.outputs.again).toBe(bucket.props.arn);
    expect(p.resources.find((r) => r.name === "thing")!.props.target).toBe(bucket.props.id);
  });

  it("fails a program that never settles, within its timeout", async () => {
    const keepAlive = setInterval(() => undefined, 50);
    try {
      const p = await plan(() => new Promise<never>(() => undefined), { timeoutSeconds: 1 });
      expect(p).toMatchObject({ status: "failed", error: "the program did not finish within 1s (it waits on something that never settles)" });
    } finally {
      clearInterval(keepAlive);
    }
  });
});
