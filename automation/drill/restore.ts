/**
 * The restore drill: take the latest scheduled backup of a tenant namespace, restore it into
 * a scratch namespace of the same cluster (Velero `namespaceMapping`), check that every
 * backed-up object came back, remove the scratch namespace, and measure what the drill
 * proves: the RPO (drill start − the backup's completion) against the schedule's promise
 * (its longest gap), and the RTO (restore start → checks passed) against `rtoMinutes`.
 *
 * The drill knows nothing of clouds: it talks to a {@link RestoreEngine}. `mock` (automation/
 * drill/mock.ts) simulates Velero over the objects the platform puts into the namespace.
 * A step that fails halts the drill: later steps do not run and the scratch namespace is
 * kept for inspection (the evidence says so).
 */
import * as crypto from "node:crypto";

/** One Kubernetes object as the drill compares it (namespace-independent identity and content). */
export interface DrillObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** The object without metadata.namespace / uid / resourceVersion: what must survive a restore. */
  readonly content: unknown;
}

export interface BackupInfo {
  readonly name: string;
  readonly startedAt: Date;
  readonly completedAt: Date;
  readonly phase: "Completed" | "PartiallyFailed" | "Failed";
  readonly items: number;
}

export interface RestoreInfo {
  readonly name: string;
  readonly phase: "Completed" | "PartiallyFailed" | "Failed";
  readonly warnings: number;
  readonly errors: number;
}

/** What a drill needs of Velero and the cluster. Every method rejects on failure. */
export interface RestoreEngine {
  readonly kind: string;
  /** A rehearsal touches no cloud (and no production evidence store). */
  readonly rehearsal: boolean;
  latestBackup(namespace: string, schedule: string): Promise<BackupInfo>;
  /** The objects a backup holds for `namespace`. */
  backupContents(backup: string): Promise<DrillObject[]>;
  restore(backup: string, from: string, to: string): Promise<RestoreInfo>;
  /** The objects now in `namespace`. */
  objects(namespace: string): Promise<DrillObject[]>;
  /** The labels of `namespace` (residency must survive the restore). */
  namespaceLabels(namespace: string): Promise<Record<string, string>>;
  deleteNamespace(namespace: string): Promise<void>;
}

export const RESTORE_STEPS = ["find-backup", "restore", "check", "cleanup"] as const;
export type RestoreStep = (typeof RESTORE_STEPS)[number];

export interface RestoreCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface StepRecord {
  readonly step: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly ok: boolean;
  readonly detail?: string;
}

export interface RestoreDrillResult {
  readonly status: "succeeded" | "failed";
  readonly failedStep?: string;
  readonly error?: string;
  readonly scratchNamespace: string;
  readonly scratchKept: boolean;
  readonly backup?: { readonly name: string; readonly completedAt: string; readonly items: number; readonly phase: string };
  readonly restore?: RestoreInfo;
  readonly checks: readonly RestoreCheck[];
  readonly steps: readonly StepRecord[];
  /** Seconds between the backup's completion and the drill's start: the data a real loss at drill start would lose. */
  readonly rpoSeconds?: number;
  /** Seconds from the restore's start to the checks passing. */
  readonly rtoSeconds?: number;
  readonly objectives: { readonly rpoSeconds: number; readonly rtoSeconds: number };
  readonly rpoMet?: boolean;
  readonly rtoMet?: boolean;
}

/** `drill-<namespace>-<6 hex>`, a DNS-1123 label (≤ 63). */
export function scratchNamespaceFor(namespace: string, random: () => string = () => crypto.randomBytes(3).toString("hex")): string {
  return `drill-${namespace.slice(0, 48)}-${random()}`;
}

function key(o: DrillObject): string {
  return `${o.apiVersion}/${o.kind}/${o.name}`;
}

/** Compare what was backed up with what is now in the scratch namespace. */
export function compareObjects(backedUp: readonly DrillObject[], restored: readonly DrillObject[]): RestoreCheck[] {
  const got = new Map(restored.map((o) => [key(o), o]));
  const missing = backedUp.filter((o) => !got.has(key(o))).map(key);
  const changed = backedUp.filter((o) => got.has(key(o)) && JSON.stringify(got.get(key(o))!.content) !== JSON.stringify(o.content)).map(key);
  return [
    { name: "objects-present", ok: missing.length === 0 && backedUp.length > 0, detail: backedUp.length === 0 ? "the backup holds no objects" : missing.length === 0 ? `${backedUp.length} of ${backedUp.length} objects restored` : `missing: ${missing.join(", ")}` },
    { name: "objects-unchanged", ok: changed.length === 0, detail: changed.length === 0 ? "every restored object equals its backup" : `differ: ${changed.join(", ")}` },
  ];
}

export interface RestoreDrillInput {
  readonly engine: RestoreEngine;
  readonly namespace: string;
  readonly schedule: { readonly name: string; readonly cron: string };
  readonly domain: string;
  readonly objectives: { readonly rpoSeconds: number; readonly rtoSeconds: number };
  readonly scratchNamespace: string;
  readonly clock?: () => Date;
  readonly progress?: (line: string) => void;
}

export async function runRestoreDrill(input: RestoreDrillInput): Promise<RestoreDrillResult> {
  const clock = input.clock ?? (() => new Date());
  const say = input.progress ?? (() => undefined);
  const { engine, namespace, scratchNamespace: scratch } = input;
  const steps: StepRecord[] = [];
  const checks: RestoreCheck[] = [];
  const start = clock();
  let backup: BackupInfo | undefined;
  let contents: DrillObject[] = [];
  let restore: RestoreInfo | undefined;
  let restoreStartedAt: Date | undefined;
  let checkedAt: Date | undefined;
  let scratchExists = false;

  const step = async (name: RestoreStep, body: () => Promise<string>): Promise<void> => {
    const startedAt = clock();
    say(`drill restore: ${name}...`);
    try {
      const detail = await body();
      steps.push({ step: name, startedAt: startedAt.toISOString(), finishedAt: clock().toISOString(), ok: true, detail });
      say(`drill restore: ${name}: ${detail}`);
    } catch (e) {
      const detail = (e as Error).message;
      steps.push({ step: name, startedAt: startedAt.toISOString(), finishedAt: clock().toISOString(), ok: false, detail });
      throw Object.assign(new Error(detail), { step: name });
    }
  };

  const finish = (failure?: { step: string; error: string }): RestoreDrillResult => {
    const rpoSeconds = backup ? Math.max(0, Math.round((start.getTime() - backup.completedAt.getTime()) / 1000)) : undefined;
    const rtoSeconds = restoreStartedAt && checkedAt ? Math.round((checkedAt.getTime() - restoreStartedAt.getTime()) / 100) / 10 : undefined;
    return {
      status: failure ? "failed" : "succeeded",
      ...(failure ? { failedStep: failure.step, error: failure.error } : {}),
      scratchNamespace: scratch,
      scratchKept: scratchExists,
      ...(backup ? { backup: { name: backup.name, completedAt: backup.completedAt.toISOString(), items: backup.items, phase: backup.phase } } : {}),
      ...(restore ? { restore } : {}),
      checks,
      steps,
      objectives: input.objectives,
      ...(rpoSeconds !== undefined ? { rpoSeconds, rpoMet: rpoSeconds <= input.objectives.rpoSeconds } : {}),
      ...(rtoSeconds !== undefined ? { rtoSeconds, rtoMet: rtoSeconds <= input.objectives.rtoSeconds } : {}),
    };
  };

  try {
    await step("find-backup", async () => {
      backup = await engine.latestBackup(namespace, input.schedule.name);
      if (backup.phase !== "Completed") throw new Error(`the latest backup ${backup.name} is ${backup.phase}; a drill restores only a completed backup`);
      contents = await engine.backupContents(backup.name);
      return `${backup.name}, completed ${backup.completedAt.toISOString()}, ${contents.length} object(s)`;
    });
    await step("restore", async () => {
      restoreStartedAt = clock();
      scratchExists = true;
      restore = await engine.restore(backup!.name, namespace, scratch);
      if (restore.phase !== "Completed" || restore.errors > 0) throw new Error(`restore ${restore.name} is ${restore.phase} with ${restore.errors} error(s)`);
      return `${restore.name} into ${scratch}: ${restore.phase}, ${restore.warnings} warning(s)`;
    });
    await step("check", async () => {
      checks.push(...compareObjects(contents, await engine.objects(scratch)));
      const labels = await engine.namespaceLabels(scratch);
      checks.push({ name: "residency-label", ok: labels.residency === input.domain, detail: `residency=${labels.residency ?? "(none)"}, expected ${input.domain}` });
      const failed = checks.filter((c) => !c.ok);
      if (failed.length > 0) throw new Error(`check failed: ${failed.map((c) => `${c.name} (${c.detail})`).join("; ")}`);
      checkedAt = clock();
      return `${checks.length} check(s) passed`;
    });
    await step("cleanup", async () => {
      await engine.deleteNamespace(scratch);
      scratchExists = false;
      return `${scratch} deleted`;
    });
    return finish();
  } catch (e) {
    const err = e as Error & { step?: string };
    return finish({ step: err.step ?? "unknown", error: err.message });
  }
}
