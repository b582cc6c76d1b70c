/**
 * Generated fleets for the plan benchmarks: the reference fleet (its 30 stacks, dns and
 * tenants intact) plus extra workload clusters, cloned from the reference workload stack of
 * the same domain and cloud, each in a slot of its own, split evenly over domains and clouds.
 * `generatedFleet(1000)` has 1,000 workload clusters: the 6 reference ones and 994 more.
 * The IPAM prefixes are narrowed (pods /21, services /24) so 500 clusters fit in each
 * domain's pools; the reference /18 and /22 hold 128 and 256.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";

const REFERENCE = path.resolve(__dirname, "..", "stacks");
const CLOUDS = ["aws", "gcp", "azure"] as const;
const DOMAINS = ["eu", "us"] as const;
/** Workload clusters the reference fleet already has (one per domain and cloud). */
export const REFERENCE_CLUSTERS = DOMAINS.length * CLOUDS.length;

interface StackFile {
  config: Record<string, unknown> & { "meridian:cluster": { slot: number } };
}

/**
 * Write a fleet with `clusters` workload clusters into `<root>/stacks` (a fresh temp dir by
 * default) and return that stacks dir. The name of a generated stack is its template's plus
 * a number: `eu-workload-aws-0001`.
 */
export function generatedFleet(clusters: number, root = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-bench-"))): string {
  if (!Number.isInteger(clusters) || clusters < REFERENCE_CLUSTERS) throw new Error(`a generated fleet has at least the reference's ${REFERENCE_CLUSTERS} workload clusters`);
  const dir = path.join(root, "stacks");
  fs.mkdirSync(dir, { recursive: true });
  for (const f of fs.readdirSync(REFERENCE)) if (f.endsWith(".yaml")) fs.copyFileSync(path.join(REFERENCE, f), path.join(dir, f));
  const settings = parse(fs.readFileSync(path.join(dir, "fleet.yaml"), "utf8")) as { ipam: { prefixes: Record<string, number> } };
  settings.ipam.prefixes = { ...settings.ipam.prefixes, pods: 21, services: 24 };
  fs.writeFileSync(path.join(dir, "fleet.yaml"), stringify(settings));
  const templates = new Map<string, StackFile>();
  const nextSlot = new Map<string, number>();
  for (const domain of DOMAINS) {
    for (const cloud of CLOUDS) templates.set(`${domain}-${cloud}`, parse(fs.readFileSync(path.join(REFERENCE, `Pulumi.${domain}-workload-${cloud}.yaml`), "utf8")) as StackFile);
    // Slot 0 is the management cluster's; the reference workloads hold the next ones.
    const used = CLOUDS.map((c) => templates.get(`${domain}-${c}`)!.config["meridian:cluster"].slot);
    nextSlot.set(domain, Math.max(...used) + 1);
  }
  for (let i = 0; i < clusters - REFERENCE_CLUSTERS; i++) {
    const domain = DOMAINS[i % DOMAINS.length];
    const cloud = CLOUDS[Math.floor(i / DOMAINS.length) % CLOUDS.length];
    const stack = structuredClone(templates.get(`${domain}-${cloud}`)!);
    const slot = nextSlot.get(domain)!;
    nextSlot.set(domain, slot + 1);
    stack.config["meridian:cluster"].slot = slot;
    fs.writeFileSync(path.join(dir, `Pulumi.${domain}-workload-${cloud}-${String(i + 1).padStart(4, "0")}.yaml`), stringify(stack));
  }
  return dir;
}
