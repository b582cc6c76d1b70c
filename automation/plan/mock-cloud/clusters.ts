/** Mock outputs for cluster types (EKS, AKS, GKE) — owned by the clusters area. */
import type { MockContext } from "./shared";

export const clusterShapers: Record<string, (ctx: MockContext) => Record<string, unknown>> = {};
