/** Load the fleet for a command: every config problem printed as one line naming file and key; undefined then (exit 2). */
import { FleetConfigError, FleetConfigErrors, loadFleet, type Fleet, type ParseCache } from "../fleet";

/** With `parseCache`, stack files parsed before are answered from it, and it is saved after a load that succeeds. */
export function loadFleetOrReport(stacksDir: string, err: (s: string) => void, parseCache?: ParseCache): Fleet | undefined {
  try {
    const fleet = loadFleet(stacksDir, undefined, { parseCache });
    parseCache?.save();
    return fleet;
  } catch (e) {
    if (e instanceof FleetConfigErrors || e instanceof FleetConfigError) {
      for (const problem of e instanceof FleetConfigErrors ? e.errors : [e]) err(`fleet: ${problem.message}\n`);
      return undefined;
    }
    throw e;
  }
}
