import type { Domain } from "../../components/residency";
import type { RoleContext } from "../context";
import { deployCluster } from "./workload";

/** The management role: the domain's management cluster (GitOps, policy, lifecycle) + its stricter baseline. */
export async function management<D extends Domain>(ctx: RoleContext<D>): Promise<Record<string, unknown>> {
  return deployCluster(ctx, "management");
}
