/**
 * The engine bench's arithmetic (bench/engine.ts): medians and the critical path the ratio
 * divides by. The bench itself needs the real engine and two API servers; it is run by hand.
 */
import { criticalPath, median } from "../../bench/engine";

describe("engine bench figure", () => {
  it("median: the middle value, the mean of the middle two for an even count, order-free", () => {
    expect(median([30, 10, 20])).toBe(20);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(() => median([])).toThrow(/median of nothing/);
  });

  it("an outlier round moves the median not at all (why the figure uses medians of 3)", () => {
    expect(median([50, 51, 120])).toBe(51);
  });

  const order = [
    { name: "eu-pki", domain: "eu", dependsOn: [] },
    { name: "eu-local", domain: "eu", dependsOn: ["eu-pki"] },
    { name: "us-pki", domain: "us", dependsOn: [] },
    { name: "us-local", domain: "us", dependsOn: ["us-pki"] },
  ];
  const seconds = { "eu-pki": 5, "eu-local": 20, "us-pki": 6, "us-local": 25 };

  it("critical path: canary waits for the whole earlier domain; parallel only for dependsOn", () => {
    expect(criticalPath(order, seconds, "canary", ["eu", "us"])).toBe(5 + 20 + 6 + 25);
    expect(criticalPath(order, seconds, "parallel", ["eu", "us"])).toBe(6 + 25);
  });
});
