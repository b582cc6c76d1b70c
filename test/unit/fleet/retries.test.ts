/** fleet.yaml `retries:`: validated at the edge (exit 2 naming fleet.yaml and the key), compiled once into rules. */
import { parse, stringify } from "yaml";
import { FleetConfigErrors, loadFleet } from "../../../automation/fleet";
import { transientRules } from "../../../automation/orchestrator/retry";
import { fleetDir, readReference } from "../../support/fleetDir";

const withRetries = (retries: unknown) => fleetDir({ "fleet.yaml": stringify({ ...(parse(readReference("fleet.yaml")) as object), retries }) });

function refusal(dir: string): string[] {
  try {
    loadFleet(dir);
  } catch (e) {
    if (e instanceof FleetConfigErrors) return e.errors.map((x) => x.message);
    throw e;
  }
  throw new Error("expected a refusal");
}

describe("fleet.yaml retries", () => {
  it("accepts rules with defaults and compiles them in order", () => {
    const fleet = loadFleet(withRetries([{ name: "aws-throttling", match: "ThrottlingException" }, { name: "gcp-503", match: "Error 503", attempts: 5, backoffSeconds: 2 }]));
    expect(fleet.settings.retries).toEqual([
      { name: "aws-throttling", match: "ThrottlingException", attempts: 3, backoffSeconds: 5, maxBackoffSeconds: 120 },
      { name: "gcp-503", match: "Error 503", attempts: 5, backoffSeconds: 2, maxBackoffSeconds: 120 },
    ]);
    const rules = transientRules(fleet.settings.retries);
    expect(rules.map((r) => [r.name, r.pattern.test("x ThrottlingException y"), r.baseDelayMs])).toEqual([["aws-throttling", true, 5000], ["gcp-503", false, 2000]]);
  });

  it("defaults to no rule (only a held lock is retried)", () => {
    expect(loadFleet(withRetries(undefined)).settings.retries).toEqual([]);
  });

  it.each([
    [[{ name: "x", match: "(unclosed" }], /retries\.0\.match.*valid regular expression/],
    [[{ name: "Bad Name", match: "a" }], /retries\.0\.name/],
    [[{ name: "x", match: "a", attempts: 50 }], /retries\.0\.attempts/],
    [[{ name: "x", match: "a", surprise: true }], /retries\.0/],
    ["ThrottlingException", /retries/],
  ])("refuses %j naming fleet.yaml and the key", (retries, key) => {
    const lines = refusal(withRetries(retries));
    expect(lines.some((l) => /fleet\.yaml/.test(l) && key.test(l))).toBe(true);
  });
});
