/**
 * The fleet's commands as `fleet --help` lists them, and which module registers each. The CLI
 * (automation/cli.ts) loads a command's module only when that command runs: the modules reach
 * the provider SDKs, which take seconds to load, and `--version`, `--help` or a mistyped
 * command need none of them. This file imports nothing, so reading it costs nothing.
 *
 * Each module takes its commands' descriptions from here (`commandDescription`), so `--help` says the
 * same whether a command's module is loaded or not (test/orchestrator/cli-startup.test.ts).
 */

/** The modules under automation/commands/ that register commands. */
export type CommandModule = "plan" | "audit" | "rollout" | "affected" | "promote" | "drill" | "drift" | "upgrade";

export interface CommandEntry {
  readonly name: string;
  readonly module: CommandModule;
  readonly description: string;
  /** How `--help` lists it (commander's subcommand term: name, `[options]`, arguments). */
  readonly term: string;
}

/** In the order `--help` lists them. */
export const COMMANDS: readonly CommandEntry[] = [
  { name: "plan", module: "plan", term: "plan [options]", description: "Plan every stack offline under mocks, in dependency order; run the fleet checks and the policy pack" },
  { name: "audit", module: "audit", term: "audit [options]", description: "Evaluate the policy pack against a stack's deployed state (pulumi stack export): residency drift on existing resources" },
  { name: "preview", module: "rollout", term: "preview [options]", description: "Preview every selected stack (dependencies first), with the policy pack" },
  { name: "up", module: "rollout", term: "up [options]", description: "Deploy the selected stacks: canary domain first, as soon as dependencies succeed" },
  { name: "refresh", module: "rollout", term: "refresh [options]", description: "Refresh the selected stacks' state from the clouds" },
  { name: "destroy", module: "rollout", term: "destroy [options]", description: "Destroy the selected stacks in reverse dependency order" },
  { name: "affected", module: "affected", term: "affected [options]", description: "List the stacks a change affects: changed stack configs, stacks whose code changed, and everything downstream" },
  { name: "promote", module: "promote", term: "promote [options] <image>", description: "Copy an image with its signatures by digest between two registries of one domain (never across domains)" },
  { name: "drill", module: "drill", term: "drill", description: "Game-day drills with evidence in the domain's store: restore a tenant namespace, fail a public name over" },
  { name: "drift", module: "drift", term: "drift [options]", description: "Preview-only refresh of the selected stacks: report what changed outside Pulumi, write no state (exit 2 on drift)" },
  { name: "upgrade", module: "upgrade", term: "upgrade [options]", description: "Upgrade the clusters one Kubernetes minor: pre-checks, then control plane and node pools ring by ring, with gates" },
];

/** A command's one-line description (its module calls this in `.description(...)`). */
export function commandDescription(name: string): string {
  const entry = COMMANDS.find((c) => c.name === name);
  if (entry === undefined) throw new Error(`automation/commands/manifest.ts lists no command ${name}`);
  return entry.description;
}

/**
 * The modules a command line needs: the one registering the command it runs (`help X`: X's),
 * or none (`--version`, `--help`, no command, an unknown command). Top-level options take no
 * values, so the first word that is not an option names the command.
 */
export function modulesFor(argv: readonly string[]): Set<CommandModule> {
  const words = argv.filter((a) => !a.startsWith("-"));
  const name = words[0] === "help" ? words[1] : words[0];
  const entry = COMMANDS.find((c) => c.name === name);
  return new Set(entry ? [entry.module] : []);
}
