/**
 * The program reads its stack's settings through Pulumi config — what the engine passes it
 * from the stack file, Pulumi.yaml, imported ESC environments and `pulumi config set` — and
 * validates them with the fleet loader's schema and residency checks. Each case runs the
 * real program (stacks/program.ts `runStack`) under the offline plan's runtime with the
 * config map the engine would pass (`planProgram`), or checks `specFromEngine` directly.
 */
import { loadFleet, type StackSpec } from "../../../automation/fleet";
import { engineConfig, planProgram, type StackPlan } from "../../../automation/plan/planStack";
import { specFromEngine } from "../../../stacks/engineConfig";
import { runStack } from "../../../stacks/program";
import { REFERENCE_STACKS } from "../../support/fleetDir";

const fleet = loadFleet(REFERENCE_STACKS);
const specOf = (name: string): StackSpec => fleet.stacks.get(name)!;

/** Run a reference stack's program with the engine's config: the file's, with `changes` on top (undefined removes a key). */
async function runWithEngineConfig(stack: string, changes: Record<string, string | undefined>, secretKeys: string[] = []): Promise<StackPlan & { thrown?: string }> {
  const spec = specOf(stack);
  const config: Record<string, string> = { ...engineConfig(spec.rawConfig) };
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete config[k];
    else config[k] = v;
  }
  // The program's own error is caught here: thrown inside the SDK's root stack in this
  // process, it would also surface as an unhandled rejection and fail the test runner.
  let thrown: string | undefined;
  const plan = await planProgram({
    project: "meridian",
    stack,
    config,
    secretKeys: [...spec.secretKeys, ...secretKeys],
    program: () =>
      runStack(fleet, stack).catch((e: unknown) => {
        thrown = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        return {};
      }),
    upstream: { outputs: new Map(), secretOutputNames: new Map() },
  });
  return { ...plan, thrown };
}

const tagsOf = (plan: StackPlan, type: string): Record<string, string> => {
  const provider = plan.resources.find((r) => r.type === type)!;
  const raw = provider.props.defaultTags;
  return ((typeof raw === "string" ? JSON.parse(raw) : raw) as { tags: Record<string, string> }).tags;
};

describe("a value set only through Pulumi config reaches the program", () => {
  it("an ESC-only `meridian:tags` (not in the file) is on the stack's provider, and is named as unseen by the plan", async () => {
    const plan = await runWithEngineConfig("eu-foundation-aws", { "meridian:tags": JSON.stringify({ costCentre: "cc-42" }) });
    expect(plan.error).toBeUndefined();
    expect(plan.thrown).toBeUndefined();
    expect(tagsOf(plan, "pulumi:providers:aws")).toMatchObject({ costCentre: "cc-42", residency: "eu" });

    const engine = { values: { ...engineConfig(specOf("eu-foundation-aws").rawConfig), "meridian:tags": '{"costCentre":"cc-42"}' }, secretKeys: new Set<string>() };
    expect(specFromEngine(fleet, specOf("eu-foundation-aws"), engine).notInFiles).toEqual(["meridian:tags"]);
  });

  it("inside an object the engine keeps the YAML types: a nested number reaches the KMS key, a nested string is refused naming the key", async () => {
    const plan = await runWithEngineConfig("eu-foundation-aws", { "meridian:kms": JSON.stringify({ rotationDays: "120" }) });
    // Nested values keep their YAML types in the engine's JSON: a string inside an object is a real error, named.
    expect(plan.thrown).toMatch(/^FleetConfigError: .*Pulumi\.eu-foundation-aws\.yaml: meridian:kms\.rotationDays: expected number, got "120"/);
    const ok = await runWithEngineConfig("eu-foundation-aws", { "meridian:kms": JSON.stringify({ rotationDays: 120 }) });
    expect(ok.error).toBeUndefined();
    expect(ok.thrown).toBeUndefined();
    const keys = ok.resources.filter((r) => r.type === "aws:kms/key:Key");
    expect(keys.map((k) => [k.name, k.props.rotationPeriodInDays])).toContainEqual([expect.any(String), 120]);
  });

  it("every reference stack: the offline plan's config is the files', so the program sees exactly the fleet model's values", () => {
    for (const spec of fleet.stacks.values()) {
      const engine = { values: engineConfig(spec.rawConfig), secretKeys: new Set(spec.secretKeys) };
      const { spec: fromEngine, notInFiles } = specFromEngine(fleet, spec, engine);
      expect({ stack: spec.name, notInFiles }).toEqual({ stack: spec.name, notInFiles: [] });
      expect(fromEngine.config).toEqual(spec.config);
      expect(fromEngine.regions).toEqual(spec.regions);
    }
  });
});

describe("which keys the engine holds as secrets", () => {
  it("is answered by the SDK itself (runtime/config isConfigSecret), not only by the file's `secure:` keys", () => {
    // stacks/engineConfig.ts falls back to the file's secret keys if an SDK moves it; this pins that it has not.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(typeof (require("@pulumi/pulumi/runtime/config") as { isConfigSecret?: unknown }).isConfigSecret).toBe("function");
  });
});

describe("a bad value through Pulumi config exits with the file and key", () => {
  it.each([
    ["meridian:network", JSON.stringify({ slot: 0, zones: 7 }), /Pulumi\.eu-foundation-aws\.yaml: meridian:network\.zones: .*3 \(got 7\)/],
    ["meridian:registry", JSON.stringify({ repositories: ["Bad Name"] }), /Pulumi\.eu-foundation-aws\.yaml: meridian:registry\.repositories\.0: a repository name/],
    ["meridian:kms", "not json", /Pulumi\.eu-foundation-aws\.yaml: meridian:kms: expected object, got "not json"/],
  ])("%s", async (key, value, message) => {
    const plan = await runWithEngineConfig("eu-foundation-aws", { [key]: value });
    expect(plan.thrown).toMatch(/^FleetConfigError: /);
    expect(plan.thrown).toMatch(message);
    expect(plan.resources.filter((r) => !r.type.startsWith("pulumi:"))).toEqual([]);
  });

  it("never prints a secret's value: a secret the engine holds is checked as a `secure:` value", async () => {
    const plan = await runWithEngineConfig("eu-foundation-aws", { "meridian:registry": "TOP-SECRET-VALUE" }, ["meridian:registry"]);
    expect(plan.thrown).toMatch(/^FleetConfigError: [^ ]*Pulumi\.eu-foundation-aws\.yaml: meridian:registry\b/);
    expect(plan.thrown).not.toContain("TOP-SECRET-VALUE");
  });
});

describe("Pulumi config cannot widen residency", () => {
  it.each([
    ["aws:region", "us-east-1", /Pulumi\.eu-foundation-aws\.yaml: aws:region: "us-east-1" is not allowed for domain eu \(it is a us region\)/],
    ["aws:allowedAccountIds", JSON.stringify(["200000000002"]), /Pulumi\.eu-foundation-aws\.yaml: aws:allowedAccountIds: /],
    ["aws:stsRegion", "us-east-1", /Pulumi\.eu-foundation-aws\.yaml: aws:stsRegion: /],
    ["gcp:project", "meridian-us-prod", /Pulumi\.eu-foundation-aws\.yaml: gcp:project: not allowed here/],
    ["aws:endpoints", JSON.stringify([{ s3: "https://s3.example.com" }]), /Pulumi\.eu-foundation-aws\.yaml: aws:endpoints: unsupported provider key/],
    ["meridian:tags", JSON.stringify({ residency: "us" }), /Pulumi\.eu-foundation-aws\.yaml: meridian:tags\.residency: /],
    ["meridian:domain", "us", /Pulumi\.eu-foundation-aws\.yaml: aws:region: "eu-central-1" is not allowed for domain us/],
  ])("%s from Pulumi config is refused like in the file", async (key, value, message) => {
    const plan = await runWithEngineConfig("eu-foundation-aws", { [key]: value });
    expect(plan.thrown).toMatch(/^FleetConfigError: /);
    expect(plan.thrown).toMatch(message);
  });

  it("moving a stack to the other domain wholesale (domain, region and account from Pulumi config, each valid for US) is refused", async () => {
    const plan = await runWithEngineConfig("eu-foundation-aws", { "meridian:domain": "us", "aws:region": "us-east-1", "aws:allowedAccountIds": JSON.stringify(["200000000002"]) });
    expect(plan.thrown).toMatch(/^FleetConfigError: [^ ]*Pulumi\.eu-foundation-aws\.yaml: meridian:domain: Pulumi config gives "us" but the fleet's files give "eu"/);
    expect(plan.resources.filter((r) => !r.type.startsWith("pulumi:"))).toEqual([]);
  });

  it.each([
    ["meridian:ring", "3", /meridian:ring: Pulumi config gives 3 but the fleet's files give 0/],
    ["meridian:dependsOn", JSON.stringify([]), /meridian:dependsOn: Pulumi config gives \[\] but the fleet's files give \["eu-guardrails-aws"\]/],
    ["aws:region", "eu-west-1", /aws:region: Pulumi config gives "eu-west-1" but the fleet's files give "eu-central-1"/],
  ])("%s that differs from the fleet's files (what the rollout planned) is refused even inside the domain", async (key, value, message) => {
    const plan = await runWithEngineConfig("eu-foundation-aws", { [key]: value });
    expect(plan.thrown).toMatch(/^FleetConfigError: [^ ]*Pulumi\.eu-foundation-aws\.yaml: /);
    expect(plan.thrown).toMatch(message);
  });
});
