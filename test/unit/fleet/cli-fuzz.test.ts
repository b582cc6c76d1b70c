/**
 * A fast-check fuzz over stack files, through the real CLI entry in-process (`buildCli()`
 * parsing `plan --json --stacks-dir <dir>`, as `npm run fleet -- plan` does): whatever the
 * files hold — hostile values for every key class, look-alike names, broken YAML — the tool
 * never crashes, exits only 0, 1 or 2, writes no file outside its temp folder, never
 * echoes a secret, and prints no control characters.
 */
import { CommanderError } from "commander";
import * as fc from "fast-check";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { buildCli } from "../../../automation/cli";
import { readReference } from "../../support/fleetDir";

const SECRET = "S3NTINEL-do-not-print-7f3a";

/** The real entry, as automation/cli.ts `main` runs it, with output captured. */
async function runCli(argv: string[]): Promise<{ code: number; out: string }> {
  const chunks: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    return true;
  };
  const out = jest.spyOn(process.stdout, "write").mockImplementation(capture as never);
  const err = jest.spyOn(process.stderr, "write").mockImplementation(capture as never);
  const log = jest.spyOn(console, "log").mockImplementation((...a: unknown[]) => void chunks.push(a.map(String).join(" ")));
  const error = jest.spyOn(console, "error").mockImplementation((...a: unknown[]) => void chunks.push(a.map(String).join(" ")));
  const warn = jest.spyOn(console, "warn").mockImplementation((...a: unknown[]) => void chunks.push(a.map(String).join(" ")));
  process.exitCode = undefined;
  try {
    await buildCli().parseAsync(argv, { from: "user" });
    return { code: process.exitCode === undefined ? 0 : Number(process.exitCode), out: chunks.join("") };
  } catch (e) {
    if (e instanceof CommanderError) return { code: e.exitCode === 0 ? 0 : 2, out: chunks.join("") };
    throw e; // an internal error: the property fails
  } finally {
    process.exitCode = undefined;
    for (const s of [out, err, log, error, warn]) s.mockRestore();
  }
}

/** Values for every class of key the loader checks, hostile ones first. */
const value = fc.oneof(
  fc.constantFrom<unknown>(
    { secure: `v1:${SECRET}` },
    "us-east-1",
    "eu-central-1",
    "us-central1-a",
    "meridian-us-prod",
    "222222222222.dkr.ecr.us-east-1.amazonaws.com/x/",
    "meridianus.azurecr.io/",
    "10.64.0.0/16",
    "../../../../tmp/escape",
    "/dev/zero",
    "-rf",
    "\u0000",
    "e\u0301u",
    "eu-pkі",
    [],
    {},
    null,
    12,
    true,
    "x".repeat(300),
  ),
  fc.string({ maxLength: 20 }),
  fc.array(fc.string({ maxLength: 6 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 6 }), fc.constant({ secure: `v1:${SECRET}` })), { maxKeys: 3 }),
);

const key = fc.constantFrom(
  "meridian:domain",
  "meridian:role",
  "meridian:dependsOn",
  "meridian:tags",
  "meridian:environment",
  "meridian:ring",
  "meridian:attached",
  "meridian:kubeconfig",
  "meridian:pki",
  "gcp:project",
  "gcp:zone",
  "aws:region",
  "aws:endpoints",
  "aws:stsRegion",
  "azure-native:subscriptionId",
  "kubernetes:context",
  "pulumi:disable-default-providers",
  "pulumi:whatever",
);

const fileName = fc.oneof(
  fc.constantFrom("Pulumi.eu-pki.yaml", "Pulumi.eu-extra.yaml", "Pulumi.a.b.yaml", "pulumi.eu-x.yaml", "Pulumi.eu-x.YAML", "Pulumi.EU-x.yaml", "Pulumi.-x.yaml", "Pulumi.eu x.yaml", "Pulumi.eu\u001b[31mred.yaml", "Pulumi.eu\u0007.yaml"),
  fc.stringMatching(/^[a-z0-9-]{1,70}$/).map((n) => `Pulumi.${n}.yaml`),
);

const PKI_EU = readReference("Pulumi.eu-pki.yaml");
const PKI_US = readReference("Pulumi.us-pki.yaml");

/** A stack file: the EU pki config with hostile edits, or raw text. */
const content = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.tuple(key, value), { maxLength: 3 }).map((edits) => {
    const config: Record<string, unknown> = { "meridian:domain": "eu", "meridian:role": "pki", "pulumi:disable-default-providers": ["*"] };
    for (const [k, v] of edits) config[k] = v;
    return stringify({ config });
  }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.constantFrom("config:\n  a: &a [*a]\n", "config: {", `config:\n  meridian:kubeconfig: {secure: "v1:${SECRET}"}\n  meridian:kubeconfig: x\n`) },
);

describe("fuzzing stack files through the CLI", () => {
  const repo = path.resolve(__dirname, "../../..");

  it("never crashes, exits 0/1/2, writes nothing outside its folder, echoes no secret", async () => {
    const sandbox = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-fuzz-"));
    const cwdBefore = process.cwd();
    const repoEntries = fs.readdirSync(repo).sort();
    let n = 0;
    const codes: number[] = [];
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fileName, content), { minLength: 1, maxLength: 2 }), async (files) => {
        const dir = path.join(sandbox, `run-${n++}`);
        fs.mkdirSync(dir);
        fs.writeFileSync(path.join(dir, "fleet.yaml"), readReference("fleet.yaml"));
        fs.writeFileSync(path.join(dir, "Pulumi.us-pki.yaml"), PKI_US);
        fs.writeFileSync(path.join(dir, "Pulumi.eu-pki.yaml"), PKI_EU);
        for (const [name, text] of files) {
          try {
            fs.writeFileSync(path.join(dir, name), text);
          } catch {
            return; // a name this file system refuses: nothing to plan
          }
        }
        const before = fs.readdirSync(dir).sort();
        const { code, out } = await runCli(["plan", "--json", "--stacks-dir", dir]);
        expect([0, 1, 2]).toContain(code);
        codes.push(code);
        expect(out).not.toContain(SECRET);
        expect(out).not.toMatch(/internal error|^\s+at .*\.ts:\d+/m);
        expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/); // no terminal control from file content or names
        expect(fs.readdirSync(dir).sort()).toEqual(before);
        expect(fs.readdirSync(sandbox).every((e) => e.startsWith("run-"))).toBe(true);
      }),
      {
        numRuns: 40,
        // Always include one fleet that plans (exit 0) and one refused at load (exit 2).
        examples: [[[["Pulumi.eu-extra.yaml", PKI_EU]]], [[["Pulumi.eu-extra.yaml", stringify({ config: { "meridian:domain": "eu", "meridian:role": "pki", "meridian:tags": { residency: "us" } } })]]]],
      },
    );
    expect(codes).toEqual(expect.arrayContaining([0, 2]));
    expect(process.cwd()).toBe(cwdBefore);
    expect(fs.readdirSync(repo).sort()).toEqual(repoEntries);
    fs.rmSync(sandbox, { recursive: true, force: true });
  }, 600_000);
});
