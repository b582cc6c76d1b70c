import type { Domain } from "../../components/residency";
import type { RoleContext } from "../context";
import { NotImplementedError } from "./notImplemented";

/** The interconnect role; lands with issue #4. */
export async function interconnect<D extends Domain>(_ctx: RoleContext<D>): Promise<Record<string, unknown>> {
  throw new NotImplementedError("interconnect", 4);
}
