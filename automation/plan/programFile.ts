/**
 * A Pulumi TypeScript program on disk (a tenant's or a template's `index.ts`) as a stack
 * program, run the way the Pulumi nodejs runtime runs it: the module is loaded inside the
 * root stack, a default-exported function is called and awaited, and the module's exports
 * (or the function's result) are the stack's outputs. Each stack loads a fresh copy of the
 * program's own files, so module-level resources register once per stack.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { StackProgram } from "./planStack";

export class ProgramFileError extends Error {}

/** The entry file: a file, or a directory's `index.ts` / package.json `main`, as Pulumi resolves it. */
export function resolveProgramFile(file: string): string {
  const abs = path.resolve(file);
  if (!fs.existsSync(abs)) throw new ProgramFileError(`${file}: no such program file or directory`);
  if (!fs.statSync(abs).isDirectory()) return abs;
  const pkg = path.join(abs, "package.json");
  const main = fs.existsSync(pkg) ? (JSON.parse(fs.readFileSync(pkg, "utf8")) as { main?: string }).main : undefined;
  for (const candidate of [main, "index.ts", "index.js"].filter((c): c is string => !!c)) {
    if (fs.existsSync(path.join(abs, candidate))) return path.join(abs, candidate);
  }
  throw new ProgramFileError(`${file}: a directory without index.ts, index.js or a package.json main`);
}

/** Run one program module and return its outputs (the Pulumi nodejs runtime's semantics). */
export async function runProgramModule(entry: string): Promise<Record<string, unknown>> {
  const root = path.dirname(entry);
  // A fresh copy of the program's own modules (not its dependencies) for every stack.
  for (const key of Object.keys(require.cache)) {
    if (key.startsWith(root + path.sep) && !key.includes(`${path.sep}node_modules${path.sep}`)) delete require.cache[key];
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(entry) as Record<string, unknown> | ((...a: unknown[]) => unknown);
  const fn = typeof mod === "function" ? mod : typeof mod.default === "function" ? (mod.default as () => unknown) : undefined;
  if (fn) {
    const result = await fn();
    return result !== null && typeof result === "object" ? { ...(result as Record<string, unknown>) } : {};
  }
  const { default: _ignored, ...exported } = mod as Record<string, unknown>;
  void _ignored;
  // Exports are often promises or outputs; the stack resolves them like the runtime does.
  return Object.fromEntries(Object.entries(exported).filter(([k]) => k !== "__esModule"));
}

/** A stack program that runs `file` for every stack, ignoring the fleet's role programs. */
export function programFromFile(file: string): StackProgram {
  const entry = resolveProgramFile(file);
  return async () => runProgramModule(entry);
}
