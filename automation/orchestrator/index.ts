/**
 * The fleet orchestrator: the run loop over the scheduler and an engine, the run
 * record and resume, interrupts, events, progress, the report and per-domain evidence.
 * It knows stacks, domains and rings — never clouds, never which engine it drives.
 */
export * from "./run";
export * from "./record";
export * from "./resume";
export * from "./layout";
export * from "./lock";
export * from "./files";
export * from "./events";
export * from "./evidence";
export * from "./redact";
export * from "./report";
export * from "./retry";
export * from "./signals";
export * from "./progress";
export * from "./select";
export * from "./drift";
export * from "./gates";
