/**
 * The published run-folder formats (docs/schemas/, from automation/orchestrator/schemas.ts):
 * real run files and event lines of a mock-engine rollout validate against the JSON Schemas
 * with an independent validator (ajv, draft-07); a record with a wrong field does not; the
 * TypeScript event type and the schema agree.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import Ajv from "ajv";
import type { z } from "zod";
import type { FleetEvent } from "../../automation/orchestrator/events";
import { EVENT_SCHEMA, eventSchema, runJsonSchemas } from "../../automation/orchestrator/schemas";
import { RECORD_SCHEMA } from "../../automation/orchestrator/record";

const root = path.resolve(__dirname, "../..");

// Compile-time: every event the orchestrator can emit is a valid schema input.
const _assignable = (e: FleetEvent): z.input<typeof eventSchema> => e;
void _assignable;

function validator(file: string) {
  const schema = JSON.parse(fs.readFileSync(path.join(root, "docs", "schemas", file), "utf8")) as object;
  const ajv = new Ajv({ allErrors: true, format: "full" });
  return ajv.compile(schema);
}

describe("run folder schemas", () => {
  let runDir = "";
  let lines: unknown[] = [];
  beforeAll(async () => {
    const runs = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-schemas-"));
    const r = await promisify(execFile)(
      process.execPath,
      [path.join(root, "node_modules/tsx/dist/cli.mjs"), path.join(root, "automation/cli.ts"), "up", "--engine", "mock", "--yes", "--json", "--runs-dir", runs, "--stack", "eu-pki", "us-pki"],
      { cwd: root, maxBuffer: 64 << 20, env: { ...process.env, CI: "true" } },
    );
    lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as unknown);
    runDir = (lines.at(-1) as { runDir: string }).runDir;
  }, 300000);

  it("publishes versioned schemas, current with the code", () => {
    expect(Object.keys(runJsonSchemas()).sort()).toEqual([`event.v${EVENT_SCHEMA}.json`, `run-record.v${RECORD_SCHEMA}.json`, `run-summary.v${RECORD_SCHEMA}.json`]);
    for (const [file, schema] of Object.entries(runJsonSchemas())) expect(JSON.parse(fs.readFileSync(path.join(root, "docs", "schemas", file), "utf8"))).toEqual(schema);
  });

  it("every --json line and every domain's events.jsonl line is a valid event", () => {
    const valid = validator(`event.v${EVENT_SCHEMA}.json`);
    const fileLines = ["eu", "us"].flatMap((d) => fs.readFileSync(path.join(runDir, d, "events.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as unknown));
    expect(lines.length).toBeGreaterThan(4);
    for (const line of [...lines, ...fileLines]) expect({ line, errors: valid(line) ? null : valid.errors }).toEqual({ line, errors: null });
    expect(new Set(lines.map((l) => (l as { type: string }).type))).toEqual(new Set(["stack-started", "stack-output", "stack-finished", "run-finished"]));
  });

  it("each domain's run.json and the summary validate; a wrong field, a missing field or an unknown event do not", () => {
    const record = validator(`run-record.v${RECORD_SCHEMA}.json`);
    const summary = validator(`run-summary.v${RECORD_SCHEMA}.json`);
    const event = validator(`event.v${EVENT_SCHEMA}.json`);
    for (const d of ["eu", "us"]) {
      const r = JSON.parse(fs.readFileSync(path.join(runDir, d, "run.json"), "utf8")) as Record<string, unknown>;
      expect({ d, errors: record(r) ? null : record.errors }).toEqual({ d, errors: null });
      expect(record({ ...r, status: "exploded" })).toBe(false);
      expect(record({ ...r, schema: RECORD_SCHEMA + 1 })).toBe(false);
      const { runId: _drop, ...withoutId } = r;
      expect(record(withoutId)).toBe(false);
    }
    const s = JSON.parse(fs.readFileSync(path.join(runDir, "summary.json"), "utf8")) as Record<string, unknown>;
    expect(summary(s)).toBe(true);
    expect(summary({ ...s, kind: "something-else" })).toBe(false);
    const finished = lines.find((l) => (l as { type: string }).type === "stack-finished") as Record<string, unknown>;
    expect(event({ ...finished, type: "stack-exploded" })).toBe(false);
    expect(event({ ...finished, surprise: 1 })).toBe(false);
  });
});
