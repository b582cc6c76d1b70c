/**
 * A stand-in for the Pulumi CLI for the Automation API's own code: records the argv and the
 * environment of every invocation and answers like the real CLI (errors are built by the SDK's
 * own helpers, so the SDK classifies them exactly as it would the real CLI's).
 */
import type { PulumiCommand } from "@pulumi/pulumi/automation";

// Internal helpers of the Automation API, used here so results and errors are built exactly as the SDK builds them.
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const { CommandResult } = require("@pulumi/pulumi/automation/cmd") as { CommandResult: new (stdout: string, stderr: string, code: number, err?: Error) => unknown };
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const { createCommandError } = require("@pulumi/pulumi/automation/errors") as { createCommandError: (r: unknown) => Error };

export interface StubCall {
  readonly args: string[];
  /** The environment the SDK handed the CLI; a key mapped to `undefined` is removed from the process's environment. */
  readonly env: Record<string, string | undefined>;
}

export type StubBehaviour = (args: string[], signal?: AbortSignal) => Promise<{ stdout?: string; stderr?: string; code?: number }>;

/** A stand-in for the Pulumi CLI: records argv and env, answers like the real one. */
export function stubCli(behaviour: StubBehaviour) {
  const calls: StubCall[] = [];
  const cli = {
    command: "/stub/bin/pulumi",
    version: { toString: () => "3.100.0" },
    async run(args: string[], _cwd: string, env: Record<string, string>, onOutput?: (s: string) => void, _onError?: (s: string) => void, signal?: AbortSignal) {
      calls.push({ args: [...args], env });
      const r = await behaviour(args, signal);
      if (r.stdout && onOutput) onOutput(r.stdout);
      const result = new CommandResult(r.stdout ?? "", r.stderr ?? "", r.code ?? 0);
      if ((r.code ?? 0) !== 0) throw createCommandError(result);
      return result;
    },
  };
  return { cli: cli as unknown as PulumiCommand, calls };
}

