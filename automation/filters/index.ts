/**
 * Stack selection by filters (`--filter`, `--filter-file`): globs on names, attributes,
 * negation, graph selectors and git ranges. The orchestrator's selection
 * (automation/orchestrator/select.ts) applies them for every command.
 */
export * from "./parse";
export * from "./resolve";
export * from "./file";
