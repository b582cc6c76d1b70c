/** The loader's one-line errors for a fleet directory; none when it loads. */
import { FleetConfigErrors, loadFleet } from "../../automation/fleet";

export function loadErrors(dir: string): string[] {
  try {
    loadFleet(dir);
    return [];
  } catch (e) {
    if (e instanceof FleetConfigErrors) return e.errors.map((x) => x.message);
    throw e;
  }
}
