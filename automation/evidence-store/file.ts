/**
 * `file:///dir`: a plain copy for local use, under `<dir>/<run-id>/<domain>/`. Files are made
 * read-only (0444) and an existing destination is never overwritten. No retention beyond that.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { EvidenceStoreError, type EvidenceObject, type EvidenceStore, type LocalFile, type Retention, type StoreUrl } from "./spec";

export class FileEvidenceStore implements EvidenceStore {
  constructor(readonly url: StoreUrl) {}

  async upload(files: readonly LocalFile[], location: string): Promise<{ objects: EvidenceObject[]; retention: Retention }> {
    const dest = path.join(this.url.root, location);
    if (fs.existsSync(dest)) throw new EvidenceStoreError(this.url.display, `${dest} exists already; evidence is never overwritten`);
    const objects: EvidenceObject[] = [];
    for (const f of files) {
      const target = path.join(dest, f.file);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, f.content, { flag: "wx", mode: 0o444 });
      fs.chmodSync(target, 0o444); // the umask may have left write bits off already; never on
      objects.push({ file: f.file, key: path.posix.join(location, f.file), bytes: f.content.length, sha256: f.sha256 });
    }
    return { objects, retention: { applied: false, detail: "file:// store: read-only files, no retention" } };
  }
}
