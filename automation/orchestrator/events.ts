/**
 * The run's event stream: one JSON object per line with `--json` (every domain), and
 * always, per domain, in that domain's folder (`<domain>/events.jsonl`, copied into its
 * evidence bundle at the end), each domain's stream ending with its own run-finished.
 */
import type { ChangeSummary, Enforcement, Operation } from "../engine/types";
import type { RunStatus, StackStatus } from "./record";

interface Base {
  /** ISO-8601 time of the event. */
  readonly time: string;
  readonly runId: string;
}

export interface StackStartedEvent extends Base {
  readonly type: "stack-started";
  readonly stack: string;
  readonly domain: string;
  readonly ring: number;
  readonly operation: Operation;
}

/** Engine text for a person: a progress line, a retry notice, a diagnostic. */
export interface StackOutputEvent extends Base {
  readonly type: "stack-output";
  readonly stack: string;
  readonly domain: string;
  readonly text: string;
}

export interface PolicyViolationEvent extends Base {
  readonly type: "policy-violation";
  readonly stack: string;
  readonly domain: string;
  readonly policyPack: string;
  readonly policy: string;
  readonly enforcement: Enforcement;
  readonly message: string;
  readonly urn?: string;
}

export interface StackFinishedEvent extends Base {
  readonly type: "stack-finished";
  readonly stack: string;
  readonly domain: string;
  readonly status: StackStatus;
  readonly durationMs?: number;
  readonly attempts: number;
  readonly changes?: ChangeSummary;
  readonly violations: { readonly mandatory: number; readonly advisory: number };
  readonly error?: string;
  /** Stack outputs after up/refresh; secret values are `[secret]`. */
  readonly outputs?: Readonly<Record<string, unknown>>;
}

export interface RunFinishedEvent extends Base {
  readonly type: "run-finished";
  readonly command: Operation;
  readonly status: RunStatus;
  readonly exitCode: number;
  readonly durationMs: number;
  readonly counts: Readonly<Record<StackStatus, number>>;
  /** The domain this event summarises (in a domain's events.jsonl); absent for the whole run (the `--json` stream). */
  readonly domain?: string;
  readonly runDir: string;
}

/** A progress line of a gate between rings or domains (./gates.ts). */
export interface GateOutputEvent extends Base {
  readonly type: "gate-output";
  /** `<domain>/ring-<n>` or `<domain>/entry`. */
  readonly gate: string;
  /** The domain whose events file holds the line (the one whose health is checked). */
  readonly domain: string;
  readonly text: string;
}

/** A gate's verdict, once per domain that sees it (the checked one, and the one behind a domain gate). */
export interface GateFinishedEvent extends Base {
  readonly type: "gate-finished";
  readonly gate: string;
  readonly domain: string;
  readonly status: "passed" | "failed" | "cancelled";
  readonly reason?: string;
}

export type FleetEvent = StackStartedEvent | StackOutputEvent | PolicyViolationEvent | StackFinishedEvent | RunFinishedEvent | GateOutputEvent | GateFinishedEvent;

/** Where events go; the orchestrator redacts before calling. */
export type EventSink = (event: FleetEvent) => void;
