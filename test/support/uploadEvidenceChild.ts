/**
 * `uploadEvidence` in a real Node process (run with `node --import tsx`), for store SDKs that
 * load ES modules at run time: @google-cloud/storage 8 (through gaxios) does `import("node-fetch")`
 * on its first request, which jest's CommonJS VM refuses without --experimental-vm-modules.
 * Users run the CLI on plain Node, so this is also the truer test. argv[2] is JSON
 * `{url, dir, where, now}`; stdout is JSON `{receipt}` or `{error}` (the error's one-line message).
 */
import { uploadEvidence } from "../../automation/evidence-store";

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? "{}") as { url: string; dir: string; where: { runId: string; domain: string }; now: string };
  try {
    const receipt = await uploadEvidence(args.url, args.dir, args.where, {}, new Date(args.now));
    process.stdout.write(JSON.stringify({ receipt }));
  } catch (e) {
    process.stdout.write(JSON.stringify({ error: e instanceof Error ? e.message : String(e) }));
  }
}

void main();
