/** Load the fleet for a command: every config problem printed as one line naming file and key; undefined then (exit 2). */
import { FleetConfigError, FleetConfigErrors, loadFleet, type Fleet } from "../fleet";

export function loadFleetOrReport(stacksDir: string, err: (s: string) => void): Fleet | undefined {
  try {
    return loadFleet(stacksDir);
  } catch (e) {
    if (e instanceof FleetConfigErrors || e instanceof FleetConfigError) {
      for (const problem of e instanceof FleetConfigErrors ? e.errors : [e]) err(`fleet: ${problem.message}\n`);
      return undefined;
    }
    throw e;
  }
}
