/**
 * Load TypeScript only if something uses it.
 *
 * `@pulumi/pulumi` requires its `typescript-shim` (the TypeScript compiler, a 9 MB module)
 * as it loads: `runtime/closure/parseFunction.js` does so at its top, for closure
 * serialization (`pulumi.runtime.serializeFunction`, dynamic providers), which neither the
 * plan nor the CLI's commands use. Loading it was about a tenth of a one-stack
 * `plan --affected` through the CLI (docs/plan.md, "CLI start-up").
 *
 * So before the SDK loads, this puts a stand-in for the shim in the module cache: an object
 * that loads the real shim on its first use and hands every access to it. Whatever uses
 * TypeScript through the SDK still gets it; only a process that never does skips the load.
 */
import Module from "node:module";

/** Marks the stand-in's cache entry: it is not a module loaded from disk (test/support/loadedModules.cjs). */
export const STAND_IN = Symbol.for("meridian.deferTypescript.standIn");

/** The shim's file, or undefined where the SDK has none (another SDK layout: nothing to do). */
function shimFile(): string | undefined {
  try {
    return require.resolve("@pulumi/pulumi/typescript-shim");
  } catch {
    return undefined;
  }
}

/**
 * Defer the SDK's TypeScript load in this module cache (one per thread). Returns false, doing
 * nothing, if the SDK's shim is already loaded or cannot be found.
 */
export function deferTypescript(): boolean {
  const file = shimFile();
  if (file === undefined || require.cache[file] !== undefined) return false;
  let real: object | undefined;
  const load = (): object => {
    if (real === undefined) {
      // The real shim, as the SDK would have loaded it: its own require("typescript") with
      // its fallback to the SDK's vendored copy.
      delete require.cache[file];
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a file found at run time, loaded when first used
      real = require(file) as object;
    }
    return real;
  };
  const lazy = new Proxy(
    {},
    {
      get: (_, key) => Reflect.get(load(), key),
      has: (_, key) => Reflect.has(load(), key),
      ownKeys: () => Reflect.ownKeys(load()),
      getOwnPropertyDescriptor: (_, key) => {
        const d = Reflect.getOwnPropertyDescriptor(load(), key);
        // A proxy may report a property only as configurable unless its target has it.
        return d === undefined ? undefined : { ...d, configurable: true };
      },
    },
  );
  const stand = new Module(file, module);
  stand.filename = file;
  stand.loaded = true;
  stand.exports = lazy;
  Object.defineProperty(stand, STAND_IN, { value: true });
  require.cache[file] = stand;
  return true;
}
