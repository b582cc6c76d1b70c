/**
 * SOC2 evidence, one folder per residency domain: `evidence/<domain>/` holds who ran
 * what, when, the results and the policy verdicts of that domain's stacks only — built
 * from a record filtered to the domain, so an EU folder never names a US stack (or the
 * other way round). The domain's event log and report are written beside it by the run.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { RunRecord } from "./record";
import { countStatuses } from "./record";
import { evidenceDir } from "./layout";

export interface RunContext {
  /** The OS user (`USER`/`USERNAME`). */
  readonly user: string;
  /** `git config user.name <user.email>`, when set. */
  readonly gitAuthor?: string;
  readonly gitCommit?: string;
  /** Uncommitted changes in the working tree at run time. */
  readonly gitDirty?: boolean;
  /** The policy pack: path, and name/version from its package.json. */
  readonly policyPack?: { readonly path: string; readonly name?: string; readonly version?: string };
  readonly backend?: string;
  /** Node.js version the run used. */
  readonly node: string;
}

export interface DomainEvidence {
  readonly schema: 1;
  readonly runId: string;
  readonly domain: string;
  readonly who: { readonly user: string; readonly gitAuthor?: string };
  readonly what: {
    readonly command: string;
    readonly stacks: readonly string[];
    readonly strategy: string;
    readonly parallel: number;
    readonly failFast: boolean;
    readonly engine: string;
    readonly gitCommit?: string;
    readonly gitDirty?: boolean;
    readonly policyPack?: RunContext["policyPack"];
    /** Policy packs the engine reported running, name → version. */
    readonly policyPacksRun: Readonly<Record<string, string>>;
    readonly resumedFrom?: string;
    readonly node: string;
  };
  readonly when: { readonly startedAt: string; readonly finishedAt?: string };
  readonly results: ReadonlyArray<{
    readonly stack: string;
    readonly status: string;
    readonly startedAt?: string;
    readonly finishedAt?: string;
    readonly durationMs?: number;
    readonly attempts: number;
    readonly changes?: unknown;
    readonly error?: string;
    readonly carriedOver?: boolean;
  }>;
  readonly verdicts: {
    /** `pass`: every stack succeeded with no mandatory violation; `fail`: a failure or a mandatory violation; `incomplete`: interrupted or stacks left. */
    readonly outcome: "pass" | "fail" | "incomplete";
    readonly counts: Readonly<Record<string, number>>;
    readonly mandatoryViolations: number;
    readonly advisoryViolations: number;
    readonly violations: ReadonlyArray<{ readonly stack: string; readonly policyPack: string; readonly policy: string; readonly enforcement: string; readonly message: string; readonly urn?: string }>;
  };
}

export function domainEvidence(record: RunRecord, ctx: RunContext, domain: string, policyPacksRun: Readonly<Record<string, string>>): DomainEvidence {
  const stacks = Object.values(record.stacks).filter((s) => s.domain === domain);
  const counts = countStatuses(stacks);
  const violations = stacks.flatMap((s) => s.violations.map((v) => ({ stack: s.name, policyPack: v.policyPack, policy: v.policy, enforcement: v.enforcement, message: v.message, urn: v.urn })));
  const mandatory = violations.filter((v) => v.enforcement === "mandatory").length;
  const outcome =
    counts.failed > 0 || mandatory > 0 ? "fail" : counts.succeeded === stacks.length && record.status !== "interrupted" ? "pass" : "incomplete";
  return {
    schema: 1,
    runId: record.runId,
    domain,
    who: { user: ctx.user, gitAuthor: ctx.gitAuthor },
    what: {
      command: record.command,
      stacks: stacks.map((s) => s.name).sort(),
      strategy: record.options.strategy,
      parallel: record.options.parallel,
      failFast: record.options.failFast,
      engine: record.options.engine,
      gitCommit: ctx.gitCommit,
      gitDirty: ctx.gitDirty,
      policyPack: ctx.policyPack,
      policyPacksRun,
      resumedFrom: record.resumedFrom,
      node: ctx.node,
    },
    when: { startedAt: record.startedAt, finishedAt: record.finishedAt },
    results: stacks.map((s) => ({
      stack: s.name,
      status: s.status,
      startedAt: s.startedAt,
      finishedAt: s.finishedAt,
      durationMs: s.durationMs,
      attempts: s.attempts,
      changes: s.changes,
      error: s.error,
      carriedOver: s.carriedOver,
    })),
    verdicts: { outcome, counts, mandatoryViolations: mandatory, advisoryViolations: violations.length - mandatory, violations },
  };
}

export function writeEvidence(runDir: string, evidence: DomainEvidence, redact: (s: string) => string): void {
  const dir = evidenceDir(runDir, evidence.domain);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "evidence.json"), redact(JSON.stringify(evidence, null, 2)) + "\n");
}
