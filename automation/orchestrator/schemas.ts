/**
 * The run folder's file formats as schemas: `<run>/summary.json`, `<run>/<domain>/run.json`
 * (record schema {@link RECORD_SCHEMA}) and each line of `events.jsonl` / `--json` (event
 * schema {@link EVENT_SCHEMA}). `--resume` validates records with them (./resume.ts), and
 * `npm run docs` publishes them as JSON Schema (docs/schemas/), so tools reading runs have a
 * versioned contract; test/orchestrator/schemas.test.ts checks real runs against both.
 */
import { z } from "zod";
import { OPERATIONS } from "../engine/types";
import { STRATEGIES } from "../scheduler";
import { isSafeSegment } from "./layout";
import { RECORD_SCHEMA } from "./record";

/** Version of the event line format; bump on any incompatible change. */
export const EVENT_SCHEMA = 1;

const segment = z.string().refine(isSafeSegment);
const text = (max: number) => z.string().max(max);
const isoTime = z.iso.datetime();
const count = z.int().min(0).max(1_000_000);
const runStatus = z.enum(["running", "succeeded", "failed", "interrupted"]);
const fingerprint = z.string().regex(/^[0-9a-f]{64}$/);

export const violationSchema = z.object({
  policyPack: text(256),
  policyPackVersion: text(64).optional(),
  policy: text(256),
  enforcement: z.enum(["mandatory", "advisory"]),
  message: text(16_384),
  urn: text(4096).optional(),
});

export const stackSchema = z.object({
  name: segment,
  domain: segment,
  ring: z.int().min(0).max(1000),
  status: z.enum(["succeeded", "failed", "skipped", "cancelled", "not-started", "running"]),
  startedAt: isoTime.optional(),
  finishedAt: isoTime.optional(),
  durationMs: count.max(Number.MAX_SAFE_INTEGER).optional(),
  attempts: count,
  retries: z.array(z.object({ attempt: count, rule: text(64), delayMs: count.max(86_400_000) })).max(100).optional(),
  changes: z.object({ create: count, update: count, delete: count, replace: count, same: count }).optional(),
  violations: z.array(violationSchema).max(10_000),
  error: text(65_536).optional(),
  carriedOver: z.boolean().optional(),
  log: text(512).optional(),
  outputs: z.record(z.string().max(256), z.unknown()).optional(),
});

/** One gate between rings or domains (./gates.ts `GateRecord`). */
export const gateSchema = z.object({
  id: text(64),
  kind: z.enum(["ring", "domain"]),
  domain: segment,
  next: segment,
  ring: z.int().min(0).max(1000).optional(),
  status: z.enum(["passed", "failed", "cancelled"]),
  startedAt: isoTime,
  finishedAt: isoTime.optional(),
  soakSeconds: count,
  checks: z.array(z.object({ name: text(64), kind: z.enum(["http", "command", "slo-burn"]), ok: z.boolean(), detail: text(1024), durationMs: count.max(Number.MAX_SAFE_INTEGER) })).max(100),
  approval: z.object({ required: z.literal(true), by: z.enum(["flag", "file"]).optional(), file: text(512).optional(), at: isoTime.optional() }).optional(),
  reason: text(4096).optional(),
  carriedFrom: text(128).optional(),
});

const optionsBase = {
  domains: z.array(segment).min(1).max(16),
  strategy: z.enum(STRATEGIES),
  parallel: z.int().min(1).max(64),
  failFast: z.boolean(),
  engine: text(64),
};

const header = {
  schema: z.literal(RECORD_SCHEMA),
  runId: segment,
  command: z.enum(OPERATIONS),
  status: runStatus,
  startedAt: isoTime,
  finishedAt: isoTime.optional(),
  exitCode: z.int().min(0).max(255).optional(),
  fingerprint,
  resumedFrom: segment.optional(),
};

export const summarySchema = z.object({
  ...header,
  kind: z.literal("meridian-run-summary"),
  options: z.object(optionsBase),
  domains: z.record(
    segment,
    z.object({
      status: runStatus,
      stacks: count,
      counts: z.object({ succeeded: count, failed: count, skipped: count, cancelled: count, "not-started": count, running: count }),
    }),
  ),
});

export const domainRecordSchema = z.object({
  ...header,
  domain: segment,
  options: z.object({ ...optionsBase, stacks: z.array(segment).max(100_000), policyPack: text(4096).optional(), backend: text(4096).optional() }),
  who: z.object({ user: text(256), gitAuthor: text(512).optional() }),
  git: z.object({ commit: text(64).optional(), dirty: z.boolean().optional() }),
  stacks: z.record(segment, stackSchema),
  gates: z.array(gateSchema).max(1000).optional(),
});


const stackStatus = stackSchema.shape.status;
const changes = stackSchema.shape.changes;
const eventBase = { time: isoTime, runId: segment };

/** One event line (automation/orchestrator/events.ts `FleetEvent`). */
export const eventSchema = z.discriminatedUnion("type", [
  z.strictObject({ ...eventBase, type: z.literal("stack-started"), stack: segment, domain: segment, ring: z.int().min(0).max(1000), operation: z.enum(OPERATIONS) }),
  z.strictObject({ ...eventBase, type: z.literal("stack-output"), stack: segment, domain: segment, text: z.string() }),
  z.strictObject({
    ...eventBase,
    type: z.literal("policy-violation"),
    stack: segment,
    domain: segment,
    policyPack: text(256),
    policy: text(256),
    enforcement: z.enum(["mandatory", "advisory"]),
    message: text(16_384),
    urn: text(4096).optional(),
  }),
  z.strictObject({
    ...eventBase,
    type: z.literal("stack-finished"),
    stack: segment,
    domain: segment,
    status: stackStatus,
    durationMs: count.max(Number.MAX_SAFE_INTEGER).optional(),
    attempts: count,
    changes,
    violations: z.strictObject({ mandatory: count, advisory: count }),
    error: text(65_536).optional(),
    outputs: z.record(z.string().max(256), z.unknown()).optional(),
  }),
  z.strictObject({
    ...eventBase,
    type: z.literal("run-finished"),
    command: z.enum(OPERATIONS),
    status: runStatus,
    exitCode: z.int().min(0).max(255),
    durationMs: count.max(Number.MAX_SAFE_INTEGER),
    // A finished run has nothing running: the count is left out of the line.
    counts: z.strictObject({ succeeded: count, failed: count, skipped: count, cancelled: count, "not-started": count, running: count.optional() }),
    domain: segment.optional(),
    runDir: z.string(),
  }),
  z.strictObject({ ...eventBase, type: z.literal("gate-output"), gate: text(64), domain: segment, text: z.string() }),
  z.strictObject({ ...eventBase, type: z.literal("gate-finished"), gate: text(64), domain: segment, status: z.enum(["passed", "failed", "cancelled"]), reason: text(4096).optional() }),
]);

/** The published JSON Schemas (draft-07), by file name under docs/schemas/. */
export function runJsonSchemas(): Record<string, unknown> {
  const publish = (schema: z.ZodType, id: string, title: string) => ({
    $id: `urn:meridian:schema:${id}`,
    title,
    ...(z.toJSONSchema(schema, { target: "draft-7", unrepresentable: "any" }) as Record<string, unknown>),
  });
  return {
    [`run-record.v${RECORD_SCHEMA}.json`]: publish(domainRecordSchema, `run-record.v${RECORD_SCHEMA}.json`, "meridian run record (<run>/<domain>/run.json)"),
    [`run-summary.v${RECORD_SCHEMA}.json`]: publish(summarySchema, `run-summary.v${RECORD_SCHEMA}.json`, "meridian run summary (<run>/summary.json)"),
    [`event.v${EVENT_SCHEMA}.json`]: publish(eventSchema, `event.v${EVENT_SCHEMA}.json`, "meridian event line (events.jsonl, --json)"),
  };
}
