/**
 * A walk over the GENERATED Deployments resources (what the mock cloud recorded): push
 * triggers (`DeploymentSettings.vcs.paths` on a branch), deployment webhooks (`Webhook` with
 * format `pulumi_deployments`, filter `update_succeeded`, payload `<project>/<stack>` in the
 * same organization) and the canary gate's promotion (deployments/promote.ts `promotionDecision`).
 * Every deployment takes one time unit; a stack runs one deployment at a time and keeps one
 * queued trigger (skipIntermediateDeployments), as Pulumi Deployments does per stack.
 * Nothing here knows the expected order: it only follows the settings.
 */
import { matchGlob } from "../../automation/affected";
import type { MockRecord } from "../../automation/plan/mock-cloud";

export interface Run {
  readonly org: string;
  readonly stack: string;
  readonly start: number;
  readonly end: number;
  /** What started it: `push <branch>` or `webhook <upstream>`. */
  readonly cause: string;
}

interface Settings {
  organization: string;
  stack: string;
  sourceContext: { git: { branch: string } };
  vcs: { deployCommits: boolean; paths: string[] };
}
interface Hook {
  organizationName: string;
  projectName: string;
  stackName: string;
  format: string;
  payloadUrl: string;
  active: boolean;
  filters?: string[];
}

export interface Push {
  readonly branch: string;
  readonly files: readonly string[];
}

/** Called after every finished deployment; returns a push to make now (the promotion), or nothing. */
export type Gate = (finished: ReadonlyMap<string, { result: string; at: number; startedAt: number }>) => Push | undefined;

export function simulate(records: readonly MockRecord[], push: Push, gate: Gate = () => undefined, maxTime = 100): { runs: Run[]; errors: string[] } {
  const settings = records.filter((r) => r.type === "pulumiservice:index:DeploymentSettings").map((r) => r.inputs as unknown as Settings);
  const hooks = records.filter((r) => r.type === "pulumiservice:index:Webhook").map((r) => r.inputs as unknown as Hook);
  const key = (org: string, stack: string) => `${org}/${stack}`;
  const runs: Run[] = [];
  const errors: string[] = [];
  const running = new Map<string, number>();
  const queued = new Map<string, string>();
  const finished = new Map<string, { result: string; at: number; startedAt: number }>();
  let triggers = new Map<string, string>();
  const pushTriggers = (p: Push) => {
    for (const s of settings) {
      if (s.sourceContext.git.branch === `refs/heads/${p.branch}` && s.vcs.deployCommits && p.files.some((f) => s.vcs.paths.some((g) => matchGlob(g, f)))) {
        triggers.set(key(s.organization, s.stack), `push ${p.branch}`);
      }
    }
  };
  pushTriggers(push);
  let gateOpen = false;
  for (let t = 0; t <= maxTime; t++) {
    // Deployments ending now succeed and fire their webhooks.
    for (const [k, end] of [...running]) {
      if (end !== t) continue;
      running.delete(k);
      const [org, stack] = [k.slice(0, k.indexOf("/")), k.slice(k.indexOf("/") + 1)];
      finished.set(stack, { result: "succeeded", at: t, startedAt: runs.filter((r) => r.org === org && r.stack === stack).at(-1)!.start });
      for (const h of hooks.filter((x) => x.organizationName === org && x.stackName === stack && x.active)) {
        if (h.format !== "pulumi_deployments" || !(h.filters ?? []).includes("update_succeeded")) continue;
        const target = h.payloadUrl.split("/")[1];
        if (!settings.some((s) => s.organization === org && s.stack === target)) errors.push(`webhook ${stack} -> ${h.payloadUrl}: no deployment settings for it in ${org}`);
        else triggers.set(key(org, target), `webhook ${stack}`);
      }
      const q = queued.get(k);
      if (q !== undefined) {
        queued.delete(k);
        triggers.set(k, q);
      }
    }
    if (!gateOpen) {
      const p = gate(finished);
      if (p !== undefined) {
        gateOpen = true;
        pushTriggers(p);
      }
    }
    for (const [k, cause] of triggers) {
      if (running.has(k)) queued.set(k, cause);
      else {
        running.set(k, t + 1);
        runs.push({ org: k.slice(0, k.indexOf("/")), stack: k.slice(k.indexOf("/") + 1), start: t, end: t + 1, cause });
      }
    }
    triggers = new Map();
    if (running.size === 0 && (gateOpen || gate(finished) === undefined)) break;
  }
  return { runs, errors };
}
