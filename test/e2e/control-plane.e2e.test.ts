/**
 * tools/control-plane.sh survives losing a bind race. CI once saw kube-apiserver exit at start
 * because its randomly chosen port was taken between the free-port check and the bind; the
 * script now chooses ports below the kernel's ephemeral range and retries a start whose etcd or
 * kube-apiserver log says "address already in use". Here a port this test holds open is handed
 * to the first attempt (MERIDIAN_CONTROL_PLANE_PORTS), so the retry must happen for the start to
 * succeed. Skips loudly when the control-plane binaries are missing.
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { spawn, spawnSync } from "node:child_process";
import { ROOT, TOOLS_BIN, tmpDir } from "./harness";

const SCRIPT = path.join(ROOT, "tools", "control-plane.sh");
const missing = ["etcd", "kube-apiserver", "kube-controller-manager"].filter((b) => !fs.existsSync(path.join(TOOLS_BIN, b)));
if (missing.length > 0) {
  process.stderr.write(`\nE2E CONTROL-PLANE TEST SKIPPED — missing: ${missing.map((b) => `.tools/bin/${b}`).join(", ")} (npm run setup:engine)\n`);
}
const suite = missing.length > 0 ? describe.skip : describe;

/** A listener that answers nothing and drops whoever connects (curl's readiness probe may). */
function listen(port = 0): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => socket.destroy());
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}
const portOf = (s: net.Server): number => (s.address() as net.AddressInfo).port;

/** Two ports that were free a moment ago (listen on 0, read, close). */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: n }, () => listen()));
  const ports = servers.map(portOf);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

function start(dir: string, env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const p = spawn("bash", [SCRIPT, "start", dir, "--owner", String(process.pid), "--timeout", "240"], { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString()));
    p.stderr.on("data", (d: Buffer) => (out += d.toString()));
    p.on("close", (code) => resolve({ code: code ?? 1, out }));
  });
}

suite("e2e: tools/control-plane.sh and a taken port", () => {
  jest.setTimeout(300_000);
  let held: net.Server | undefined;
  const dir = tmpDir("cp-port");
  afterAll(async () => {
    spawnSync("bash", [SCRIPT, "stop", dir], { stdio: "ignore" });
    if (held) await new Promise((r) => held!.close(r));
  });

  it("retries with new ports when kube-apiserver's port is taken, and comes up", async () => {
    held = await listen(24000 + (process.pid % 5000));
    const [etcd, peer] = await freePorts(2);
    const r = await start(dir, { ...process.env, MERIDIAN_CONTROL_PLANE_PORTS: `${etcd} ${peer} ${portOf(held)}` });
    expect({ code: r.code, retried: /retrying with new ports/.test(r.out) }).toEqual({ code: 0, retried: true });
    const firstLog = fs.readFileSync(path.join(dir, "logs", "attempt-1", "kube-apiserver.log"), "utf8");
    expect(firstLog).toMatch(/address already in use/);
    const cluster = JSON.parse(fs.readFileSync(path.join(dir, "cluster.json"), "utf8")) as { server: string };
    expect(cluster.server).not.toContain(`:${portOf(held)}`);
    const status = spawnSync("bash", [SCRIPT, "status", dir], { encoding: "utf8" });
    expect(status.status).toBe(0);
  });

  it("chooses its own ports below the kernel's ephemeral range", () => {
    const range = fs.readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/).map(Number);
    const env = fs.readFileSync(path.join(dir, "cluster.env"), "utf8");
    const ports = ["ETCD_PORT", "ETCD_PEER_PORT", "APISERVER_PORT"].map((k) => Number(new RegExp(`^${k}=(\\d+)$`, "m").exec(env)?.[1]));
    expect(ports.every((p) => p >= 20000 && p < range[0]!)).toBe(true);
  });
});
