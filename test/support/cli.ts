/** Run the real CLI entry (`npm run fleet -- …` without npm) in a child process. */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";

export const ROOT = path.resolve(__dirname, "../..");

export async function fleetCli(args: string[], timeoutMs = 240_000): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = promisify(execFile);
  return run(process.execPath, [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), path.join(ROOT, "automation/cli.ts"), ...args], {
    cwd: ROOT,
    maxBuffer: 64 << 20,
    timeout: timeoutMs,
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

/**
 * A one-stack fleet (eu-foundation-aws, which depends on nothing) in a temp dir, with
 * default providers allowed as a tenant's stack would have them.
 */
export function tenantFleetDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-tenant-"));
  fs.copyFileSync(path.join(ROOT, "stacks/fleet.yaml"), path.join(dir, "fleet.yaml"));
  const stack = fs.readFileSync(path.join(ROOT, "stacks/Pulumi.eu-foundation-aws.yaml"), "utf8");
  fs.writeFileSync(path.join(dir, "Pulumi.eu-foundation-aws.yaml"), stack.replace(/^\s*pulumi:disable-default-providers:.*$/m, ""));
  return dir;
}
