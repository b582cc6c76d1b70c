/**
 * The human report of a run: a table (stack, domain, status, duration, creates/updates/
 * deletes, violations) and the graph as Mermaid, coloured by status. Written per domain,
 * filtered to that domain, as `<domain>/report.md` (and in its evidence bundle); the
 * run's top-level `report.md` is `fleetReport`, domains and counts only.
 */
import type { RunRecord, RunSummary, StackRecord } from "./record";
import { gatesForDomain, type GateRecord } from "./gates";

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return "-";
  if (ms < 1000) return `${ms}ms`;
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

function violationText(s: StackRecord): string {
  const m = s.violations.filter((v) => v.enforcement === "mandatory").length;
  const a = s.violations.length - m;
  return m + a === 0 ? "0" : `${m} mandatory, ${a} advisory`;
}

/** Stacks in report order: domain order, then ring, then name. */
export function orderedStacks(record: RunRecord, domain?: string): StackRecord[] {
  const order = record.options.domains;
  return Object.values(record.stacks)
    .filter((s) => domain === undefined || s.domain === domain)
    .sort((a, b) => order.indexOf(a.domain) - order.indexOf(b.domain) || a.ring - b.ring || (a.name < b.name ? -1 : 1));
}

/** " after 2 retries (aws-throttling)" — how a stack got to its status, when it took retries. */
export function retriesText(s: StackRecord): string {
  const n = s.retries?.length ?? 0;
  if (n === 0) return "";
  return ` after ${n} ${n === 1 ? "retry" : "retries"} (${[...new Set(s.retries!.map((r) => r.rule))].join(", ")})`;
}

/**
 * One row per stack in execution order (as started; stacks that never started last, in report
 * order). Replaces are shown apart from deletes: a replace deletes and recreates one resource,
 * which a reader weighs differently from a removal.
 */
export function tableRows(stacks: readonly StackRecord[]): string[][] {
  return stacks.map((s) => [
    s.name,
    s.domain,
    s.carriedOver ? `${s.status} (earlier run)` : `${s.status}${retriesText(s)}`,
    formatDuration(s.durationMs),
    String(s.changes?.create ?? "-"),
    String(s.changes?.update ?? "-"),
    String(s.changes?.replace ?? "-"),
    String(s.changes?.delete ?? "-"),
    violationText(s),
  ]);
}

export const TABLE_HEADER = ["stack", "domain", "status", "duration", "creates", "updates", "replaces", "deletes", "violations"];

/** Stacks in the order they started (never-started ones after, in report order). */
export function executionOrder(stacks: readonly StackRecord[]): StackRecord[] {
  const started = stacks.filter((s) => s.startedAt !== undefined && !s.carriedOver).sort((a, b) => (a.startedAt! < b.startedAt! ? -1 : a.startedAt! > b.startedAt! ? 1 : 0));
  return [...started, ...stacks.filter((s) => !started.includes(s))];
}

/** The totals row: summed changes and violations, and the wall-clock span of the stacks that ran. */
export function totalsRow(stacks: readonly StackRecord[]): string[] {
  const sum = (k: "create" | "update" | "replace" | "delete") => String(stacks.reduce((n, s) => n + (s.changes?.[k] ?? 0), 0));
  const mandatory = stacks.reduce((n, s) => n + s.violations.filter((v) => v.enforcement === "mandatory").length, 0);
  const advisory = stacks.reduce((n, s) => n + s.violations.length, 0) - mandatory;
  return [`total (${stacks.length})`, "", "", formatDuration(wallClockMs(stacks)), sum("create"), sum("update"), sum("replace"), sum("delete"), mandatory + advisory === 0 ? "0" : `${mandatory} mandatory, ${advisory} advisory`];
}

/** From the first start to the last finish of the stacks that ran in this run. */
export function wallClockMs(stacks: readonly StackRecord[]): number | undefined {
  const ran = stacks.filter((s) => s.startedAt !== undefined && s.finishedAt !== undefined && !s.carriedOver);
  if (ran.length === 0) return undefined;
  return Math.max(...ran.map((s) => Date.parse(s.finishedAt!))) - Math.min(...ran.map((s) => Date.parse(s.startedAt!)));
}

/** Plain text table for a terminal, in execution order, with a totals row. */
export function textTable(stacks: readonly StackRecord[]): string {
  const rows = [TABLE_HEADER, ...tableRows(executionOrder(stacks)), totalsRow(stacks)];
  const widths = TABLE_HEADER.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()).join("\n");
}

const STATUS_STYLE: Record<string, string> = {
  succeeded: "fill:#d4f7d4,stroke:#2f8f2f",
  failed: "fill:#f7d4d4,stroke:#b22222",
  cancelled: "fill:#f7ecd4,stroke:#b8860b",
  skipped: "fill:#e8e8e8,stroke:#888888,stroke-dasharray:4 2",
  "not-started": "fill:#ffffff,stroke:#888888,stroke-dasharray:4 2",
  running: "fill:#d4e4f7,stroke:#1f5fa8",
};

const nodeId = (name: string): string => `n_${name.replace(/[^A-Za-z0-9_]/g, "_")}`;

/** The graph (dependency → dependent) as a Mermaid flowchart, one subgraph per domain. */
export function mermaidGraph(stacks: readonly StackRecord[], dependsOn: (name: string) => readonly string[]): string {
  const names = new Set(stacks.map((s) => s.name));
  const lines = ["flowchart LR"];
  const domains = [...new Set(stacks.map((s) => s.domain))];
  for (const d of domains) {
    lines.push(`  subgraph ${d}`);
    for (const s of stacks.filter((x) => x.domain === d)) {
      const label = `${s.name}<br/>${s.status}${s.durationMs !== undefined ? ` ${formatDuration(s.durationMs)}` : ""}`;
      lines.push(`    ${nodeId(s.name)}["${label}"]:::${s.status.replace("-", "_")}`);
    }
    lines.push("  end");
  }
  for (const s of stacks) {
    for (const dep of dependsOn(s.name)) if (names.has(dep)) lines.push(`  ${nodeId(dep)} --> ${nodeId(s.name)}`);
  }
  for (const [status, style] of Object.entries(STATUS_STYLE)) lines.push(`  classDef ${status.replace("-", "_")} ${style}`);
  return lines.join("\n");
}

/**
 * The rollout timeline as a Mermaid Gantt chart, from the recorded start and finish times:
 * one section per domain, one bar per stack that ran (failed bars marked `crit`).
 */
export function mermaidTimeline(stacks: readonly StackRecord[]): string | undefined {
  const ran = executionOrder(stacks).filter((s) => s.startedAt !== undefined && s.finishedAt !== undefined && !s.carriedOver);
  if (ran.length === 0) return undefined;
  const t0 = Math.min(...ran.map((s) => Date.parse(s.startedAt!)));
  // Offsets in whole seconds from the run's first start: Mermaid's `X` (unix seconds) axis
  // shows them as durations; a bar is at least one second wide so it stays visible.
  const sec = (iso: string) => Math.round((Date.parse(iso) - t0) / 1000);
  const lines = ["gantt", "  title Rollout timeline (seconds from the first start)", "  dateFormat X", "  axisFormat %M:%S"];
  for (const d of [...new Set(ran.map((s) => s.domain))]) {
    lines.push(`  section ${d}`);
    for (const s of ran.filter((x) => x.domain === d)) {
      const start = sec(s.startedAt!);
      const end = Math.max(start + 1, sec(s.finishedAt!));
      const tag = s.status === "failed" ? "crit, " : s.status === "cancelled" ? "done, " : "";
      lines.push(`    ${s.name} :${tag}${nodeId(s.name)}, ${start}, ${end}`);
    }
  }
  return lines.join("\n");
}

/** The markdown report: heading, summary line, table in execution order with totals, timeline, graph. */
export function markdownReport(record: RunRecord, dependsOn: (name: string) => readonly string[], domain?: string): string {
  const stacks = orderedStacks(record, domain);
  const rows = [...tableRows(executionOrder(stacks)), totalsRow(stacks).map((c, i) => (i === 0 ? `**${c}**` : c))];
  const md = [
    `# fleet ${record.command} — run ${record.runId}${domain ? ` (domain ${domain})` : ""}`,
    "",
    `Status: **${record.status}** · started ${record.startedAt} · finished ${record.finishedAt ?? "-"} · took ${formatDuration(record.finishedAt ? Date.parse(record.finishedAt) - Date.parse(record.startedAt) : undefined)} · strategy ${record.options.strategy}, parallel ${record.options.parallel}${record.resumedFrom ? ` · resumes ${record.resumedFrom}` : ""}`,
    "",
    `| ${TABLE_HEADER.join(" | ")} |`,
    `|${TABLE_HEADER.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
    "",
  ];
  const errors = stacks.filter((s) => s.error !== undefined);
  if (errors.length > 0) {
    md.push("## Errors", "");
    for (const s of errors) md.push(`- **${s.name}**: ${s.error!.split("\n")[0]}`);
    md.push("");
  }
  const violations = stacks.flatMap((s) => s.violations.map((v) => ({ stack: s.name, ...v })));
  if (violations.length > 0) {
    md.push("## Policy violations", "", "| stack | policy | enforcement | message |", "|---|---|---|---|");
    for (const v of violations) md.push(`| ${v.stack} | ${v.policyPack}/${v.policy} | ${v.enforcement} | ${v.message.replace(/\|/g, "\\|").replace(/\n/g, " ")} |`);
    md.push("");
  }
  const gates = domain === undefined ? record.gates : gatesForDomain(record.gates, domain);
  if (gates !== undefined && gates.length > 0) md.push(...gatesSection(gates));
  const timeline = mermaidTimeline(stacks);
  if (timeline !== undefined) md.push("## Timeline", "", "```mermaid", timeline, "```", "");
  md.push("## Graph", "", "```mermaid", mermaidGraph(stacks, dependsOn), "```", "");
  return md.join("\n");
}

/** "## Gates": one row per gate (soak, checks, approval, verdict). */
export function gatesSection(gates: readonly GateRecord[]): string[] {
  const cell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const md = ["## Gates", "", "| gate | checks | soak | checks run | approval | status |", "|---|---|---|---|---|---|"];
  for (const g of gates) {
    const checks = g.checks.length === 0 ? (g.domain === g.next || g.kind === "ring" ? "none configured" : "-") : g.checks.map((c) => `${c.name} (${c.kind}) ${c.ok ? "ok" : "FAILED"}: ${c.detail}`).join("; ");
    const approval = g.approval === undefined ? "not required" : g.approval.by === undefined ? "awaited" : `by ${g.approval.by}${g.approval.at ? ` at ${g.approval.at}` : ""}`;
    md.push(`| ${g.id} | ${g.domain} | ${g.soakSeconds}s | ${cell(checks)} | ${approval} | ${g.status}${g.reason ? ` — ${cell(g.reason)}` : ""} |`);
  }
  md.push("");
  return md;
}

/**
 * The fleet-level report (`<run>/report.md`): per domain its status and counts, and where
 * its own report is. No stack name, so it can sit above the domains' folders.
 */
export function fleetReport(summary: RunSummary): string {
  const statuses = ["succeeded", "failed", "cancelled", "skipped", "not-started", "running"] as const;
  const md = [
    `# fleet ${summary.command} — run ${summary.runId}`,
    "",
    `Status: **${summary.status}** · started ${summary.startedAt} · finished ${summary.finishedAt ?? "-"} · strategy ${summary.options.strategy}, parallel ${summary.options.parallel}${summary.resumedFrom ? ` · resumes ${summary.resumedFrom}` : ""}`,
    "",
    `| domain | status | stacks | ${statuses.join(" | ")} | report |`,
    `|${["domain", "status", "stacks", ...statuses, "report"].map(() => "---").join("|")}|`,
    ...summary.options.domains.map((d) => {
      const s = summary.domains[d];
      return `| ${d} | ${s.status} | ${s.stacks} | ${statuses.map((k) => s.counts[k]).join(" | ")} | [${d}/report.md](${d}/report.md) |`;
    }),
    "",
  ];
  return md.join("\n");
}
