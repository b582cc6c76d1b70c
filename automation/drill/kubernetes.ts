/**
 * The restore drill against a real Kubernetes API server (`--engine kubernetes`), through
 * `kubectl` and the cluster's Velero API objects:
 *
 * - find-backup: the newest `Backup` of the tenant's Schedule (`velero.io/schedule-name`) in
 *   the Velero namespace, and a refusal when the tenant namespace is not labelled with the
 *   drilled stack's domain (a kubeconfig pointing at the other domain's cluster).
 * - restore: a Velero `Restore` (`namespaceMapping` tenant → scratch) created with strict
 *   server-side field validation, so the API server checks it against Velero's CRD schema;
 *   then the drill waits for the Velero controller to finish it, at most `restoreTimeoutSeconds`.
 * - check / cleanup: the scratch namespace's objects and labels as the API server returns them;
 *   the scratch namespace is deleted and waited for.
 *
 * What this engine cannot see: the backup's contents live in the object store, readable only
 * through the Velero controller (a `DownloadRequest`). It compares the restore with the
 * tenant namespace's objects that already existed when the backup completed — so an object
 * changed since the backup shows as changed (investigate; it is not lost data), and one created
 * since is not expected. No Velero controller runs on the e2e tier's API server: there, the
 * test stands in for it (docs/backup.md says what that does and does not prove).
 */
import { execFile } from "node:child_process";
import { BACKUP_LOCATION_NAME, VELERO_NAMESPACE } from "../../components/backup/spec";
import type { BackupInfo, DrillObject, RestoreEngine, RestoreInfo } from "./restore";

/** The namespaced kinds a tenant backup holds that the drill compares (what the platform and tenants create). */
export const DRILL_RESOURCES = [
  "configmaps",
  "secrets",
  "serviceaccounts",
  "services",
  "persistentvolumeclaims",
  "deployments.apps",
  "statefulsets.apps",
  "networkpolicies.networking.k8s.io",
  "resourcequotas",
  "limitranges",
  "roles.rbac.authorization.k8s.io",
  "rolebindings.rbac.authorization.k8s.io",
] as const;

/** Phases after which Velero no longer changes a Restore (velero.io_restores.yaml, v1.16). */
const TERMINAL_PHASES = ["Completed", "PartiallyFailed", "Failed", "FailedValidation"] as const;

/** Object fields that are the cluster's, not the tenant's: they differ after any restore. */
const SERVICE_ASSIGNED = ["clusterIP", "clusterIPs", "healthCheckNodePort"];

export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { name: string; namespace?: string; labels?: Record<string, string>; creationTimestamp?: string; ownerReferences?: unknown[] };
  readonly [field: string]: unknown;
}

/** Objects Kubernetes itself puts into every namespace: never part of what a restore must bring back. */
export function isClusterManaged(o: KubeObject): boolean {
  if (o.kind === "ConfigMap" && o.metadata.name === "kube-root-ca.crt") return true;
  if (o.kind === "ServiceAccount" && o.metadata.name === "default") return true;
  if (o.kind === "Secret" && o.type === "kubernetes.io/service-account-token") return true;
  return (o.metadata.ownerReferences ?? []).length > 0; // ReplicaSets' pods etc. are re-created by their owners
}

/** What must survive a restore: the object without its namespace, identity, status and cluster-assigned fields; Velero's own labels dropped. */
export function toDrillObject(o: KubeObject): DrillObject {
  const { metadata, status: _status, ...rest } = o;
  const labels = Object.fromEntries(Object.entries(metadata.labels ?? {}).filter(([k]) => !k.startsWith("velero.io/")));
  const content: Record<string, unknown> = { ...rest, metadata: { name: metadata.name, labels } };
  if (o.kind === "Service" && typeof o.spec === "object" && o.spec !== null) {
    content.spec = Object.fromEntries(Object.entries(o.spec as Record<string, unknown>).filter(([k]) => !SERVICE_ASSIGNED.includes(k)));
  }
  return { apiVersion: o.apiVersion, kind: o.kind, name: metadata.name, content };
}

/** The Velero Restore the drill asks for: the tenant namespace into the scratch one, volumes included. */
export function restoreManifest(args: { readonly name: string; readonly backup: string; readonly from: string; readonly to: string; readonly domain: string }): KubeObject {
  return {
    apiVersion: "velero.io/v1",
    kind: "Restore",
    metadata: { name: args.name, namespace: VELERO_NAMESPACE, labels: { residency: args.domain, "meridian.io/drill": "restore", "meridian.io/tenant-namespace": args.from } },
    spec: {
      backupName: args.backup,
      includedNamespaces: [args.from],
      namespaceMapping: { [args.from]: args.to },
      restorePVs: true,
      // A drill never overwrites: the scratch namespace is new, and nothing else is restored.
      existingResourcePolicy: "none",
      includeClusterResources: false,
    },
  };
}

export interface KubernetesRestoreEngineOptions {
  readonly kubeconfig: string;
  readonly context?: string;
  /** The domain of the drilled stack: the tenant namespace must carry `residency=<domain>`. */
  readonly domain: string;
  /** How long to wait for the Velero controller to finish the Restore. */
  readonly restoreTimeoutSeconds: number;
  readonly kubectl?: string;
  readonly pollMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

export class KubernetesRestoreEngine implements RestoreEngine {
  readonly kind = "kubernetes";
  /** A real cluster: evidence goes to the domain's own store. */
  readonly rehearsal = false;
  private readonly backups = new Map<string, { namespace: string; completedAt: Date }>();

  constructor(private readonly o: KubernetesRestoreEngineOptions) {}

  /** Run kubectl against the drilled cluster; rejects with kubectl's first error line (never its input). */
  kubectl(args: readonly string[], input?: string): Promise<string> {
    const base = ["--kubeconfig", this.o.kubeconfig, ...(this.o.context ? ["--context", this.o.context] : [])];
    return new Promise((resolve, reject) => {
      const child = execFile(this.o.kubectl ?? "kubectl", [...base, ...args], { env: this.o.env ?? process.env, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
        if (err === null) return resolve(stdout);
        const line = String(stderr).split("\n").find((l) => l.trim() !== "") ?? err.message;
        reject(new Error(`kubectl ${args.slice(0, 2).join(" ")}: ${line.trim()}`));
      });
      if (input !== undefined) child.stdin?.end(input);
    });
  }

  private async getJson<T>(args: readonly string[]): Promise<T> {
    return JSON.parse(await this.kubectl([...args, "-o", "json"])) as T;
  }

  /** The API server the kubeconfig points at (for the evidence). */
  async server(): Promise<string> {
    return (await this.kubectl(["config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}"])).trim();
  }

  async latestBackup(namespace: string, schedule: string): Promise<BackupInfo> {
    const labels = await this.namespaceLabels(namespace);
    if (labels.residency !== this.o.domain) {
      throw new Error(`namespace ${namespace} is labelled residency=${labels.residency ?? "(none)"}, not ${this.o.domain}: is the kubeconfig for this domain's cluster?`);
    }
    const list = await this.getJson<{ items: KubeObject[] }>(["get", "backups.velero.io", "-n", VELERO_NAMESPACE, "-l", `velero.io/schedule-name=${schedule}`]);
    const backups = list.items
      .map((b) => ({ b, status: (b.status ?? {}) as { phase?: string; startTimestamp?: string; completionTimestamp?: string; progress?: { itemsBackedUp?: number } } }))
      .filter((x) => x.status.completionTimestamp !== undefined)
      .sort((x, y) => Date.parse(y.status.completionTimestamp!) - Date.parse(x.status.completionTimestamp!));
    const latest = backups[0];
    if (latest === undefined) throw new Error(`no finished backup of schedule ${schedule} in ${VELERO_NAMESPACE} (${list.items.length} backup object(s) in total)`);
    const phase = latest.status.phase === "Completed" || latest.status.phase === "PartiallyFailed" ? latest.status.phase : "Failed";
    const completedAt = new Date(latest.status.completionTimestamp!);
    this.backups.set(latest.b.metadata.name, { namespace, completedAt });
    return {
      name: latest.b.metadata.name,
      startedAt: new Date(latest.status.startTimestamp ?? latest.status.completionTimestamp!),
      completedAt,
      phase,
      items: latest.status.progress?.itemsBackedUp ?? 0,
    };
  }

  /** The tenant namespace's objects that existed when the backup completed (see the file comment). */
  async backupContents(backup: string): Promise<DrillObject[]> {
    const b = this.backups.get(backup);
    if (b === undefined) throw new Error(`backup ${backup} was not looked up by this drill`);
    const items = await this.namespaceObjects(b.namespace);
    return items.filter((o) => Date.parse(o.metadata.creationTimestamp ?? "") <= b.completedAt.getTime()).map(toDrillObject);
  }

  async restore(backup: string, from: string, to: string): Promise<RestoreInfo> {
    const name = to;
    const manifest = restoreManifest({ name, backup, from, to, domain: this.o.domain });
    // Strict: an unknown or mistyped field is an error from the API server, checked against Velero's CRD schema.
    await this.kubectl(["create", "--validate=strict", "-f", "-", "-o", "name"], JSON.stringify(manifest));
    const deadline = Date.now() + this.o.restoreTimeoutSeconds * 1000;
    let phase = "";
    for (;;) {
      const r = await this.getJson<KubeObject>(["get", "restores.velero.io", name, "-n", VELERO_NAMESPACE]);
      const status = (r.status ?? {}) as { phase?: string; warnings?: number; errors?: number; validationErrors?: string[] };
      phase = status.phase ?? "";
      if ((TERMINAL_PHASES as readonly string[]).includes(phase)) {
        if (phase === "FailedValidation") throw new Error(`Velero refused restore ${name}: ${(status.validationErrors ?? []).join("; ") || "FailedValidation"}`);
        return { name, phase: phase as RestoreInfo["phase"], warnings: status.warnings ?? 0, errors: status.errors ?? 0 };
      }
      if (Date.now() >= deadline) break;
      await new Promise((r) => setTimeout(r, this.o.pollMs ?? 1000));
    }
    throw new Error(
      `restore ${name} did not finish within ${this.o.restoreTimeoutSeconds}s (phase: ${phase || "none — no Velero controller has picked it up"}); is Velero running in ${VELERO_NAMESPACE} with the location "${BACKUP_LOCATION_NAME}"?`,
    );
  }

  private async namespaceObjects(namespace: string): Promise<KubeObject[]> {
    const list = await this.getJson<{ items: KubeObject[] }>(["get", DRILL_RESOURCES.join(","), "-n", namespace]);
    return list.items.filter((o) => !isClusterManaged(o));
  }

  async objects(namespace: string): Promise<DrillObject[]> {
    return (await this.namespaceObjects(namespace)).map(toDrillObject);
  }

  async namespaceLabels(namespace: string): Promise<Record<string, string>> {
    const out = await this.kubectl(["get", "namespace", namespace, "--ignore-not-found", "-o", "json"]);
    return out.trim() === "" ? {} : ((JSON.parse(out) as KubeObject).metadata.labels ?? {});
  }

  async deleteNamespace(namespace: string): Promise<void> {
    await this.kubectl(["delete", "namespace", namespace, "--wait=true", "--timeout=120s"]);
  }
}
