/**
 * Where the CLI's defaults live and how a command writes, for commands that run no program:
 * importing ./plan for these would load the stack program and every provider SDK.
 */
import * as path from "node:path";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const DEFAULT_STACKS_DIR = path.join(REPO_ROOT, "stacks");

export interface Io {
  out(s: string): void;
  err(s: string): void;
}
