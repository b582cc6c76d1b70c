/** Through the real CLI entry: a tenant hostname outside its domain's zones stops the plan with exit 2 and one line naming file and key. */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";

const root = path.resolve(__dirname, "../../..");

it("exits 2 naming fleet.yaml and tenants.<domain>.<tenant>.hostnames[i]", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "exposure-cli-"));
  for (const f of fs.readdirSync(path.join(root, "stacks")).filter((f) => f.endsWith(".yaml"))) fs.copyFileSync(path.join(root, "stacks", f), path.join(dir, f));
  // The reference tenants replaced by one whose hostname is in the other domain's zone.
  const fleetYaml = fs.readFileSync(path.join(dir, "fleet.yaml"), "utf8").replace(/^tenants:\n(?:[ \t#].*\n|[ \t]*\n)*/m, "");
  fs.writeFileSync(
    path.join(dir, "fleet.yaml"),
    `${fleetYaml}\ntenants:\n  eu:\n    payments: { team: payments, developersGroup: g, clusters: [eu-workload-aws], hostnames: [pay.apps.us.meridian.example] }\n`,
  );
  const run = promisify(execFile);
  const r = await run(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), path.join(root, "automation/cli.ts"), "plan", "--stacks-dir", dir], { cwd: root }).then(
    (x) => ({ code: 0, stdout: x.stdout, stderr: x.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
  expect(r.code).toBe(2);
  expect(r.stderr.trim().split("\n")).toEqual([
    `fleet: ${path.join(dir, "fleet.yaml")}: tenants.eu.payments.hostnames[0]: "pay.apps.us.meridian.example" is under none of the domain's exposure zones (apps.eu.meridian.example, internal.eu.meridian.example) of domain eu`,
  ]);
  expect(r.stdout).toBe("");
}, 120_000);
