/** The drill's cron reading: the latest run before a time and the longest gap (the schedule's RPO promise). */
import { CronError, longestGapSeconds, previousRun } from "../../../automation/drill/cron";

const at = (s: string) => new Date(s);

describe("cron", () => {
  it("finds the latest run at or before a time (UTC)", () => {
    expect(previousRun("0 */4 * * *", at("2026-12-01T13:30:00Z")).toISOString()).toBe("2026-12-01T12:00:00.000Z");
    expect(previousRun("0 */4 * * *", at("2026-12-01T12:00:59Z")).toISOString()).toBe("2026-12-01T12:00:00.000Z");
    expect(previousRun("30 2 * * 1", at("2026-12-01T13:30:00Z")).toISOString()).toBe("2026-11-30T02:30:00.000Z"); // Monday
    expect(previousRun("15 1,13 1-5 * *", at("2026-12-01T00:00:00Z")).toISOString()).toBe("2026-11-05T13:15:00.000Z");
  });

  it("measures the longest gap between runs", () => {
    expect(longestGapSeconds("0 */4 * * *", at("2026-12-01T13:30:00Z"))).toBe(4 * 3600);
    expect(longestGapSeconds("0 1,3 * * *", at("2026-12-01T13:30:00Z"))).toBe(22 * 3600);
  });

  it("refuses malformed expressions", () => {
    expect(() => previousRun("0 */4 * *", at("2026-12-01T00:00:00Z"))).toThrow(CronError);
    expect(() => previousRun("61 * * * *", at("2026-12-01T00:00:00Z"))).toThrow(/minute "61" is outside 0-59/);
    expect(() => previousRun("0 0 31 2 *", at("2026-12-01T00:00:00Z"))).toThrow(/never fires/);
  });
});
