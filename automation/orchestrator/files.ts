/**
 * The run folder's file writes, behind one small interface so a test can inject a failing
 * disk (ENOSPC, EIO) without filling a real one. Whole files are written atomically (temp
 * file + rename) and a failed write never leaves its temp file behind.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

export interface RunFiles {
  writeFile(file: string, data: string): void;
  appendFile(file: string, data: string): void;
  rename(from: string, to: string): void;
  unlink(file: string): void;
  mkdir(dir: string): void;
}

export const nodeFiles: RunFiles = {
  writeFile: (file, data) => fs.writeFileSync(file, data),
  appendFile: (file, data) => fs.appendFileSync(file, data),
  rename: (from, to) => fs.renameSync(from, to),
  unlink: (file) => fs.rmSync(file, { force: true }),
  mkdir: (dir) => fs.mkdirSync(dir, { recursive: true }),
};

/** A write to the run folder failed (a full disk, a read-only mount): the run stops, exit 2. */
export class RunFolderWriteError extends Error {
  constructor(
    readonly file: string,
    readonly code: string | undefined,
  ) {
    super(`cannot write ${file}: ${describeCode(code)}`);
    this.name = "RunFolderWriteError";
  }
}

function describeCode(code: string | undefined): string {
  switch (code) {
    case "ENOSPC":
      return "no space left on device (ENOSPC)";
    case "EDQUOT":
      return "disk quota exceeded (EDQUOT)";
    case "EROFS":
      return "read-only file system (EROFS)";
    case "EEXIST":
      return "exists already (a run folder is never reused)";
    case "EACCES":
    case "EPERM":
      return `permission denied (${code})`;
    default:
      return code !== undefined ? `write failed (${code})` : "write failed";
  }
}

export function writeError(file: string, e: unknown): RunFolderWriteError {
  return e instanceof RunFolderWriteError ? e : new RunFolderWriteError(file, (e as NodeJS.ErrnoException).code);
}

/** Write `file` whole, atomically: a reader sees the old or the new content, never half; no `.tmp` survives a failure. */
export function writeAtomic(files: RunFiles, file: string, data: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`);
  try {
    files.writeFile(tmp, data);
    files.rename(tmp, file);
  } catch (e) {
    try {
      files.unlink(tmp);
    } catch {
      // Nothing more can be done: the temp file was never created, or the disk refuses even that.
    }
    throw writeError(file, e);
  }
}
