/**
 * Velero's own CRDs for the e2e tier, at the version the backup component pins
 * (`VELERO_IMAGES.velero.tag`), from the Go module proxy through `go mod download`: Go checks
 * the module against the checksum database, and we check it against the sum pinned here, so
 * the API server validates against exactly Velero v1.16.1's schemas. Nothing of Velero is
 * committed; the module lands in the Go module cache (GOMODCACHE).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { VELERO_IMAGES } from "../../../components/backup/spec";

export const VELERO_MODULE = {
  path: "github.com/vmware-tanzu/velero",
  version: "v1.16.1",
  /** `go mod download -json` Sum of the module zip (also in sum.golang.org). */
  sum: "h1:T9Jdt/6Jl1x+nT+OCCyOBtiakCdInHZAB3qU/jH6yGg=",
} as const;

/** The CRDs the drill and its stand-in touch. */
export const VELERO_CRDS = ["backups", "restores", "schedules", "backupstoragelocations"] as const;

/** Paths of the pinned CRD files, or why they are not available (then the suite skips loudly). */
export function veleroCrds(): { files: string[] } | { missing: string } {
  if (VELERO_IMAGES.velero.tag !== VELERO_MODULE.version) {
    return { missing: `the e2e CRDs pin Velero ${VELERO_MODULE.version} but components/backup/spec.ts runs ${VELERO_IMAGES.velero.tag}: update VELERO_MODULE (test/e2e/harness/velero.ts)` };
  }
  const r = spawnSync("go", ["mod", "download", "-json", `${VELERO_MODULE.path}@${VELERO_MODULE.version}`], { encoding: "utf8", cwd: os.tmpdir(), timeout: 300_000 });
  if (r.error !== undefined || r.status !== 0) return { missing: `go mod download ${VELERO_MODULE.path}@${VELERO_MODULE.version}: ${r.error?.message ?? r.stderr.trim().split("\n")[0] ?? `exit ${r.status}`}` };
  const info = JSON.parse(r.stdout) as { Dir: string; Sum: string };
  if (info.Sum !== VELERO_MODULE.sum) return { missing: `Velero module sum ${info.Sum} is not the pinned ${VELERO_MODULE.sum}` };
  const files = VELERO_CRDS.map((c) => path.join(info.Dir, "config", "crd", "v1", "bases", `velero.io_${c}.yaml`));
  const absent = files.filter((f) => !fs.existsSync(f));
  return absent.length > 0 ? { missing: `not in the Velero module: ${absent.join(", ")}` } : { files };
}
