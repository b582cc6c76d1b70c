/**
 * Live progress for a person. On a TTY: finished stacks scroll above a redrawn block of
 * running stacks (spinner, elapsed time, last step). Not a TTY, or `CI=true`: quiet — one
 * line per finished stack, no spinner, no redraw. Receives events already redacted.
 */
import type { FleetEvent } from "./events";
import { formatDuration } from "./report";

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const MARK: Record<string, string> = { succeeded: "✔", failed: "✖", cancelled: "■", skipped: "↷", "not-started": "·" };

export interface ProgressStream {
  write(s: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export function isInteractive(stream: ProgressStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && env.CI !== "true" && env.CI !== "1" && env.TERM !== "dumb";
}

export class ProgressRenderer {
  private readonly running = new Map<string, { domain: string; since: number; last: string }>();
  private drawn = 0;
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly live: boolean;

  constructor(
    private readonly out: ProgressStream,
    private readonly total: number,
    env: NodeJS.ProcessEnv = process.env,
    private readonly now: () => number = Date.now,
  ) {
    this.live = isInteractive(out, env);
    if (this.live) {
      this.timer = setInterval(() => this.redraw(), 120);
      this.timer.unref();
    }
  }

  private finished = 0;

  onEvent(e: FleetEvent): void {
    switch (e.type) {
      case "stack-started":
        this.running.set(e.stack, { domain: e.domain, since: this.now(), last: "starting" });
        if (this.live) this.redraw();
        return;
      case "stack-output": {
        const r = this.running.get(e.stack);
        const line = e.text.split("\n").map((l) => l.trim()).filter((l) => l.length > 0).pop();
        if (r !== undefined && line !== undefined) r.last = line;
        return;
      }
      case "policy-violation":
        this.print(`  ${e.enforcement === "mandatory" ? "✖" : "!"} ${e.stack}: policy ${e.policyPack}/${e.policy} (${e.enforcement}): ${e.message.split("\n")[0]}`);
        return;
      case "stack-finished": {
        this.running.delete(e.stack);
        if (e.durationMs === undefined && (e.status === "skipped" || e.status === "not-started")) return;
        this.finished++;
        const err = e.error ? ` — ${e.error.split("\n")[0].slice(0, 200)}` : "";
        const ch = e.changes ? ` +${e.changes.create} ~${e.changes.update} -${e.changes.delete + e.changes.replace}` : "";
        this.print(`${MARK[e.status] ?? "?"} [${this.finished}/${this.total}] ${e.stack} (${e.domain}) ${e.status} in ${formatDuration(e.durationMs)}${ch}${err}`);
        return;
      }
      case "run-finished":
        this.stop();
        return;
      case "gate-output":
        this.print(`  ⧗ ${e.text}`);
        return;
      case "gate-finished":
        this.print(`${e.status === "passed" ? "✔" : "✖"} gate ${e.gate} ${e.status}${e.reason ? ` — ${e.reason}` : ""}`);
        return;
    }
  }

  /** A line above the live block (or plain, when quiet). */
  print(line: string): void {
    this.clear();
    this.out.write(line + "\n");
    if (this.live) this.redraw();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }

  private clear(): void {
    if (!this.live || this.drawn === 0) return;
    this.out.write(`\x1b[${this.drawn}A\x1b[J`);
    this.drawn = 0;
  }

  private redraw(): void {
    if (!this.live) return;
    this.clear();
    const width = Math.max(40, (this.out.columns ?? 100) - 1);
    const f = FRAMES[this.frame++ % FRAMES.length];
    const lines = [...this.running].map(([name, r]) => {
      const s = `${f} ${name} (${r.domain}) ${formatDuration(this.now() - r.since)}  ${r.last}`;
      return s.length > width ? s.slice(0, width - 1) + "…" : s;
    });
    if (lines.length > 0) {
      this.out.write(lines.join("\n") + "\n");
      this.drawn = lines.length;
    }
  }
}
