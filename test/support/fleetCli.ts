/** Run the real CLI entry (`npm run fleet -- …` without npm) in a child process: jest's module
 * loader is several times slower than node's on the provider SDKs. */
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";

const root = path.resolve(__dirname, "..", "..");

export async function fleetCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = promisify(execFile);
  return run(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), path.join(root, "automation/cli.ts"), ...args], { cwd: root, maxBuffer: 64 << 20 }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}
