/**
 * A cache of parsed stack files, keyed by their content: loading a fleet of 1,024 stacks
 * spends most of its time in the YAML parser, and a plan that follows another (`plan
 * --affected`) reads the same files again. The file is still read, size-checked and hashed
 * every time; only the parse of a file whose exact bytes were parsed before is skipped, and
 * every check after the parse (schema, residency, graph) runs on the value as always.
 *
 * A cache may save work, never change a verdict, so it is trusted only when it proves it was
 * written here: its body carries an HMAC-SHA256 under a key of this user's that lives outside
 * the cache directory (`$XDG_STATE_HOME/meridian/cache.key`, default
 * `~/.local/state/meridian/`, mode 0600). A cache edited by hand, copied from another machine
 * or restored from a CI cache fails the check and is ignored whole: every file is parsed.
 * Without a usable key (cannot be made, or readable by others) nothing is cached.
 *
 * Only values JSON carries exactly are cached (a YAML `.inf` or `-0` is not): the cached
 * value is, bit for bit, what the parser returned.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { isDeepStrictEqual } from "node:util";

const FORMAT = 1;

/** The user's cache key file (outside every cache directory, so copying a cache never copies it). */
export function cacheKeyFile(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME !== undefined && path.isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : path.join(os.homedir(), ".local", "state");
  return path.join(base, "meridian", "cache.key");
}

/** This user's key, made on first use; undefined when it cannot be made or others can read it. */
function cacheKey(file: string): Buffer | undefined {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    try {
      fs.writeFileSync(file, randomBytes(32).toString("hex"), { mode: 0o600, flag: "wx" });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") return undefined;
    }
    const st = fs.statSync(file);
    if (!st.isFile() || (st.mode & 0o077) !== 0 || (typeof process.getuid === "function" && st.uid !== process.getuid())) return undefined;
    const key = Buffer.from(fs.readFileSync(file, "utf8").trim(), "hex");
    return key.length >= 32 ? key : undefined;
  } catch {
    return undefined;
  }
}

function digestOf(text: string, aliases: number): string {
  return createHash("sha256").update(`${aliases}\0`).update(text).digest("hex");
}

/** `value` as JSON, if JSON holds it exactly (no NaN, Infinity, -0, undefined, prototypes). */
function exactJson(value: unknown): string | undefined {
  const text = JSON.stringify(value);
  return text !== undefined && isDeepStrictEqual(JSON.parse(text), value) ? text : undefined;
}

export class ParseCache {
  /** Digest → the value's JSON text, for the entries this load used or added. */
  private readonly used = new Map<string, string>();
  private changed = false;

  private constructor(
    private readonly file: string,
    private readonly key: Buffer | undefined,
    /** Digest → JSON text: each `get` parses its own copy, so no caller shares a value with another or with the cache. */
    private readonly entries: Readonly<Record<string, string>>,
  ) {}

  /** The cache in `file` (keyed by `keyFile`): empty when missing, unreadable or not proven ours. */
  static open(file: string, keyFile: string = cacheKeyFile()): ParseCache {
    const key = cacheKey(keyFile);
    return new ParseCache(file, key, key === undefined ? {} : readVerified(file, key));
  }

  /** The parsed value of `text` (parsed with `aliases` as the alias limit), if cached. */
  get(text: string, aliases: number): { value: unknown } | undefined {
    const digest = digestOf(text, aliases);
    const json = Object.hasOwn(this.entries, digest) ? this.entries[digest] : undefined;
    if (typeof json !== "string") return undefined;
    this.used.set(digest, json);
    return { value: JSON.parse(json) as unknown };
  }

  /** Remember what the parser made of `text`, if JSON holds it exactly. */
  put(text: string, aliases: number, value: unknown): void {
    if (this.key === undefined) return;
    const json = exactJson(value);
    if (json === undefined) return;
    this.used.set(digestOf(text, aliases), json);
    this.changed = true;
  }

  /** Write the entries this load used (so the cache holds the fleet as it is now), if that differs from what it holds. */
  save(): void {
    if (this.key === undefined || (!this.changed && this.used.size === Object.keys(this.entries).length)) return;
    const body = JSON.stringify(Object.fromEntries(this.used));
    const header = JSON.stringify({ format: FORMAT, mac: mac(this.key, body) });
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, `${header}\n${body}`, { mode: 0o600 });
      fs.renameSync(tmp, this.file);
    } catch {
      // A cache that cannot be written only costs the next load its parse.
    }
  }
}

function mac(key: Buffer, body: string): string {
  return createHmac("sha256", key).update(body).digest("hex");
}

/** The entries of a cache file whose MAC matches its body under `key`; none otherwise. */
function readVerified(file: string, key: Buffer): Record<string, string> {
  try {
    const text = fs.readFileSync(file, "utf8");
    const newline = text.indexOf("\n");
    const header = JSON.parse(text.slice(0, newline)) as { format?: unknown; mac?: unknown };
    const body = text.slice(newline + 1);
    if (newline < 0 || header.format !== FORMAT || typeof header.mac !== "string") return {};
    const expected = Buffer.from(mac(key, body), "hex");
    const given = Buffer.from(header.mac, "hex");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return {};
    const entries = JSON.parse(body) as unknown;
    return entries !== null && typeof entries === "object" && !Array.isArray(entries) ? (entries as Record<string, string>) : {};
  } catch {
    return {};
  }
}
