/** Build throwaway stack directories from the reference fleet, with edits, for fleet tests. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const REFERENCE_STACKS = path.resolve(__dirname, "..", "..", "stacks");

/** Copy the reference fleet into a temp dir; `edits` maps file name → new content (null deletes). */
export function fleetDir(edits: Record<string, string | null> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-fleet-"));
  for (const f of fs.readdirSync(REFERENCE_STACKS)) {
    if (f.endsWith(".yaml")) fs.copyFileSync(path.join(REFERENCE_STACKS, f), path.join(dir, f));
  }
  for (const [file, content] of Object.entries(edits)) {
    const p = path.join(dir, file);
    if (content === null) fs.rmSync(p);
    else fs.writeFileSync(p, content);
  }
  return dir;
}

export function readReference(file: string): string {
  return fs.readFileSync(path.join(REFERENCE_STACKS, file), "utf8");
}

/** The reference fleet without fleet.yaml's `domains:` block: every domain on its local default control plane (file backend, passphrase). */
export function localControlPlaneFleetDir(): string {
  return fleetDir({ "fleet.yaml": readReference("fleet.yaml").replace(/^domains:\n(?:[ \t].*\n|[ \t]*\n)*/m, "") });
}
