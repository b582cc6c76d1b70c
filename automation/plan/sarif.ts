/**
 * `--sarif FILE` for `fleet plan` and `fleet audit`: the pack's SARIF writer, with each
 * result located at its stack's config file relative to the repository root.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { toSarif } from "../../policy-pack/sarif";
import type { Fleet } from "../fleet";

const REPO_ROOT = path.resolve(__dirname, "..", "..");

// eslint-disable-next-line @typescript-eslint/no-require-imports
const PACK_VERSION = (require("../../policy-pack/package.json") as { version: string }).version;

/** A repository-relative path with forward slashes, or a file URL for files outside the repository. */
export function artifactUri(file: string): string {
  const rel = path.relative(REPO_ROOT, path.resolve(file));
  return rel.startsWith("..") || path.isAbsolute(rel) ? pathToFileURL(path.resolve(file)).href : rel.split(path.sep).join("/");
}

export function stackFileUri(fleet: Fleet, stack: string): string {
  return artifactUri(fleet.stacks.get(stack)?.file ?? path.join(fleet.dir, `Pulumi.${stack}.yaml`));
}

export function writeSarif(
  file: string,
  fleet: Fleet,
  violations: ReadonlyArray<{ stack: string; policy: string; level: "mandatory" | "advisory"; urn?: string; message: string }>,
): void {
  const sarif = toSarif(violations, { toolVersion: PACK_VERSION, stackFile: (stack) => stackFileUri(fleet, stack) });
  fs.writeFileSync(file, `${JSON.stringify(sarif, null, 2)}\n`);
}
