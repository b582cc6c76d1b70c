/**
 * Node's module compile cache (`module.enableCompileCache`, Node >= 22.1) for the CLI: V8's
 * code cache of every module loaded — the provider SDKs are most of the CLI's start-up —
 * kept on disk, so the next run compiles from it instead of from source.
 *
 * Where: `$NODE_COMPILE_CACHE` when set (Node's own variable: Node enabled it there before
 * any of this code ran, and this changes nothing), else
 * `$XDG_CACHE_HOME/meridian/node-compile-cache` (default `~/.cache/…`).
 * `NODE_DISABLE_COMPILE_CACHE=1` (Node's too) turns it off.
 *
 * Trust: Node keys each entry by the module's file name and a hash of its source, and V8
 * refuses an entry made by another V8 version or other flags, so a stale entry only costs a
 * compile. But a code cache is compiled code: whoever can write the directory can run code
 * as you, as whoever can write node_modules can. So the default directory must be yours and
 * writable by nobody else; otherwise (or when it cannot be made) the CLI runs without it.
 */
import * as fs from "node:fs";
import * as nodeModule from "node:module";
import * as os from "node:os";
import * as path from "node:path";

/** What `enableCompileCache` did, for the bench and tests. */
export type CompileCacheState = { readonly enabled: true; readonly directory: string } | { readonly enabled: false; readonly why: string };

/** The directory the CLI keeps the cache in when `NODE_COMPILE_CACHE` names none. */
export function compileCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME !== undefined && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(os.homedir(), ".cache");
  return path.join(base, "meridian", "node-compile-cache");
}

/** Why `dir` must not hold compiled code for this user, or undefined when it may. */
export function unsafeCacheDir(dir: string): string | undefined {
  const st = fs.statSync(dir);
  if (!st.isDirectory()) return `${dir} is not a directory`;
  if (typeof process.getuid === "function" && st.uid !== process.getuid()) return `${dir} belongs to another user`;
  if ((st.mode & 0o022) !== 0) return `${dir} is writable by others`;
  return undefined;
}

type EnableCompileCache = (dir?: string) => { status: number; message?: string; directory?: string };

/** Enable the compile cache for this process (its worker threads inherit it through the environment). */
export function enableCompileCache(env: NodeJS.ProcessEnv = process.env): CompileCacheState {
  const enable = (nodeModule as unknown as { enableCompileCache?: EnableCompileCache }).enableCompileCache;
  if (enable === undefined) return { enabled: false, why: `node ${process.versions.node} has no module compile cache (Node >= 22.1)` };
  if (env.NODE_DISABLE_COMPILE_CACHE !== undefined) return { enabled: false, why: "NODE_DISABLE_COMPILE_CACHE is set" };
  if (env.NODE_COMPILE_CACHE !== undefined && env.NODE_COMPILE_CACHE.length > 0) return { enabled: true, directory: path.resolve(env.NODE_COMPILE_CACHE) };
  const dir = compileCacheDir(env);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const unsafe = unsafeCacheDir(dir);
    if (unsafe !== undefined) return { enabled: false, why: unsafe };
  } catch (e) {
    return { enabled: false, why: `${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
  const result = enable(dir);
  const { FAILED, DISABLED } = (nodeModule as unknown as { constants: { compileCacheStatus: Record<string, number> } }).constants.compileCacheStatus;
  if (result.status === FAILED || result.status === DISABLED) return { enabled: false, why: result.message ?? "disabled" };
  // Worker threads (the plan's) read it from the environment they copy at start.
  process.env.NODE_COMPILE_CACHE = result.directory ?? dir;
  return { enabled: true, directory: result.directory ?? dir };
}
