/**
 * Where interrupts come from. The CLI listens to the process (SIGINT, SIGTERM); tests
 * use `ManualSignals` and fire a signal mid-run — never by killing the test runner.
 */
export type InterruptSignal = "SIGINT" | "SIGTERM";

export interface SignalSource {
  /** Call `handler` for every signal until the returned function is called. */
  subscribe(handler: (signal: InterruptSignal) => void): () => void;
}

/** The process's SIGINT and SIGTERM. While subscribed, Node's default exit is replaced by the handler. */
export const processSignals: SignalSource = {
  subscribe(handler) {
    const onInt = (): void => handler("SIGINT");
    const onTerm = (): void => handler("SIGTERM");
    process.on("SIGINT", onInt);
    process.on("SIGTERM", onTerm);
    return () => {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
    };
  },
};

/** A signal source a test fires by hand. */
export class ManualSignals implements SignalSource {
  private handlers = new Set<(signal: InterruptSignal) => void>();

  subscribe(handler: (signal: InterruptSignal) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  fire(signal: InterruptSignal = "SIGINT"): void {
    for (const h of [...this.handlers]) h(signal);
  }

  get listening(): number {
    return this.handlers.size;
  }
}
