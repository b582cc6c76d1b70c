/**
 * Small CI helpers the workflows call, kept in TypeScript so test/workflows can test them:
 *   tsx .github/scripts/ci.ts plan-summary plan.json        markdown for $GITHUB_STEP_SUMMARY
 *   tsx .github/scripts/ci.ts affected-outputs affected.json  `eu=…`, `us=…`, `policy=…` for $GITHUB_OUTPUT
 *   tsx .github/scripts/ci.ts affected-summary affected.json  markdown for $GITHUB_STEP_SUMMARY
 *   tsx .github/scripts/ci.ts control-plane <domain>          `backend=…`, `backend-kind=…`, `clouds=[…]`,
 *                                                             `organization=…` for $GITHUB_OUTPUT (fleet.yaml domains.<d>)
 *   STACKS='[…]' tsx .github/scripts/ci.ts deploy-outputs <domain>
 *                                                             `mode=…`, `stacks=…`, `aws=…`, `azure=…`, `gcp=…` for the
 *                                                             domain's deploy-on-push job (see deployOutputs)
 *   tsx .github/scripts/ci.ts promotion-stacks <ref> affected.json   `domain=…`, `stacks=[…]` for a push to
 *                                                             deploy/<domain> (promotion.yml; see promotionStacks)
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { AffectedReport } from "../../automation/commands/affected";
import type { PlanReport } from "../../automation/commands/plan";
import { describeReason } from "../../automation/affected";
import { FleetConfigErrors, loadFleet } from "../../automation/fleet";
import { controlPlaneFor, type DomainControlPlane } from "../../automation/fleet/controlPlane";
import { DOMAINS, type Domain } from "../../components/residency/catalogue";
import { controlPlaneAccess, stateAccessGrants } from "../../deployments/credentials";

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

/** Exit-2 input errors: one line naming the file and key, never a stack trace. */
export class CiInputError extends Error {}

/**
 * A domain job's control plane, for $GITHUB_OUTPUT: the backend the job logs in to, its kind,
 * the clouds whose OIDC credentials the job needs for state and secrets whatever its stacks
 * deploy into, and the organization part of stack names. Refuses what CI cannot use: a
 * `file://` backend (on nobody's runner) or a passphrase (no workflow holds a secret).
 */
export function controlPlaneOutputs(domain: Domain, plane: DomainControlPlane, pulumiOrganization = ""): string {
  const access = controlPlaneAccess(plane);
  if (access.backendKind === "local") throw new CiInputError(`stacks/fleet.yaml: domains.${domain}.backend is a local file:// backend; CI needs the domain's object store or Pulumi Cloud`);
  if (access.passphrase) throw new CiInputError(`stacks/fleet.yaml: domains.${domain}.secretsProvider is passphrase; CI needs the domain's KMS key (no workflow holds a passphrase)`);
  if (access.backendKind === "pulumi-cloud" && pulumiOrganization === "") throw new CiInputError(`PULUMI_ORGANIZATION (variable of environment meridian-${domain}) is empty; a Pulumi Cloud backend names stacks <organization>/meridian/<stack>`);
  const lines = [
    `backend=${plane.backend}`,
    `backend-kind=${access.backendKind}`,
    `clouds=${JSON.stringify(access.clouds)}`,
    // DIY backends (object stores) name every stack organization/<project>/<stack>.
    `organization=${access.backendKind === "pulumi-cloud" ? pulumiOrganization : "organization"}`,
  ];
  return `${lines.join("\n")}\n`;
}

/** Markdown for $GITHUB_STEP_SUMMARY: the grants this domain's OIDC role needs on its own state store and key. */
export function controlPlaneSummary(domain: Domain, plane: DomainControlPlane): string {
  const rows = stateAccessGrants(plane).map((g) => `| ${g.cloud} | \`${cell(g.resource)}\` | ${g.actions.join(", ")} |`);
  return [`## Control plane of ${domain}`, "", `Backend \`${cell(plane.backend.replace(/\?.*$/, ""))}\`; the job's OIDC role needs:`, "", "| cloud | resource | grants |", "|---|---|---|", ...rows, ""].join("\n");
}

/** One `fleet affected --json` matrix entry (automation/commands/affected.ts). */
interface StackEntry {
  readonly stack: string;
  readonly domain: string;
  readonly aws?: boolean;
  readonly azure?: boolean;
  readonly gcp?: boolean;
}

/**
 * The deploy-on-push job of a domain (domain.yml `deploy`), for $GITHUB_OUTPUT:
 *   - `mode=deployments` when the domain's backend is its Pulumi Cloud: Pulumi Deployments deploy
 *     the push (webhooks order dependents; docs/deployments.md) and the job does nothing;
 *   - `mode=orchestrator` for an object-store backend: the job runs `fleet up` on the domain's
 *     runners for the affected stacks (the orchestrator orders them by dependency), with OIDC
 *     credentials for the clouds of those stacks, the state store, the key and the evidence store.
 * Every entry must be the domain's (a job never holds another domain's stacks).
 */
export function deployOutputs(domain: Domain, plane: DomainControlPlane, stacksJson: string): string {
  let entries: StackEntry[];
  try {
    entries = JSON.parse(stacksJson) as StackEntry[];
  } catch {
    throw new CiInputError(`deploy-outputs: STACKS is not the JSON matrix of \`fleet affected --json\``);
  }
  if (!Array.isArray(entries)) throw new CiInputError(`deploy-outputs: STACKS is not a JSON array`);
  const foreign = entries.filter((e) => e.domain !== domain).map((e) => e.stack);
  if (foreign.length > 0) throw new CiInputError(`deploy-outputs: stacks of another domain in the ${domain} job: ${foreign.join(", ")}`);
  const access = controlPlaneAccess(plane);
  if (access.backendKind === "local") throw new CiInputError(`stacks/fleet.yaml: domains.${domain}.backend is a local file:// backend; CI needs the domain's object store or Pulumi Cloud`);
  if (access.passphrase) throw new CiInputError(`stacks/fleet.yaml: domains.${domain}.secretsProvider is passphrase; CI needs the domain's KMS key (no workflow holds a passphrase)`);
  const evidenceCloud = ({ "s3:": "aws", "gs:": "gcp", "azblob:": "azure" } as Record<string, string>)[/^[a-z0-9]+:/.exec(plane.evidenceStore)?.[0] ?? ""];
  const needs = (cloud: "aws" | "azure" | "gcp") => entries.some((e) => e[cloud] === true) || access.clouds.includes(cloud) || evidenceCloud === cloud;
  return [
    `mode=${access.backendKind === "pulumi-cloud" ? "deployments" : "orchestrator"}`,
    `stacks=${entries.map((e) => e.stack).join(" ")}`,
    `aws=${needs("aws")}`,
    `azure=${needs("azure")}`,
    `gcp=${needs("gcp")}`,
    "",
  ].join("\n");
}

/**
 * A push to `deploy/<domain>` (the branch the previous domain's canary gate advances): the
 * domain it deploys and that domain's affected stacks. Refused: a ref that is not
 * `refs/heads/deploy/<domain>`, an unknown domain, and the canary domain (first in
 * fleet.yaml `domainOrder`), which deploys from main only.
 */
export function promotionStacks(ref: string, domainOrder: readonly Domain[], report: AffectedReport): string {
  const m = /^(?:refs\/heads\/)?deploy\/([a-z]+)$/.exec(ref);
  if (m === null) throw new CiInputError(`promotion-stacks: "${ref}" is not a deploy/<domain> branch`);
  const domain = m[1] as Domain;
  if (!(DOMAINS as readonly string[]).includes(domain)) throw new CiInputError(`promotion-stacks: deploy/${domain}: domain must be one of ${DOMAINS.join(", ")}`);
  if (domain === domainOrder[0]) throw new CiInputError(`promotion-stacks: deploy/${domain}: ${domain} is the canary domain (stacks/fleet.yaml domainOrder) and deploys from main only`);
  return `domain=${domain}\nstacks=${JSON.stringify(report.matrix[domain] ?? [])}\n`;
}

function domainControlPlane(domain: string): { domain: Domain; plane: DomainControlPlane } {
  if (!(DOMAINS as readonly string[]).includes(domain)) throw new CiInputError(`control-plane: domain must be one of ${DOMAINS.join(", ")}, got "${domain}"`);
  const root = path.resolve(__dirname, "..", "..");
  const fleet = loadFleet(path.join(root, "stacks"));
  return { domain: domain as Domain, plane: controlPlaneFor(fleet.settings.controlPlane, domain as Domain, root) };
}

function main(argv: string[]): number {
  if (argv[0] === "control-plane" || argv[0] === "control-plane-summary") {
    try {
      const { domain, plane } = domainControlPlane(argv[1] ?? "");
      process.stdout.write(argv[0] === "control-plane" ? controlPlaneOutputs(domain, plane, process.env.PULUMI_ORGANIZATION ?? "") : controlPlaneSummary(domain, plane));
      return 0;
    } catch (e) {
      if (!(e instanceof CiInputError || e instanceof FleetConfigErrors)) throw e;
      for (const line of e.message.split("\n")) process.stderr.write(`::error::${line}\n`);
      return 2;
    }
  }
  if (argv[0] === "deploy-outputs" || argv[0] === "promotion-stacks") {
    try {
      if (argv[0] === "deploy-outputs") {
        const { domain, plane } = domainControlPlane(argv[1] ?? "");
        process.stdout.write(deployOutputs(domain, plane, process.env.STACKS ?? "[]"));
      } else {
        const fleet = loadFleet(path.join(path.resolve(__dirname, "..", ".."), "stacks"));
        process.stdout.write(promotionStacks(argv[1] ?? "", fleet.settings.domainOrder, JSON.parse(fs.readFileSync(argv[2] ?? "", "utf8")) as AffectedReport));
      }
      return 0;
    } catch (e) {
      if (!(e instanceof CiInputError || e instanceof FleetConfigErrors)) throw e;
      for (const line of e.message.split("\n")) process.stderr.write(`::error::${line}\n`);
      return 2;
    }
  }
  const [cmd, file] = argv;
  const render: Record<string, (r: never) => string> = { "plan-summary": planSummary, "affected-outputs": affectedOutputs, "affected-summary": affectedSummary };
  if (!cmd || !file || !(cmd in render)) {
    process.stderr.write(`usage: ci.ts ${Object.keys(render).join("|")} <file.json> | control-plane <domain> | control-plane-summary <domain> | deploy-outputs <domain> | promotion-stacks <ref> <affected.json>\n`);
    return 2;
  }
  process.stdout.write(render[cmd](JSON.parse(fs.readFileSync(file, "utf8")) as never));
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
