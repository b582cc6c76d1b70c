/**
 * `--resume` records are untrusted input. Through the real CLI entry, in-process (as
 * rollout-command.test.ts): a table of hostile records, each refused with exit 2 and one
 * line that names file and field but never the file's content; then a fast-check fuzz of
 * random, malformed and hostile records: no crash, an exit code in {0,1,2,130}, nothing
 * written outside the runs folder, no planted secret echoed.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { rolloutEngines, runRolloutCommand, type RolloutOptions } from "../../automation/commands/rollout";
import { FakeEngine, type FakeStackScript } from "../../automation/engine/fake";
import { recordingIo } from "../support/rolloutIo";

const repo = path.join(__dirname, "../..");
const CANARY = "CANARY-s3cr3t-7f3a9b";
let scripts: Record<string, FakeStackScript> = {};
let sandbox: string;
let runsDir: string;
let base: { id: string; files: Record<string, string> };

beforeAll(async () => {
  rolloutEngines.fake = async () => new FakeEngine(scripts);
  // One real failed run to mutate: both domains, eu-mgmt failed, dependents skipped.
  sandbox = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-resume-"));
  runsDir = path.join(sandbox, "runs");
  scripts = { "eu-mgmt": { fail: "boom" } };
  const a = io();
  expect(await runRolloutCommand("up", opts({ strategy: "parallel" }), a.value, repo)).toBe(1);
  const id = fs.readdirSync(runsDir).find((d) => !d.startsWith("."))!;
  const files = Object.fromEntries(["summary.json", "eu/run.json", "us/run.json"].map((f) => [f, fs.readFileSync(path.join(runsDir, id, f), "utf8")]));
  base = { id, files };
  scripts = {};
}, 60_000);
afterAll(() => {
  delete rolloutEngines.fake;
  fs.rmSync(sandbox, { recursive: true, force: true });
});

function io() {
  return recordingIo({ hardExit: () => undefined });
}

function opts(over: Partial<RolloutOptions> = {}): RolloutOptions {
  return { parallel: 4, strategy: "canary", policyPack: path.join(repo, "policy-pack"), engine: "fake", stacksDir: path.join(repo, "stacks"), runsDir, yes: true, ...over };
}

let seq = 0;
/** Write a run folder whose files are the base run's, with `edit` applied; returns its id. */
function plant(edit: (files: Record<string, string>) => void): string {
  const id = `20260101T000000Z-up-${(++seq).toString(16).padStart(16, "0")}`;
  const files = { ...base.files };
  for (const f of Object.keys(files)) files[f] = files[f].split(base.id).join(id);
  edit(files);
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(runsDir, id, f)), { recursive: true });
    fs.writeFileSync(path.join(runsDir, id, f), text);
  }
  return id;
}

/** A record document as a test edits it: any field, any depth. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- hostile edits reach into arbitrary fields
type Doc = Record<string, any>;

const json = (files: Record<string, string>, f: string, change: (doc: Doc) => void): void => {
  const doc = JSON.parse(files[f]) as Doc;
  change(doc);
  files[f] = JSON.stringify(doc);
};

function listTree(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? [path.join(dir, d.name), ...listTree(path.join(dir, d.name))] : [path.join(dir, d.name)]));
}

async function resume(ref: string): Promise<{ code: number; out: string; err: string }> {
  const a = io();
  const code = await runRolloutCommand("up", opts({ resume: ref }), a.value, repo);
  return { code, out: a.out.join(""), err: a.err.join("") };
}

describe("--resume refuses hostile records (exit 2, one line, no content echoed)", () => {
  const cases: Array<[string, (files: Record<string, string>) => void, RegExp]> = [
    ["not JSON (with a secret in it)", (f) => (f["eu/run.json"] = `{"schema": 2, "oops ${CANARY}`), /eu\/run\.json: not valid JSON$/m],
    ["an older record schema", (f) => json(f, "summary.json", (d) => (d.schema = 1)), /record schema 1 is not the schema this version reads \(2\)/],
    ["another fleet's record (fingerprint)", (f) => { for (const k of Object.keys(f)) json(f, k, (d) => (d.fingerprint = "0".repeat(64))); }, /made for another fleet/],
    ["a stack name that climbs out of the run folder", (f) => json(f, "eu/run.json", (d) => { d.stacks["../../../meridian-escape"] = { ...d.stacks["eu-pki"], name: "../../../meridian-escape" }; }), /eu\/run\.json: not a fleet run record \(field stacks\.\*: invalid\)/],
    ["an absolute domain", (f) => json(f, "summary.json", (d) => (d.options.domains = ["/tmp/meridian-escape", "us"])), /field options\.domains\.0: invalid/],
    ["a NUL in a stack name", (f) => json(f, "eu/run.json", (d) => (d.options.stacks = ["eu-pki\u0000x"])), /field options\.stacks\.0: invalid/],
    ["a US stack in the EU record", (f) => json(f, "eu/run.json", (d) => { d.stacks["us-pki"] = { ...d.stacks["eu-pki"], name: "us-pki", domain: "us" }; }), /field stacks\.\*\.domain: not this folder's domain/],
    ["a stack the fleet does not have", (f) => json(f, "eu/run.json", (d) => { d.stacks[`eu-${CANARY}`] = { ...d.stacks["eu-pki"], name: `eu-${CANARY}` }; }), /names a stack that is not in this domain of the fleet/],
    ["a status that does not exist", (f) => json(f, "eu/run.json", (d) => (d.stacks["eu-pki"].status = CANARY)), /field stacks\.\*\.status: not an allowed value/],
    ["a strategy that does not exist", (f) => json(f, "summary.json", (d) => (d.options.strategy = "yolo")), /field options\.strategy: not an allowed value/],
    ["a domain the summary does not list", (f) => json(f, "summary.json", (d) => (d.domains.mars = d.domains.eu)), /field domains: does not match options\.domains/],
    ["a domain file that does not match the summary", (f) => json(f, "us/run.json", (d) => (d.command = "destroy")), /does not match summary\.json/],
  ];

  it.each(cases)("%s", async (_, edit, message) => {
    const before = listTree(sandbox).length;
    const r = await resume(plant(edit));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err.split("\n").filter(Boolean)).toHaveLength(1);
    expect(r.err + r.out).not.toContain(CANARY);
    expect(listTree(sandbox).length).toBe(before + 6); // the planted folder, its 2 domain folders and 3 files: nothing written
  });

  it("files that are not regular files, or too large, are refused unread", async () => {
    const linked = plant(() => undefined);
    const target = path.join(sandbox, "elsewhere.json");
    fs.writeFileSync(target, base.files["summary.json"]);
    fs.rmSync(path.join(runsDir, linked, "summary.json"));
    fs.symlinkSync(target, path.join(runsDir, linked, "summary.json"));
    expect((await resume(linked)).err).toMatch(/summary\.json: not a regular file$/m);

    const fifo = plant(() => undefined);
    fs.rmSync(path.join(runsDir, fifo, "eu", "run.json"));
    execFileSync("mkfifo", [path.join(runsDir, fifo, "eu", "run.json")]);
    expect((await resume(fifo)).err).toMatch(/eu\/run\.json: not a regular file$/m);

    const big = plant((f) => (f["eu/run.json"] = " ".repeat(17 << 20)));
    expect((await resume(big)).err).toMatch(/eu\/run\.json: larger than 16 MiB$/m);
  });

  it("references that are not a run: traversal, NUL, a file instead of the folder", async () => {
    for (const ref of ["../../..", "/etc", "a\u0000b", path.join(runsDir, base.id, "summary.json"), "no-such-run"]) {
      const r = await resume(ref);
      expect([ref, r.code]).toEqual([ref, 2]);
      expect(r.err.split("\n").filter(Boolean)).toHaveLength(1);
    }
  });

  it("the untouched record resumes and finishes the fleet", async () => {
    const r = await resume(plant(() => undefined));
    expect(r.code).toBe(0);
  });
});

/** Every path inside a JSON value, for picking one to replace. */
function paths(v: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (v === null || typeof v !== "object") return [prefix];
  const entries = Array.isArray(v) ? v.map((x, i) => [i, x] as const) : Object.entries(v as Record<string, unknown>);
  return [prefix, ...entries.flatMap(([k, x]) => paths(x, [...prefix, k]))];
}

function setAt(root: unknown, at: Array<string | number>, value: unknown): unknown {
  if (at.length === 0) return value;
  const [head, ...rest] = at;
  const copy = (Array.isArray(root) ? [...root] : { ...(root as Record<string, unknown>) }) as Record<string | number, unknown>;
  copy[head] = setAt(copy[head], rest, value);
  return copy;
}

const hostileString = fc.oneof(
  fc.constantFrom("../../../meridian-escape", "/tmp/meridian-escape-abs", "eu/../../meridian-escape", "a\u0000b", "__proto__", "constructor", "..", ".", "", "C:\\meridian-escape", "eu-pki\n", CANARY, `https://u:${CANARY}@h/x?sig=${CANARY}`, "eu-pki", "us-pki", "eu", "us"),
  fc.string({ maxLength: 40 }),
);
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, -1, 1e308, 2 ** 53, true, [], {}),
  fc.array(hostileString, { maxLength: 4 }),
  fc.dictionary(hostileString, hostileString, { maxKeys: 3 }),
);

type Mutation = { file: string; kind: "replace-value"; pick: number; value: unknown } | { file: string; kind: "add-key"; pick: number; key: string; value: unknown } | { file: string; kind: "whole"; text: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ file: fc.constantFrom("summary.json", "eu/run.json", "us/run.json"), kind: fc.constant("replace-value" as const), pick: fc.nat(), value: hostileValue }),
  fc.record({ file: fc.constantFrom("summary.json", "eu/run.json", "us/run.json"), kind: fc.constant("add-key" as const), pick: fc.nat(), key: hostileString, value: hostileValue }),
  fc.record({
    file: fc.constantFrom("summary.json", "eu/run.json", "us/run.json"),
    kind: fc.constant("whole" as const),
    text: fc.oneof(fc.string({ maxLength: 200 }), fc.jsonValue().map((v) => JSON.stringify(v)), fc.nat(3000).map((n) => base.files["eu/run.json"].slice(0, n) + CANARY)),
  }),
);

function apply(files: Record<string, string>, m: Mutation): void {
  if (m.kind === "whole") {
    files[m.file] = m.text;
    return;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(files[m.file]);
  } catch {
    return; // an earlier mutation left no JSON to edit
  }
  const all = paths(doc);
  const at = all[m.pick % all.length];
  if (m.kind === "replace-value") files[m.file] = JSON.stringify(setAt(doc, at, m.value));
  else {
    const objects = all.filter((p) => {
      let v: unknown = doc;
      for (const k of p) v = (v as Record<string | number, unknown>)[k];
      return v !== null && typeof v === "object" && !Array.isArray(v);
    });
    if (objects.length === 0) return;
    const target = objects[m.pick % objects.length];
    let v: unknown = doc;
    for (const k of target) v = (v as Record<string | number, unknown>)[k];
    // Built as JSON text so `__proto__` becomes an own key, as JSON.parse would make it.
    const inner = JSON.stringify(setAt(v, [], v)).replace(/^\{/, `{${JSON.stringify(m.key)}:${JSON.stringify(m.value ?? null)}${Object.keys(v as object).length ? "," : ""}`);
    files[m.file] = JSON.stringify(setAt(doc, target, "\u0001MARK\u0001")).replace(JSON.stringify("\u0001MARK\u0001"), inner);
  }
}

describe("fuzz: random, malformed and hostile run records through the CLI", () => {
  it("never crashes, exits 0/1/2/130 only, writes nothing outside the runs folder, echoes no planted secret", async () => {
    const outside = (): string[] => [
      ...fs.readdirSync(sandbox).filter((f) => f !== "runs" && f !== "elsewhere.json"),
      ...fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith("meridian-escape")),
      ...(fs.existsSync(path.join(repo, "meridian-escape")) ? ["repo/meridian-escape"] : []),
    ];
    const codes = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (muts) => {
        const id = plant((files) => muts.forEach((m) => apply(files, m)));
        const r = await resume(id);
        codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
        expect([0, 1, 2, 130]).toContain(r.code);
        expect(r.err + r.out).not.toContain(CANARY);
        if (r.code === 2) expect(r.err.split("\n").filter(Boolean)).toHaveLength(1);
        expect(outside()).toEqual([]);
        fs.rmSync(path.join(runsDir, id), { recursive: true, force: true });
      }),
      { numRuns: 150, seed: Number(process.env.FUZZ_SEED ?? 20261201) },
    );
    // Not vacuous: most hostile records are refused, and some mutations are harmless and resume.
    expect(codes.get(2) ?? 0).toBeGreaterThan(50);
  }, 240_000);
});
