/**
 * Project-level config (Pulumi.yaml `config:`) and values as `pulumi config set` writes them:
 * the fleet loader merges and decodes them exactly as the Pulumi CLI hands them to the
 * program (behaviour checked on the 3.248 CLI: docs/configuration.md "Pulumi config and
 * ESC"), so the offline plan gives the program the same values the engine would.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { loadFleet } from "../../../automation/fleet";
import { projectFileOf } from "../../../automation/fleet/projectConfig";
import { engineConfig, planStack } from "../../../automation/plan/planStack";
import { runStack } from "../../../stacks/program";
import { loadErrors } from "../../support/loadErrors";
import { fleetDir, readReference, REFERENCE_STACKS } from "../../support/fleetDir";

/** A temp project: `Pulumi.yaml` (with `config`) beside a copy of the reference fleet in `stacks/`. */
function project(config: Record<string, unknown>, edits: Record<string, string | null> = {}): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-project-"));
  fs.writeFileSync(path.join(root, "Pulumi.yaml"), stringify({ name: "meridian", runtime: "nodejs", main: "stacks/index.ts", stackConfigDir: "stacks", config }));
  fs.renameSync(fleetDir(edits), path.join(root, "stacks"));
  return path.join(root, "stacks");
}

/** A reference stack file with some of its `config:` keys replaced (undefined deletes). */
function stackWith(file: string, changes: Record<string, unknown>): string {
  const doc = parse(readReference(file)) as { config: Record<string, unknown> };
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete doc.config[k];
    else doc.config[k] = v;
  }
  return stringify(doc);
}

const none = { outputs: new Map(), secretOutputNames: new Map() };

describe("the Pulumi.yaml that owns a stacks directory", () => {
  it("is the repository's own for stacks/ (stackConfigDir: stacks)", () => {
    expect(projectFileOf(REFERENCE_STACKS)?.file).toBe(path.relative(process.cwd(), path.resolve(REFERENCE_STACKS, "..", "Pulumi.yaml")));
  });

  it("is none for a directory no Pulumi.yaml names", () => {
    expect(projectFileOf(fleetDir())).toBeUndefined();
  });
});

describe("project-level config", () => {
  it("reaches every stack as the engine merges it: a stack's own key wins, whole (no deep merge)", () => {
    const dir = project(
      { "meridian:tags": { value: { owner: "platform" } } },
      { "Pulumi.eu-mgmt.yaml": stackWith("Pulumi.eu-mgmt.yaml", { "meridian:tags": { costCentre: "cc-7" } }) },
    );
    const fleet = loadFleet(dir);
    for (const spec of fleet.stacks.values()) {
      const expected = spec.name === "eu-mgmt" ? { costCentre: "cc-7" } : { owner: "platform" };
      expect(spec.config["meridian:tags"]).toEqual(expected);
      // What the offline plan hands the program is what the CLI would: the merged map.
      expect(JSON.parse(engineConfig(spec.rawConfig)["meridian:tags"])).toEqual(expected);
    }
  });

  it("takes a project key without namespace (`environment`) and `default:` as Pulumi does", () => {
    const fleet = loadFleet(project({ environment: { type: "string", default: "staging" } }));
    expect([...fleet.stacks.values()].every((s) => s.environment === "staging")).toBe(true);
  });

  it("reaches the program in the offline plan: a project-level tag is on the stack's provider", async () => {
    const fleet = loadFleet(project({ "meridian:tags": { value: { owner: "platform" } } }));
    const plan = await planStack(fleet, "eu-foundation-aws", runStack, none);
    expect(plan.error).toBeUndefined();
    const provider = plan.resources.find((r) => r.type === "pulumi:providers:aws")!;
    const defaultTags = provider.props.defaultTags;
    const tags = (typeof defaultTags === "string" ? JSON.parse(defaultTags) : defaultTags) as { tags: Record<string, string> };
    expect(tags.tags).toMatchObject({ owner: "platform", residency: "eu" });
  });

  it.each([
    ["meridian:domain", { value: "eu" }],
    ["meridian:role", "workload"],
    ["meridian:dependsOn", { value: ["eu-pki"] }],
    ["aws:region", "eu-central-1"],
    ["gcp:project", "meridian-eu-prod"],
    ["domain", { default: "eu" }],
  ])("refuses %s: a stack's residency is declared in its own file, naming Pulumi.yaml and the key", (key, value) => {
    const errors = loadErrors(project({ [key]: value }));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(new RegExp(`Pulumi\\.yaml: config\\.${key}: a stack's residency and place in the graph are declared in its own Pulumi\\.<stack>\\.yaml`));
  });

  it("blames Pulumi.yaml, not the stack file, for an inherited key a stack may not have", () => {
    const errors = loadErrors(project({ "gcp:zone": "europe-west1-b" }));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors).toContainEqual(expect.stringMatching(/Pulumi\.yaml: config\.gcp:zone: not allowed here: .*\(inherited by stack eu-foundation-aws\)$/));
    expect(errors.every((e) => /^[^:]*Pulumi\.yaml: /.test(e))).toBe(true);
  });

  it("refuses a secret in Pulumi.yaml and an object not under `value:`", () => {
    expect(loadErrors(project({ "meridian:tags": { secret: true, value: { a: "b" } } }))).toEqual([expect.stringMatching(/Pulumi\.yaml: config\.meridian:tags: a secret belongs in a stack's file/)]);
    expect(loadErrors(project({ "meridian:tags": { owner: "platform" } }))).toEqual([expect.stringMatching(/Pulumi\.yaml: config\.meridian:tags: an object value is written under `value:`.*unknown: owner/)]);
  });

  it("cannot widen residency: a project-level allowlist key is checked against each stack's domain", () => {
    // aws:stsRegion is allowed at project level but must lie in each stack's domain: an EU region fails every US AWS stack.
    const errors = loadErrors(project({ "aws:stsRegion": "eu-central-1" }));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => /Pulumi\.yaml: config\.aws:stsRegion: .*\(inherited by stack (us-[a-z-]+|eu-[a-z-]+)\)$/.test(e))).toBe(true);
    expect(errors.some((e) => /inherited by stack us-/.test(e))).toBe(true);
  });
});

describe("values as `pulumi config set` writes them (strings) load as Pulumi's typed getters read them", () => {
  it('reads `meridian:ring: "1"` (what `pulumi config set meridian:ring 1` writes) as ring 1', () => {
    const fleet = loadFleet(fleetDir({ "Pulumi.eu-workload-gcp.yaml": stackWith("Pulumi.eu-workload-gcp.yaml", { "meridian:ring": "1" }) }));
    expect(fleet.stacks.get("eu-workload-gcp")!.ring).toBe(1);
  });

  it("reads an object given as JSON text (how the engine passes objects)", () => {
    const cluster = (parse(readReference("Pulumi.eu-workload-gcp.yaml")) as { config: Record<string, unknown> }).config["meridian:cluster"];
    const fleet = loadFleet(fleetDir({ "Pulumi.eu-workload-gcp.yaml": stackWith("Pulumi.eu-workload-gcp.yaml", { "meridian:cluster": JSON.stringify(cluster) }) }));
    expect(fleet.stacks.get("eu-workload-gcp")!.config).toMatchObject({ "meridian:cluster": cluster });
  });

  it.each([
    ["x", /meridian:ring: expected number, got "x"/],
    ["99", /meridian:ring: .*9 \(got 99\)/],
  ])("a bad string %j names file and key and says the real problem", (ring, message) => {
    const errors = loadErrors(fleetDir({ "Pulumi.eu-workload-gcp.yaml": stackWith("Pulumi.eu-workload-gcp.yaml", { "meridian:ring": ring }) }));
    expect(errors).toEqual([expect.stringMatching(/Pulumi\.eu-workload-gcp\.yaml: /)]);
    expect(errors[0]).toMatch(message);
  });
});
