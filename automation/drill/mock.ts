/**
 * The offline drill engines (`--engine mock`). No cloud, no cluster: the restore engine holds
 * one cluster's tenant namespaces with the objects the platform creates in them (the
 * baseline's namespace, NetworkPolicies, quota, limits and RoleBindings, rendered by the same
 * functions the ClusterBaseline uses), "backs them up" at the schedule's latest run and
 * "restores" by copying a backup's objects into the target namespace, as Velero's
 * `namespaceMapping` does. Backups complete instantly, so the RTO it measures is the drill's
 * own overhead only. `inject` makes one step fail the way it fails for real: the lookup finds
 * no backup, the restore ends PartiallyFailed, the restore silently drops an object (so the
 * check must catch it), the scratch namespace cannot be deleted.
 */
import { baselineSpec, namespaceManifests, networkPolicyManifests, quotaManifests, rbacManifests, type Manifest } from "../../components/baseline";
import type { Domain } from "../../components/residency/catalogue";
import type { BackedUpNamespace } from "../fleet/backup";
import { previousRun } from "./cron";
import type { FailoverEngine, FailoverStep } from "./failover";
import type { BackupInfo, DrillObject, RestoreEngine, RestoreInfo, RestoreStep } from "./restore";

interface MockNamespace {
  labels: Record<string, string>;
  objects: DrillObject[];
}

function toDrillObject(m: Manifest): DrillObject {
  const { metadata, ...rest } = m;
  const { namespace: _ns, ...meta } = metadata;
  return { apiVersion: m.apiVersion, kind: m.kind, name: metadata.name, content: { ...rest, metadata: meta } };
}

/** The manifests the platform creates for a cluster's tenant namespaces: the namespaces and what the baseline puts inside them. */
export function platformManifests(domain: Domain, clusterName: string, tenants: readonly BackedUpNamespace[]): { namespaces: Manifest[]; inside: Manifest[] } {
  const spec = baselineSpec({ domain, clusterName, clusterRole: "workload", tenants: tenants.map((t) => ({ name: t.namespace, team: t.team, developersGroup: t.developersGroup })) }, []);
  const namespaces = namespaceManifests(spec).filter((ns) => tenants.some((t) => t.namespace === ns.metadata.name));
  const inside = [...networkPolicyManifests(spec), ...quotaManifests(spec), ...rbacManifests(spec)].filter((m) => namespaces.some((ns) => ns.metadata.name === m.metadata.namespace));
  return { namespaces, inside };
}

/** The objects the platform creates in each tenant namespace of a cluster, and the namespaces' labels. */
export function platformNamespaces(domain: Domain, clusterName: string, tenants: readonly BackedUpNamespace[]): Map<string, MockNamespace> {
  const { namespaces, inside } = platformManifests(domain, clusterName, tenants);
  return new Map(
    namespaces.map((ns) => [ns.metadata.name, { labels: { ...ns.metadata.labels }, objects: inside.filter((m) => m.metadata.namespace === ns.metadata.name).map(toDrillObject) }]),
  );
}

export class InjectedFailure extends Error {}

export class MockRestoreEngine implements RestoreEngine {
  readonly kind = "mock";
  readonly rehearsal = true;
  private readonly backups = new Map<string, { info: BackupInfo; objects: DrillObject[] }>();

  constructor(
    private readonly namespaces: Map<string, MockNamespace>,
    private readonly cron: string,
    private readonly now: () => Date,
    private readonly inject?: RestoreStep,
  ) {}

  async latestBackup(namespace: string, schedule: string): Promise<BackupInfo> {
    if (this.inject === "find-backup") throw new InjectedFailure(`injected failure: no completed backup of schedule ${schedule}`);
    const ns = this.namespaces.get(namespace);
    if (ns === undefined) throw new Error(`namespace ${namespace} does not exist on the cluster`);
    const ran = previousRun(this.cron, this.now());
    const stamp = ran.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "");
    const info: BackupInfo = { name: `${schedule}-${stamp}`.toLowerCase(), startedAt: ran, completedAt: ran, phase: "Completed", items: ns.objects.length };
    this.backups.set(info.name, { info, objects: ns.objects.map((o) => ({ ...o })) });
    return info;
  }

  async backupContents(backup: string): Promise<DrillObject[]> {
    const b = this.backups.get(backup);
    if (b === undefined) throw new Error(`backup ${backup} not found`);
    return b.objects;
  }

  async restore(backup: string, from: string, to: string): Promise<RestoreInfo> {
    const b = this.backups.get(backup);
    if (b === undefined) throw new Error(`backup ${backup} not found`);
    if (this.namespaces.has(to)) throw new Error(`namespace ${to} exists already; a drill restores into a new namespace only`);
    const source = this.namespaces.get(from)!;
    const objects = this.inject === "check" ? b.objects.slice(1) : this.inject === "restore" ? b.objects.slice(0, 1) : b.objects.map((o) => ({ ...o }));
    this.namespaces.set(to, { labels: { ...source.labels, "kubernetes.io/metadata.name": to }, objects });
    const name = `drill-${backup}`.slice(0, 63);
    return this.inject === "restore" ? { name, phase: "PartiallyFailed", warnings: 0, errors: b.objects.length - 1 } : { name, phase: "Completed", warnings: 0, errors: 0 };
  }

  async objects(namespace: string): Promise<DrillObject[]> {
    return this.namespaces.get(namespace)?.objects ?? [];
  }

  async namespaceLabels(namespace: string): Promise<Record<string, string>> {
    return this.namespaces.get(namespace)?.labels ?? {};
  }

  async deleteNamespace(namespace: string): Promise<void> {
    if (this.inject === "cleanup") throw new InjectedFailure(`injected failure: namespace ${namespace} is stuck Terminating (a finalizer did not complete)`);
    this.namespaces.delete(namespace);
  }

  /** For tests: does a namespace exist now? */
  has(namespace: string): boolean {
    return this.namespaces.has(namespace);
  }
}

/**
 * Route 53 failover as the offline drill sees it: two record sets (PRIMARY, SECONDARY) with
 * health checks, both healthy. An inverted check reports unhealthy; Route 53 answers with
 * the primary while it is healthy, else the secondary while it is healthy, else (all
 * unhealthy) the primary — as Route 53 does. Health evaluation is instant, so the seconds it
 * reports are 0; the expected worst case is computed from the configuration instead.
 */
export class MockFailoverEngine implements FailoverEngine {
  readonly kind = "mock";
  readonly rehearsal = true;
  private readonly inverted = new Set<string>();
  private readonly unhealthy = new Set<string>();

  constructor(
    private readonly records: ReadonlyMap<string, { primary: string; secondary: string }>,
    private readonly inject?: FailoverStep,
  ) {
    // Injected: the primary is already unhealthy before the drill starts, so the name answers with the secondary.
    if (inject === "baseline") for (const r of records.values()) this.unhealthy.add(r.primary);
  }

  private pair(hostname: string): { primary: string; secondary: string } {
    const r = this.records.get(hostname);
    if (r === undefined) throw new Error(`no failover record for ${hostname}`);
    return r;
  }

  private healthy(target: string): boolean {
    return !this.inverted.has(target) && !this.unhealthy.has(target);
  }

  async resolve(hostname: string): Promise<{ setIdentifier: string }> {
    const { primary, secondary } = this.pair(hostname);
    if (this.healthy(primary)) return { setIdentifier: primary };
    return { setIdentifier: this.healthy(secondary) ? secondary : primary };
  }

  async setInverted(hostname: string, target: string, inverted: boolean): Promise<void> {
    this.pair(hostname);
    if ((inverted && this.inject === "flip") || (!inverted && this.inject === "restore")) {
      throw new InjectedFailure(`injected failure: UpdateHealthCheck for ${target} was throttled (Throttling: Rate exceeded)`);
    }
    if (inverted && this.inject === "verify-failover") this.unhealthy.add(this.pair(hostname).secondary);
    if (inverted) this.inverted.add(target);
    else this.inverted.delete(target);
  }

  async waitFor(hostname: string, target: string, timeoutSeconds: number): Promise<number> {
    // Injected: the primary Gateway does not come back healthy after the restore.
    if (this.inject === "verify-restore" && target === this.pair(hostname).primary) this.unhealthy.add(target);
    const got = (await this.resolve(hostname)).setIdentifier;
    // Health is evaluated at once offline, so waiting longer (up to timeoutSeconds) would not change the answer.
    if (got !== target) throw new Error(`${hostname} answers with ${got}, not ${target} (mock: health evaluated at once; a live engine waits up to ${timeoutSeconds}s)`);
    return 0;
  }
}
