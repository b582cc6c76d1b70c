/**
 * Kubernetes minor arithmetic for `fleet upgrade`: one minor at a time, never down. Every
 * managed cloud (EKS, AKS, GKE) upgrades a control plane one minor per operation and none
 * downgrades one, so the command refuses anything else before it touches a stack.
 */
import { SUPPORTED_VERSIONS } from "../../components/cluster/spec";

export { SUPPORTED_VERSIONS };

const MINOR = /^1\.(\d{1,2})$/;

/** The minor number of `1.xx`, or undefined for anything else. */
export function minorOf(version: string): number | undefined {
  const m = MINOR.exec(version);
  return m === null ? undefined : Number(m[1]);
}

export type UpgradeStep =
  | { readonly kind: "upgrade"; readonly from: string; readonly to: string }
  | { readonly kind: "current"; readonly version: string }
  | { readonly kind: "refused"; readonly reason: string };

/** What moving `stack` from `running` to `target` means: one minor up, nothing, or a refusal (exit 2). */
export function upgradeStep(stack: string, running: string, target: string): UpgradeStep {
  const from = minorOf(running);
  const to = minorOf(target);
  if (from === undefined) return { kind: "refused", reason: `${stack}: running version "${running}" is not a minor such as 1.33` };
  if (to === undefined) return { kind: "refused", reason: `--to "${target}" is not a minor such as 1.34` };
  if (to === from) return { kind: "current", version: running };
  if (to < from) return { kind: "refused", reason: `${stack}: ${running} → ${target} is a downgrade; Kubernetes control planes cannot be downgraded` };
  if (to > from + 1) return { kind: "refused", reason: `${stack}: ${running} → ${target} skips ${to - from - 1} minor(s); upgrade one minor at a time (next: 1.${from + 1})` };
  return { kind: "upgrade", from: running, to: target };
}
