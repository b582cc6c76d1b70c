/**
 * The `--filter` and `--filter-file` options, one definition for every command that selects
 * stacks (preview, up, refresh, destroy, drift, upgrade), so their help cannot drift apart.
 * The language is automation/filters/parse.ts; docs/orchestrator.md "Selecting stacks".
 */

export const FILTER_OPTION = [
  "--filter <expr...>",
  "select stacks: a name or glob (eu-*), attributes (domain=eu,role=workload; cloud=, ring=, name=), !negation, NAME... (and dependents), ...NAME (and dependencies), [main...HEAD] (stacks the commits affect) or [main] (working tree too); repeat for a union",
] as const;

export const FILTER_FILE_OPTION = ["--filter-file <file>", "read more --filter expressions from a file, one per line (# comments)"] as const;
