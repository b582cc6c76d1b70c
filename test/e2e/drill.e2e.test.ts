/**
 * `fleet drill restore --engine kubernetes` on a real kube-apiserver (tools/control-plane.sh)
 * with Velero v1.16.1's own CRDs (test/e2e/harness/velero.ts):
 *
 * - the drill's Velero `Restore` is created under strict server-side validation against
 *   Velero's CRD schema (and the same schema refuses a malformed one);
 * - the scratch namespace, its objects and labels are read back from the API server, the
 *   checks run on them, the scratch namespace is deleted for real (the controller manager
 *   finalizes it), and the evidence lands in the EU store only;
 * - the drill halts: a dropped object fails the check and keeps the scratch namespace; with
 *   no Velero controller the restore step times out; a tenant namespace of the other domain
 *   is refused before anything is restored.
 *
 * No Velero controller runs here (no object store, no node): `actAsVelero` below stands in
 * for it, doing what Velero's restore controller does to the API server — the target
 * namespace from the source's, the backed-up objects copied with Velero's labels, the
 * Restore's status. So this proves the drill's side of the contract against the real API, not
 * Velero's restore itself; the restore's completion is simulated here and under `--engine mock`.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { runRestoreCommand, type DrillIo } from "../../automation/commands/drill";
import { DRILL_RESOURCES, isClusterManaged, restoreManifest, type KubeObject } from "../../automation/drill/kubernetes";
import { platformManifests } from "../../automation/drill/mock";
import { RESTORE_STEPS } from "../../automation/drill/restore";
import { VELERO_NAMESPACE } from "../../components/backup/spec";
import { REFERENCE_STACKS } from "../support/fleetDir";
import { kubectl, kubectlPath, ROOT, startControlPlane, tmpDir, type ControlPlane } from "./harness";
import { veleroCrds } from "./harness/velero";

const crds = veleroCrds();
const missing = [
  ...["etcd", "kube-apiserver", "kube-controller-manager"].filter((b) => !fs.existsSync(path.join(ROOT, ".tools", "bin", b))).map((b) => `.tools/bin/${b} (npm run setup:engine)`),
  ...(kubectlPath() ? [] : ["kubectl"]),
  ...("missing" in crds ? [crds.missing] : []),
];
if (missing.length > 0) {
  process.stderr.write(["", "=".repeat(78), "E2E DRILL TIER SKIPPED — missing:", ...missing.map((m) => `  - ${m}`), "=".repeat(78), ""].join("\n"));
}
const suite = missing.length > 0 ? describe.skip : describe;

const TENANTS = [{ namespace: "payments", tenant: "payments", team: "payments", developersGroup: "eu-payments-devs" }];
const SCHEDULE = "tenant-payments";

function ok(cp: ControlPlane, args: string[], input?: string): string {
  const r = kubectl(cp, args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

const run = promisify(execFile);
async function kube(cp: ControlPlane, args: string[]): Promise<string> {
  return (await run(kubectlPath()!, ["--kubeconfig", cp.kubeconfig, ...args], { maxBuffer: 16 << 20 })).stdout;
}
async function kubeApply(cp: ControlPlane, manifest: unknown): Promise<void> {
  const child = execFile(kubectlPath()!, ["--kubeconfig", cp.kubeconfig, "apply", "--server-side", "--field-manager=velero-stand-in", "-f", "-"]);
  const done = new Promise<void>((resolve, reject) => child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`apply exited ${code}`)))));
  child.stdin!.end(JSON.stringify(manifest));
  await done;
}

/** What Velero's restore controller does to the API server for one Restore (see the file comment). */
async function restoreAsVelero(cp: ControlPlane, r: KubeObject, drop?: string): Promise<void> {
  const spec = r.spec as { backupName: string; namespaceMapping: Record<string, string> };
  const veleroLabels = { "velero.io/backup-name": spec.backupName, "velero.io/restore-name": r.metadata.name };
  const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const [[from, to]] = Object.entries(spec.namespaceMapping);
  const source = JSON.parse(await kube(cp, ["get", "namespace", from!, "-o", "json"])) as KubeObject;
  const { "kubernetes.io/metadata.name": _name, ...nsLabels } = source.metadata.labels ?? {};
  await kubeApply(cp, { apiVersion: "v1", kind: "Namespace", metadata: { name: to, labels: { ...nsLabels, ...veleroLabels } } });
  const items = (JSON.parse(await kube(cp, ["get", DRILL_RESOURCES.join(","), "-n", from!, "-o", "json"])) as { items: KubeObject[] }).items.filter((o) => !isClusterManaged(o));
  const restored = items
    .filter((o) => o.metadata.name !== drop)
    .map(({ status: _s, metadata, ...rest }) => ({ ...rest, metadata: { name: metadata.name, namespace: to, labels: { ...metadata.labels, ...veleroLabels } } }));
  for (const o of restored) await kubeApply(cp, o);
  const status = { phase: "Completed", startTimestamp: now, completionTimestamp: now, warnings: 0, errors: 0, progress: { itemsRestored: restored.length + 1, totalItems: items.length + 1 } };
  await kube(cp, ["patch", "restores.velero.io", r.metadata.name, "-n", VELERO_NAMESPACE, "--type=merge", "-p", JSON.stringify({ status })]);
}

/** Stand in for the Velero controller until stopped: finish every new Restore once. */
function actAsVelero(cp: ControlPlane, drop?: string): { stop: () => Promise<void>; handled: string[] } {
  const handled: string[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const list = JSON.parse(await kube(cp, ["get", "restores.velero.io", "-n", VELERO_NAMESPACE, "-o", "json"])) as { items: KubeObject[] };
      for (const r of list.items.filter((x) => (x.status as { phase?: string } | undefined)?.phase === undefined && !handled.includes(x.metadata.name))) {
        handled.push(r.metadata.name);
        await restoreAsVelero(cp, r, drop);
      }
      await new Promise((res) => setTimeout(res, 300));
    }
  })();
  return {
    handled,
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

function evidenceIn(dir: string): Array<Record<string, unknown>> {
  if (!fs.existsSync(dir)) return [];
  const found: Array<Record<string, unknown>> = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === "restore-drill.json") found.push(JSON.parse(fs.readFileSync(p, "utf8")) as Record<string, unknown>);
    }
  };
  walk(dir);
  return found;
}

function drillIo(tmp: string): { io: DrillIo; out: string[]; err: string[]; stores: { eu: string; us: string }; runsDir: string } {
  const stores = { eu: path.join(tmp, "ev-eu"), us: path.join(tmp, "ev-us") };
  const out: string[] = [];
  const err: string[] = [];
  const env = { ...process.env, MERIDIAN_EVIDENCE_STORE_EU: `file://${stores.eu}`, MERIDIAN_EVIDENCE_STORE_US: `file://${stores.us}` };
  return { io: { out: (s) => void out.push(s), err: (s) => void err.push(s), env }, out, err, stores, runsDir: path.join(tmp, "runs") };
}

suite("e2e: fleet drill restore --engine kubernetes on a real kube-apiserver with Velero's CRDs", () => {
  let cp: ControlPlane;
  let scratchNamespaces: () => string[];

  beforeAll(async () => {
    cp = await startControlPlane("eu");
    for (const f of (crds as { files: string[] }).files) ok(cp, ["apply", "--server-side", "-f", f]);
    ok(cp, ["wait", "--for=condition=Established", "--timeout=60s", ...["backups", "restores", "schedules", "backupstoragelocations"].map((c) => `crd/${c}.velero.io`)]);
    ok(cp, ["create", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: VELERO_NAMESPACE, labels: { residency: "eu" } } }));
    // The tenant namespace as the platform makes it (the same baseline functions the ClusterBaseline renders).
    const { namespaces, inside } = platformManifests("eu", "eu-workload-aws", TENANTS);
    for (const m of [...namespaces, ...inside]) ok(cp, ["create", "-f", "-"], JSON.stringify(m));
    ok(cp, ["create", "configmap", "ledger-settings", "-n", "payments", "--from-literal=currency=EUR"]);
    // Velero would have written this Backup when the Schedule ran; its status as Velero sets it.
    await new Promise((r) => setTimeout(r, 1100)); // completion after every object's creationTimestamp (second precision)
    const completed = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    ok(
      cp,
      ["create", "-f", "-"],
      JSON.stringify({
        apiVersion: "velero.io/v1",
        kind: "Backup",
        metadata: { name: `${SCHEDULE}-20261201120000`, namespace: VELERO_NAMESPACE, labels: { "velero.io/schedule-name": SCHEDULE, residency: "eu" } },
        spec: { includedNamespaces: ["payments"], storageLocation: "domain", ttl: "720h0m0s", snapshotVolumes: true },
        status: { phase: "Completed", startTimestamp: completed, completionTimestamp: completed, progress: { itemsBackedUp: inside.length + 2, totalItems: inside.length + 2 } },
      }),
    );
    scratchNamespaces = () =>
      ok(cp, ["get", "namespaces", "-o", "jsonpath={.items[*].metadata.name}"])
        .split(/\s+/)
        .filter((n) => n.startsWith("drill-"));
  }, 300_000);

  afterAll(() => cp?.stop());

  it("Velero's CRD schema refuses a malformed Restore; the drill's own Restore passes strict validation", () => {
    const good = restoreManifest({ name: "drill-validate", backup: `${SCHEDULE}-20261201120000`, from: "payments", to: "drill-validate", domain: "eu" });
    expect(kubectl(cp, ["create", "--dry-run=server", "--validate=strict", "-f", "-"], JSON.stringify(good)).code).toBe(0);
    const mistyped = { ...good, spec: { ...(good.spec as object), namespaceMapping: { payments: 7 } } };
    const bad = kubectl(cp, ["create", "--dry-run=server", "--validate=strict", "-f", "-"], JSON.stringify(mistyped));
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/namespaceMapping.*(string|Invalid value)/s);
    const unknown = { ...good, spec: { ...(good.spec as object), namespaceMappings: { payments: "x" } } };
    const refused = kubectl(cp, ["create", "--dry-run=server", "--validate=strict", "-f", "-"], JSON.stringify(unknown));
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/unknown field "spec.namespaceMappings"/);
  });

  it("restores into a scratch namespace, checks it on the API server, deletes it, and stores the evidence in the EU store", async () => {
    const velero = actAsVelero(cp);
    const s = drillIo(tmpDir("drill-ok"));
    const code = await runRestoreCommand({ cluster: "eu-workload-aws", namespace: "payments", engine: "kubernetes", kubeconfig: cp.kubeconfig, stacksDir: REFERENCE_STACKS, runsDir: s.runsDir, json: true }, s.io);
    await velero.stop();
    expect(s.err.join("")).toBe("");
    expect(code).toBe(0);
    const [evidence] = evidenceIn(s.stores.eu);
    expect(evidenceIn(s.stores.us)).toEqual([]);
    expect(evidence).toMatchObject({ kind: "restore-drill", domain: "eu", engine: "kubernetes", rehearsal: false, apiServer: cp.server, status: "succeeded", scratchKept: false, rpoMet: true, rtoMet: true });
    expect((evidence!.steps as Array<{ step: string; ok: boolean }>).map((x) => [x.step, x.ok])).toEqual(RESTORE_STEPS.map((x) => [x, true]));
    const checks = evidence!.checks as Array<{ name: string; ok: boolean; detail: string }>;
    const count = platformManifests("eu", "eu-workload-aws", TENANTS).inside.length + 1; // + the tenant's ConfigMap
    expect(checks.find((c) => c.name === "objects-present")!.detail).toBe(`${count} of ${count} objects restored`);
    expect(checks.find((c) => c.name === "residency-label")).toMatchObject({ ok: true, detail: "residency=eu, expected eu" });
    // The Restore the API server holds is the one the drill asked for; the scratch namespace is gone.
    const scratch = evidence!.scratchNamespace as string;
    expect(velero.handled).toEqual([scratch]);
    const restore = JSON.parse(ok(cp, ["get", "restores.velero.io", scratch, "-n", VELERO_NAMESPACE, "-o", "json"])) as KubeObject;
    expect(restore.spec).toMatchObject({ backupName: `${SCHEDULE}-20261201120000`, includedNamespaces: ["payments"], namespaceMapping: { payments: scratch }, existingResourcePolicy: "none" });
    expect(restore.metadata.labels).toMatchObject({ residency: "eu" });
    expect(scratchNamespaces()).toEqual([]);
  }, 240_000);

  it("a restore that dropped an object fails the check on the real objects, exit 1, and keeps the scratch namespace", async () => {
    const velero = actAsVelero(cp, "ledger-settings");
    const s = drillIo(tmpDir("drill-drop"));
    const code = await runRestoreCommand({ cluster: "eu-workload-aws", namespace: "payments", engine: "kubernetes", kubeconfig: cp.kubeconfig, stacksDir: REFERENCE_STACKS, runsDir: s.runsDir, json: true }, s.io);
    await velero.stop();
    expect(code).toBe(1);
    const [evidence] = evidenceIn(s.stores.eu);
    expect(evidence).toMatchObject({ status: "failed", failedStep: "check", scratchKept: true });
    const present = (evidence!.checks as Array<{ name: string; ok: boolean; detail: string }>).find((c) => c.name === "objects-present")!;
    expect(present).toEqual({ name: "objects-present", ok: false, detail: "missing: v1/ConfigMap/ledger-settings" });
    expect(scratchNamespaces()).toContain(evidence!.scratchNamespace);
    ok(cp, ["delete", "namespace", evidence!.scratchNamespace as string, "--wait=true", "--timeout=120s"]);
  }, 240_000);

  it("with no Velero controller the restore step times out and the drill halts there", async () => {
    const s = drillIo(tmpDir("drill-none"));
    const code = await runRestoreCommand(
      { cluster: "eu-workload-aws", namespace: "payments", engine: "kubernetes", kubeconfig: cp.kubeconfig, restoreTimeout: "3", stacksDir: REFERENCE_STACKS, runsDir: s.runsDir, json: true },
      s.io,
    );
    expect(code).toBe(1);
    const [evidence] = evidenceIn(s.stores.eu);
    expect(evidence).toMatchObject({ status: "failed", failedStep: "restore" });
    expect(evidence!.error).toMatch(/did not finish within 3s \(phase: none — no Velero controller has picked it up\)/);
    expect((evidence!.steps as Array<{ step: string }>).map((x) => x.step)).toEqual(["find-backup", "restore"]);
    const restore = JSON.parse(ok(cp, ["get", "restores.velero.io", evidence!.scratchNamespace as string, "-n", VELERO_NAMESPACE, "-o", "json"])) as KubeObject;
    expect(restore.status).toBeUndefined();
  }, 120_000);

  it("refuses to drill a US stack against a cluster whose tenant namespace is EU, before anything is restored", async () => {
    const before = ok(cp, ["get", "restores.velero.io", "-n", VELERO_NAMESPACE, "-o", "name"]);
    const s = drillIo(tmpDir("drill-us"));
    const code = await runRestoreCommand({ cluster: "us-workload-aws", namespace: "payments", engine: "kubernetes", kubeconfig: cp.kubeconfig, stacksDir: REFERENCE_STACKS, runsDir: s.runsDir, json: true }, s.io);
    expect(code).toBe(1);
    const [evidence] = evidenceIn(s.stores.us);
    expect(evidenceIn(s.stores.eu)).toEqual([]);
    expect(evidence).toMatchObject({ domain: "us", status: "failed", failedStep: "find-backup" });
    expect(evidence!.error).toMatch(/namespace payments is labelled residency=eu, not us/);
    expect(ok(cp, ["get", "restores.velero.io", "-n", VELERO_NAMESPACE, "-o", "name"])).toBe(before);
  }, 120_000);
});
