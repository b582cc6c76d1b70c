/**
 * Every method the SDK's resource monitor service defines has an answer in the plan's
 * RecordingMonitor. The list comes from the SDK's own service definition
 * (`proto/resource_grpc_pb.js`), never from a hand list: the installed SDK always, and the
 * newest published SDK when the npm registry is reachable (it is on the development
 * machine and in CI; offline, that half says so and is skipped).
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
    execFileSync("tar", ["xzf", path.join(dir, tarball), "-C", dir, "package/proto/resource_grpc_pb.js", "package/package.json"]);
    const version = (JSON.parse(fs.readFileSync(path.join(dir, "package/package.json"), "utf8")) as { version: string }).version;
    const methods = methodsOf(fs.readFileSync(path.join(dir, "package/proto/resource_grpc_pb.js"), "utf8"));
    expect(methods.length).toBeGreaterThan(8);
    expect({ version, unanswered: unanswered(methods) }).toEqual({ version, unanswered: [] });
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
