/** A throwaway git repository holding the reference fleet, for `fleet affected` tests. */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REFERENCE_STACKS } from "../support/fleetDir";

export class FixtureRepo {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-affected-"));

  constructor() {
    this.git("init", "-q", "-b", "main");
    fs.mkdirSync(path.join(this.dir, "stacks"));
    for (const f of fs.readdirSync(REFERENCE_STACKS)) {
      if (f.endsWith(".yaml")) fs.copyFileSync(path.join(REFERENCE_STACKS, f), path.join(this.dir, "stacks", f));
    }
    for (const f of ["components/kms/aws.ts", "components/pki/index.ts", "components/cluster/aks.ts", "components/interconnect/gcp-azure.ts", "policy-pack/index.ts", "docs/clusters.md"]) {
      this.write(f, "// v1\n");
    }
    this.commit("base");
  }

  git(...args: string[]): string {
    return execFileSync("git", ["-C", this.dir, "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false", ...args], { encoding: "utf8" });
  }
  write(file: string, content: string): void {
    fs.mkdirSync(path.dirname(path.join(this.dir, file)), { recursive: true });
    fs.writeFileSync(path.join(this.dir, file), content);
  }
  append(file: string, content: string): void {
    fs.appendFileSync(path.join(this.dir, file), content);
  }
  commit(message: string): void {
    this.git("add", "-A");
    this.git("commit", "-q", "--allow-empty", "-m", message);
  }
  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
