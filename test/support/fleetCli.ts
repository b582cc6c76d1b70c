/** Run the fleet as users do: the real CLI entry in a child process, and the loader's error lines. */
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { FleetConfigErrors, loadFleet } from "../../automation/fleet";

const root = path.resolve(__dirname, "..", "..");

/** `npm run fleet -- <args>` without npm: jest's module loader is several times slower than node's on the provider SDKs. */
export async function fleetCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = promisify(execFile);
  return run(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), path.join(root, "automation/cli.ts"), ...args], { cwd: root, maxBuffer: 64 << 20 }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

/** The loader's one-line errors for a fleet directory; none when it loads. */
export function loadErrors(dir: string): string[] {
  try {
    loadFleet(dir);
    return [];
  } catch (e) {
    if (e instanceof FleetConfigErrors) return e.errors.map((x) => x.message);
    throw e;
  }
}
