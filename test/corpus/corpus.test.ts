/**
 * The corpus (test/corpus/README.md): every program through the offline plan and the pack,
 * scored against the problems an expert listed before the pack was run. Prints the table;
 * asserts the goal in goal.json (recall, false positives, crashes). The goal is data so the
 * figures can be checked as the pack changes; it fails whenever the pack falls short.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { renderTable, type CorpusResult } from "./run";

const ROOT = path.resolve(__dirname, "../..");
const goal = JSON.parse(fs.readFileSync(path.join(__dirname, "goal.json"), "utf8")) as { recall: number; falsePositives: number; crashes: number };

describe("the corpus: public example programs and tenant programs as EU (and one US) stacks", () => {
  let result: CorpusResult;
  beforeAll(async () => {
    // A child process: node loads the provider SDKs several times faster than jest's loader.
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), path.join(__dirname, "run.ts"), "--json"], {
      cwd: ROOT,
      maxBuffer: 64 << 20,
    });
    result = JSON.parse(stdout) as CorpusResult;
    console.log(renderTable(result));
  }, 600_000);

  it("has at least 20 public re-writes, tenant programs, and a US stack placed in EU regions", () => {
    const origins = result.programs.map((p) => JSON.parse(fs.readFileSync(path.join(__dirname, "programs", p.program, "expected.json"), "utf8")).origin as { repository?: string });
    expect(origins.filter((o) => o.repository !== undefined).length).toBeGreaterThanOrEqual(20);
    expect(origins.filter((o) => o.repository === undefined).length).toBeGreaterThanOrEqual(3);
    expect(result.programs.some((p) => p.domain === "us")).toBe(true);
  });

  it(`crashes: at most ${goal.crashes}`, () => {
    expect(result.programs.filter((p) => p.crash).map((p) => `${p.program}: ${p.crash}`)).toHaveLength(goal.crashes);
  });

  it(`false positives: at most ${goal.falsePositives}`, () => {
    expect(result.falsePositives).toBeLessThanOrEqual(goal.falsePositives);
  });

  it(`recall: at least ${goal.recall}`, () => {
    expect(result.recall).toBeGreaterThanOrEqual(goal.recall);
  });
});
