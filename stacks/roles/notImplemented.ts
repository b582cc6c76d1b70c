import type { Role } from "../../automation/fleet";

/** Thrown by roles whose issue has not landed; the plan reports them as `not-implemented`. */
export class NotImplementedError extends Error {
  constructor(role: Role, issue: number) {
    super(`role "${role}" is not implemented yet (issue #${issue})`);
    this.name = "NotImplementedError";
  }
}
