/**
 * Reading the fleet's YAML files as untrusted input: every stack file, fleet.yaml and a
 * kubeconfig named by path go through here.
 *
 * - Only regular files: a FIFO, a directory, a device or a symlink loop is refused before
 *   anything is read (the file is opened non-blocking and checked with fstat on the same
 *   descriptor, so a FIFO swapped in after a `stat` cannot hang the tool).
 * - Size limits per file and for the whole fleet, checked before parsing.
 * - Aliases limited (`maxAliasCount`), so a "billion laughs" document cannot expand.
 * - Linear cost: the `yaml` package's own duplicate-key check compares each key with every
 *   earlier key of its map (quadratic: a 2 MB map of 50k keys took 31 s), so it is off and
 *   duplicates are found here with one Set per map.
 * - Every I/O or parser problem is a FleetConfigError naming the file (exit 2), never an
 *   internal error.
 */
import * as fs from "node:fs";
import { isMap, isScalar, isSeq, parseDocument, type Document, type Node } from "yaml";
import { FleetConfigError } from "./errors";

export interface YamlLimits {
  /** Largest accepted file, in bytes. Defaults to 1 MiB (a stack file is a few KB). */
  readonly fileBytes: number;
  /** Largest accepted fleet (every stack file plus fleet.yaml), in bytes. Defaults to 16 MiB. */
  readonly fleetBytes: number;
  /** Most aliases a document may resolve. Defaults to 16. */
  readonly aliases: number;
}

export const DEFAULT_YAML_LIMITS: YamlLimits = { fileBytes: 1 << 20, fleetBytes: 16 << 20, aliases: 16 };

/** Counts how many keys the duplicate-key check looked at (tests assert linear work by counting). */
export const keyCheckCounter = { keys: 0 };

const NONBLOCK = fs.constants.O_NONBLOCK ?? 0;

function ioProblem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case "ENOENT":
      return "no such file";
    case "EACCES":
    case "EPERM":
      return "cannot be read (permission denied)";
    case "ELOOP":
      return "is a symlink loop";
    case "EISDIR":
      return "is a directory, not a file";
    case "ENAMETOOLONG":
      return "path too long";
    default:
      return `cannot be read (${code ?? "I/O error"})`;
  }
}

function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return "a directory";
  if (st.isFIFO()) return "a FIFO";
  if (st.isSocket()) return "a socket";
  if (st.isCharacterDevice() || st.isBlockDevice()) return "a device";
  return "not a regular file";
}

/**
 * Read a regular file of at most `limits.fileBytes`, as UTF-8. `budget` (optional) is the
 * fleet-wide byte budget still left; it is decreased by the file's size.
 */
export function readRegularFile(file: string, limits: YamlLimits = DEFAULT_YAML_LIMITS, budget?: { left: number }): string {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | NONBLOCK);
  } catch (e) {
    throw new FleetConfigError(file, "(file)", ioProblem(e));
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new FleetConfigError(file, "(file)", `is ${kindOf(st)}; a config file must be a regular file`);
    if (st.size > limits.fileBytes) {
      throw new FleetConfigError(file, "(file)", `is ${st.size} bytes; the limit is ${limits.fileBytes} bytes per file`);
    }
    if (budget !== undefined) {
      if (st.size > budget.left) throw new FleetConfigError(file, "(file)", `the fleet's files exceed ${limits.fleetBytes} bytes in total`);
      budget.left -= st.size;
    }
    const buf = Buffer.alloc(st.size);
    let read = 0;
    while (read < st.size) {
      const n = fs.readSync(fd, buf, read, st.size - read, read);
      if (n === 0) break;
      read += n;
    }
    const text = buf.subarray(0, read).toString("utf8");
    if (text.includes("\uFFFD")) throw new FleetConfigError(file, "(file)", "is not valid UTF-8");
    return text;
  } catch (e) {
    if (e instanceof FleetConfigError) throw e;
    throw new FleetConfigError(file, "(file)", ioProblem(e));
  } finally {
    fs.closeSync(fd);
  }
}

/** Duplicate keys, one Set per map: linear in the number of keys. */
function checkUniqueKeys(file: string, doc: Document, lineOf: (offset: number) => string): void {
  const pending: Array<Node | null | undefined> = [doc.contents];
  while (pending.length > 0) {
    const node = pending.pop();
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        keyCheckCounter.keys++;
        if (!isScalar(pair.key)) {
          const offset = (pair.key as Node | null)?.range?.[0];
          throw new FleetConfigError(file, "(yaml)", `a map key must be a plain value, not a list or a map${offset === undefined ? "" : lineOf(offset)}`);
        }
        const key = String(pair.key.value);
        if (seen.has(key)) {
          const offset = (pair.key as Node | null)?.range?.[0];
          throw new FleetConfigError(file, "(yaml)", `Map keys must be unique: ${JSON.stringify(key).slice(0, 80)} appears twice${offset === undefined ? "" : lineOf(offset)}`);
        }
        seen.add(key);
        pending.push(pair.value as Node | null);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) pending.push(item as Node | null);
    }
  }
}

/** The 1-based line and column of an offset, computed only when an error needs it. */
function lineCounter(text: string): (offset: number) => string {
  return (offset) => {
    let line = 1;
    let start = 0;
    for (let i = 0; i < offset && i < text.length; i++) {
      if (text.charCodeAt(i) === 10) {
        line++;
        start = i + 1;
      }
    }
    return ` (line ${line}, column ${offset - start + 1})`;
  };
}

/** Parse YAML text into plain values; every problem is a FleetConfigError naming `file`. */
export function parseYaml(file: string, text: string, limits: YamlLimits = DEFAULT_YAML_LIMITS): unknown {
  const lineOf = lineCounter(text);
  let doc: Document;
  try {
    doc = parseDocument(text, { uniqueKeys: false, prettyErrors: false });
  } catch (e) {
    throw new FleetConfigError(file, "(yaml)", `cannot be parsed: ${firstLine(e)}`);
  }
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new FleetConfigError(file, "(yaml)", `${firstLine(e).replace(/ at line \d+, column \d+:?$/, "")}${lineOf(e.pos[0])}`);
  }
  checkUniqueKeys(file, doc, lineOf);
  try {
    return doc.toJS({ maxAliasCount: limits.aliases });
  } catch (e) {
    const message = firstLine(e);
    if (/alias/i.test(message)) {
      throw new FleetConfigError(file, "(yaml)", `too many aliases: at most ${limits.aliases} alias expansions per file`);
    }
    throw new FleetConfigError(file, "(yaml)", `cannot be read as data: ${message}`);
  }
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split("\n")[0];
}

/** Read and parse one YAML file under the limits. */
export function readYamlFile(file: string, limits: YamlLimits = DEFAULT_YAML_LIMITS, budget?: { left: number }): unknown {
  return parseYaml(file, readRegularFile(file, limits, budget), limits);
}
