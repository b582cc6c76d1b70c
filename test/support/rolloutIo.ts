/** A RolloutIo for command tests: records stdout and stderr, no terminal, manual signals. */
import type { RolloutIo } from "../../automation/commands/rollout";
import { ManualSignals } from "../../automation/orchestrator";

export function recordingIo(over: Partial<RolloutIo> = {}): { value: RolloutIo; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const value: RolloutIo = {
    out: (s) => out.push(s),
    err: (s) => err.push(s),
    interactive: false,
    confirm: async () => false,
    stderr: { write: (s: string) => err.push(s), isTTY: false },
    env: { USER: "tester" },
    signals: new ManualSignals(),
    ...over,
  };
  return { value, out, err };
}
