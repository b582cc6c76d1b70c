/**
 * e2e harness: the real Pulumi CLI (.tools/bin), the real kubernetes plugin, local control
 * planes (tools/control-plane.sh), a temp project whose stack configs are a temp copy of a
 * fixture fleet (the repo's stacks/ are never touched), and the orchestrator run as a child
 * process (harness/fleet-cli.ts) so SIGINT is a real signal.
 */
import { spawn, execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const ROOT = path.resolve(__dirname, "..", "..", "..");
/** `.tools` of the repo; MERIDIAN_E2E_TOOLS_DIR overrides it for the preflight only (to test the loud skip). */
const PREFLIGHT_TOOLS = process.env.MERIDIAN_E2E_TOOLS_DIR ?? path.join(ROOT, ".tools");
export const TOOLS_BIN = path.join(ROOT, ".tools", "bin");
export const FIXTURE_FLEETS = path.join(__dirname, "..", "fleets");
export const E2E_POLICY_PACK = path.join(__dirname, "..", "..", "..", "policy-pack");
export const PASSPHRASE = "meridian-e2e-passphrase";
export const DOMAINS = ["eu", "us"] as const;
export type Domain = (typeof DOMAINS)[number];

/** What must exist for the tier to run; a non-empty `missing` means SKIP (loudly). */
export function preflight(): { missing: string[]; k8sPluginVersion: string } {
  const missing: string[] = [];
  for (const b of ["pulumi", "pulumi-language-nodejs", "etcd", "kube-apiserver", "kube-controller-manager"]) {
    if (!fs.existsSync(path.join(PREFLIGHT_TOOLS, "bin", b))) missing.push(`${path.join(PREFLIGHT_TOOLS, "bin", b)} (run: npm run setup:engine)`);
  }
  const pin = (JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", "@pulumi", "kubernetes", "package.json"), "utf8")) as { version: string }).version;
  const plugin = path.join(PREFLIGHT_TOOLS, "pulumi-home", "plugins", `resource-kubernetes-v${pin}`, "pulumi-resource-kubernetes");
  if (!fs.existsSync(plugin)) missing.push(`${plugin} (kubernetes plugin for the npm pin ${pin}; run: npm run setup:engine)`);
  if (!kubectlPath()) missing.push("kubectl (/usr/bin/kubectl or on PATH)");
  return { missing, k8sPluginVersion: pin };
}

export function kubectlPath(): string | undefined {
  if (fs.existsSync("/usr/bin/kubectl")) return "/usr/bin/kubectl";
  const r = spawnSync("bash", ["-c", "command -v kubectl"], { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** `bash tools/env.sh --json`, plus what every CLI run needs. PULUMI_BACKEND_URL is set per run. */
export function engineEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const fromTools = JSON.parse(execFileSync("bash", [path.join(ROOT, "tools", "env.sh"), "--json"], { encoding: "utf8" })) as Record<string, string>;
  // Each domain's own passphrase variable for the orchestrator (it never passes one domain's to
  // the other); the generic one only for direct CLI calls (`pulumi()` below).
  const passphrases = Object.fromEntries(DOMAINS.map((d) => [`PULUMI_CONFIG_PASSPHRASE_${d.toUpperCase()}`, PASSPHRASE]));
  const env: NodeJS.ProcessEnv = { ...process.env, ...fromTools, PULUMI_CONFIG_PASSPHRASE: PASSPHRASE, ...passphrases, CI: "true", ...extra };
  delete env.PULUMI_BACKEND_URL; // always explicit (--backend)
  for (const d of DOMAINS) delete env[`MERIDIAN_BACKEND_${d.toUpperCase()}`]; // likewise (tools/env.sh sets local ones)
  delete env.KUBECONFIG; // the stacks get theirs from config; kubectl gets --kubeconfig
  return env;
}

export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `meridian-e2e-${prefix}-`));
}

// ---------------------------------------------------------------------------------------
// Control planes

export interface ControlPlane {
  readonly domain: Domain;
  readonly dir: string;
  readonly kubeconfig: string;
  readonly caFile: string;
  readonly server: string;
  stop(): void;
}

function runAsync(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { env: env ?? process.env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString()));
    p.stderr.on("data", (d: Buffer) => (out += d.toString()));
    p.on("close", (code) => resolve({ code: code ?? 1, out }));
  });
}

/** Start one control plane owned by this process (it dies with us, see tools/control-plane.sh). */
export async function startControlPlane(domain: Domain, dir = tmpDir(`cp-${domain}`)): Promise<ControlPlane> {
  const r = await runAsync("bash", [path.join(ROOT, "tools", "control-plane.sh"), "start", dir, "--owner", String(process.pid), "--timeout", "240"]);
  if (r.code !== 0) throw new Error(`control plane ${domain} did not start:\n${r.out}`);
  const c = JSON.parse(fs.readFileSync(path.join(dir, "cluster.json"), "utf8")) as { kubeconfig: string; caFile: string; server: string };
  // The CA is removed by `stop`; keep a copy for the pki stand-in (it is the domain's root CA here).
  const ca = path.join(dir, "root-ca.pem");
  fs.copyFileSync(c.caFile, ca);
  return {
    domain,
    dir,
    kubeconfig: c.kubeconfig,
    caFile: ca,
    server: c.server,
    stop: () => {
      spawnSync("bash", [path.join(ROOT, "tools", "control-plane.sh"), "stop", dir], { stdio: "ignore" });
    },
  };
}

// ---------------------------------------------------------------------------------------
// kubectl

export interface CmdResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function kubectl(cp: ControlPlane, args: string[], input?: string): CmdResult {
  const r = spawnSync(kubectlPath()!, ["--kubeconfig", cp.kubeconfig, "--request-timeout=30s", ...args], { input, encoding: "utf8" });
  return { code: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

// ---------------------------------------------------------------------------------------
// The temp project

export interface Project {
  /** Holds Pulumi.yaml; symlinks to the repo's code, node_modules and .tools. */
  readonly dir: string;
  /** The temp copy of the fixture fleet (stackConfigDir). */
  readonly fleetDir: string;
  readonly backendUrl: string;
  readonly backendDir: string;
  readonly runsDir: string;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * A temp project: Pulumi.yaml (`main: test/e2e/fixture/program.ts`, `stackConfigDir: fleet`),
 * a copy of `test/e2e/fleets/<fixture>` with `@KUBECONFIG_<DOMAIN>@` replaced, and a fresh
 * file backend. The program runs under tsx (`nodeargs: --import tsx`, `typescript: false`):
 * the repo's own `typescript: true` runs ts-node, which type-checks the whole program on
 * every run (~60 s) and fails on automation/fleet/load.ts with TS2322 (see docs/e2e.md).
 */
export function makeProject(fixture: string, cps: Partial<Record<Domain, ControlPlane>>): Project {
  const dir = tmpDir(`proj-${fixture}`);
  for (const f of ["automation", "components", "stacks", "test", "policy-pack", "node_modules", "package.json", "tsconfig.json", ".tools"]) {
    fs.symlinkSync(path.join(ROOT, f), path.join(dir, f));
  }
  fs.writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    [
      "name: meridian",
      "description: meridian e2e fixture project (temp)",
      "runtime:",
      "  name: nodejs",
      "  options:",
      "    typescript: false",
      '    nodeargs: "--import tsx"',
      "main: test/e2e/fixture/program.ts",
      "stackConfigDir: fleet",
      "",
    ].join("\n"),
  );
  const fleetDir = path.join(dir, "fleet");
  fs.mkdirSync(fleetDir);
  const src = path.join(FIXTURE_FLEETS, fixture);
  for (const f of fs.readdirSync(src)) {
    let text = fs.readFileSync(path.join(src, f), "utf8");
    for (const d of DOMAINS) text = text.split(`@KUBECONFIG_${d.toUpperCase()}@`).join(cps[d]?.kubeconfig ?? `/nonexistent/${d}-kubeconfig`);
    // Fixture exemptions expire 30 days after the run, so they are always time-boxed and never stale.
    text = text.split("@EXEMPTION_EXPIRES@").join(new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10));
    fs.writeFileSync(path.join(fleetDir, f), text);
  }
  // One file backend per domain: the orchestrator refuses one backend for two domains.
  const backendDir = path.join(dir, "state");
  for (const d of DOMAINS) fs.mkdirSync(path.join(backendDir, d), { recursive: true });
  const runsDir = path.join(dir, "runs");
  const env = engineEnv({
    MERIDIAN_E2E_PROJECT: dir,
    MERIDIAN_STACKS_DIR: fleetDir,
    ...Object.fromEntries(DOMAINS.filter((d) => cps[d]).map((d) => [`MERIDIAN_E2E_ROOT_CA_${d.toUpperCase()}`, cps[d]!.caFile])),
  });
  const backendUrl = DOMAINS.map((d) => `${d}=file://${path.join(backendDir, d)}`).join(",");
  return { dir, fleetDir, backendUrl, backendDir, runsDir, env };
}

// ---------------------------------------------------------------------------------------
// The orchestrator, as a child process

export interface FleetEvent {
  type: string;
  stack?: string;
  domain?: string;
  status?: string;
  time: string;
  policy?: string;
  error?: string;
  text?: string;
  changes?: { create: number; update: number; delete: number; replace: number; same: number };
  violations?: { mandatory: number; advisory: number };
  runId?: string;
  runDir?: string;
  exitCode?: number;
  counts?: Record<string, number>;
  durationMs?: number;
}

export interface FleetRun extends CmdResult {
  readonly events: FleetEvent[];
  readonly seconds: number;
  finished(stack: string): FleetEvent | undefined;
  started(stack: string): FleetEvent | undefined;
  readonly runId: string | undefined;
}

export interface FleetRunControl {
  /** Called for every event as it arrives; may signal the child. */
  onEvent?: (e: FleetEvent, child: { kill(sig: NodeJS.Signals): void }) => void;
  timeoutMs?: number;
  /** (Optional) Pass `--backend <project.backendUrl>`. Defaults to true; false lets fleet.yaml `domains:` choose each domain's backend. */
  backend?: boolean;
}

export function fleet(project: Project, op: string, args: string[] = [], control: FleetRunControl = {}): Promise<FleetRun> {
  const argv = [
    "--import",
    "tsx",
    path.join(__dirname, "fleet-cli.ts"),
    op,
    "--json",
    "--stacks-dir",
    project.fleetDir,
    ...(control.backend === false ? [] : ["--backend", project.backendUrl]),
    "--runs-dir",
    project.runsDir,
    "--policy-pack",
    E2E_POLICY_PACK,
    ...(op === "up" || op === "destroy" ? ["--yes"] : []),
    ...args,
  ];
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, { cwd: ROOT, env: project.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let buf = "";
    const events: FleetEvent[] = [];
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`fleet ${op} timed out after ${control.timeoutMs ?? 600000} ms\nstderr:\n${stderr.slice(-4000)}`));
    }, control.timeoutMs ?? 600000);
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (!line.trim()) continue;
        try {
          const e = JSON.parse(line) as FleetEvent;
          events.push(e);
          control.onEvent?.(e, { kill: (s) => child.kill(s) });
        } catch {
          // not an event line
        }
      }
    });
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (code) => {
      clearTimeout(timer);
      const runFinished = events.find((e) => e.type === "run-finished");
      resolve({
        code: code ?? 1,
        stdout,
        stderr,
        events,
        seconds: (Date.now() - t0) / 1000,
        finished: (s) => events.find((e) => e.type === "stack-finished" && e.stack === s),
        started: (s) => events.find((e) => e.type === "stack-started" && e.stack === s),
        runId: runFinished?.runId ?? events[0]?.runId,
      });
    });
  });
}

/** A readable dump of a run for assertion messages. */
export function describeRun(r: FleetRun): string {
  const fin = r.events.filter((e) => e.type === "stack-finished").map((e) => `${e.stack}: ${e.status}${e.error ? ` — ${e.error}` : ""}`);
  return `exit ${r.code} in ${r.seconds.toFixed(1)}s\n${fin.join("\n")}\nstderr tail:\n${r.stderr.slice(-3000)}`;
}

/** Lock files the file backend holds for a stack (`.pulumi/locks/<org>/<project>/<stack>/*.json`). */
export function lockFiles(project: Project, stack: string): string[] {
  const out: string[] = [];
  const root = project.backendDir; // every domain's backend: state/<domain>/.pulumi/locks/...
  const walk = (d: string): void => {
    if (!fs.existsSync(d)) return;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.split(path.sep).includes("locks") && p.split(path.sep).includes(stack) && p.endsWith(".json")) out.push(p);
    }
  };
  walk(root);
  return out;
}

/** Run the real CLI directly against a project stack (e.g. to read state) in that stack's domain's backend. */
export function pulumi(project: Project, args: string[], domain: Domain): CmdResult {
  const r = spawnSync(path.join(TOOLS_BIN, "pulumi"), args, {
    cwd: project.dir,
    env: { ...project.env, PULUMI_BACKEND_URL: `file://${path.join(project.backendDir, domain)}` },
    encoding: "utf8",
  });
  return { code: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}
