/**
 * `npm run fleet -- promote`, through the real CLI entry (automation/cli.ts in a child
 * process): refusals exit 2 with one line naming the argument and run no tool; the
 * in-domain path runs cosign copy and crane digest (stand-ins on PATH that record their
 * arguments) and reads a stack's registry from its foundation's outputs in its own backend.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { domainOfRegistry, planPromotion } from "../../automation/commands/promote";
import { loadFleet } from "../../automation/fleet";

const repo = path.join(__dirname, "../..");
const fleet = loadFleet(path.join(repo, "stacks"));
const DIGEST = `sha256:${"ab".repeat(32)}`;
const ECR_EU = "123456789012.dkr.ecr.eu-central-1.amazonaws.com/meridian/eu/";
const AR_EU = "europe-west1-docker.pkg.dev/meridian-eu-prod/eu-apps/";
const AR_US = "us-central1-docker.pkg.dev/meridian-us-prod/us-apps/";

let bin: string;
let log: string;
beforeAll(() => {
  bin = fs.mkdtempSync(path.join(os.tmpdir(), "promote-bin-"));
  log = path.join(bin, "calls.log");
  // Stand-ins: record argv (and the backend for pulumi); crane prints the digest it was asked for
  // unless CRANE_DIGEST overrides it; pulumi prints a foundation's registry output.
  const stub = (name: string, body: string) => fs.writeFileSync(path.join(bin, name), `#!/bin/sh\necho "${name} $* | backend=$PULUMI_BACKEND_URL" >> "${log}"\n${body}\n`, { mode: 0o755 });
  stub("cosign", 'exit "${COSIGN_EXIT:-0}"');
  stub("crane", 'if [ -n "$CRANE_DIGEST" ]; then echo "$CRANE_DIGEST"; else echo "$2" | sed "s/.*@//"; fi');
  stub("pulumi", `case "$*" in *eu-foundation-aws*) echo '{"imagePrefixes":["${ECR_EU}"]}';; *eu-foundation-gcp*) echo '{"imagePrefixes":["${AR_EU}"]}';; *) echo '{"imagePrefixes":["${AR_US}"]}';; esac`);
});
afterAll(() => fs.rmSync(bin, { recursive: true, force: true }));
beforeEach(() => fs.rmSync(log, { force: true }));

function fleetCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const base = { ...process.env };
  delete base.PULUMI_BACKEND_URL;
  const r = spawnSync(process.execPath, ["--import", "tsx", "automation/cli.ts", "promote", ...args], {
    cwd: repo,
    encoding: "utf8",
    env: { ...base, PATH: `${bin}${path.delimiter}${process.env.PATH}`, ...env },
  });
  const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, calls };
}

describe("fleet promote: refusals (exit 2, one line naming the argument, no tool runs)", () => {
  it.each([
    ["a destination stack of the other domain", [`apps/api@${DIGEST}`, "--from", "eu-workload-aws", "--to", "us-workload-gcp"], /^fleet: --to: stack us-workload-gcp .* in domain us, --from .* in domain eu; an image is promoted only within its domain$/],
    ["a destination registry of the other domain", [`apps/api@${DIGEST}`, "--from", ECR_EU, "--to", AR_US], /^fleet: --to: registry us-central1-docker\.pkg\.dev\/.* is in domain us/],
    ["an image pinned by tag", ["apps/api:1.2.3", "--from", "eu-workload-aws", "--to", "eu-workload-gcp"], /^fleet: IMAGE: "apps\/api:1\.2\.3" is not REPOSITORY@sha256/],
  ])("refuses %s", (_, args, message) => {
    const r = fleetCli(args);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr.trim()).toMatch(message);
    expect(r.calls).toEqual([]);
  });
});

describe("fleet promote: within a domain", () => {
  it("--dry-run prints the copy by digest and runs nothing", () => {
    const r = fleetCli([`${ECR_EU}apps/api@${DIGEST}`, "--from", ECR_EU, "--to", AR_EU, "--dry-run"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`cosign copy ${ECR_EU}apps/api@${DIGEST} ${AR_EU}apps/api`);
    expect(r.stdout).toContain(`crane digest ${AR_EU}apps/api@${DIGEST} must print ${DIGEST}`);
    expect(r.calls).toEqual([]);
  });

  it("copies stack to stack: reads each foundation's registry from the domain's backend, copies, checks the digest", () => {
    const r = fleetCli([`apps/api@${DIGEST}`, "--from", "eu-workload-aws", "--to", "eu-workload-gcp"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.calls).toEqual([
      `pulumi stack output registry --json --stack eu-foundation-aws --cwd ${repo} | backend=s3://meridian-state-eu?region=eu-central-1`,
      `pulumi stack output registry --json --stack eu-foundation-gcp --cwd ${repo} | backend=s3://meridian-state-eu?region=eu-central-1`,
      expect.stringMatching(new RegExp(`^cosign copy ${ECR_EU}apps/api@${DIGEST} ${AR_EU}apps/api \\|`)),
      expect.stringMatching(new RegExp(`^crane digest ${AR_EU}apps/api@${DIGEST} \\|`)),
    ]);
    expect(r.stdout).toContain(`Promoted apps/api@${DIGEST} to ${AR_EU}`);
  });

  it("fails (exit 1) when the destination's digest differs, and when cosign fails", () => {
    const wrong = fleetCli([`apps/api@${DIGEST}`, "--from", ECR_EU, "--to", AR_EU], { CRANE_DIGEST: `sha256:${"cd".repeat(32)}` });
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/^fleet: crane digest: .* has sha256:cdcd.*, expected sha256:abab/);
    fs.rmSync(log, { force: true });
    const failed = fleetCli([`apps/api@${DIGEST}`, "--from", ECR_EU, "--to", AR_EU], { COSIGN_EXIT: "3" });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(/^fleet: cosign copy failed \(exit 3\)/);
    expect(failed.calls.filter((c) => c.startsWith("crane"))).toEqual([]);
  });
});

describe("planPromotion (no process)", () => {
  it("derives a registry's domain from its location or fleet.yaml accounts", () => {
    expect(domainOfRegistry(fleet, ECR_EU)).toBe("eu");
    expect(domainOfRegistry(fleet, "123456789012.dkr.ecr.us-east-1.amazonaws.com/x/")).toBe("us");
    expect(domainOfRegistry(fleet, AR_US)).toBe("us");
    expect(domainOfRegistry(fleet, "meridianeu.azurecr.io/")).toBeUndefined();
  });

  it("refuses a registry whose domain its name does not prove, and an unknown endpoint, naming the flag", () => {
    expect(() => planPromotion(fleet, `apps/api@${DIGEST}`, { from: ECR_EU, to: "meridianeu.azurecr.io/" })).toThrow(/^--to: the domain of registry meridianeu\.azurecr\.io\/ cannot be derived.*accounts\.<domain>\.registries/);
    expect(() => planPromotion(fleet, `apps/api@${DIGEST}`, { from: "nowhere", to: "eu-workload-gcp" })).toThrow(/^--from: "nowhere" is neither a stack of the fleet nor a registry prefix/);
    expect(() => planPromotion(fleet, `apps/api@${DIGEST}`, { from: "eu-pki", to: "eu-workload-gcp" })).toThrow(/^--from: stack eu-pki \(pki\) has no single cloud/);
  });

  it("strips the source prefix from a full reference and refuses an image of another registry", () => {
    expect(planPromotion(fleet, `${ECR_EU}apps/api@${DIGEST}`, { from: ECR_EU, to: AR_EU }).repository).toBe("apps/api");
    expect(() => planPromotion(fleet, `${AR_EU}apps/api@${DIGEST}`, { from: ECR_EU, to: "eu-workload-gcp" })).toThrow(/IMAGE: .* names registry europe-west1-docker\.pkg\.dev, not --from/);
    expect(() => planPromotion(fleet, `apps/api@${DIGEST}`, { from: AR_EU, to: AR_EU })).toThrow(/--to: .* is the source registry/);
  });
});
