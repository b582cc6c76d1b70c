/** Run the real CLI entry (`npm run fleet -- …` without npm) in a child process: jest's module
 * loader is several times slower than node's on the provider SDKs. */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";

export const ROOT = path.resolve(__dirname, "../..");

/** One plan cache per test file (MERIDIAN_FLEET_CACHE), so the CLI's caches of scratch fleets never land in the checkout. */
let cacheDir: string | undefined;
export function testFleetCache(): string {
  cacheDir ??= fs.mkdtempSync(path.join(os.tmpdir(), "meridian-test-fleet-cache-"));
  return cacheDir;
}

export async function fleetCli(args: string[], timeoutMs = 240_000): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = promisify(execFile);
  return run(process.execPath, [path.join(ROOT, "node_modules/tsx/dist/cli.mjs"), path.join(ROOT, "automation/cli.ts"), ...args], {
    cwd: ROOT,
    maxBuffer: 64 << 20,
    timeout: timeoutMs,
    env: { ...process.env, MERIDIAN_FLEET_CACHE: testFleetCache() },
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

/**
 * A tenant's fleet in a temp dir: eu-foundation-aws and the guardrails stack it waits for (a
 * domain deploying into a cloud must have that cloud's guardrails), with default providers
 * allowed as a tenant's stack would have them. `--program` plans the program as both.
 */
export function tenantFleetDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-tenant-"));
  fs.copyFileSync(path.join(ROOT, "stacks/fleet.yaml"), path.join(dir, "fleet.yaml"));
  for (const stack of ["eu-guardrails-aws", "eu-foundation-aws"]) {
    const text = fs.readFileSync(path.join(ROOT, `stacks/Pulumi.${stack}.yaml`), "utf8");
    fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), text.replace(/^\s*pulumi:disable-default-providers:.*$/m, ""));
  }
  return dir;
}
