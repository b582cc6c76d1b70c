/**
 * The exposure service in the reference fleet's offline plan: every workload stack (three
 * clouds, two domains) plans the Gateway, cert-manager and trust-manager and exports
 * `services.exposure.externalAddress` (the convention the DNS failover reads).
 */
import { execFile } from "node:child_process";
import * as path from "node:path";
import { promisify } from "node:util";
import { CHARTS } from "../../../components/gateway/spec";

interface Planned {
  name: string;
  status: string;
  error?: string;
  registryPrefix?: string;
  exposure?: Record<string, unknown>;
  resources: Array<{ type: string; name: string; props?: Record<string, unknown> }>;
}

const root = path.resolve(__dirname, "../../..");
let stacks: Planned[];

beforeAll(async () => {
  const run = promisify(execFile);
  const r = await run(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), path.join(__dirname, "planExposure.ts")], { cwd: root, maxBuffer: 64 << 20 });
  stacks = JSON.parse(r.stdout) as Planned[];
}, 300_000);

it("plans the exposure service on all six workload stacks", () => {
  expect(stacks.map((s) => s.name).sort()).toEqual(["eu-workload-aws", "eu-workload-azure", "eu-workload-gcp", "us-workload-aws", "us-workload-azure", "us-workload-gcp"]);
  for (const s of stacks) expect([s.name, s.status, s.error]).toEqual([s.name, "planned", undefined]);
});

it("exports the Gateway addresses under services.exposure", () => {
  for (const s of stacks) {
    expect(s.exposure).toMatchObject({ namespace: "meridian-gateway", issuers: { ca: "meridian-domain-ca", intermediate: "gateway" } });
    expect(typeof s.exposure?.externalAddress).toBe("string");
    expect(typeof s.exposure?.internalAddress).toBe("string");
  }
});

it("installs the pinned charts from the stack's own domain registry and a CA issuer", () => {
  for (const s of stacks) {
    const releases = s.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release");
    // The exposure charts, pinned (the other platform services install their own beside them).
    expect(releases.filter((r) => r.name.includes("-exposure-")).map((r) => `${String(r.props?.chart)}@${String(r.props?.version)}`).sort()).toEqual(Object.values(CHARTS).map((c) => `${c.chart}@${c.version}`).sort());
    expect(s.registryPrefix).toBeTruthy();
    for (const r of releases) expect((r.props?.repositoryOpts as { repo?: string }).repo).toBe(`oci://${s.registryPrefix}charts`);
    expect(s.resources.filter((r) => r.type === "kubernetes:cert-manager.io/v1:ClusterIssuer").map((r) => (r.props?.metadata as { name: string }).name)).toContain("meridian-domain-ca");
    for (const type of ["kubernetes:gateway.networking.k8s.io/v1:Gateway", "kubernetes:trust.cert-manager.io/v1alpha1:Bundle"]) {
      expect(s.resources.some((r) => r.type === type)).toBe(true);
    }
  }
});
