/**
 * Every method the SDK's resource monitor service defines has an answer in the plan's
 * RecordingMonitor. The list comes from the SDK's own service definition
 * (`proto/resource_grpc_pb.js`), never from a hand list: the installed SDK always, and the
 * newest published SDK when the npm registry is reachable (it is on the development
 * machine and in CI; offline, that half says so and is skipped).
 *
 * The service definition is what the SDK *may* call; what it *does* call is read from its
 * runtime's JavaScript (every `monitor.X(` / `monitorClient.X(` / `monitorRef.X(` / `mon.X(`),
 * so a call to a method outside the service (a mock-only hook) is pinned too.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RecordingMonitor } from "../../automation/plan/recordingMonitor";
import { MockCloud } from "../../automation/plan/mock-cloud";

/** Method names as the SDK's generated client calls them (lowerCamel of the rpc name). */
function methodsOf(grpcPbSource: string): string[] {
  const paths = [...grpcPbSource.matchAll(/path: '\/pulumirpc\.ResourceMonitor\/(\w+)'/g)].map((m) => m[1]);
  return paths.map((p) => p[0].toLowerCase() + p.slice(1));
}

/**
 * Calls the SDK makes on a monitor object that are not monitor RPCs, and why the plan's
 * monitor need not answer them. Anything else the runtime calls must be answered.
 */
const NOT_RPCS: Readonly<Record<string, string>> = {
  close: "the gRPC client's own teardown (disconnectSync), wrapped in try/catch",
  recordTransformCallback: "an optional hook for mock monitors, guarded by `typeof ... === \"function\"` (callbacks.js)",
};

/** Every method name the SDK's runtime calls on a monitor, from its JavaScript (string literals excluded). */
function calledIn(runtimeDir: string): string[] {
  const called = new Set<string>();
  for (const f of fs.readdirSync(runtimeDir, { recursive: true, encoding: "utf8" })) {
    if (!f.endsWith(".js")) continue;
    const text = fs.readFileSync(path.join(runtimeDir, f), "utf8");
    for (const m of text.matchAll(/(.)\b(?:monitor|monitorClient|monitorRef|mon)\.(\w+)\(/g)) {
      if (!"`'\"".includes(m[1])) called.add(m[2]);
    }
  }
  return [...called].sort();
}

/** What a runtime calls that is neither answered by the plan's monitor nor a known non-RPC, and what it calls outside the service. */
function callsCheck(runtimeDir: string, serviceMethods: string[]): { called: number; unanswered: string[]; outsideService: string[] } {
  const called = calledIn(runtimeDir);
  const rpcs = called.filter((m) => !(m in NOT_RPCS));
  return {
    called: called.length,
    unanswered: unanswered(rpcs),
    outsideService: rpcs.filter((m) => !serviceMethods.includes(m)),
  };
}

function unanswered(methods: string[]): string[] {
  const monitor = new RecordingMonitor(new MockCloud()) as unknown as Record<string, unknown>;
  return methods.filter((m) => typeof monitor[m] !== "function");
}

describe("the plan's monitor follows the SDK's monitor interface", () => {
  it("answers every method of the installed SDK's ResourceMonitor service", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const service = require("@pulumi/pulumi/proto/resource_grpc_pb").ResourceMonitorService as Record<string, { path: string }>;
    const methods = Object.keys(service);
    expect(methods.length).toBeGreaterThan(8);
    expect(methods).toEqual(methodsOf(fs.readFileSync(require.resolve("@pulumi/pulumi/proto/resource_grpc_pb"), "utf8")));
    expect(unanswered(methods)).toEqual([]);
  });

  it("answers every monitor method the installed SDK's runtime calls", () => {
    const runtimeDir = path.dirname(require.resolve("@pulumi/pulumi/runtime/settings"));
    const service = Object.keys(require("@pulumi/pulumi/proto/resource_grpc_pb").ResourceMonitorService as object); // eslint-disable-line @typescript-eslint/no-require-imports
    const called = calledIn(runtimeDir);
    // The scan must find the calls every SDK makes, or the regex has rotted and the check below proves nothing.
    expect(called).toEqual(expect.arrayContaining(["registerResource", "readResource", "invoke", "registerResourceOutputs", "supportsFeature"]));
    expect(callsCheck(runtimeDir, service)).toEqual({ called: called.length, unanswered: [], outsideService: [] });
  });

  it("answers every method of the newest published @pulumi/pulumi", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-sdk-latest-"));
    let tarball: string;
    try {
      tarball = execFileSync("npm", ["pack", "@pulumi/pulumi@latest", "--silent", "--prefer-offline", "--pack-destination", dir], {
        encoding: "utf8",
        timeout: 60_000,
        stdio: ["ignore", "pipe", "pipe"],
      }).trim().split("\n").pop()!;
    } catch (e) {
      if (process.env.MERIDIAN_REQUIRE_NETWORK === "1") throw e;
      console.warn(`SKIPPED (npm registry unreachable): newest @pulumi/pulumi monitor interface: ${(e as Error).message.split("\n")[0]}`);
      return;
    }
    execFileSync("tar", ["xzf", path.join(dir, tarball), "-C", dir, "package/proto/resource_grpc_pb.js", "package/package.json", "package/runtime"]);
    const version = (JSON.parse(fs.readFileSync(path.join(dir, "package/package.json"), "utf8")) as { version: string }).version;
    const methods = methodsOf(fs.readFileSync(path.join(dir, "package/proto/resource_grpc_pb.js"), "utf8"));
    expect(methods.length).toBeGreaterThan(8);
    const calls = callsCheck(path.join(dir, "package/runtime"), methods);
    expect(calls.called).toBeGreaterThan(5);
    expect({ version, unanswered: unanswered(methods), calls }).toEqual({ version, unanswered: [], calls: { ...calls, unanswered: [], outsideService: [] } });
  }, 90_000);

  it("reports deployment info the way a newer SDK reads it (secrets and resource references on, output values off)", async () => {
    const monitor = new RecordingMonitor(new MockCloud());
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const features = require("@pulumi/pulumi/proto/resource_pb").ResourceMonitorFeature as Record<string, number>;
    const list = await new Promise<number[]>((resolve, reject) =>
      monitor.getDeploymentInfo({}, (err, resp) => (err ? reject(err) : resolve((resp as { getSupportedfeaturesList(): number[] }).getSupportedfeaturesList()))),
    );
    expect(list).toEqual(expect.arrayContaining([features.RESOURCE_MONITOR_FEATURE_SECRETS, features.RESOURCE_MONITOR_FEATURE_RESOURCE_REFERENCES]));
    expect(list).not.toContain(features.RESOURCE_MONITOR_FEATURE_OUTPUT_VALUES);
    expect(list).not.toContain(features.RESOURCE_MONITOR_FEATURE_TRANSFORMS);
  });
});
