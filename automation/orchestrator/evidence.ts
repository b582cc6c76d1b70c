/**
 * SOC2 evidence, one folder per residency domain: `evidence/<domain>/` holds who ran
 * what, when, the results and the policy verdicts of that domain's stacks only — built
 * from a record filtered to the domain, so an EU folder never names a US stack (or the
 * other way round). The domain's event log and report are written beside it by the run.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { RunRecord } from "./record";
import { gatesForDomain, type GateRecord } from "./gates";
import { countStatuses } from "./record";
import { domainRunDir, evidenceDir, REPORT_FILE } from "./layout";
import { passphraseEnvFor, type DomainControlPlane } from "../fleet/controlPlane";
import { displayUrl } from "../evidence-store/spec";
import type { Domain } from "../../components/residency/catalogue";

/** Kind and location of one control-plane store — never a secret: no passphrase, no token, no key. */
export interface StoreDescription {
  /** URL scheme (`s3`, `file`, `awskms`, …) or `passphrase`. */
  readonly kind: string;
  /** The location declared in fleet.yaml or derived from the URL (`region=`), `local` for file/passphrase, else `undeclared`. */
  readonly location: string;
  /** The URL without credentials (absent for `passphrase`). */
  readonly url?: string;
  /** For `passphrase`: the name of the variable the passphrase was read from (not its value). */
  readonly variable?: string;
}

export interface ControlPlaneEvidence {
  readonly backend: StoreDescription;
  readonly secretsProvider: StoreDescription;
  readonly evidenceStore: StoreDescription;
}

function describeStore(url: string, declared: string | undefined): StoreDescription {
  const kind = /^([a-z0-9]+):\/\//.exec(url)?.[1] ?? url;
  const region = /[?&]region=([^&]+)/.exec(url)?.[1];
  const location = declared ?? region ?? (kind === "file" ? "local" : "undeclared");
  return { kind, location, url: displayUrl(url) };
}

/** What the evidence says about a domain's control plane: kinds and locations, no secret. */
export function describeControlPlane(domain: Domain, plane: DomainControlPlane): ControlPlaneEvidence {
  const secretsProvider: StoreDescription =
    plane.secretsProvider === "passphrase"
      ? { kind: "passphrase", location: plane.locations?.secretsProvider ?? "local", variable: passphraseEnvFor(domain, plane) }
      : describeStore(plane.secretsProvider, plane.locations?.secretsProvider);
  return {
    backend: describeStore(plane.backend, plane.locations?.backend),
    secretsProvider,
    evidenceStore: describeStore(plane.evidenceStore, plane.locations?.evidenceStore),
  };
}

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
  /** (Deprecated) One backend for the run; unset since each domain has its own: see `controlPlanes`. */
  readonly backend?: string;
  /** Each domain's backend, secrets provider and evidence store: kind and location only. */
  readonly controlPlanes?: Readonly<Partial<Record<string, ControlPlaneEvidence>>>;
  /** Node.js version the run used. */
  readonly node: string;
}

/** The domain's report (`<run>/<domain>/report.md`, beside its evidence bundle): where an upload's outcome is appended. */
export function domainReportFile(runDir: string, domain: string): string {
  return path.join(domainRunDir(runDir, domain), REPORT_FILE);
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
    /** The pack the run asked for: its path and the name/version its package.json declares. */
    readonly policyPack?: RunContext["policyPack"];
    /**
     * Policy packs the engine reported running, name → version: for the Automation API, the
     * CLI's summary event (`PolicyPacks`: each pack's name and the version it reported when
     * the CLI loaded it). Empty for refresh/destroy (the CLI runs no pack then) and for
     * engines that report none.
     */
    readonly policyPacksRun: Readonly<Record<string, string>>;
    /** Where `policyPacksRun` comes from. */
    readonly policyPacksRunSource: string;
    /** This domain's backend, secrets provider and evidence store (kind, location; never a secret). */
    readonly controlPlane?: ControlPlaneEvidence;
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
    /** Retries made (held lock, allow-listed transient errors), with the rule and wait of each. */
    readonly retries?: ReadonlyArray<{ readonly attempt: number; readonly rule: string; readonly delayMs: number }>;
    readonly changes?: unknown;
    readonly error?: string;
    readonly carriedOver?: boolean;
  }>;
  /** (Optional) Gates this domain's health was checked at, or waited behind (./gates.ts). */
  readonly gates?: readonly GateRecord[];
  readonly verdicts: {
    /** `pass`: every stack succeeded with no mandatory violation; `fail`: a failure or a mandatory violation; `incomplete`: interrupted or stacks left. */
    readonly outcome: "pass" | "fail" | "incomplete";
    readonly counts: Readonly<Record<string, number>>;
    readonly mandatoryViolations: number;
    readonly advisoryViolations: number;
    readonly violations: ReadonlyArray<{ readonly stack: string; readonly policyPack: string; readonly policy: string; readonly enforcement: string; readonly message: string; readonly urn?: string }>;
  };
}

/** Where an engine's `policyPacks` come from, for the evidence reader. */
function policyPacksSource(engine: string): string {
  return engine === "automation-api" || engine === "pulumi-deployments"
    ? `the Pulumi CLI's summary event of each preview/up (PolicyPacks: pack name and the version it reported when loaded), via engine ${engine}`
    : `reported by engine ${engine}`;
}

export function domainEvidence(record: RunRecord, ctx: RunContext, domain: string, policyPacksRun: Readonly<Record<string, string>>): DomainEvidence {
  const stacks = Object.values(record.stacks).filter((s) => s.domain === domain);
  const counts = countStatuses(stacks);
  const violations = stacks.flatMap((s) => s.violations.map((v) => ({ stack: s.name, policyPack: v.policyPack, policy: v.policy, enforcement: v.enforcement, message: v.message, urn: v.urn })));
  const mandatory = violations.filter((v) => v.enforcement === "mandatory").length;
  const gates = gatesForDomain(record.gates, domain);
  const gateFailed = gates?.some((g) => g.status === "failed") === true;
  const outcome =
    counts.failed > 0 || mandatory > 0 || gateFailed ? "fail" : counts.succeeded === stacks.length && record.status !== "interrupted" ? "pass" : "incomplete";
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
      policyPacksRunSource: policyPacksSource(record.options.engine),
      controlPlane: ctx.controlPlanes?.[domain],
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
      ...(s.retries !== undefined ? { retries: s.retries } : {}),
      changes: s.changes,
      error: s.error,
      carriedOver: s.carriedOver,
    })),
    ...(gates !== undefined ? { gates } : {}),
    verdicts: { outcome, counts, mandatoryViolations: mandatory, advisoryViolations: violations.length - mandatory, violations },
  };
}

export function writeEvidence(runDir: string, evidence: DomainEvidence, redact: (s: string) => string): void {
  const dir = evidenceDir(runDir, evidence.domain);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "evidence.json"), redact(JSON.stringify(evidence, null, 2)) + "\n");
}
