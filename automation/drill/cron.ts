/**
 * Five-field cron (UTC) as Velero reads a Schedule: `minute hour day-of-month month
 * day-of-week`, each `*`, `*\/n`, `a`, `a-b`, `a-b/n` or a comma list of those. Enough to
 * tell when the latest scheduled backup ran and the longest gap between two runs (the RPO
 * the schedule promises). Day-of-month and day-of-week combine as in cron: when both are
 * restricted, either may match.
 */
const FIELDS = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12 },
  { name: "day of week", min: 0, max: 6 },
] as const;

export class CronError extends Error {}

interface Cron {
  readonly sets: ReadonlyArray<ReadonlySet<number>>;
  readonly domRestricted: boolean;
  readonly dowRestricted: boolean;
}

function field(text: string, f: (typeof FIELDS)[number]): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(",")) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (m === null) throw new CronError(`cron ${f.name} "${part}" is not *, n, a-b or */n`);
    const lo = m[1] === "*" ? f.min : Number(m[2]);
    const hi = m[1] === "*" ? f.max : m[3] !== undefined ? Number(m[3]) : m[4] !== undefined ? f.max : lo;
    const step = m[4] !== undefined ? Number(m[4]) : 1;
    if (lo < f.min || hi > f.max || lo > hi || step < 1) throw new CronError(`cron ${f.name} "${part}" is outside ${f.min}-${f.max}`);
    for (let v = lo; v <= hi; v += step) out.add(f.name === "day of week" && v === 7 ? 0 : v);
  }
  return out;
}

export function parseCron(expr: string): Cron {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5) throw new CronError(`cron "${expr}" needs five fields`);
  return { sets: parts.map((p, i) => field(p, FIELDS[i]!)), domRestricted: parts[2] !== "*", dowRestricted: parts[4] !== "*" };
}

function matches(c: Cron, t: Date): boolean {
  const [min, hour, dom, mon, dow] = c.sets;
  if (!min!.has(t.getUTCMinutes()) || !hour!.has(t.getUTCHours()) || !mon!.has(t.getUTCMonth() + 1)) return false;
  const d = dom!.has(t.getUTCDate());
  const w = dow!.has(t.getUTCDay());
  return c.domRestricted && c.dowRestricted ? d || w : d && w;
}

const MINUTE = 60_000;
/** A year and a day: every valid expression fires within it. */
const HORIZON_MINUTES = 366 * 24 * 60 + 1;

/** The latest time at or before `now` the expression fired (whole minute, UTC). */
export function previousRun(expr: string, now: Date): Date {
  const c = parseCron(expr);
  let t = Math.floor(now.getTime() / MINUTE) * MINUTE;
  for (let i = 0; i < HORIZON_MINUTES; i++, t -= MINUTE) if (matches(c, new Date(t))) return new Date(t);
  throw new CronError(`cron "${expr}" never fires`);
}

/** The longest gap between two consecutive runs over the year before `now`, in seconds (the RPO the schedule promises). */
export function longestGapSeconds(expr: string, now: Date): number {
  const c = parseCron(expr);
  let last: number | undefined;
  let longest = 0;
  const end = Math.floor(now.getTime() / MINUTE) * MINUTE;
  for (let t = end - (HORIZON_MINUTES - 1) * MINUTE; t <= end; t += MINUTE) {
    if (!matches(c, new Date(t))) continue;
    if (last !== undefined) longest = Math.max(longest, (t - last) / 1000);
    last = t;
  }
  if (last === undefined) throw new CronError(`cron "${expr}" never fires`);
  return longest;
}
