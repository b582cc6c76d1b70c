/**
 * Drift without side effects (`fleet drift`): every selected stack gets a preview-only
 * refresh — the engine reads the clouds and writes no state (`OperationOptions.previewOnly`)
 * — and the resources it finds changed outside Pulumi are reported per stack, written as
 * evidence per domain (`<run>/<domain>/evidence/drift.json`, only that domain's stacks) and
 * appended to the domain's report. The run itself is an ordinary orchestrated `refresh` run
 * (record, logs, lock, interrupts) whose id says `drift`, so it is never resumed as a refresh.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { DriftedResource, Engine, OperationOptions, OperationResult, StackOutputs } from "../engine/types";
import { domainReportFile } from "./evidence";
import { evidenceDir } from "./layout";
import type { RunRecord } from "./record";

/**
 * The engine a drift run drives: refresh is always preview-only, and its drift is kept per
 * stack; any other operation is refused (a drift run never changes anything).
 */
export class PreviewOnlyRefresh implements Engine {
  readonly kind: string;
  readonly deploysRealStacks?: boolean;
  private readonly found = new Map<string, readonly DriftedResource[]>();

  constructor(private readonly inner: Engine) {
    this.kind = inner.kind;
    this.deploysRealStacks = inner.deploysRealStacks;
  }

  async refresh(stack: string, opts: OperationOptions): Promise<OperationResult> {
    const result = await this.inner.refresh(stack, { ...opts, previewOnly: true });
    if (result.drift === undefined) throw new Error(`${stack}: engine ${this.inner.kind} did not report drift for a preview-only refresh`);
    this.found.set(stack, result.drift);
    return result;
  }

  /** What the stack's preview-only refresh found; undefined when it did not finish. */
  driftOf(stack: string): readonly DriftedResource[] | undefined {
    return this.found.get(stack);
  }

  preview(stack: string): Promise<OperationResult> {
    return this.refuse("preview", stack);
  }
  up(stack: string): Promise<OperationResult> {
    return this.refuse("up", stack);
  }
  destroy(stack: string): Promise<OperationResult> {
    return this.refuse("destroy", stack);
  }
  outputs(stack: string): Promise<StackOutputs> {
    return this.inner.outputs(stack);
  }
  cancel(stack: string): Promise<void> {
    return this.inner.cancel(stack);
  }

  private refuse(op: string, stack: string): Promise<never> {
    return Promise.reject(new Error(`${stack}: a drift run only refreshes (preview-only); it never runs ${op}`));
  }
}

export type StackDriftStatus = "clean" | "drifted" | "error" | "not-checked";

export interface StackDrift {
  readonly name: string;
  readonly status: StackDriftStatus;
  readonly resources: readonly DriftedResource[];
  /** The stack's error (already redacted by the run), when `error`. */
  readonly error?: string;
}

/** One domain's drift evidence: its own stacks only. */
export interface DomainDrift {
  readonly schema: 1;
  readonly runId: string;
  readonly domain: string;
  readonly checkedAt: string;
  readonly engine: string;
  /** Always true: the refreshes were preview-only and wrote no state. */
  readonly previewOnly: true;
  readonly counts: Readonly<Record<StackDriftStatus, number>>;
  readonly stacks: readonly StackDrift[];
}

/** Per domain of the run, what each stack's check found. */
export function driftByDomain(record: RunRecord, engine: PreviewOnlyRefresh, checkedAt: string): DomainDrift[] {
  return record.options.domains.map((domain) => {
    const stacks = record.options.stacks
      .map((n) => record.stacks[n])
      .filter((s) => s !== undefined && s.domain === domain)
      .map((s): StackDrift => {
        const found = engine.driftOf(s.name);
        if (s.status === "failed") return { name: s.name, status: "error", resources: [], ...(s.error !== undefined ? { error: s.error } : {}) };
        if (s.status !== "succeeded" || found === undefined) return { name: s.name, status: "not-checked", resources: [] };
        return { name: s.name, status: found.length > 0 ? "drifted" : "clean", resources: found };
      });
    const counts = { clean: 0, drifted: 0, error: 0, "not-checked": 0 };
    for (const s of stacks) counts[s.status]++;
    return { schema: 1, runId: record.runId, domain, checkedAt, engine: engine.kind, previewOnly: true, counts, stacks };
  });
}

/** `fleet drift`'s exit code: 1 when a stack could not be checked, else 2 on drift, else 0. */
export function driftExitCode(domains: readonly DomainDrift[]): number {
  const total = (k: StackDriftStatus) => domains.reduce((n, d) => n + d.counts[k], 0);
  if (total("error") > 0 || total("not-checked") > 0) return 1;
  return total("drifted") > 0 ? 2 : 0;
}

export const DRIFT_EVIDENCE_FILE = "drift.json";

/** Write each domain's drift into its own evidence folder and report. */
export function writeDriftEvidence(runDir: string, domains: readonly DomainDrift[]): void {
  for (const d of domains) {
    const dir = evidenceDir(runDir, d.domain);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, DRIFT_EVIDENCE_FILE), JSON.stringify(d, null, 2) + "\n");
    const report = domainReportFile(runDir, d.domain);
    if (fs.existsSync(report)) fs.appendFileSync(report, `\n## Drift (preview-only refresh, no state written)\n\n${renderDrift([d])}\n`);
  }
}

/** For humans: one line per drifted resource with its properties, then the counts. */
export function renderDrift(domains: readonly DomainDrift[]): string {
  const lines: string[] = [];
  for (const d of domains) {
    for (const s of d.stacks) {
      if (s.status === "clean") continue;
      if (s.status !== "drifted") {
        lines.push(`${s.name}: ${s.status === "error" ? `not checked: ${s.error ?? "failed"}` : "not checked"}`);
        continue;
      }
      lines.push(`${s.name}: ${s.resources.length} resource(s) drifted`);
      for (const r of s.resources) lines.push(`  ${r.kind === "deleted" ? "deleted" : "changed"} ${r.urn}${r.properties.length > 0 ? ` (${r.properties.join(", ")})` : ""}`);
    }
  }
  const sum = (k: StackDriftStatus) => domains.reduce((n, d) => n + d.counts[k], 0);
  const stacks = domains.reduce((n, d) => n + d.stacks.length, 0);
  lines.push(
    `Drift: ${sum("drifted")} of ${stacks} stack(s) drifted, ${sum("clean")} clean${sum("error") + sum("not-checked") > 0 ? `, ${sum("error") + sum("not-checked")} not checked` : ""} (${domains.map((d) => `${d.domain} ${d.counts.drifted}`).join(", ")}).`,
  );
  return lines.join("\n");
}
