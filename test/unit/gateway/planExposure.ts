/**
 * Plans the reference fleet under the mock cloud (the offline plan's own machinery) and prints,
 * per workload stack, what the exposure service exported and the types of the resources it
 * planned. Run by plan-exposure.test.ts in a child process (tsx is faster than jest's loader here).
 */
import * as path from "node:path";
import { loadFleet } from "../../../automation/fleet";
import { planFleet } from "../../../automation/plan";
import { runStack } from "../../../stacks/program";

async function main(): Promise<void> {
  const fleet = loadFleet(path.resolve(__dirname, "../../../stacks"));
  const plan = await planFleet(fleet, { program: (f, stack) => runStack(f, stack) });
  const workloads = plan.stacks.filter((s) => fleet.stacks.get(s.name)?.role === "workload");
  const report = workloads.map((s) => ({
    name: s.name,
    status: s.status,
    error: s.error,
    // The registry prefix the stack's foundation exported: the chart mirror must be under it.
    registryPrefix: (plan.stacks.find((f) => f.name === `${s.name.slice(0, 2)}-foundation-${s.name.split("-").pop()}`)?.outputs.registry as { imagePrefixes: string[] } | undefined)?.imagePrefixes[0],
    exposure: (s.outputs.services as Record<string, unknown> | undefined)?.exposure,
    resources: s.resources.map((r) => ({ type: r.type, name: r.name, props: r.type.includes("cert-manager.io/v1:ClusterIssuer") || r.type === "kubernetes:helm.sh/v3:Release" ? r.props : undefined })),
  }));
  process.stdout.write(JSON.stringify(report));
}

void main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
