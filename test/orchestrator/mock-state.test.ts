/**
 * The offline engine's state in run folders (`fileMockState`): kept per domain, carried
 * from a resumed run into the new one, and read back as untrusted input.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadFleet } from "../../automation/fleet";
import { fileMockState } from "../../automation/engine/mock";

const fleet = loadFleet(path.join(__dirname, "../../stacks"));
let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "mock-state-"));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const deployed = { outputs: { endpoint: "https://eu.example", key: "mock" }, secretOutputNames: ["key"], urns: new Set(["urn:a", "urn:b"]) };

describe("fileMockState", () => {
  it("keeps each stack under its own domain's folder and hands it to the next run", () => {
    const first = path.join(root, "run1");
    fileMockState(fleet, first).save("eu-pki", deployed);
    fileMockState(fleet, first).save("us-pki", deployed);
    expect(fs.readdirSync(path.join(first, "eu", "engine"))).toEqual(["eu-pki.json"]);
    expect(fs.readdirSync(path.join(first, "us", "engine"))).toEqual(["us-pki.json"]);
    const next = fileMockState(fleet, path.join(root, "run2"), first);
    expect(next.load("eu-pki")).toEqual(deployed);
    expect(next.load("eu-mgmt")).toBeUndefined();
    next.save("eu-pki", undefined);
    expect(fs.existsSync(path.join(root, "run2", "eu", "engine", "eu-pki.json"))).toBe(false);
  });

  it("refuses hostile state without quoting it: invalid JSON, wrong shape, another stack's file, a symlink, a name outside the fleet", () => {
    const prev = path.join(root, "prev");
    const file = path.join(prev, "eu", "engine", "eu-pki.json");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const store = fileMockState(fleet, path.join(root, "new"), prev);
    for (const text of ['{"schema":1,"oops CANARY-123', JSON.stringify({ schema: 1, stack: "eu-pki", outputs: "CANARY-123" }), JSON.stringify({ schema: 1, stack: "eu-mgmt", outputs: {}, secretOutputNames: [], urns: [] })]) {
      fs.writeFileSync(file, text);
      expect(() => store.load("eu-pki")).toThrow(/^eu-pki: the offline engine's state in the resumed run is not valid; start a new run$/);
    }
    fs.rmSync(file);
    fs.writeFileSync(path.join(root, "elsewhere.json"), JSON.stringify({ schema: 1, stack: "eu-pki", outputs: {}, secretOutputNames: [], urns: [] }));
    fs.symlinkSync(path.join(root, "elsewhere.json"), file);
    expect(() => store.load("eu-pki")).toThrow(/not valid/);
    expect(() => store.save("../../escape", deployed)).toThrow(/not a stack of the fleet/);
    expect(fs.readdirSync(root).sort()).toEqual(["elsewhere.json", "prev"]);
  });
});
