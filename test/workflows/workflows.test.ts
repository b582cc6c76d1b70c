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
import { CiInputError, affectedOutputs, affectedSummary, controlPlaneOutputs, controlPlaneSummary, deployOutputs, planSummary, promotionStacks } from "../../.github/scripts/ci";
import { DOMAINS } from "../../components/residency/catalogue";
import type { AffectedReport } from "../../automation/commands/affected";
import type { PlanReport } from "../../automation/commands/plan";

const ROOT = path.resolve(__dirname, "..", "..");
const WF = path.join(ROOT, ".github", "workflows");
const ACTIONLINT = path.join(ROOT, ".tools", "bin", "actionlint");

type Step = { id?: string; name?: string; uses?: string; run?: string; if?: string; with?: Record<string, unknown>; env?: Record<string, string> };
type Job = { uses?: string; with?: Record<string, unknown>; needs?: string | string[]; if?: string; "runs-on"?: string | string[]; environment?: string; permissions?: Record<string, string>; steps?: Step[]; strategy?: { matrix?: Record<string, unknown> } };
type Workflow = { on: Record<string, unknown> & { workflow_call?: { inputs: Record<string, { default?: unknown }> } }; permissions?: Record<string, string>; jobs: Record<string, Job> };

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
  it("has the five workflows", () => {
    expect(files).toEqual(["checks.yml", "domain.yml", "main.yml", "promotion.yml", "pull-request.yml"]);
  });

  it("never uses static keys or secrets: OIDC only", () => {
    for (const f of files) {
      expect([f, text(f).match(/secrets\.[A-Za-z_]+/g)]).toEqual([f, null]);
      for (const key of ["aws-access-key-id", "aws-secret-access-key", "client-secret", "creds:", "credentials_json", "PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE"]) {
        expect([f, key, text(f).includes(key)]).toEqual([f, key, false]);
      }
    }
  });

  it("grants least privilege: contents read at the top, id-token write only where a cloud is reached, contents write only for the canary gate", () => {
    // The gate pushes the promotion branch deploy/<next domain>: domain.yml `promote`, and main.yml's caller of it.
    const gate = new Set(["domain.yml promote", "main.yml eu"]);
    for (const f of files) {
      const w = wf(f);
      expect([f, w.permissions]).toEqual([f, { contents: "read" }]);
      for (const [name, job] of Object.entries(w.jobs)) {
        if (job.permissions?.contents === "write") expect([f, name, gate.has(`${f} ${name}`)]).toEqual([f, name, true]);
        if (job.permissions?.["id-token"] === "write") {
          expect([f, name, job.permissions]).toEqual([f, name, { "id-token": "write", contents: gate.has(`${f} ${name}`) ? "write" : "read" }]);
          const reachesCloud = job.uses === "./.github/workflows/domain.yml" || (job.steps ?? []).some((s) => /^(pulumi\/auth-actions|aws-actions\/configure-aws-credentials|azure\/login|google-github-actions\/auth)@/.test(s.uses ?? ""));
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

  it("authenticates to each cloud by OIDC, for stacks on that cloud and for the domain's state backend / key on it", () => {
    const steps = wf("domain.yml").jobs.preview.steps!;
    const by = (prefix: string) => steps.find((s) => s.uses?.startsWith(prefix))!;
    const needs = (c: string) => `matrix.${c} || contains(fromJSON(steps.control-plane.outputs.clouds), '${c}')`;
    expect(by("aws-actions/configure-aws-credentials")).toMatchObject({ if: needs("aws"), with: { "role-to-assume": "${{ vars.AWS_ROLE_ARN }}" } });
    expect(by("azure/login")).toMatchObject({ if: needs("azure"), with: { "client-id": "${{ vars.AZURE_CLIENT_ID }}", "tenant-id": "${{ vars.AZURE_TENANT_ID }}", "subscription-id": "${{ vars.AZURE_SUBSCRIPTION_ID }}" } });
    expect(Object.keys(by("azure/login").with!).sort()).toEqual(["client-id", "subscription-id", "tenant-id"]);
    expect(by("google-github-actions/auth")).toMatchObject({ if: needs("gcp"), with: { workload_identity_provider: "${{ vars.GCP_WORKLOAD_IDENTITY_PROVIDER }}", service_account: "${{ vars.GCP_SERVICE_ACCOUNT }}" } });
    expect(by("pulumi/auth-actions")).toMatchObject({ if: "steps.control-plane.outputs.backend-kind == 'pulumi-cloud'", with: { "requested-token-type": "urn:pulumi:token-type:access_token:organization", "cloud-url": "${{ steps.control-plane.outputs.backend }}" } });
    // The control plane is read before any credential step, for the job's own domain.
    const cp = steps.findIndex((s) => s.id === "control-plane");
    expect(steps[cp].run).toContain('npx tsx .github/scripts/ci.ts control-plane "$DOMAIN" >> "$GITHUB_OUTPUT"');
    expect(steps[cp].env!.DOMAIN).toBe("${{ inputs.domain }}");
    expect(cp).toBeLessThan(steps.findIndex((s) => s.uses?.startsWith("aws-actions/")));
  });

  it("previews against the domain's own backend, with the stack's secrets provider reachable (no passphrase)", () => {
    const preview = wf("domain.yml").jobs.preview.steps!.find((s) => s.uses?.startsWith("pulumi/actions"))!;
    expect(preview.with).toMatchObject({ "cloud-url": "${{ steps.control-plane.outputs.backend }}", "stack-name": "${{ steps.control-plane.outputs.organization }}/meridian/${{ matrix.stack }}" });
    // The backend is fleet.yaml's, not a CI variable (publish-policy alone talks to the org's Pulumi Cloud).
    const job = JSON.stringify(wf("domain.yml").jobs.preview);
    expect([job.includes("PULUMI_CONFIG_PASSPHRASE"), job.includes("vars.PULUMI_CLOUD_URL")]).toEqual([false, false]);
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

  describe("runners pinned to the domain", () => {
    const runnersExpr = "${{ fromJSON(inputs.runners)[inputs.domain] }}";
    const map = JSON.parse(String(wf("domain.yml").on.workflow_call!.inputs.runners.default)) as Record<string, string[]>;

    it("defines each domain's runner labels in ONE place: domain.yml's `runners` input default", () => {
      expect(Object.keys(map).sort()).toEqual([...DOMAINS].sort());
      for (const d of DOMAINS) {
        expect(map[d]).toEqual(["self-hosted", `meridian-${d}`]);
        for (const o of DOMAINS.filter((x) => x !== d)) expect(map[d].join(" ")).not.toContain(o);
      }
      for (const f of files) {
        const labels = text(f).match(/meridian-(eu|us)"/g) ?? [];
        expect([f, labels.length]).toEqual([f, f === "domain.yml" ? DOMAINS.length : 0]);
        for (const j of Object.values(wf(f).jobs)) expect([f, j.with?.runners]).toEqual([f, undefined]);
      }
    });

    it("runs every job that touches a domain on that domain's runners; every other job holds no domain credential", () => {
      for (const [name, job] of Object.entries(wf("domain.yml").jobs)) expect([name, job["runs-on"]]).toEqual([name, runnersExpr]);
      for (const f of files.filter((x) => x !== "domain.yml")) {
        for (const [name, job] of Object.entries(wf(f).jobs)) {
          if (job.uses !== undefined) continue;
          expect([f, name, job["runs-on"], job.environment, job.permissions?.["id-token"]]).toEqual([f, name, "ubuntu-latest", undefined, undefined]);
        }
      }
    });

    it("never mixes domains in a job: one domain per caller, only that domain's stacks, no domain-named variable", () => {
      for (const f of ["pull-request.yml", "main.yml"]) {
        for (const [name, j] of Object.entries(wf(f).jobs).filter(([, x]) => x.uses === "./.github/workflows/domain.yml")) {
          const d = String(j.with!.domain);
          expect([f, name, JSON.stringify(j.with).match(/outputs\.(eu|us)\b/g)]).toEqual([f, name, [`outputs.${d}`]]);
        }
      }
      // Every vars name resolves in the job's own environment; none may name a domain.
      for (const f of files) for (const m of text(f).matchAll(/vars\.([A-Za-z0-9_]+)/g)) expect([f, m[1], /(^|_)(EU|US)(_|$)/i.test(m[1])]).toEqual([f, m[1], false]);
    });
  });

  describe("the canary gate (main only)", () => {
    it("is run by the canary domain's job on main, promoting to the next domain", () => {
      const callers = Object.entries(wf("main.yml").jobs).filter(([, j]) => j.uses === "./.github/workflows/domain.yml");
      expect(callers.map(([n, j]) => [n, j.with!["promote-to"]])).toEqual([["eu", "us"], ["us", undefined]]);
      expect(wf("main.yml").jobs.eu.if).toContain("needs.affected.outputs.us != '[]'");
      expect(text("pull-request.yml")).not.toContain("promote-to");
    });

    it("waits for this domain's deployments of the commit, then pushes only the commit to deploy/<next>", () => {
      const promote = wf("domain.yml").jobs.promote;
      expect(promote.if).toBe("inputs.promote-to != '' && !cancelled() && needs.preview.result != 'failure' && needs.deploy.result != 'failure'");
      // The gate runs after this domain's own deploy job (the orchestrator's, for an object-store domain).
      expect(promote.needs).toEqual(["preview", "deploy"]);
      expect(promote.environment).toBe("meridian-${{ inputs.domain }}");
      const run = promote.steps!.at(-1)!.run!.trim().split("\n");
      expect(run[1]).toBe('npx tsx deployments/promote.ts --from "$FROM" --commit "$SHA" --base "$base" --organization "$ORG"');
      expect(run[2]).toBe('git push origin "$SHA:refs/heads/deploy/$TO"');
      // No credential step of any cloud: the gate reads this domain's Pulumi Cloud and pushes a ref.
      expect(promote.steps!.filter((s) => /configure-aws|azure\/login|google-github-actions/.test(s.uses ?? ""))).toEqual([]);
    });
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
      for (const m of text(f).matchAll(/(\.github\/scripts\/[\w.-]+|deployments\/[\w.-]+\.ts|tools\/actionlint\/go\.(?:mod|sum)|\.nvmrc)/g)) {
        expect([f, m[1], fs.existsSync(path.join(ROOT, m[1]))]).toEqual([f, m[1], true]);
      }
    }
  });
});

describe(".github/scripts/ci.ts", () => {
  const plan: PlanReport = {
    stacks: [
      { name: "eu-pki", domain: "eu", role: "pki", cloud: null, region: null, dependsOn: [], wave: 0, ring: 0, step: 0, resources: 12, status: "planned" },
      { name: "eu-mgmt", domain: "eu", role: "management", cloud: "aws", region: "eu-central-1", dependsOn: ["eu-pki"], wave: 1, ring: 0, step: 1, resources: 0, status: "failed", error: "boom | bang" },
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
      base: "origin/main", head: "HEAD", mergeBase: "0123456789abcdef", files: ["components/kms/aws.ts"], uncommitted: [], workingTree: false, removed: [], unmapped: [], policyPackChanged: false,
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

describe(".github/scripts/ci.ts control-plane", () => {
  const eu = { backend: "s3://meridian-state-eu?region=eu-central-1", secretsProvider: "awskms://alias/meridian-state-eu?region=eu-central-1", evidenceStore: "s3://meridian-evidence-eu?region=eu-central-1" };
  const outputs = (s: string) => Object.fromEntries(s.trim().split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));

  it("gives an object-store domain its backend, the clouds of its store and key, and DIY stack names", () => {
    expect(outputs(controlPlaneOutputs("eu", eu))).toEqual({ backend: eu.backend, "backend-kind": "object-store", clouds: '["aws"]', organization: "organization" });
    const gcp = { backend: "https://pulumi.eu.example.com", secretsProvider: "gcpkms://projects/p/locations/europe-west3/keyRings/r/cryptoKeys/k", evidenceStore: "gs://e" };
    expect(outputs(controlPlaneOutputs("eu", gcp, "meridian-eu"))).toEqual({ backend: gcp.backend, "backend-kind": "pulumi-cloud", clouds: '["gcp"]', organization: "meridian-eu" });
  });

  it("refuses what CI cannot use, naming fleet.yaml and the key: a file:// backend, a passphrase, a Pulumi Cloud without organization", () => {
    expect(() => controlPlaneOutputs("eu", { ...eu, backend: "file:///x" })).toThrow(new CiInputError("stacks/fleet.yaml: domains.eu.backend is a local file:// backend; CI needs the domain's object store or Pulumi Cloud"));
    expect(() => controlPlaneOutputs("us", { ...eu, secretsProvider: "passphrase" })).toThrow(/^stacks\/fleet\.yaml: domains\.us\.secretsProvider is passphrase/);
    expect(() => controlPlaneOutputs("eu", { ...eu, backend: "https://pulumi.eu.example.com" })).toThrow(/PULUMI_ORGANIZATION \(variable of environment meridian-eu\) is empty/);
  });

  it("lists the grants the domain's OIDC role needs on its own store and key only", () => {
    const md = controlPlaneSummary("eu", eu);
    expect(md).toContain("| aws | `meridian-state-eu` | s3:ListBucket, s3:GetObject, s3:PutObject, s3:DeleteObject |");
    expect(md).toContain("| aws | `alias/meridian-state-eu` | kms:Encrypt, kms:Decrypt, kms:GenerateDataKey, kms:DescribeKey |");
    expect(md).not.toMatch(/-us\b|us-east/);
  });

  it("gives CI the reference fleet's own object-store control plane of each domain (through the real script)", () => {
    for (const d of ["eu", "us"]) {
      const r = spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, ".github", "scripts", "ci.ts"), "control-plane", d], { cwd: ROOT, encoding: "utf8" });
      expect([d, r.status, r.stderr]).toEqual([d, 0, ""]);
      expect(outputs(r.stdout)).toMatchObject({ "backend-kind": "object-store", organization: "organization" });
      expect(outputs(r.stdout).backend).toMatch(new RegExp(`^s3://meridian-state-${d}\\?`));
    }
  });

  it("exits 2 with one ::error:: line for a domain that is not one", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, ".github", "scripts", "ci.ts"), "control-plane", "uk"], { cwd: ROOT, encoding: "utf8" });
    expect([r.status, r.stderr.trim().split("\n").length]).toEqual([2, 1]);
    expect(r.stderr).toMatch(/^::error::control-plane: domain must be one of eu, us/);
  });
});

describe("deploy on push: the orchestrator for an object-store domain, Pulumi Deployments for a Pulumi Cloud one", () => {
  const deploy = () => wf("domain.yml").jobs.deploy;
  const eu = { backend: "s3://meridian-state-eu?region=eu-central-1", secretsProvider: "awskms://alias/meridian-state-eu?region=eu-central-1", evidenceStore: "gs://meridian-evidence-eu" };
  const outputs = (s: string) => Object.fromEntries(s.trim().split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
  const entry = (stack: string, domain: string, cloud: "aws" | "azure" | "gcp") => ({ stack, domain, role: "foundation", aws: cloud === "aws", azure: cloud === "azure", gcp: cloud === "gcp" });

  it("deploys only after every preview of the domain passed, on the domain's runners and environment", () => {
    const job = deploy();
    expect(job.needs).toBe("preview");
    expect(job.if).toBe("inputs.deploy && inputs.stacks != '[]' && !cancelled() && needs.preview.result == 'success'");
    expect(job["runs-on"]).toBe("${{ fromJSON(inputs.runners)[inputs.domain] }}");
    expect(job.environment).toBe("meridian-${{ inputs.domain }}");
    expect(job.permissions).toEqual({ "id-token": "write", contents: "read" });
  });

  it("runs `fleet up` for this domain's affected stacks only (the orchestrator orders them), and uploads nothing to GitHub", () => {
    const steps = deploy().steps!;
    const up = steps.find((s) => s.run?.includes("fleet -- up"))!;
    expect(up.run!.trim()).toBe('npm run -s fleet -- up --yes --domains "$DOMAIN" --stack $STACKS');
    expect(up.if).toBe("steps.deploy.outputs.mode == 'orchestrator'");
    expect(up.env).toMatchObject({ DOMAIN: "${{ inputs.domain }}", STACKS: "${{ steps.deploy.outputs.stacks }}" });
    // Evidence goes to the domain's evidence store; GitHub's artifact storage is outside the domain.
    expect(steps.filter((s) => /upload-artifact|cache@/.test(s.uses ?? ""))).toEqual([]);
    // Credentials only for what deploy-outputs says the stacks and the control plane need.
    for (const s of steps.filter((x) => /configure-aws|azure\/login|google-github-actions/.test(x.uses ?? ""))) expect(s.if).toMatch(/^steps\.deploy\.outputs\.mode == 'orchestrator' && steps\.deploy\.outputs\.(aws|azure|gcp) == 'true'$/);
  });

  it("main deploys the canary domain (EU) and only previews US, which deploys from deploy/us after the gate", () => {
    const jobs = wf("main.yml").jobs;
    expect(jobs.eu.with).toMatchObject({ domain: "eu", deploy: true, "promote-to": "us" });
    expect(jobs.us.with!.deploy).toBeUndefined();
    const promotion = wf("promotion.yml");
    expect(promotion.on).toEqual({ push: { branches: ["deploy/*"] } });
    expect(promotion.jobs.deploy.uses).toBe("./.github/workflows/domain.yml");
    expect(promotion.jobs.deploy.with).toEqual({ domain: "${{ needs.affected.outputs.domain }}", stacks: "${{ needs.affected.outputs.stacks }}", deploy: true });
    // The affected job holds no credential (it reads the repository only).
    expect(promotion.jobs.affected.permissions).toBeUndefined();
    expect((promotion.jobs.affected.steps ?? []).filter((s) => /configure-aws|azure\/login|google-github-actions|auth-actions/.test(s.uses ?? ""))).toEqual([]);
  });

  it("deploy-outputs: the orchestrator for an object store, with the clouds of the stacks, the state store, the key and the evidence store", () => {
    const stacks = JSON.stringify([entry("eu-foundation-azure", "eu", "azure"), entry("eu-workload-azure", "eu", "azure")]);
    expect(outputs(deployOutputs("eu", eu, stacks))).toEqual({ mode: "orchestrator", stacks: "eu-foundation-azure eu-workload-azure", aws: "true", azure: "true", gcp: "true" });
    expect(outputs(deployOutputs("eu", { ...eu, evidenceStore: "s3://meridian-evidence-eu?region=eu-central-1" }, "[]"))).toMatchObject({ aws: "true", azure: "false", gcp: "false" });
  });

  it("deploy-outputs: nothing to run for a domain on its own Pulumi Cloud (Pulumi Deployments deploy it)", () => {
    expect(outputs(deployOutputs("eu", { ...eu, backend: "https://pulumi.eu.example.com" }, JSON.stringify([entry("eu-pki", "eu", "aws")]))).mode).toBe("deployments");
  });

  it("deploy-outputs refuses another domain's stack, a local backend, a passphrase and a malformed matrix", () => {
    expect(() => deployOutputs("eu", eu, JSON.stringify([entry("us-pki", "us", "aws")]))).toThrow(new CiInputError("deploy-outputs: stacks of another domain in the eu job: us-pki"));
    expect(() => deployOutputs("eu", { ...eu, backend: "file:///x" }, "[]")).toThrow(/domains\.eu\.backend is a local file:\/\/ backend/);
    expect(() => deployOutputs("eu", { ...eu, secretsProvider: "passphrase" }, "[]")).toThrow(/domains\.eu\.secretsProvider is passphrase/);
    expect(() => deployOutputs("eu", eu, "{not json")).toThrow(/STACKS is not the JSON matrix/);
    expect(() => deployOutputs("eu", eu, "{}")).toThrow(/STACKS is not a JSON array/);
  });

  it("promotion-stacks: deploy/<domain> gives that domain's matrix; the canary domain, unknown domains and other refs are refused", () => {
    const report = { matrix: { eu: [entry("eu-pki", "eu", "aws")], us: [entry("us-pki", "us", "aws")] } } as unknown as Parameters<typeof promotionStacks>[2];
    expect(outputs(promotionStacks("refs/heads/deploy/us", ["eu", "us"], report))).toEqual({ domain: "us", stacks: JSON.stringify(report.matrix.us) });
    expect(() => promotionStacks("refs/heads/deploy/eu", ["eu", "us"], report)).toThrow(/eu is the canary domain .* deploys from main only/);
    expect(() => promotionStacks("refs/heads/deploy/uk", ["eu", "us"], report)).toThrow(/domain must be one of eu, us/);
    expect(() => promotionStacks("refs/heads/main", ["eu", "us"], report)).toThrow(/is not a deploy\/<domain> branch/);
  });
});
