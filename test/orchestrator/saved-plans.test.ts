/**
 * Saved update plans ("reviewed means executed") through the real CLI entry with the offline
 * mock engine: `preview --save-plan` writes a plan per stack and a manifest of digests;
 * `up --plan RUN` applies exactly those plans, refuses before anything runs when the stack's
 * config, fleet.yaml or the plan file changed, and fails a stack whose update departs from its
 * plan (the engine's own check). And `up` on a terminal previews and shows the summary before
 * asking (fake engine, in process).
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { rolloutEngines, runRolloutCommand, type RolloutOptions } from "../../automation/commands/rollout";
import { FakeEngine } from "../../automation/engine/fake";
import { canonicalJson, programFiles } from "../../automation/orchestrator/savedPlans";
import { fleetCli } from "../support/cli";
import { fleetDir, readReference } from "../support/fleetDir";
import { recordingIo } from "../support/rolloutIo";

const repo = path.resolve(__dirname, "../..");
type Event = { type: string; stack?: string; status?: string; error?: string; runId?: string };
const events = (stdout: string): Event[] =>
  stdout
    .trim()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Event);
const runIdOf = (stdout: string): string => events(stdout).find((e) => e.type === "run-finished")!.runId!;
const readJson = <T>(file: string): T => JSON.parse(fs.readFileSync(file, "utf8")) as T;
const sha256 = (file: string): string => crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");

interface Manifest {
  runId: string;
  engine: string;
  stacks: Record<string, { plan: string; planSha256: string; inputs: { program: string; config: string; fleet: string } }>;
}

describe("fleet preview --save-plan / up --plan (mock engine, real CLI entry)", () => {
  let stacks: string;
  let runs: string;
  let previewRun: string;
  const cli = (args: string[]) => fleetCli([...args, "--engine", "mock", "--json", "--runs-dir", runs, "--stacks-dir", stacks]);
  const plansOf = (run: string) => path.join(runs, run, "eu", "plans");

  beforeAll(async () => {
    stacks = fleetDir();
    runs = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-plans-"));
    const r = await cli(["preview", "--save-plan", "--stack", "eu-pki"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    previewRun = runIdOf(r.stdout);
  }, 300_000);

  it("preview --save-plan writes the stack's plan and a manifest of digests, also in the evidence and the report", () => {
    const manifest = readJson<Manifest>(path.join(plansOf(previewRun), "saved-plans.json"));
    expect(manifest).toMatchObject({ runId: previewRun, engine: "mock" });
    expect(Object.keys(manifest.stacks)).toEqual(["eu-pki"]);
    const entry = manifest.stacks["eu-pki"];
    expect(entry.planSha256).toBe(sha256(path.join(plansOf(previewRun), "eu-pki.plan.json")));
    const plan = readJson<{ kind: string; stack: string; resources: Record<string, { op: string; inputs: string }> }>(path.join(plansOf(previewRun), "eu-pki.plan.json"));
    expect(plan).toMatchObject({ kind: "meridian-mock-plan", stack: "eu-pki" });
    expect(Object.values(plan.resources).length).toBeGreaterThan(0);
    expect(Object.values(plan.resources).every((r) => r.op === "create" && /^[0-9a-f]{64}$/.test(r.inputs))).toBe(true);
    // The config digest is the stack file's `config:` map, canonical.
    const config = (parse(readReference("Pulumi.eu-pki.yaml")) as { config: unknown }).config;
    expect(entry.inputs.config).toBe(crypto.createHash("sha256").update(canonicalJson(config)).digest("hex"));
    expect(fs.readFileSync(path.join(runs, previewRun, "eu", "evidence", "saved-plans.json"), "utf8")).toBe(fs.readFileSync(path.join(plansOf(previewRun), "saved-plans.json"), "utf8"));
    expect(fs.readFileSync(path.join(runs, previewRun, "eu", "report.md"), "utf8")).toMatch(/## Saved plans[\s\S]*up --plan/);
  });

  it("the engine's own plan check fails a stack whose update departs from the plan, where the digests cannot see it (exit 1)", async () => {
    // A departure the input digests do not cover (in real life: a value the program reads from
    // a cloud or the environment): one planned resource's inputs differ; the manifest is made
    // to agree with the edited file, so only the engine's check stands in the way.
    const planFile = path.join(plansOf(previewRun), "eu-pki.plan.json");
    const manifestFile = path.join(plansOf(previewRun), "saved-plans.json");
    const [good, goodManifest] = [fs.readFileSync(planFile, "utf8"), fs.readFileSync(manifestFile, "utf8")];
    const plan = JSON.parse(good) as { resources: Record<string, { inputs: string }> };
    const urn = Object.keys(plan.resources).sort()[0];
    plan.resources[urn].inputs = "0".repeat(64);
    fs.writeFileSync(planFile, JSON.stringify(plan, null, 2) + "\n");
    const manifest = JSON.parse(goodManifest) as Manifest;
    manifest.stacks["eu-pki"].planSha256 = sha256(planFile);
    fs.writeFileSync(manifestFile, JSON.stringify(manifest, null, 2) + "\n");
    try {
      const r = await cli(["up", "--plan", previewRun, "--yes"]);
      expect(r.code).toBe(1);
      const finished = events(r.stdout).find((e) => e.type === "stack-finished" && e.stack === "eu-pki");
      expect(finished?.status).toBe("failed");
      expect(finished?.error).toContain(`resource ${urn} violates plan: properties changed`);
    } finally {
      fs.writeFileSync(planFile, good);
      fs.writeFileSync(manifestFile, goodManifest);
    }
  }, 300_000);

  it("up --plan applies exactly the saved plan: the planned stacks only, recorded in the evidence", async () => {
    const r = await cli(["up", "--plan", previewRun, "--yes"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const finished = events(r.stdout).filter((e) => e.type === "stack-finished");
    expect(finished.map((e) => [e.stack, e.status])).toEqual([["eu-pki", "succeeded"]]);
    const upRun = runIdOf(r.stdout);
    const applied = readJson<{ planRun: string; stacks: Record<string, { planSha256: string; status: string }> }>(path.join(runs, upRun, "eu", "evidence", "applied-plans.json"));
    const manifest = readJson<Manifest>(path.join(plansOf(previewRun), "saved-plans.json"));
    expect(applied).toMatchObject({ planRun: previewRun, stacks: { "eu-pki": { planSha256: manifest.stacks["eu-pki"].planSha256, status: "succeeded" } } });
    expect(fs.readFileSync(path.join(runs, upRun, "eu", "logs", "eu-pki.log"), "utf8")).toMatch(/constrained by the plan .*every resource as planned/);
  }, 300_000);

  describe("refusals before anything runs (exit 2; in process, the fake engine: no stack program is loaded)", () => {
    beforeAll(() => {
      rolloutEngines["fake-plans"] = async () => new FakeEngine({});
    });
    afterAll(() => delete rolloutEngines["fake-plans"]);
    const up = async (over: Partial<RolloutOptions>) => {
      const io = recordingIo({ env: { USER: "tester", PULUMI_CONFIG_PASSPHRASE: "pass-phrase-123" } });
      const options: RolloutOptions = { parallel: 4, strategy: "canary", policyPack: path.join(repo, "policy-pack"), engine: "fake-plans", stacksDir: stacks, runsDir: runs, yes: true, ...over };
      const code = await runRolloutCommand(over.savePlan ? "preview" : "up", options, io.value, repo);
      return { code, err: io.err.join("") };
    };

    it("a stack whose config changed since the preview, naming stack and input; no up run folder", async () => {
      const file = path.join(stacks, "Pulumi.eu-pki.yaml");
      const good = fs.readFileSync(file, "utf8");
      const doc = parse(good) as { config: Record<string, unknown> };
      doc.config["meridian:pki"] = { rootValidityHours: 17520, intermediateValidityHours: 4380 };
      fs.writeFileSync(file, stringify(doc));
      const before = fs.readdirSync(runs).length;
      try {
        const r = await up({ plan: previewRun });
        expect(r.code).toBe(2);
        expect(r.err).toContain(`cannot be applied; nothing ran:\n  eu-pki: the stack's config changed since preview run ${previewRun}; preview again with --save-plan`);
        expect(fs.readdirSync(runs).length).toBe(before);
      } finally {
        fs.writeFileSync(file, good);
      }
      const fleetYaml = path.join(stacks, "fleet.yaml");
      const goodFleet = fs.readFileSync(fleetYaml, "utf8");
      fs.writeFileSync(fleetYaml, goodFleet + "\n# a comment is a change too: the digest is of the file\n");
      try {
        expect((await up({ plan: previewRun })).err).toMatch(/eu-pki: fleet\.yaml changed since preview run/);
      } finally {
        fs.writeFileSync(fleetYaml, goodFleet);
      }
    });

    it("a plan file edited after the review", async () => {
      const planFile = path.join(plansOf(previewRun), "eu-pki.plan.json");
      const good = fs.readFileSync(planFile, "utf8");
      fs.writeFileSync(planFile, good.replace(/"op": "create"/, '"op": "same"'));
      try {
        const r = await up({ plan: previewRun });
        expect(r.code).toBe(2);
        expect(r.err).toMatch(/eu-pki: its plan file .*eu-pki\.plan\.json changed since the preview saved it/);
      } finally {
        fs.writeFileSync(planFile, good);
      }
    });

    it("a stack the run saved no plan for, a run that saved none, a run that was no preview", async () => {
      const stack = await up({ plan: previewRun, stack: ["eu-mgmt"] });
      expect(stack.code).toBe(2);
      expect(stack.err).toMatch(/eu-mgmt: run \S+ has no saved plan for it/);
      expect(await up({ savePlan: false, stack: ["eu-pki"], json: true })).toMatchObject({ code: 0 });
      const upRun = fs.readdirSync(runs).find((d) => d.includes("-up-"))!;
      const notPreview = await up({ plan: upRun });
      expect(notPreview.err).toMatch(/--plan: run \S+ was a "up" run; name a `preview --save-plan` run/);
      const io = recordingIo({ env: { USER: "tester", PULUMI_CONFIG_PASSPHRASE: "pass-phrase-123" } });
      const base: RolloutOptions = { parallel: 4, strategy: "canary", policyPack: path.join(repo, "policy-pack"), engine: "fake-plans", stacksDir: stacks, runsDir: runs, stack: ["eu-pki"], json: true };
      expect(await runRolloutCommand("preview", base, io.value, repo)).toBe(0);
      const plainPreview = fs.readdirSync(runs).filter((d) => d.includes("-preview-") && d !== previewRun)[0];
      const none = await up({ plan: plainPreview });
      expect(none.code).toBe(2);
      expect(none.err).toMatch(/--plan: run \S+ saved no plans for domain eu .*run `fleet preview --save-plan`/);
      expect((await up({ plan: "no-such-run" })).err).toMatch(/^fleet up: --plan: no run record for "no-such-run"/);
      // An engine that writes no plan file (the fake) leaves a manifest without stacks: said at the end of the preview, refused by up.
      const saving = recordingIo({ env: { USER: "tester", PULUMI_CONFIG_PASSPHRASE: "pass-phrase-123" } });
      expect(await runRolloutCommand("preview", { ...base, json: false, savePlan: true }, saving.value, repo)).toBe(0);
      const hint = /0 update plan\(s\) saved; apply exactly those with: npm run fleet -- up --plan (\S+)\n/.exec(saving.out.join(""));
      expect(hint).not.toBeNull();
      expect((await up({ plan: hint![1] })).err).toMatch(new RegExp(`--plan: run ${hint![1]} saved no plan\n`));
    });

    it("flags where they cannot work: another engine than the one that saved the plans, --engine remote, --plan with --resume", async () => {
      expect((await up({ plan: previewRun })).err).toMatch(/--plan: run \S+ saved its plans with engine mock; this run's engine is fake/);
      expect((await up({ savePlan: true, engine: "remote" })).err).toMatch(/--save-plan: not with --engine remote/);
      expect((await up({ plan: previewRun, resume: previewRun })).err).toMatch(/--plan applies a preview's plans; it takes no --resume/);
    });
  });
});

describe("up on a terminal shows the preview before asking (fake engine)", () => {
  let runsDir: string;
  let engine: FakeEngine;
  const contexts: { command: string; runDir: string }[] = [];
  beforeAll(() => {
    rolloutEngines["fake-tty"] = async (ctx) => {
      contexts.push({ command: ctx.command, runDir: ctx.runDir });
      return engine;
    };
  });
  afterAll(() => delete rolloutEngines["fake-tty"]);
  beforeEach(() => {
    runsDir = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-tty-"));
    engine = new FakeEngine({ "eu-pki": { changes: { create: 7, update: 0, delete: 0, replace: 0, same: 0 } } });
  });
  const opts = (over: Partial<RolloutOptions> = {}): RolloutOptions => ({
    parallel: 4,
    strategy: "canary",
    policyPack: path.join(repo, "policy-pack"),
    engine: "fake-tty",
    stacksDir: path.join(repo, "stacks"),
    runsDir,
    stack: ["eu-pki"],
    ...over,
  });

  it("previews the selection, prints its table, then asks; no means nothing is deployed", async () => {
    const asked: string[] = [];
    const io = recordingIo({ interactive: true, env: { USER: "tester", PULUMI_CONFIG_PASSPHRASE: "pass-phrase-123" }, confirm: async (q) => (asked.push(q), false) });
    expect(await runRolloutCommand("up", opts(), io.value, repo)).toBe(2);
    expect(engine.started()).toEqual(["eu-pki"]);
    expect(engine.started("preview")).toEqual(["eu-pki"]);
    const shown = io.err.join("");
    expect(shown).toMatch(/Preview \(run \S+-preview-\S+, report [^)]+\):\n[\s\S]*eu-pki[\s\S]*\b7\b/);
    expect(shown.indexOf("Preview (run")).toBeLessThan(shown.length);
    expect(asked).toEqual(["up 1 stack(s) in eu (strategy canary, parallel 4)?"]);
    expect(io.err.join("")).toMatch(/not confirmed/);
    expect(fs.readdirSync(runsDir).filter((d) => d.includes("-up-"))).toEqual([]);
  });

  it("yes runs the up after the preview; --yes skips the preview; a failed preview is said in the question", async () => {
    const yes = recordingIo({ interactive: true, env: { USER: "tester", PULUMI_CONFIG_PASSPHRASE: "pass-phrase-123" }, confirm: async () => true });
    expect(await runRolloutCommand("up", opts(), yes.value, repo)).toBe(0);
    expect(engine.calls.filter((c) => c.op === "preview" || c.op === "up").map((c) => c.op)).toEqual(["preview", "up"]);
    // The preview's engine is built for the preview's own run folder, not the up's (an engine writes there: policy config).
    const [upCtx, previewCtx] = contexts.slice(-2);
    expect(upCtx.command).toBe("up");
    expect(previewCtx.command).toBe("preview");
    expect(path.basename(previewCtx.runDir)).toMatch(/-preview-/);
    expect(fs.readdirSync(runsDir).sort()).toEqual([path.basename(previewCtx.runDir), path.basename(upCtx.runDir)].sort());

    engine = new FakeEngine({});
    expect(await runRolloutCommand("up", opts({ yes: true }), recordingIo({ interactive: true, env: { USER: "tester" } }).value, repo)).toBe(0);
    expect(engine.started()).toEqual(["eu-pki"]);
    expect(engine.started("up")).toEqual(["eu-pki"]);

    engine = new FakeEngine({ "eu-pki": { fail: "preview exploded" } });
    const asked: string[] = [];
    const failing = recordingIo({ interactive: true, env: { USER: "tester" }, confirm: async (q) => (asked.push(q), false) });
    expect(await runRolloutCommand("up", opts(), failing.value, repo)).toBe(2);
    expect(asked[0]).toMatch(/^The preview did not succeed for 1 stack\(s\)\. up 1 stack\(s\)/);
  });
});

describe("the program digest", () => {
  it("covers the program's code and project files, not the stack config files", () => {
    const files = programFiles(repo);
    expect(files).toEqual(expect.arrayContaining(["Pulumi.yaml", "package-lock.json", "stacks/index.ts", "components/residency/resident.ts", "automation/fleet/schema.ts"]));
    expect(files.some((f) => /Pulumi\.[^/]+\.yaml$/.test(path.basename(f)) && f !== "Pulumi.yaml")).toBe(false);
    expect(files.some((f) => f.endsWith("fleet.yaml") || f.includes("node_modules"))).toBe(false);
  });
});
