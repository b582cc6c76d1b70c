/** fleet.yaml `observability.<domain>`: defaults per domain, the reference values, and refusals naming the key (exit 2). */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { FleetConfigError, loadFleetSettings } from "../../../automation/fleet";
import { REFERENCE_STACKS } from "../../support/fleetDir";

function load(block: unknown) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-obs-"));
  fs.writeFileSync(path.join(dir, "fleet.yaml"), stringify({ observability: block }));
  return loadFleetSettings(dir);
}

function refusal(block: unknown): string {
  try {
    load(block);
  } catch (e) {
    expect(e).toBeInstanceOf(FleetConfigError);
    return (e as Error).message;
  }
  throw new Error("accepted");
}

it("every domain gets the defaults when the key is absent", () => {
  const s = load({});
  expect(s.observability.eu).toEqual({ logRetentionDays: 365, metricsRetentionDays: 400, sloObjective: 99.9 });
  expect(s.observability.us).toEqual(s.observability.eu);
});

it("the reference fleet pages each domain's own on-call address", () => {
  const s = loadFleetSettings(REFERENCE_STACKS);
  expect(s.observability.eu.receiver?.emails).toEqual(["oncall-eu@meridian.example"]);
  expect(s.observability.us.receiver?.emails).toEqual(["oncall-us@meridian.example"]);
});

it.each([
  [{ eu: { logRetentionDays: 30 } }, "observability.eu.logRetentionDays"],
  [{ eu: { receiver: { emails: ["not-an-address"] } } }, "observability.eu.receiver.emails.0"],
  [{ us: { sloObjective: 100 } }, "observability.us.sloObjective"],
  [{ eu: { retention: 5 } }, "observability.eu"],
  [{ ap: {} }, "observability"],
])("refuses %j naming %s", (block, key) => {
  expect(refusal(block)).toContain(key);
});
