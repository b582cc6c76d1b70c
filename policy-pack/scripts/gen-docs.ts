/**
 * Write docs/policies.md from the policy metadata: `npm run docs:policies`.
 * `--check` only compares and exits 1 when the file is not current (CI).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { renderPolicyDocs } from "../docs";

export const DOCS_FILE = path.resolve(__dirname, "../../docs/policies.md");

function main(argv: string[]): number {
  const text = renderPolicyDocs();
  if (argv.includes("--check")) {
    const current = fs.existsSync(DOCS_FILE) ? fs.readFileSync(DOCS_FILE, "utf8") : "";
    if (current !== text) {
      console.error(`${path.relative(process.cwd(), DOCS_FILE)} is not current: run \`npm run docs:policies\``);
      return 1;
    }
    return 0;
  }
  fs.mkdirSync(path.dirname(DOCS_FILE), { recursive: true });
  fs.writeFileSync(DOCS_FILE, text);
  console.log(`wrote ${path.relative(process.cwd(), DOCS_FILE)}`);
  return 0;
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
