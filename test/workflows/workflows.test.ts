/**
 * The GitHub workflow files: linted by actionlint (built from the Go module proxy by
 * `npm run setup:actionlint`) and checked for the properties we promise — OIDC only, one
 * GitHub environment per residency domain, the project's Node version, the plan gating on
 * mandatory violations, previews with the policy pack, and publishing only on main.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { affectedOutputs, affectedSummary, planSummary } from "../../.github/scripts/ci";
import type { AffectedReport } from "../../automation/commands/affected";
import type { PlanReport } from "../../automation/commands/plan";

const ROOT = path.resolve(__dirname, "..", "..");
const WF = path.join(ROOT, ".github", "workflows");
const ACTIONLINT = path.join(ROOT, ".tools", "bin", "actionlint");

type Step = { name?: string; uses?: string; run?: string; if?: string; with?: Record<string, unknown>; env?: Record<string, string> };
type Job = { uses?: string; with?: Record<string, unknown>; needs?: string | string[]; if?: string; environment?: string; permissions?: Record<string, string>; steps?: Step[]; strategy?: { matrix?: Record<string, unknown> } };
type Workflow = { on: Record<string, unknown>; permissions?: Record<string, string>; jobs: Record<string, Job> };

const files = fs.readdirSync(WF).filter((f) => /\.ya?ml$/.test(f)).sort();
const text = (f: string) => fs.readFileSync(path.join(WF, f), "utf8");
const wf = (f: string) => parse(text(f)) as Workflow;
const allSteps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps ?? []);

describe("actionlint", () => {
  const available = fs.existsSync(ACTIONLINT);
  if (!available && process.env.MERIDIAN_REQUIRE_ACTIONLINT === "1") {
    it("is required (MERIDIAN_REQUIRE_ACTIONLINT=1) but not built", () => {
      throw new Error(`${ACTIONLINT} missing: run npm run setup:actionlint`);
    });
    return;
  }
  const maybe = available ? it : it.skip;
  if (!available) console.warn("test/workflows: actionlint not built (npm run setup:actionlint); its checks are SKIPPED, the structural checks still run");

  maybe("accepts every workflow file", () => {
    const r = spawnSync(ACTIONLINT, ["-no-color", "-oneline", ...files.map((f) => path.join(WF, f))], { cwd: ROOT, encoding: "utf8" });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  maybe("rejects a broken copy (the linter is live, not a no-op)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-wf-"));
    fs.mkdirSync(path.join(dir, ".github", "workflows"), { recursive: true });
    for (const f of files) fs.writeFileSync(path.join(dir, ".github", "workflows", f), text(f));
    const broken = text("domain.yml").replace("needs: preview", "needs: no-such-job").replace("${{ matrix.aws }}", "${{ matrix.aws }}").replace("if: matrix.gcp", "if: matrix.gpc.x");
    fs.writeFileSync(path.join(dir, ".github", "workflows", "domain.yml"), broken);
    execFileSync("git", ["init", "-q"], { cwd: dir });
    const r = spawnSync(ACTIONLINT, ["-no-color", "-oneline"], { cwd: dir, encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/no-such-job/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("workflow properties", () => {
  it("has the four workflows", () => {
    expect(files).toEqual(["checks.yml", "domain.yml", "main.yml", "pull-request.yml"]);
  });

  it("never uses static keys or secrets: OIDC only", () => {
    for (const f of files) {
      expect([f, text(f).match(/secrets\.[A-Za-z_]+/g)]).toEqual([f, null]);
      for (const key of ["aws-access-key-id", "aws-secret-access-key", "client-secret", "creds:", "credentials_json", "PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE"]) {
        expect([f, key, text(f).includes(key)]).toEqual([f, key, false]);
      }
    }
  });

  it("grants least privilege: contents read at the top, id-token write only where a cloud is reached", () => {
    for (const f of files) {
      const w = wf(f);
      expect([f, w.permissions]).toEqual([f, { contents: "read" }]);
      for (const [name, job] of Object.entries(w.jobs)) {
        if (job.permissions?.["id-token"] === "write") {
          expect([f, name, job.permissions]).toEqual([f, name, { "id-token": "write", contents: "read" }]);
          const reachesCloud = job.uses === "./.github/workflows/domain.yml" || (job.steps ?? []).some((s) => s.uses?.startsWith("pulumi/auth-actions"));
          expect([f, name, reachesCloud]).toEqual([f, name, true]);
        }
      }
    }
    for (const name of ["test", "node-compat", "plan"]) expect(wf("checks.yml").jobs[name].permissions).toBeUndefined();
  });

  it("runs each domain's cloud work in that domain's environment, with that domain's stacks only", () => {
    const d = wf("domain.yml");
    for (const job of Object.values(d.jobs)) {
      expect(job.environment).toBe("meridian-${{ inputs.domain }}");
      expect(job.steps![0].name).toBe("Refuse to run outside this domain");
      expect(job.steps![0].env!.ENV_DOMAIN).toBe("${{ vars.MERIDIAN_DOMAIN }}");
    }
    for (const f of ["pull-request.yml", "main.yml"]) {
      const callers = Object.values(wf(f).jobs).filter((j) => j.uses === "./.github/workflows/domain.yml");
      expect(callers.map((j) => j.with!.domain).sort()).toEqual(["eu", "us"]);
      for (const j of callers) {
        expect(j.with!.stacks).toBe(`\${{ needs.affected.outputs.${String(j.with!.domain)} }}`);
        expect(j.needs).toEqual(["checks", "affected"]);
      }
    }
  });

  it("authenticates to each cloud by OIDC, only for stacks on that cloud", () => {
    const steps = wf("domain.yml").jobs.preview.steps!;
    const by = (prefix: string) => steps.find((s) => s.uses?.startsWith(prefix))!;
    expect(by("aws-actions/configure-aws-credentials")).toMatchObject({ if: "matrix.aws", with: { "role-to-assume": "${{ vars.AWS_ROLE_ARN }}" } });
    expect(by("azure/login")).toMatchObject({ if: "matrix.azure", with: { "client-id": "${{ vars.AZURE_CLIENT_ID }}", "tenant-id": "${{ vars.AZURE_TENANT_ID }}", "subscription-id": "${{ vars.AZURE_SUBSCRIPTION_ID }}" } });
    expect(Object.keys(by("azure/login").with!).sort()).toEqual(["client-id", "subscription-id", "tenant-id"]);
    expect(by("google-github-actions/auth")).toMatchObject({ if: "matrix.gcp", with: { workload_identity_provider: "${{ vars.GCP_WORKLOAD_IDENTITY_PROVIDER }}", service_account: "${{ vars.GCP_SERVICE_ACCOUNT }}" } });
    expect(by("pulumi/auth-actions").with!["requested-token-type"]).toBe("urn:pulumi:token-type:access_token:organization");
  });

  it("previews each affected stack with the policy pack and the domain's policy config", () => {
    const steps = wf("domain.yml").jobs.preview.steps!;
    const preview = steps.find((s) => s.uses?.startsWith("pulumi/actions"))!;
    expect(preview.with).toMatchObject({ command: "preview", policyPacks: "policy-pack" });
    expect(String(preview.with!["stack-name"])).toMatch(/\/meridian\/\$\{\{ matrix\.stack \}\}$/);
    const config = steps.find((s) => s.run?.includes("policy:config"))!;
    expect(config.run).toContain('--domain "${{ inputs.domain }}"');
    expect(wf("domain.yml").jobs.preview.strategy!.matrix).toEqual({ include: "${{ fromJSON(inputs.stacks) }}" });
  });

  it("publishes the policy pack only from main, only when it changed", () => {
    expect(wf("main.yml").on).toEqual({ push: { branches: ["main"] } });
    expect(wf("pull-request.yml").on).toEqual({ pull_request: { branches: ["main"] } });
    for (const j of Object.values(wf("main.yml").jobs).filter((x) => x.uses === "./.github/workflows/domain.yml")) {
      expect(j.with!["publish-policy"]).toBe("${{ needs.affected.outputs.policy == 'true' }}");
    }
    expect(text("pull-request.yml")).not.toContain("publish-policy");
    const publish = wf("domain.yml").jobs["publish-policy"];
    expect(publish.if).toBe("inputs.publish-policy");
    expect(publish.steps!.at(-1)!.run).toMatch(/^pulumi policy publish /);
  });

  it("gates on the offline plan's exit code and posts its report as the job summary", () => {
    const run = wf("checks.yml").jobs.plan.steps!.find((s) => s.run?.includes("fleet -- plan"))!.run!;
    expect(run).toContain("npm run -s fleet -- plan --json > plan.json");
    expect(run).toContain('>> "$GITHUB_STEP_SUMMARY"');
    expect(run.trim().split("\n").at(-1)).toBe('exit "$code"');
  });

  it("uses the project's Node version (.nvmrc, which satisfies package.json engines)", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { engines: { node: string }; scripts: Record<string, string> };
    const nvmrc = fs.readFileSync(path.join(ROOT, ".nvmrc"), "utf8").trim();
    const min = /^>=(\d+)\.(\d+)/.exec(pkg.engines.node)!;
    // ".nvmrc" names a major line; setup-node resolves it to that line's newest release.
    expect(Number(nvmrc)).toBe(Number(min[1]));
    for (const f of files) {
      for (const s of allSteps(wf(f)).filter((x) => x.uses?.startsWith("actions/setup-node"))) {
        expect([f, s.with!["node-version-file"] ?? s.with!["node-version"]]).toEqual([f, s.with!["node-version-file"] ? ".nvmrc" : "${{ matrix.node }}"]);
      }
    }
  });

  it("only runs npm scripts and files that exist", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
    for (const f of files) {
      for (const m of text(f).matchAll(/npm run -s ([a-z:]+)/g)) expect([f, m[1], m[1] in pkg.scripts]).toEqual([f, m[1], true]);
      for (const m of text(f).matchAll(/(\.github\/scripts\/[\w.-]+|tools\/actionlint\/go\.(?:mod|sum)|\.nvmrc)/g)) {
        expect([f, m[1], fs.existsSync(path.join(ROOT, m[1]))]).toEqual([f, m[1], true]);
      }
    }
  });
});

describe(".github/scripts/ci.ts", () => {
  const plan: PlanReport = {
    stacks: [
      { name: "eu-pki", domain: "eu", role: "pki", cloud: null, region: null, dependsOn: [], wave: 0, resources: 12, status: "planned" },
      { name: "eu-mgmt", domain: "eu", role: "management", cloud: "aws", region: "eu-central-1", dependsOn: ["eu-pki"], wave: 1, resources: 0, status: "failed", error: "boom | bang" },
    ],
    waves: [["eu-pki"], ["eu-mgmt"]],
    violations: [{ stack: "eu-mgmt", policy: "RES-01", level: "mandatory", message: "region us-east-1 is not eu" }],
  };

  it("renders the plan as a markdown summary naming failures and violations", () => {
    const md = planSummary(plan);
    expect(md).toContain("## Fleet plan ❌ failed");
    expect(md).toContain("| eu-pki | eu | pki | - | - | 0 | 12 | planned |");
    expect(md).toContain("- `eu-mgmt`: boom \\| bang");
    expect(md).toContain("| mandatory | eu-mgmt | RES-01 | region us-east-1 is not eu |");
    expect(planSummary({ ...plan, stacks: [plan.stacks[0]], violations: [] })).toContain("## Fleet plan ✅ passed");
  });

  it("writes one matrix output per domain and the policy flag", () => {
    const report = {
      base: "origin/main", head: "HEAD", mergeBase: "0123456789abcdef", files: ["components/kms/aws.ts"], removed: [], unmapped: [], policyPackChanged: false,
      stacks: [{ name: "eu-foundation-aws", domain: "eu", role: "foundation", clouds: ["aws"], reasons: [{ kind: "code", file: "components/kms/aws.ts", why: "kms adapter for aws" }] }],
      matrix: { eu: [{ stack: "eu-foundation-aws", domain: "eu", role: "foundation", aws: true, azure: false, gcp: false }], us: [] },
    } as AffectedReport;
    const out = Object.fromEntries(affectedOutputs(report).trim().split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
    expect(JSON.parse(out.eu)).toEqual(report.matrix.eu);
    expect(out.us).toBe("[]");
    expect(out.policy).toBe("false");
    expect(affectedSummary(report)).toContain("| eu-foundation-aws | eu | components/kms/aws.ts (kms adapter for aws) |");
  });
});
