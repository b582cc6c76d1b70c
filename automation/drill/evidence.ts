/**
 * A drill's evidence: one JSON document and a short report in the run folder
 * (`<runs>/<run-id>/<domain>/evidence/`), uploaded to that domain's evidence store. A
 * rehearsal (`--engine mock`) never writes to the production store: unless
 * `MERIDIAN_EVIDENCE_STORE_<D>` names one, it uses the local `file://<repo>/.fleet-evidence/<d>`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Domain } from "../../components/residency/catalogue";
import { resolveControlPlanes } from "../commands/controlPlanes";
import { domainSuffix } from "../engine/domainEnv";
import { uploadEvidence, type UploadReceipt } from "../evidence-store";
import type { Fleet } from "../fleet";
import { createRunFolder, domainRunDir, evidenceDir } from "../orchestrator/layout";

export interface DrillEvidenceResult {
  readonly runId: string;
  readonly runDir: string;
  readonly file: string;
  readonly store: string;
  readonly receipt?: UploadReceipt;
  readonly uploadError?: string;
}

/** The store a drill of `domain` writes to. */
export function drillEvidenceStore(fleet: Fleet, domain: Domain, rehearsal: boolean, env: NodeJS.ProcessEnv, repoDir: string): string {
  const planes = resolveControlPlanes(fleet, undefined, env, repoDir);
  const overridden = (env[`MERIDIAN_EVIDENCE_STORE${domainSuffix(domain)}`] ?? "") !== "";
  return rehearsal && !overridden ? `file://${path.join(repoDir, ".fleet-evidence", domain)}` : planes[domain].evidenceStore;
}

/** Write the evidence and report, then upload them; the local copy is kept whatever happens. */
export async function recordDrillEvidence(args: {
  readonly kind: string;
  readonly domain: Domain;
  readonly runsDir: string;
  readonly store: string;
  readonly evidence: Record<string, unknown>;
  readonly report: string;
  readonly env: NodeJS.ProcessEnv;
  readonly now: Date;
}): Promise<DrillEvidenceResult> {
  const { runId, runDir } = createRunFolder(args.runsDir, args.kind, args.now);
  const dir = evidenceDir(runDir, args.domain);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${args.kind}.json`);
  fs.writeFileSync(file, JSON.stringify({ runId, ...args.evidence }, null, 2) + "\n");
  fs.writeFileSync(path.join(dir, "report.md"), args.report);
  try {
    const receipt = await uploadEvidence(args.store, dir, { runId, domain: args.domain }, { env: args.env });
    fs.writeFileSync(path.join(domainRunDir(runDir, args.domain), "upload.json"), JSON.stringify(receipt, null, 2) + "\n");
    return { runId, runDir, file, store: receipt.store, receipt };
  } catch (e) {
    const uploadError = (e as Error).message;
    fs.writeFileSync(path.join(domainRunDir(runDir, args.domain), "upload-failed.json"), JSON.stringify({ error: uploadError, at: new Date().toISOString() }, null, 2) + "\n");
    return { runId, runDir, file, store: args.store, uploadError };
  }
}
