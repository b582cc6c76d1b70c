/**
 * Stack names come from file names (`Pulumi.<stack>.yaml`), so they are untrusted input
 * that later becomes resource names, tags, StackReference names and run-folder paths.
 *
 * Pulumi's own rule (sdk/go/common/tokens and the DIY backend's `validateStackName`): 1–100
 * characters of `[A-Za-z0-9_.-]`, no `/`. meridian narrows it, because its stack names also
 * become Kubernetes label values, GCP labels (lower-cased) and cloud resource names:
 * lower-case letters, digits and `-`, starting with a letter or digit, at most 63 characters.
 * Fleet-wide, names must be unique ignoring case and Unicode compatibility forms (NFKC), so
 * two files never name one stack on a case-insensitive file system.
 */
import { FleetConfigError } from "./errors";

/** Pulumi's stack-name rule (the service and the DIY backends agree on it). */
export const PULUMI_STACK_NAME = /^[A-Za-z0-9_.-]{1,100}$/;
/** meridian's narrower rule; also what `meridian:dependsOn` and `azureGatewayFrom` accept. */
export const MERIDIAN_STACK_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const STACK_NAME_RULE = "lower-case letters, digits and '-', starting with a letter or digit, at most 63 characters";

/** A stack config file, exactly: `Pulumi.<stack>.yaml` (or `.yml`), the name without dots. */
export const STACK_FILE = /^Pulumi\.([^.]+)\.ya?ml$/;
/** Anything a person may have meant as a stack config: any case, any number of dots. */
const LOOKS_LIKE_STACK_FILE = /^pulumi\..+\.ya?ml$/i;

function describeChar(c: string): string {
  const cp = c.codePointAt(0)!;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;
  if (cp < 0x20 || cp === 0x7f) return `a control character (${hex})`;
  if (/\s/u.test(c)) return `white space (${hex})`;
  if (cp > 0x7e) return `the non-ASCII character ${hex} (a look-alike of an ASCII letter is still another name)`;
  return `'${c}'`;
}

/** Why `name` is not a stack name, or undefined when it is one. */
export function stackNameProblem(name: string): string | undefined {
  if (name.length === 0) return "the stack name is empty";
  const bad = [...name].find((c) => !/[a-z0-9-]/.test(c));
  if (bad !== undefined) {
    const hint = /[A-Z]/.test(bad) ? " (upper case: stack names are lower case)" : /[_.]/.test(bad) ? " (Pulumi allows it; meridian stack names do not)" : "";
    return `the stack name contains ${describeChar(bad)}${hint}; a stack name is ${STACK_NAME_RULE}`;
  }
  if (name.startsWith("-")) return `the stack name starts with '-' (it would read as a command-line flag); a stack name is ${STACK_NAME_RULE}`;
  if (name.length > 63) return `the stack name is ${name.length} characters; a stack name is ${STACK_NAME_RULE}`;
  if (!PULUMI_STACK_NAME.test(name) || !MERIDIAN_STACK_NAME.test(name)) return `a stack name is ${STACK_NAME_RULE}`;
  return undefined;
}

/** The fleet-wide identity of a name: equal keys are the same stack. */
export function stackNameKey(name: string): string {
  return name.normalize("NFKC").toLowerCase();
}

/** What the directory entry is, for the fleet loader. */
export type StackFileVerdict =
  | { readonly kind: "stack"; readonly name: string }
  | { readonly kind: "lookalike"; readonly problem: string }
  | { readonly kind: "other" };

/** Classify a directory entry's name (the loader refuses look-alikes instead of skipping them). */
export function classifyStackFile(fileName: string): StackFileVerdict {
  const m = STACK_FILE.exec(fileName);
  if (m) {
    const problem = stackNameProblem(m[1]);
    return problem === undefined ? { kind: "stack", name: m[1] } : { kind: "lookalike", problem };
  }
  const folded = fileName.normalize("NFKC");
  if (!LOOKS_LIKE_STACK_FILE.test(folded) && !LOOKS_LIKE_STACK_FILE.test(fileName)) return { kind: "other" };
  if (!fileName.startsWith("Pulumi.")) {
    return { kind: "lookalike", problem: "looks like a stack config but does not start with `Pulumi.` exactly (case matters); rename it Pulumi.<stack>.yaml or move it out of the stacks directory" };
  }
  if (!/\.ya?ml$/.test(fileName)) {
    return { kind: "lookalike", problem: "looks like a stack config but its extension is not `.yaml` or `.yml` in lower case; rename it" };
  }
  return {
    kind: "lookalike",
    problem: "looks like a stack config but the stack name contains '.' (Pulumi would read it as another stack name); a stack config is named Pulumi.<stack>.yaml with " + STACK_NAME_RULE,
  };
}

/** Fleet-wide: no two files name the same stack ignoring case and compatibility forms. */
export function duplicateStackNames(entries: ReadonlyArray<{ name: string; file: string }>): FleetConfigError[] {
  const byKey = new Map<string, { name: string; file: string }>();
  const errors: FleetConfigError[] = [];
  for (const e of entries) {
    const key = stackNameKey(e.name);
    const first = byKey.get(key);
    if (first === undefined) byKey.set(key, e);
    else errors.push(new FleetConfigError(e.file, "(file)", `stack "${e.name}" is already declared by ${first.file} (stack names are unique ignoring case)`));
  }
  return errors;
}
