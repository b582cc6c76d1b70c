/**
 * `fleet <command>` and the per-domain control plane: which backend options are refused (exit 2),
 * that each domain must bring its own passphrase, and that evidence of a real-engine run lands in
 * each domain's own store — or, when that fails, the run says so (exit 1) and keeps its copy.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { rolloutEngines, runRolloutCommand, type RolloutOptions } from "../../automation/commands/rollout";
import { parseBackendFlag, resolveControlPlanes } from "../../automation/commands/controlPlanes";
import { FakeEngine } from "../../automation/engine/fake";
import { loadFleet } from "../../automation/fleet";
import { domainRunDir, evidenceDir } from "../../automation/orchestrator/layout";
import { localControlPlaneFleetDir } from "../support/fleetDir";
import { recordingIo } from "../support/rolloutIo";

const repo = path.join(__dirname, "../..");
const fleet = loadFleet(path.join(repo, "stacks"));
/** The reference fleet with no `domains:` declared: local defaults (file backends, a passphrase per domain). */
const localStacks = localControlPlaneFleetDir();
const localFleet = loadFleet(localStacks);
let tmp: string;
beforeAll(() => {
  // The fake engine standing in for a real one: its runs' evidence is uploaded.
  rolloutEngines["fake-real"] = async () => {
    const engine = new FakeEngine({});
    const preview = engine.preview.bind(engine);
    // Reports the packs it ran the way the Automation API engine does (name → version).
    return Object.assign(engine, { deploysRealStacks: true, preview: async (...a: Parameters<typeof preview>) => ({ ...(await preview(...a)), policyPacks: { meridian: "0.1.0" } }) });
  };
});
afterAll(() => {
  delete rolloutEngines["fake-real"];
  fs.rmSync(localStacks, { recursive: true, force: true });
});
beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-cp-"))));
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

function io(env: NodeJS.ProcessEnv) {
  return recordingIo({ env: { USER: "tester", ...env } });
}

const opts = (over: Partial<RolloutOptions> = {}): RolloutOptions => ({
  parallel: 4,
  strategy: "canary",
  policyPack: path.join(repo, "policy-pack"),
  engine: "fake-real",
  stacksDir: path.join(repo, "stacks"),
  runsDir: path.join(tmp, "runs"),
  ...over,
});

describe("backend per domain: CLI semantics", () => {
  it.each([
    ["a bare --backend URL (one backend for every domain)", { backend: "file:///tmp/one" }, {}, /--backend: "file:\/\/\/tmp\/one" names no domain; one backend for every domain is refused/],
    ["PULUMI_BACKEND_URL", {}, { PULUMI_BACKEND_URL: "s3://one-bucket" }, /PULUMI_BACKEND_URL is set: it names one backend for every domain/],
    ["an unknown domain", { backend: "eu=file:///a,mars=file:///b" }, {}, /--backend: unknown domain "mars"; known: eu, us/],
    ["a domain given twice", { backend: "eu=file:///a,eu=file:///b" }, {}, /domain eu is given twice/],
    ["two domains on one backend", { backend: "eu=file:///same,us=file:///same/" }, {}, /domains eu and us share the backend file:\/\/\/same/],
    ["two domains on one evidence store", {}, { MERIDIAN_EVIDENCE_STORE_EU: "file:///ev", MERIDIAN_EVIDENCE_STORE_US: "file:///ev/" }, /share the evidence store/],
    // Overrides can only narrow: an override's location is derived from its URL and must be inside the domain.
    ["an EU --backend in a US region", { backend: "eu=s3://state?region=us-east-1,us=file:///u" }, {}, /--backend.*domains\.eu\.backend.*us-east-1/],
    ["an EU evidence store override in a US region", {}, { MERIDIAN_EVIDENCE_STORE_EU: "s3://ev-eu?region=us-west-2" }, /MERIDIAN_EVIDENCE_STORE_EU.*domains\.eu\.evidenceStore.*us-west-2/],
    ["a US backend override whose location cannot be derived", {}, { MERIDIAN_BACKEND_US: "gs://state-us" }, /MERIDIAN_BACKEND_US.*domains\.us\.backend.*cannot be derived/],
  ])("refuses %s: exit 2, one line", async (_, over, env, message) => {
    const a = io(env);
    expect(await runRolloutCommand("preview", opts(over as Partial<RolloutOptions>), a.value, repo)).toBe(2);
    expect(a.err.join("")).toMatch(message);
    expect(a.err.join("").trim().split("\n")).toHaveLength(1);
  });

  it("takes a backend per domain: --backend, then MERIDIAN_BACKEND_<D>, then fleet.yaml / the local default", () => {
    expect(parseBackendFlag("eu=s3://state-eu?region=eu-central-1, us=s3://state-us?region=us-east-1")).toEqual({ eu: "s3://state-eu?region=eu-central-1", us: "s3://state-us?region=us-east-1" });
    const planes = resolveControlPlanes(fleet, "eu=file:///flag-eu", { MERIDIAN_BACKEND_EU: "file:///env-eu", MERIDIAN_BACKEND_US: "file:///env-us" }, "/repo");
    expect(planes.eu.backend).toBe("file:///flag-eu");
    expect(planes.us.backend).toBe("file:///env-us");
    // Only the backend was overridden: the rest is fleet.yaml's.
    expect(planes.us.secretsProvider).toBe("awskms://alias/meridian-state-us?region=us-east-1");
    expect(resolveControlPlanes(fleet, undefined, {}, "/repo").eu).toMatchObject({ backend: "s3://meridian-state-eu?region=eu-central-1", secretsProvider: "awskms://alias/meridian-state-eu?region=eu-central-1" });
    const defaults = resolveControlPlanes(localFleet, undefined, {}, "/repo");
    expect(defaults.eu).toMatchObject({ backend: "file:///repo/.pulumi-state/eu", secretsProvider: "passphrase", evidenceStore: "file:///repo/.fleet-evidence/eu" });
    expect(defaults.us.backend).toBe("file:///repo/.pulumi-state/us");
  });

  it("the automation engine refuses a domain without its own passphrase (exit 2) before any CLI is looked for", async () => {
    const a = io({ PULUMI_CONFIG_PASSPHRASE: "one-for-all", PULUMI_CONFIG_PASSPHRASE_EU: "eu-pass-phrase" });
    expect(await runRolloutCommand("preview", opts({ engine: "automation", domains: "eu,us", stacksDir: localStacks }), a.value, repo)).toBe(2);
    expect(a.err.join("")).toMatch(/domain us uses the passphrase secrets provider: set PULUMI_CONFIG_PASSPHRASE_US \(or PULUMI_CONFIG_PASSPHRASE_US_FILE\)/);
    expect(a.err.join("")).not.toMatch(/pass-phrase|one-for-all/);
  });
});

describe("evidence upload after a real-engine run", () => {
  it("puts each domain's evidence in that domain's store only, with a receipt, and the evidence names kinds and locations, no secret", async () => {
    const env = { MERIDIAN_EVIDENCE_STORE_EU: `file://${tmp}/store-eu`, MERIDIAN_EVIDENCE_STORE_US: `file://${tmp}/store-us`, PULUMI_CONFIG_PASSPHRASE_EU: "eu-pass-phrase", PULUMI_CONFIG_PASSPHRASE_US: "us-pass-phrase" };
    const a = io(env);
    expect(await runRolloutCommand("preview", opts({ backend: `eu=file://${tmp}/state-eu,us=file://${tmp}/state-us`, stacksDir: localStacks }), a.value, repo)).toBe(0);
    const runId = fs.readdirSync(path.join(tmp, "runs"))[0];
    for (const [d, other] of [["eu", "us"], ["us", "eu"]]) {
      const copy = path.join(tmp, `store-${d}`, runId, d);
      const evidence = fs.readFileSync(path.join(copy, "evidence.json"), "utf8");
      expect(JSON.parse(evidence).what.controlPlane).toEqual({
        backend: { kind: "file", location: "local", url: `file://${tmp}/state-${d}` },
        secretsProvider: { kind: "passphrase", location: "local", variable: `PULUMI_CONFIG_PASSPHRASE_${d.toUpperCase()}` },
        evidenceStore: { kind: "file", location: "local", url: `file://${tmp}/store-${d}` },
      });
      expect(evidence).not.toMatch(/pass-phrase/);
      expect(JSON.parse(evidence).what.policyPacksRun).toEqual({ meridian: "0.1.0" });
      // Nothing of the other domain in this domain's store.
      expect(fs.readdirSync(path.join(tmp, `store-${d}`, runId))).toEqual([d]);
      const otherStacks = [...fleet.stacks.values()].filter((s) => s.domain === other).map((s) => s.name);
      expect(evidence).toContain(`"${d}-pki"`);
      for (const f of fs.readdirSync(copy)) {
        const text = fs.readFileSync(path.join(copy, f), "utf8");
        for (const name of otherStacks) expect(text).not.toContain(name);
      }
      const runDir = path.join(tmp, "runs", runId);
      const receipt = JSON.parse(fs.readFileSync(path.join(domainRunDir(runDir, d), "upload.json"), "utf8"));
      // The local bundle is byte-for-byte what the store holds.
      for (const f of fs.readdirSync(evidenceDir(runDir, d))) expect(fs.readFileSync(path.join(copy, f), "utf8")).toBe(fs.readFileSync(path.join(evidenceDir(runDir, d), f), "utf8"));
      expect(receipt).toMatchObject({ kind: "file", location: `${runId}/${d}/` });
      expect(receipt.objects.map((o: { file: string }) => o.file)).toEqual(expect.arrayContaining(["evidence.json", "events.jsonl", "report.md"]));
    }
    expect(a.out.join("")).toMatch(/evidence eu: \d+ object\(s\) uploaded to file:\/\/.*store-eu under .*\/eu\//);
  });

  it("an upload that fails names the store, exits 1, keeps the local copy and says so in the report", async () => {
    fs.writeFileSync(path.join(tmp, "not-a-dir"), "");
    const env = { MERIDIAN_EVIDENCE_STORE_EU: `file://${tmp}/not-a-dir/store`, MERIDIAN_EVIDENCE_STORE_US: `file://${tmp}/store-us` };
    const a = io(env);
    expect(await runRolloutCommand("preview", opts({ domains: "eu" }), a.value, repo)).toBe(1);
    const runDir = path.join(tmp, "runs", fs.readdirSync(path.join(tmp, "runs"))[0]);
    expect(a.out.join("")).toMatch(new RegExp(`evidence eu: NOT uploaded — evidence store file://${tmp}/not-a-dir/store: upload failed: .*ENOTDIR.*; the local copy is kept`));
    expect(a.out.join("")).toMatch(/\(evidence upload failed\)/);
    expect(fs.existsSync(path.join(evidenceDir(runDir, "eu"), "evidence.json"))).toBe(true);
    const domainDir = domainRunDir(runDir, "eu");
    expect(fs.readFileSync(path.join(domainDir, "report.md"), "utf8")).toMatch(/## Evidence upload\n\nevidence eu: NOT uploaded/);
    expect(JSON.parse(fs.readFileSync(path.join(domainDir, "upload-failed.json"), "utf8")).store).toBe(`file://${tmp}/not-a-dir/store`);
  });

  it("offline engines (mock, fake) upload nothing", async () => {
    rolloutEngines["fake-offline"] = async () => new FakeEngine({});
    try {
      const a = io({ MERIDIAN_EVIDENCE_STORE_EU: `file://${tmp}/store-eu`, MERIDIAN_EVIDENCE_STORE_US: `file://${tmp}/store-us` });
      expect(await runRolloutCommand("preview", opts({ engine: "fake-offline" }), a.value, repo)).toBe(0);
      expect(fs.existsSync(path.join(tmp, "store-eu"))).toBe(false);
    } finally {
      delete rolloutEngines["fake-offline"];
    }
  });
});
