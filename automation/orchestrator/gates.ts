/**
 * Gates between rings and domains: before a domain's next ring starts (and, under the canary
 * strategy, before the next domain starts) the rollout waits for a soak time, runs the health
 * checks of the domain it leaves behind (fleet.yaml `gates.domains.<domain>.checks`: an HTTP
 * check, a command, or an SLO burn-rate check against the domain's Prometheus API), then, when
 * fleet.yaml `gates.approval` asks for it, a person's approval: `--approve` given up front, or
 * an approval file created in the run folder while the gate waits
 * (`<run>/<domain>/approvals/<gate>.approved`, e.g. `eu/approvals/ring-1.approved`).
 *
 * A failed check, a refused or timed-out approval halts the domain behind the gate: its
 * stacks end `not-started` and the run fails (exit 1). Each gate's result is recorded in the
 * run record (`gates`), the evidence and the report of the domain whose health it checked; the
 * domain behind a domain gate gets the verdict without the other domain's check details.
 *
 * A resumed run does not pass a gate again that the run it resumes passed (`passedBefore`): the
 * earlier verdict is recorded again, with its checks and approval, marked `carriedFrom` that
 * run, and nothing is soaked, checked or approved a second time — as a stack that succeeded is
 * carried over, not redeployed. A gate that failed or was cancelled runs again in full.
 *
 * The orchestrator knows nothing of clouds: a check is a URL, an argv or a PromQL query.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Domain } from "../../components/residency/catalogue";
import { domainGates, type ApprovalMode, type GatesSettings, type HealthCheck } from "../fleet/gates";
import type { GateBoundary } from "../scheduler";
import { domainRunDir } from "./layout";

export type GateStatus = "passed" | "failed" | "cancelled";

export interface CheckResult {
  readonly name: string;
  readonly kind: HealthCheck["kind"];
  readonly ok: boolean;
  /** One line: the status, exit code or burn rate seen (redacted by the run before it is written). */
  readonly detail: string;
  readonly durationMs: number;
}

export interface GateRecord {
  /** `<domain>/ring-<n>` or `<domain>/entry`. */
  readonly id: string;
  readonly kind: "ring" | "domain";
  /** The domain whose health was checked (its record holds the check details). */
  readonly domain: string;
  /** The domain that waited behind the gate. */
  readonly next: string;
  /** For a ring gate: the ring that waited. */
  readonly ring?: number;
  status: GateStatus;
  readonly startedAt: string;
  finishedAt?: string;
  readonly soakSeconds: number;
  checks: CheckResult[];
  approval?: { readonly required: true; by?: "flag" | "file"; file?: string; at?: string };
  /** Why the gate did not pass. */
  reason?: string;
  /** For a gate a resumed run did not pass again: the run whose pass it carries (the first, across resumes of resumes). */
  readonly carriedFrom?: string;
}

/** How a gate reaches the outside world; tests replace parts of it. */
export interface GateIo {
  readonly now: () => Date;
  /** Wait `ms` or until `signal` aborts (then reject or resolve early; the runner checks the signal). */
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly fetch: typeof fetch;
  /** Run argv without a shell; resolve with its exit code (or -1 when it could not start / timed out). */
  readonly exec: (argv: readonly string[], timeoutMs: number, signal: AbortSignal) => Promise<{ code: number; output: string }>;
}

export interface GateRunnerOptions {
  readonly settings: GatesSettings;
  /** The run folder (approval files live under `<run>/<domain>/approvals/`). */
  readonly runDir: string;
  /** `--approve`: every gate that needs an approval has it. */
  readonly approved: boolean;
  /** Per domain, the SLO objective the burn rate is measured against (fleet.yaml `observability.<d>.sloObjective`). */
  readonly sloObjective: (domain: string) => number;
  readonly io?: Partial<GateIo>;
  /** (Optional) How often an awaited approval file is looked for. Defaults to 2 s. */
  readonly pollMs?: number;
  /** (Optional) With `--resume`: the resumed run's id and gates; those it passed are not passed again. Defaults to none. */
  readonly passedBefore?: { readonly runId: string; readonly gates: readonly GateRecord[] };
}

export const APPROVALS_DIR = "approvals";

/**
 * The SLO recording rule a burn check reads: the same name components/observability/spec.ts
 * `errorRatioRecord` gives the rules it deploys (a test pins that they agree; the
 * orchestrator does not import components).
 */
export function sloErrorRatioRecord(window: string): string {
  return `meridian:slo_errors:ratio_rate${window}`;
}

/** The file a person creates to approve a gate: `<run>/<domain>/approvals/<ring-n|domain>.approved`. */
export function approvalFile(runDir: string, boundary: Pick<GateBoundary, "id">): string {
  const [domain, which] = boundary.id.split("/");
  return path.join(domainRunDir(runDir, domain), APPROVALS_DIR, `${which}.approved`);
}

function needsApproval(mode: ApprovalMode, kind: GateBoundary["kind"]): boolean {
  return mode === "all" || (mode === "rings" && kind === "ring") || (mode === "domains" && kind === "domain");
}

export const defaultGateIo: GateIo = {
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        signal.removeEventListener("abort", done);
        resolve();
      }
      signal.addEventListener("abort", done, { once: true });
    }),
  fetch: (...args) => fetch(...args),
  exec: (argv, timeoutMs, signal) =>
    new Promise((resolve) => {
      execFile(argv[0], argv.slice(1), { timeout: timeoutMs, signal, maxBuffer: 1 << 20, encoding: "utf8" }, (err, stdout, stderr) => {
        const output = `${stdout}${stderr}`.trim().split("\n").slice(-1)[0] ?? "";
        if (err === null) return resolve({ code: 0, output });
        const code = typeof (err as NodeJS.ErrnoException & { code?: unknown }).code === "number" ? ((err as unknown as { code: number }).code) : -1;
        resolve({ code, output: output || err.message.split("\n")[0] });
      });
    }),
};

/** Runs one gate at a time for the run loop (several may run at once, one per domain). */
export class GateRunner {
  private readonly io: GateIo;

  constructor(private readonly opts: GateRunnerOptions) {
    this.io = { ...defaultGateIo, ...opts.io };
  }

  /** Soak, checks, approval, in that order; the first failure ends the gate. Never throws. */
  async run(boundary: GateBoundary, signal: AbortSignal, progress: (text: string) => void = () => undefined): Promise<GateRecord> {
    const carried = this.carried(boundary);
    if (carried !== undefined) {
      progress(`gate ${boundary.id}: passed in run ${carried.carriedFrom}; not passed again`);
      return carried;
    }
    const own = domainGates(this.opts.settings, boundary.checks as Domain);
    const record: GateRecord = {
      id: boundary.id,
      kind: boundary.kind,
      domain: boundary.checks,
      next: boundary.domain,
      ring: boundary.ring,
      status: "passed",
      startedAt: this.io.now().toISOString(),
      soakSeconds: own.soakSeconds,
      checks: [],
    };
    const end = (status: GateStatus, reason?: string): GateRecord => {
      record.status = signal.aborted ? "cancelled" : status;
      record.reason = signal.aborted ? "the run was stopped while the gate waited" : reason;
      record.finishedAt = this.io.now().toISOString();
      return record;
    };
    if (own.soakSeconds > 0) {
      progress(`gate ${boundary.id}: soaking ${own.soakSeconds}s`);
      await this.io.sleep(own.soakSeconds * 1000, signal);
      if (signal.aborted) return end("cancelled");
    }
    if (own.checks.length === 0) progress(`gate ${boundary.id}: no health checks configured for ${boundary.checks}`);
    for (const check of own.checks) {
      const result = await this.check(check, boundary.checks, signal);
      record.checks.push(result);
      progress(`gate ${boundary.id}: ${check.kind} check ${check.name} ${result.ok ? "passed" : "FAILED"}: ${result.detail}`);
      if (signal.aborted) return end("cancelled");
      if (!result.ok) return end("failed", `health check ${check.name} failed: ${result.detail}`);
    }
    if (needsApproval(this.opts.settings.approval, boundary.kind)) {
      record.approval = { required: true };
      if (this.opts.approved) {
        record.approval.by = "flag";
        record.approval.at = this.io.now().toISOString();
      } else {
        const file = approvalFile(this.opts.runDir, boundary);
        record.approval.file = path.relative(this.opts.runDir, file);
        progress(`gate ${boundary.id}: waiting for approval: create ${file} (or rerun with --approve)`);
        const deadline = this.io.now().getTime() + this.opts.settings.approvalTimeoutSeconds * 1000;
        while (!fs.existsSync(file)) {
          if (signal.aborted) return end("cancelled");
          if (this.io.now().getTime() >= deadline) return end("failed", `no approval within ${this.opts.settings.approvalTimeoutSeconds}s (${record.approval.file})`);
          await this.io.sleep(this.opts.pollMs ?? 2000, signal);
        }
        record.approval.by = "file";
        record.approval.at = this.io.now().toISOString();
      }
    }
    return end("passed");
  }

  /** The resumed run's pass of this very gate (same id, same domains, same ring), carried. */
  private carried(boundary: GateBoundary): GateRecord | undefined {
    const before = this.opts.passedBefore;
    const prev = before?.gates.find((g) => g.id === boundary.id && g.status === "passed" && g.kind === boundary.kind && g.domain === boundary.checks && g.next === boundary.domain && g.ring === boundary.ring);
    if (before === undefined || prev === undefined) return undefined;
    return { ...prev, checks: prev.checks.map((c) => ({ ...c })), carriedFrom: prev.carriedFrom ?? before.runId };
  }

  private async check(check: HealthCheck, domain: string, signal: AbortSignal): Promise<CheckResult> {
    const started = Date.now();
    const done = (ok: boolean, detail: string): CheckResult => ({ name: check.name, kind: check.kind, ok, detail: detail.slice(0, 500), durationMs: Date.now() - started });
    const timeout = AbortSignal.any([signal, AbortSignal.timeout(check.timeoutSeconds * 1000)]);
    try {
      switch (check.kind) {
        case "http": {
          const res = await this.io.fetch(check.url, { signal: timeout, redirect: "manual" });
          const body = check.bodyMatch !== undefined ? await res.text() : "";
          if (!check.expectStatus.includes(res.status)) return done(false, `HTTP ${res.status}, expected ${check.expectStatus.join("/")}`);
          if (check.bodyMatch !== undefined && !new RegExp(check.bodyMatch).test(body)) return done(false, `HTTP ${res.status}, body does not match /${check.bodyMatch}/`);
          return done(true, `HTTP ${res.status}`);
        }
        case "command": {
          const r = await this.io.exec(check.command, check.timeoutSeconds * 1000, signal);
          return done(r.code === 0, `exit ${r.code}${r.output ? `: ${r.output}` : ""}`);
        }
        case "slo-burn":
          return done(...(await this.sloBurn(check, domain, timeout)));
      }
    } catch (e) {
      const why = timeout.aborted && !signal.aborted ? `no answer within ${check.timeoutSeconds}s` : (e as Error).message.split("\n")[0];
      return done(false, why);
    }
  }

  /**
   * The burn rate: the SLO recording rule's error ratio over the window (the worst SLO of the
   * domain), divided by the error budget (1 − objective). No series is a failure, not a pass:
   * a gate that cannot see the SLO has not checked it.
   */
  private async sloBurn(check: Extract<HealthCheck, { kind: "slo-burn" }>, domain: string, signal: AbortSignal): Promise<[boolean, string]> {
    const query = `max(${sloErrorRatioRecord(check.window)})`;
    const url = `${check.prometheusUrl.replace(/\/+$/, "")}/api/v1/query?query=${encodeURIComponent(query)}`;
    const res = await this.io.fetch(url, { signal, redirect: "manual" });
    if (res.status !== 200) return [false, `Prometheus answered HTTP ${res.status} to ${query}`];
    const body = (await res.json()) as { status?: string; data?: { result?: Array<{ value?: [number, string] }> } };
    const value = body.data?.result?.[0]?.value?.[1];
    if (body.status !== "success" || value === undefined) return [false, `no series for ${query}: the SLO cannot be seen, so it was not checked`];
    const ratio = Number(value);
    if (!Number.isFinite(ratio)) return [false, `${query} = ${value}: not a number`];
    const budget = 1 - this.opts.sloObjective(domain) / 100;
    const burn = ratio / budget;
    const shown = Math.round(burn * 1000) / 1000;
    return [burn <= check.maxBurnRate, `burn rate ${shown} over ${check.window} (error ratio ${ratio}, budget ${Number(budget.toPrecision(6))}), at most ${check.maxBurnRate}`];
  }
}

/**
 * A domain's view of the run's gates: its own gates in full, and the verdict (without the
 * other domain's check details) of a domain gate it waited behind.
 */
export function gatesForDomain(gates: readonly GateRecord[] | undefined, domain: string): GateRecord[] | undefined {
  if (gates === undefined) return undefined;
  return gates
    .filter((g) => g.domain === domain || g.next === domain)
    .map((g) => (g.domain === domain ? g : { ...g, checks: [], approval: undefined, reason: g.status === "passed" ? undefined : `the gate on ${g.domain} did not pass (details in ${g.domain}'s record)` }));
}
