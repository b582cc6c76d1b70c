/**
 * An input problem the user must fix: bad YAML, a schema violation, a region outside the
 * domain, a dependsOn that is missing, cross-domain or cyclic. Always names the file and
 * the key; the CLI prints `message` on one line and exits 2 — never a stack trace.
 */
export class FleetConfigError extends Error {
  constructor(
    /** Path of the offending file, relative to the working directory where possible. */
    readonly file: string,
    /** The config key (e.g. `meridian:dependsOn`) or a path into it (`meridian:network.slot`). */
    readonly key: string,
    readonly detail: string,
  ) {
    super(printable(`${file}: ${key}: ${detail}`));
    this.name = "FleetConfigError";
  }
}

/**
 * File names, keys and values come from the user: control characters (a terminal escape
 * sequence in a file name, a newline in a key) are shown as `\uXXXX`, so one problem stays one
 * line and nothing is sent to the terminal but text.
 */
function printable(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Several problems found in one pass; reported together so a user fixes them in one go. */
export class FleetConfigErrors extends Error {
  constructor(readonly errors: readonly FleetConfigError[]) {
    super(errors.map((e) => e.message).join("\n"));
    this.name = "FleetConfigErrors";
  }
}
