/**
 * Small CI helpers the workflows call, kept in TypeScript so test/workflows can test them:
 *   tsx .github/scripts/ci.ts plan-summary plan.json        markdown for $GITHUB_STEP_SUMMARY
 *   tsx .github/scripts/ci.ts affected-outputs affected.json  `eu=…`, `us=…`, `policy=…` for $GITHUB_OUTPUT
 *   tsx .github/scripts/ci.ts affected-summary affected.json  markdown for $GITHUB_STEP_SUMMARY
 */
import * as fs from "node:fs";
import type { AffectedReport } from "../../automation/commands/affected";
import type { PlanReport } from "../../automation/commands/plan";
import { describeReason } from "../../automation/affected";
import { DOMAINS } from "../../components/residency/catalogue";

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function planSummary(report: PlanReport): string {
  const mandatory = report.violations.filter((v) => v.level === "mandatory");
  const advisory = report.violations.filter((v) => v.level === "advisory");
  const failed = report.stacks.filter((s) => s.status === "failed");
  const verdict = mandatory.length === 0 && failed.length === 0 ? "✅ passed" : "❌ failed";
  const lines = [
    `## Fleet plan ${verdict}`,
    "",
    `${report.stacks.length} stacks, ${report.stacks.reduce((n, s) => n + s.resources, 0)} resources, ${mandatory.length} mandatory and ${advisory.length} advisory violations, ${failed.length} failed stacks.`,
    "",
    "| stack | domain | role | cloud | region | wave | resources | status |",
    "|---|---|---|---|---|---|---|---|",
    ...report.stacks.map((s) => `| ${[s.name, s.domain, s.role, s.cloud ?? "-", s.region ?? "-", String(s.wave), String(s.resources), s.status].map(cell).join(" | ")} |`),
  ];
  if (failed.length > 0) lines.push("", "### Failed stacks", "", ...failed.map((s) => `- \`${s.name}\`: ${cell(s.error ?? "")}`));
  if (report.violations.length > 0) {
    lines.push("", "### Violations", "", "| level | stack | policy | message |", "|---|---|---|---|");
    for (const v of [...mandatory, ...advisory]) lines.push(`| ${v.level} | ${cell(v.stack)} | ${cell(v.policy)} | ${cell(v.message)} |`);
  }
  return `${lines.join("\n")}\n`;
}

export function affectedOutputs(report: AffectedReport): string {
  const lines = DOMAINS.map((d) => `${d}=${JSON.stringify(report.matrix[d] ?? [])}`);
  lines.push(`policy=${report.policyPackChanged}`);
  return `${lines.join("\n")}\n`;
}

export function affectedSummary(report: AffectedReport): string {
  const lines = [`## Affected stacks: ${report.stacks.length}`, "", `Changes \`${report.mergeBase.slice(0, 12)}..${report.head}\` (${report.files.length} files).`, ""];
  if (report.stacks.length > 0) {
    lines.push("| stack | domain | why |", "|---|---|---|");
    for (const s of report.stacks) lines.push(`| ${s.name} | ${s.domain} | ${cell(s.reasons.map(describeReason).join("; "))} |`);
  }
  if (report.removed.length > 0) lines.push("", `Deleted stack configs (destroy with the orchestrator): ${report.removed.join(", ")}`);
  if (report.unmapped.length > 0) lines.push("", `Unmapped paths (every stack): ${report.unmapped.join(", ")}`);
  if (report.policyPackChanged) lines.push("", "policy-pack/ changed: main publishes the pack.");
  return `${lines.join("\n")}\n`;
}

function main(argv: string[]): number {
  const [cmd, file] = argv;
  const render: Record<string, (r: never) => string> = { "plan-summary": planSummary, "affected-outputs": affectedOutputs, "affected-summary": affectedSummary };
  if (!cmd || !file || !(cmd in render)) {
    process.stderr.write(`usage: ci.ts ${Object.keys(render).join("|")} <file.json>\n`);
    return 2;
  }
  process.stdout.write(render[cmd](JSON.parse(fs.readFileSync(file, "utf8")) as never));
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
