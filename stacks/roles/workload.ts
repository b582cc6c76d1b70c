import type { Domain } from "../../components/residency";
import type { RoleContext } from "../context";
import { NotImplementedError } from "./notImplemented";

/** The workload role; lands with issue #3. */
export async function workload<D extends Domain>(_ctx: RoleContext<D>): Promise<Record<string, unknown>> {
  throw new NotImplementedError("workload", 3);
}
