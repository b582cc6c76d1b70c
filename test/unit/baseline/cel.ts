/** Run admission-policy CEL through @marcbachmann/cel-js in a child process (the package is ESM-only). */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import type { AdmissionPolicySpec } from "../../../components/baseline";

export interface CelCase {
  readonly spec: AdmissionPolicySpec;
  readonly object: Record<string, unknown>;
  readonly namespace?: string;
  readonly operation?: "CREATE" | "UPDATE";
}

export interface CelResult {
  /** false when a matchCondition excluded the request (the policy does not apply). */
  readonly applies: boolean;
  /** Messages of failed validations; empty means admitted. */
  readonly denied: string[];
  readonly errors: string[];
}

export function evaluatePolicies(cases: readonly CelCase[]): CelResult[] {
  const out = execFileSync(process.execPath, [path.join(__dirname, "cel-eval.mjs")], {
    input: JSON.stringify(cases),
    cwd: path.join(__dirname, "../../.."),
    encoding: "utf8",
  });
  return JSON.parse(out) as CelResult[];
}
