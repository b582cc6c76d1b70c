/**
 * Run the corpus: each program under test/corpus/programs/ through the offline plan
 * (`planProgram`, the stack config from its expected.json) and the policy pack, as a stack
 * of its domain, and score the pack's mandatory violations against the problems an expert
 * listed for it.
 *
 *   npx tsx test/corpus/run.ts            a table and the totals
 *   npx tsx test/corpus/run.ts --json     one JSON object (what corpus.test.ts reads)
 *
 * Scoring:
 *   - a problem is found when a mandatory violation names one of its resources (and its
 *     type, when given) with one of its policies;
 *   - a false positive is a mandatory violation that matches no listed problem;
 *   - a crash is a stack that failed to plan, or a policy that threw ("policy failed to
 *     evaluate").
 * Advisory lines ("cannot verify") are counted and shown, never scored as found.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { evaluateStack, type PackConfig, type PolicyViolation } from "../../policy-pack/evaluate";
import { loadFleet } from "../../automation/fleet";
import { planProgram } from "../../automation/plan/planStack";
import { runProgramModule } from "../../automation/plan/programFile";

export const CORPUS = path.join(__dirname, "programs");

export interface Problem {
  resource: string | string[];
  type?: string;
  policies: string[];
  concern: string;
  why: string;
}

export interface Expected {
  origin: { repository: string; path: string; commit: string } | { tenant: string };
  stack: { domain: "eu" | "us"; config: Record<string, string> };
  problems: Problem[];
}

export interface ProgramScore {
  program: string;
  domain: string;
  resources: number;
  problems: number;
  found: number;
  missed: Array<{ resource: string; policies: string[]; why: string }>;
  falsePositives: Array<{ policy: string; resource: string; message: string }>;
  advisory: number;
  crash?: string;
}

/** Image prefixes of each domain's registries, as a tenant stack's pack config would list them. */
const REGISTRIES: PackConfig["registries"] = {
  eu: ["123456789012.dkr.ecr.eu-central-1.amazonaws.com/", "europe-west1-docker.pkg.dev/payments-eu-prod/", "meridianeu.azurecr.io/"],
  us: ["123456789012.dkr.ecr.us-east-1.amazonaws.com/", "us-east1-docker.pkg.dev/payments-us-prod/", "meridianus.azurecr.io/"],
};

const nameOf = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);
const typeOf = (urn: string) => urn.split("::")[2].split("$").pop()!;

function matches(p: Problem, v: PolicyViolation): boolean {
  if (v.urn === undefined) return false;
  const names = Array.isArray(p.resource) ? p.resource : [p.resource];
  return names.includes(nameOf(v.urn)) && (p.type === undefined || p.type === typeOf(v.urn)) && p.policies.includes(v.policy);
}

export async function scoreProgram(program: string): Promise<ProgramScore> {
  const dir = path.join(CORPUS, program);
  const expected = JSON.parse(fs.readFileSync(path.join(dir, "expected.json"), "utf8")) as Expected;
  const stack = `${expected.stack.domain}-corpus-${program}`;
  const plan = await planProgram({
    project: program,
    stack,
    config: expected.stack.config,
    program: () => runProgramModule(path.join(dir, "index.ts")),
    timeoutSeconds: 120,
  });
  const score: ProgramScore = { program, domain: expected.stack.domain, resources: plan.resources.filter((r) => r.custom).length, problems: expected.problems.length, found: 0, missed: [], falsePositives: [], advisory: 0 };
  if (plan.status !== "planned") {
    return { ...score, missed: expected.problems.map((p) => ({ resource: String(p.resource), policies: p.policies, why: p.why })), crash: `plan: ${plan.error}` };
  }
  const fleet = loadFleet(path.resolve(__dirname, "../../stacks"));
  const config: PackConfig = { domain: expected.stack.domain, regions: fleet.settings.regions as PackConfig["regions"], registries: REGISTRIES, stackDomains: {} };
  const violations = evaluateStack(stack, [...plan.resources], config);
  const crashed = violations.find((v) => v.message.startsWith("policy failed to evaluate"));
  const mandatory = violations.filter((v) => v.level === "mandatory" && !v.message.startsWith("policy failed to evaluate"));
  score.advisory = violations.filter((v) => v.level === "advisory").length;
  for (const p of expected.problems) {
    if (mandatory.some((v) => matches(p, v))) score.found++;
    else score.missed.push({ resource: String(p.resource), policies: p.policies, why: p.why });
  }
  score.falsePositives = mandatory
    .filter((v) => !expected.problems.some((p) => matches(p, v)))
    .map((v) => ({ policy: v.policy, resource: v.urn ? nameOf(v.urn) : "(stack)", message: v.message }));
  if (crashed) score.crash = `${crashed.policy}: ${crashed.message}`;
  return score;
}

export interface CorpusResult {
  programs: ProgramScore[];
  problems: number;
  found: number;
  recall: number;
  falsePositives: number;
  crashes: number;
}

export async function runCorpus(): Promise<CorpusResult> {
  const programs: ProgramScore[] = [];
  for (const p of fs.readdirSync(CORPUS).sort()) {
    if (fs.existsSync(path.join(CORPUS, p, "expected.json"))) programs.push(await scoreProgram(p));
  }
  const problems = programs.reduce((n, p) => n + p.problems, 0);
  const found = programs.reduce((n, p) => n + p.found, 0);
  return {
    programs,
    problems,
    found,
    recall: problems === 0 ? 1 : found / problems,
    falsePositives: programs.reduce((n, p) => n + p.falsePositives.length, 0),
    crashes: programs.filter((p) => p.crash !== undefined).length,
  };
}

export function renderTable(r: CorpusResult): string {
  const header = ["PROGRAM", "DOMAIN", "RESOURCES", "PROBLEMS", "FOUND", "FALSE+", "ADVISORY", "CRASH"];
  const rows = r.programs.map((p) => [p.program, p.domain, String(p.resources), String(p.problems), String(p.found), String(p.falsePositives.length), String(p.advisory), p.crash ? "yes" : ""]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((x) => x[i].length)));
  const fmt = (x: string[]) => x.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  const lines = [fmt(header), ...rows.map(fmt), "", `recall ${r.found}/${r.problems} = ${r.recall.toFixed(3)}, false positives ${r.falsePositives}, crashes ${r.crashes}`];
  for (const p of r.programs) {
    for (const m of p.missed) lines.push(`  missed  ${p.program}: ${m.resource} [${m.policies.join(" | ")}] ${m.why}`);
    for (const f of p.falsePositives) lines.push(`  false+  ${p.program}: ${f.resource} ${f.policy}: ${f.message}`);
    if (p.crash) lines.push(`  crash   ${p.program}: ${p.crash}`);
  }
  return lines.join("\n");
}

if (require.main === module) {
  Error.stackTraceLimit = 0;
  runCorpus().then(
    (r) => {
      process.stdout.write(process.argv.includes("--json") ? `${JSON.stringify(r)}\n` : `${renderTable(r)}\n`);
      process.exit(0);
    },
    (e: unknown) => {
      process.stderr.write(`corpus: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
