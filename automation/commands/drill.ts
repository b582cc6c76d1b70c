/**
 * `fleet drill restore --cluster C --namespace N --engine mock` and
 * `fleet drill failover --hostname H --engine mock`: game-day drills whose evidence goes to
 * the drilled domain's evidence store (automation/drill/evidence.ts).
 *
 * - restore: the latest scheduled backup of tenant namespace N on cluster stack C is restored
 *   into a scratch namespace, checked, and removed; RPO and RTO are measured against the
 *   schedule's promise and `meridian:cluster.backup.rtoMinutes`.
 * - failover: the health-checked failover record of H (a `meridian:dns.records` entry of the
 *   domain's dns stack) is flipped to its secondary and restored.
 *
 * `--inject-failure <step>` makes the mock engine fail that step, to prove the drill halts.
 * `drill restore --engine kubernetes --kubeconfig F` drills a real cluster through its API
 * server and Velero's objects (automation/drill/kubernetes.ts); the failover drill has only
 * the offline engine (live Route 53 is by hand: docs/runbooks.md). Exit codes: 0 the drill
 * succeeded and met its objectives, 1 it failed, missed an objective or its evidence was
 * not stored, 2 invalid input (one line naming the flag or file).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Command, Option } from "commander";
import { commandDescription } from "./manifest";
import { DOMAINS, type Domain } from "../../components/residency/catalogue";
import { backedUpNamespaces, backupSettingsOf, isClusterStack } from "../fleet/backup";
import type { Fleet, RoleConfig } from "../fleet";
import { UsageError } from "../orchestrator";
import { longestGapSeconds } from "../drill/cron";
import { drillEvidenceStore, recordDrillEvidence, type DrillEvidenceResult } from "../drill/evidence";
import { FAILOVER_STEPS, failoverObjectivesMet, runFailoverDrill, type FailoverDrillResult, type FailoverEngine, type FailoverStep } from "../drill/failover";
import { KubernetesRestoreEngine } from "../drill/kubernetes";
import { MockFailoverEngine, MockRestoreEngine, platformNamespaces } from "../drill/mock";
import { RESTORE_STEPS, runRestoreDrill, scratchNamespaceFor, type RestoreDrillResult, type RestoreEngine, type RestoreStep } from "../drill/restore";
import { loadFleetOrReport } from "./fleetLoad";
import { DEFAULT_STACKS_DIR, REPO_ROOT, type Io } from "./paths";

export const RESTORE_ENGINES = ["mock", "kubernetes"] as const;
export const FAILOVER_ENGINES = ["mock"] as const;

export interface DrillIo extends Io {
  readonly env: NodeJS.ProcessEnv;
  readonly now?: () => Date;
  /** Tests only: a failover engine in place of the mock one (e.g. one whose failover is slow). */
  readonly failoverEngine?: FailoverEngine;
}

interface CommonOptions {
  engine: string;
  injectFailure?: string;
  stacksDir?: string;
  runsDir?: string;
  json?: boolean;
}
export interface RestoreOptions extends CommonOptions {
  cluster: string;
  namespace: string;
  kubeconfig?: string;
  context?: string;
  /** Seconds to wait for Velero to finish the Restore (kubernetes engine); defaults to the RTO objective. */
  restoreTimeout?: string;
}
export interface FailoverOptions extends CommonOptions {
  hostname: string;
}

function common(cmd: Command, steps: readonly string[], engines: readonly string[], engineHelp: string): Command {
  return cmd
    .addOption(new Option("--engine <name>", engineHelp).choices([...engines]).makeOptionMandatory())
    .addOption(new Option("--inject-failure <step>", "make the mock engine fail this step, to prove the drill halts").choices([...steps]))
    .option("--stacks-dir <dir>", "directory of Pulumi.<stack>.yaml files", DEFAULT_STACKS_DIR)
    .option("--json", "print exactly one JSON object on stdout")
    .addOption(new Option("--runs-dir <dir>").default(path.join(REPO_ROOT, ".fleet-runs")).hideHelp());
}

export function registerDrill(program: Command): void {
  const drill = program.command("drill").description(commandDescription("drill"));
  const io = (): DrillIo => ({ out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s), env: process.env });
  common(
    drill.command("restore").description("Restore a tenant namespace's latest backup into a scratch namespace, check it, record RPO/RTO"),
    RESTORE_STEPS,
    RESTORE_ENGINES,
    "drill engine: mock (offline) or kubernetes (the cluster's API server and Velero, via --kubeconfig)",
  )
    .requiredOption("--cluster <stack>", "the workload stack whose cluster is drilled")
    .requiredOption("--namespace <name>", "a tenant namespace backed up on that cluster")
    .option("--kubeconfig <file>", "kubeconfig of the drilled cluster (--engine kubernetes)")
    .option("--context <name>", "kubeconfig context (--engine kubernetes; default: the current one)")
    .option("--restore-timeout <seconds>", "how long to wait for Velero to finish the restore (--engine kubernetes; default: the RTO objective)")
    .action(async (opts: RestoreOptions) => {
      process.exitCode = await runRestoreCommand(opts, io());
    });
  common(
    drill.command("failover").description("Flip a tenant's public name to its secondary cloud and back, with evidence"),
    FAILOVER_STEPS,
    FAILOVER_ENGINES,
    "drill engine (only the offline mock exists for Route 53)",
  )
    .requiredOption("--hostname <fqdn>", "a name of a dns stack's meridian:dns.records")
    .action(async (opts: FailoverOptions) => {
      process.exitCode = await runFailoverCommand(opts, io());
    });
}

function usage(io: Io, message: string): number {
  io.err(`fleet drill: ${message}\n`);
  return 2;
}

async function store(fleet: Fleet, domain: Domain, rehearsal: boolean, io: DrillIo): Promise<string> {
  return drillEvidenceStore(fleet, domain, rehearsal, io.env, REPO_ROOT);
}

/** The restore engine the flags ask for, or a usage message naming the flag. */
function restoreEngineFor(opts: RestoreOptions, domain: Domain, namespaces: ReturnType<typeof platformNamespaces>, schedule: string, rtoSeconds: number, now: () => Date, env: NodeJS.ProcessEnv): RestoreEngine | string {
  if (opts.engine === "mock") {
    for (const flag of ["kubeconfig", "context", "restoreTimeout"] as const) {
      if (opts[flag] !== undefined) return `--${flag === "restoreTimeout" ? "restore-timeout" : flag} applies to --engine kubernetes only`;
    }
    return new MockRestoreEngine(namespaces, schedule, now, opts.injectFailure as RestoreStep | undefined);
  }
  if (opts.injectFailure !== undefined) return "--inject-failure applies to --engine mock only (a real cluster fails by itself)";
  if (opts.kubeconfig === undefined) return "--engine kubernetes needs --kubeconfig <file> of the drilled cluster";
  if (!fs.existsSync(opts.kubeconfig)) return `--kubeconfig ${opts.kubeconfig}: no such file`;
  const timeout = opts.restoreTimeout === undefined ? rtoSeconds : Number(opts.restoreTimeout);
  if (!Number.isInteger(timeout) || timeout < 1) return `--restore-timeout ${opts.restoreTimeout}: a whole number of seconds ≥ 1`;
  return new KubernetesRestoreEngine({ kubeconfig: opts.kubeconfig, context: opts.context, domain, restoreTimeoutSeconds: timeout, env });
}

function evidenceLine(e: DrillEvidenceResult, domain: string): string {
  return e.uploadError !== undefined
    ? `evidence ${domain}: NOT stored — ${e.uploadError}; the local copy is kept at ${e.file}`
    : `evidence ${domain}: ${e.receipt!.objects.length} object(s) stored in ${e.store} under ${e.receipt!.location}`;
}

export async function runRestoreCommand(opts: RestoreOptions, io: DrillIo): Promise<number> {
  const fleet = loadFleetOrReport(opts.stacksDir ?? DEFAULT_STACKS_DIR, (s) => io.err(s));
  if (fleet === undefined) return 2;
  const spec = fleet.stacks.get(opts.cluster);
  if (spec === undefined) return usage(io, `--cluster ${opts.cluster}: no Pulumi.${opts.cluster}.yaml in ${fleet.dir}`);
  if (!isClusterStack(spec)) return usage(io, `--cluster ${opts.cluster}: a ${spec.role} stack has no cluster; name a workload stack`);
  const namespaces = backedUpNamespaces(fleet, spec);
  const target = namespaces.find((n) => n.namespace === opts.namespace);
  if (target === undefined) {
    return usage(io, `--namespace ${opts.namespace}: no backup Schedule for it on ${opts.cluster} (backed up: ${namespaces.map((n) => n.namespace).join(", ") || "none"})`);
  }
  const settings = backupSettingsOf(spec);
  const now = io.now ?? (() => new Date());
  const engine = restoreEngineFor(opts, spec.domain, platformNamespaces(spec.domain, spec.name, namespaces), settings.schedule, settings.rtoMinutes * 60, now, io.env);
  if (typeof engine === "string") return usage(io, engine);
  const started = now();
  let evidenceStore: string;
  let apiServer: string | undefined;
  try {
    evidenceStore = await store(fleet, spec.domain, engine.rehearsal, io);
    if (engine instanceof KubernetesRestoreEngine) apiServer = await engine.server();
  } catch (e) {
    if (e instanceof UsageError) return usage(io, e.message);
    if (engine instanceof KubernetesRestoreEngine) return usage(io, `--kubeconfig ${opts.kubeconfig}: ${(e as Error).message}`);
    throw e;
  }
  const scheduleName = `tenant-${target.namespace}`;
  const touches = engine.rehearsal ? "rehearsal: no cloud touched" : `the cluster at ${apiServer}`;
  if (!opts.json) io.err(`fleet drill restore: ${opts.cluster} (${spec.domain}) namespace ${target.namespace}, engine ${engine.kind} (${touches})${opts.injectFailure ? `, injected failure at ${opts.injectFailure}` : ""}\n`);
  const result: RestoreDrillResult = await runRestoreDrill({
    engine,
    namespace: target.namespace,
    schedule: { name: scheduleName, cron: settings.schedule },
    domain: spec.domain,
    objectives: { rpoSeconds: longestGapSeconds(settings.schedule, started), rtoSeconds: settings.rtoMinutes * 60 },
    scratchNamespace: scratchNamespaceFor(target.namespace),
    clock: now,
    progress: opts.json ? undefined : (l) => io.err(`${l}\n`),
  });
  const evidence = {
    kind: "restore-drill",
    domain: spec.domain,
    cluster: spec.name,
    cloud: spec.clouds[0],
    namespace: target.namespace,
    tenant: target.tenant,
    engine: engine.kind,
    rehearsal: engine.rehearsal,
    ...(apiServer !== undefined ? { apiServer } : {}),
    injectedFailure: opts.injectFailure ?? null,
    startedAt: started.toISOString(),
    schedule: { name: scheduleName, cron: settings.schedule, retentionDays: settings.retentionDays },
    ...result,
  };
  const recorded = await recordDrillEvidence({ kind: "restore-drill", domain: spec.domain, runsDir: opts.runsDir!, store: evidenceStore, evidence, report: restoreReport(evidence, result), env: io.env, now: started });
  const objectivesMet = result.rpoMet === true && result.rtoMet === true;
  const code = result.status === "succeeded" && objectivesMet && recorded.uploadError === undefined ? 0 : 1;
  if (opts.json) {
    io.out(`${JSON.stringify({ ...evidence, runId: recorded.runId, evidenceStore: recorded.store, evidenceStored: recorded.uploadError === undefined })}\n`);
  } else {
    io.out(`${restoreReport(evidence, result)}\n${evidenceLine(recorded, spec.domain)}\n`);
  }
  return code;
}

function restoreReport(e: { cluster: string; namespace: string; domain: string; engine: string }, r: RestoreDrillResult): string {
  const lines = [
    `# Restore drill: ${e.namespace} on ${e.cluster} (${e.domain}, engine ${e.engine})`,
    "",
    `status: ${r.status}${r.failedStep ? ` — halted at ${r.failedStep}: ${r.error}` : ""}`,
    `backup: ${r.backup ? `${r.backup.name} (completed ${r.backup.completedAt}, ${r.backup.items} objects)` : "none"}`,
    `scratch namespace: ${r.scratchNamespace}${r.scratchKept ? " (KEPT for inspection: delete it after the investigation)" : " (deleted)"}`,
    `RPO: ${r.rpoSeconds !== undefined ? `${r.rpoSeconds}s (objective ${r.objectives.rpoSeconds}s: ${r.rpoMet ? "met" : "MISSED"})` : "not measured"}`,
    `RTO: ${r.rtoSeconds !== undefined ? `${r.rtoSeconds}s (objective ${r.objectives.rtoSeconds}s: ${r.rtoMet ? "met" : "MISSED"})` : "not measured"}`,
    "",
    ...r.steps.map((s) => `- ${s.ok ? "ok  " : "FAIL"} ${s.step}: ${s.detail ?? ""}`),
    ...r.checks.map((c) => `- check ${c.ok ? "ok  " : "FAIL"} ${c.name}: ${c.detail}`),
  ];
  return lines.join("\n") + "\n";
}

export async function runFailoverCommand(opts: FailoverOptions, io: DrillIo): Promise<number> {
  const fleet = loadFleetOrReport(opts.stacksDir ?? DEFAULT_STACKS_DIR, (s) => io.err(s));
  if (fleet === undefined) return 2;
  const owners = [...fleet.stacks.values()].filter((s) => s.role === "dns").flatMap((s) => {
    const dns = (s.config as RoleConfig<"dns">)["meridian:dns"];
    return dns.records.filter((r) => r.hostname === opts.hostname).map((r) => ({ spec: s, dns, record: r }));
  });
  if (owners.length === 0) return usage(io, `--hostname ${opts.hostname}: no dns stack has a failover record for it (meridian:dns.records)`);
  if (owners.length > 1) return usage(io, `--hostname ${opts.hostname}: failover records in ${owners.map((o) => o.spec.name).join(", ")}; a name has one DNS authority`);
  const { spec, dns, record } = owners[0]!;
  const domain = spec.domain;
  if (!(DOMAINS as readonly string[]).includes(domain)) return usage(io, `${spec.file}: unknown domain ${domain}`);
  for (const side of [record.primary, record.secondary]) {
    if (fleet.stacks.get(side)?.domain !== domain) return usage(io, `${spec.file}: meridian:dns.records: ${side} is not a stack of domain ${domain}`);
  }
  const now = io.now ?? (() => new Date());
  const started = now();
  let evidenceStore: string;
  try {
    evidenceStore = await store(fleet, domain, true, io);
  } catch (e) {
    if (e instanceof UsageError) return usage(io, e.message);
    throw e;
  }
  const engine = io.failoverEngine ?? new MockFailoverEngine(new Map([[record.hostname, { primary: record.primary, secondary: record.secondary }]]), opts.injectFailure as FailoverStep | undefined);
  const expectedSeconds = dns.healthCheck.intervalSeconds * dns.healthCheck.failureThreshold + dns.ttl;
  if (!opts.json) io.err(`fleet drill failover: ${record.hostname} (${domain}, ${spec.name}) ${record.primary} → ${record.secondary}, engine ${engine.kind} (rehearsal: no cloud touched)${opts.injectFailure ? `, injected failure at ${opts.injectFailure}` : ""}\n`);
  const result: FailoverDrillResult = await runFailoverDrill({
    engine,
    hostname: record.hostname,
    primary: record.primary,
    secondary: record.secondary,
    expectedSeconds,
    clock: now,
    progress: opts.json ? undefined : (l) => io.err(`${l}\n`),
  });
  const evidence = {
    kind: "failover-drill",
    domain,
    dnsStack: spec.name,
    zone: dns.zone,
    hostname: record.hostname,
    tenant: record.tenant,
    primary: record.primary,
    secondary: record.secondary,
    engine: engine.kind,
    rehearsal: engine.rehearsal,
    injectedFailure: opts.injectFailure ?? null,
    startedAt: started.toISOString(),
    healthCheck: dns.healthCheck,
    ttl: dns.ttl,
    ...result,
  };
  const report = [
    `# Failover drill: ${record.hostname} (${domain}, engine ${engine.kind})`,
    "",
    `status: ${result.status}${result.failedStep ? ` — failed at ${result.failedStep}: ${result.error}` : ""}`,
    result.restored ? "restored: yes (the primary answers again)" : `restored: NO — ${record.hostname} may still answer with ${record.secondary}; un-invert the primary's health check (docs/runbooks.md, "Failover")`,
    `expected worst-case failover: ${expectedSeconds}s (interval ${dns.healthCheck.intervalSeconds}s × ${dns.healthCheck.failureThreshold} + TTL ${dns.ttl}s)`,
    `failover: ${movedLine(result.failoverSeconds, result.failoverMet, expectedSeconds)}; back to the primary: ${movedLine(result.restoreSeconds, result.restoreMet, expectedSeconds)}`,
    "",
    ...result.steps.map((s) => `- ${s.ok ? "ok  " : "FAIL"} ${s.step}: ${s.detail}`),
  ].join("\n") + "\n";
  const recorded = await recordDrillEvidence({ kind: "failover-drill", domain, runsDir: opts.runsDir!, store: evidenceStore, evidence, report, env: io.env, now: started });
  const code = failoverObjectivesMet(result) && recorded.uploadError === undefined ? 0 : 1;
  if (opts.json) io.out(`${JSON.stringify({ ...evidence, runId: recorded.runId, evidenceStore: recorded.store, evidenceStored: recorded.uploadError === undefined })}\n`);
  else io.out(`${report}\n${evidenceLine(recorded, domain)}\n`);
  return code;
}

function movedLine(seconds: number | undefined, met: boolean | undefined, expected: number): string {
  return seconds === undefined ? "not measured" : `${seconds}s (objective ${expected}s: ${met ? "met" : "MISSED"})`;
}
