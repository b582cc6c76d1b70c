/**
 * The fleet's own control plane stays in its domain — proven with the REAL Pulumi CLI
 * (.tools/bin/pulumi 3.248.0, driven through the Automation API) against one emulated S3
 * server (gofakes3) and one emulated AWS KMS (local-kms) per domain, on loopback:
 *
 *   - EU stacks' state objects exist only in the EU state bucket, US only in the US one, and
 *     no object of one domain's buckets names a stack of the other;
 *   - secrets in EU state are ciphertext under the EU KMS key: its data key decrypts with
 *     the EU KMS and the secret decrypts with that data key; the US KMS cannot decrypt it;
 *     no plaintext secret is in any bucket object (and the same for US);
 *   - a stack reference within a domain resolves; a US stack referencing an EU stack fails
 *     with "not found", because the EU stack is not in the US backend;
 *   - (needs the merge of controlplane-config + orchestrator-plane) `fleet up` with a
 *     fleet.yaml declaring `domains:` puts each stack's state in its domain's bucket and its
 *     evidence in its domain's evidence bucket only.
 *
 * Each domain's workspace gets only its own backend URL, secrets provider and (dummy,
 * emulator-only) AWS keys. Skips LOUDLY when the binaries are not built.
 */
import { spawn, spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import { DOMAINS, ROOT, describeRun, engineEnv, fleet, tmpDir, type Domain, type Project } from "./harness";
import { EMULATOR_BIN, awsEnv, emulatorPreflight, startKms, startObjectStore, type Kms, type ObjectStore } from "./harness/emulators";
import { loadFleet } from "../../automation/fleet";

const missing = emulatorPreflight();
if (missing.length > 0) {
  process.stderr.write(["", "=".repeat(78), "E2E RESIDENCY TIER SKIPPED — binaries missing:", ...missing.map((m) => `  - ${m}`), "=".repeat(78), ""].join("\n"));
}
const suite = missing.length > 0 ? describe.skip : describe;
if (missing.length > 0 && process.env.MERIDIAN_E2E_REQUIRE === "1") {
  it("the emulators and the CLI are built (MERIDIAN_E2E_REQUIRE=1)", () => {
    throw new Error(`missing: ${missing.join("; ")}`);
  });
}

const other = (d: Domain): Domain => (d === "eu" ? "us" : "eu");
const stateBucket = (d: Domain) => `meridian-state-${d}`;
const evidenceBucket = (d: Domain) => `meridian-evidence-${d}`;
/** The stacks each domain runs here; `<d>-reader` references `<d>-app` in its own backend. */
const STACKS: Record<Domain, string[]> = { eu: ["eu-app", "eu-reader"], us: ["us-app", "us-reader", "us-reads-eu"] };
const PROJECT = "meridian";
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

interface DomainPlane {
  store: ObjectStore;
  kms: Kms;
  secret: string;
  env: Record<string, string>;
}

/** A temp project whose program is test/e2e/fixture/residency.ts (run by tsx, as in harness/makeProject). */
function residencyProject(): string {
  const dir = tmpDir("residency");
  for (const f of ["test", "node_modules", "package.json", "tsconfig.json"]) fs.symlinkSync(path.join(ROOT, f), path.join(dir, f));
  fs.writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    [`name: ${PROJECT}`, "runtime:", "  name: nodejs", "  options:", "    typescript: false", '    nodeargs: "--import tsx"', "main: test/e2e/fixture/residency.ts", ""].join("\n"),
  );
  return dir;
}

/** Only this domain's control plane: its backend, its secrets provider, its (dummy) keys; never a passphrase. */
function domainEnv(d: Domain, store: ObjectStore): Record<string, string> {
  const base = engineEnv();
  delete base.PULUMI_CONFIG_PASSPHRASE;
  const env = Object.fromEntries(Object.entries(base).filter((e): e is [string, string] => e[1] !== undefined));
  return { ...env, ...awsEnv(d), PULUMI_BACKEND_URL: store.url(stateBucket(d)) };
}

type Checkpoint = {
  checkpoint: {
    latest?: {
      secrets_providers?: { type: string; state: { url: string; encryptedkey: string } };
      resources?: Array<{ type: string; outputs?: Record<string, unknown> }>;
    };
  };
};

/** Pulumi's symmetric crypter (sdk/go/common/resource/config/crypt.go): `v1:<nonce>:<AES-256-GCM ciphertext+tag>`. */
function decryptValue(dataKey: Buffer, value: string): string {
  const [v, nonce, sealed] = value.split(":");
  if (v !== "v1") throw new Error(`not a v1 ciphertext: ${value.slice(0, 8)}…`);
  const bytes = Buffer.from(sealed, "base64");
  const d = crypto.createDecipheriv("aes-256-gcm", dataKey, Buffer.from(nonce, "base64"));
  d.setAuthTag(bytes.subarray(bytes.length - 16));
  return Buffer.concat([d.update(bytes.subarray(0, bytes.length - 16)), d.final()]).toString("utf8");
}

suite("e2e: each domain's state and secrets in its own S3 bucket under its own KMS key (real CLI, emulators)", () => {
  const planes = {} as Record<Domain, DomainPlane>;
  const stacks = new Map<string, Stack>();
  let projectDir: string;
  let crossDomainError: string;
  const t0 = Date.now();

  beforeAll(async () => {
    for (const d of DOMAINS) {
      const [store, kms] = await Promise.all([startObjectStore(d, [stateBucket(d), evidenceBucket(d)]), startKms(d)]);
      planes[d] = { store, kms, secret: `${d}-secret-${crypto.randomBytes(12).toString("hex")}`, env: domainEnv(d, store) };
    }
    projectDir = residencyProject();
    const pulumiCommand = await PulumiCommand.get({ root: path.dirname(EMULATOR_BIN), skipVersionCheck: true });
    const open = async (d: Domain, name: string, config: Record<string, { value: string; secret?: boolean }>) => {
      const stack = await LocalWorkspace.createOrSelectStack(
        { stackName: name, workDir: projectDir },
        { pulumiCommand, envVars: planes[d].env, secretsProvider: planes[d].kms.secretsProvider },
      );
      await stack.setAllConfig({ "meridian-e2e:domain": { value: d }, "meridian-e2e:token": { value: planes[d].secret, secret: true }, ...config });
      stacks.set(name, stack);
      return stack;
    };
    // The two domains run at the same time, each against its own control plane only.
    await Promise.all(
      DOMAINS.map(async (d) => {
        await (await open(d, `${d}-app`, {})).up({ onOutput: () => undefined });
        await (await open(d, `${d}-reader`, { "meridian-e2e:reference": { value: `organization/${PROJECT}/${d}-app` } })).up({ onOutput: () => undefined });
      }),
    );
    const usReadsEu = await open("us", "us-reads-eu", { "meridian-e2e:reference": { value: `organization/${PROJECT}/eu-app` } });
    crossDomainError = await usReadsEu.preview().then(
      () => "",
      (e: unknown) => String(e),
    );
  }, 600000);

  afterAll(() => {
    for (const d of DOMAINS) {
      planes[d]?.store.stop();
      planes[d]?.kms.stop();
    }
    process.stderr.write(`residency e2e: setup + runs took ${((Date.now() - t0) / 1000).toFixed(1)}s\n`);
  });

  it("resolves a stack reference within a domain (the positive control for the cross-domain test)", async () => {
    for (const d of DOMAINS) expect((await stacks.get(`${d}-reader`)!.outputs()).upstreamDomain.value).toBe(d);
  });

  it.each(DOMAINS.map((d) => [d]))("keeps %s stacks' state objects only in that domain's state bucket", async (d: Domain) => {
    const keys = (await planes[d].store.objects(stateBucket(d))).map((o) => o.key);
    const stackFiles = keys.map((k) => /^\.pulumi\/stacks\/([^/]+)\/([^/]+)\.json(\.gz)?$/.exec(k)).filter((m) => m !== null);
    expect(stackFiles.map((m) => `${m![1]}/${m![2]}`).sort()).toEqual(STACKS[d].map((s) => `${PROJECT}/${s}`).sort());
    expect(keys.some((k) => k.startsWith(".pulumi/history/"))).toBe(true);
    for (const k of keys) for (const s of STACKS[other(d)]) expect([k, s, k.includes(s)]).toEqual([k, s, false]);
  });

  it.each(DOMAINS.map((d) => [d]))("has no object in %s buckets that names a stack of the other domain", async (d: Domain) => {
    const objects = [...(await planes[d].store.objects(stateBucket(d))), ...(await planes[d].store.objects(evidenceBucket(d)))];
    expect(objects.length).toBeGreaterThan(3);
    const text = objects.map((o) => o.body).join("\n");
    for (const s of STACKS[d]) if (!s.endsWith("-reads-eu")) expect([s, text.includes(s)]).toEqual([s, true]); // the check can see names
    for (const o of objects) for (const s of STACKS[other(d)]) expect([o.key, s, o.body.includes(s)]).toEqual([o.key, s, false]);
  });

  it.each(DOMAINS.map((d) => [d]))("encrypts %s secrets under that domain's KMS key: decryptable with it, not with the other domain's", async (d: Domain) => {
    const mine = planes[d];
    const theirs = planes[other(d)];
    const obj = (await mine.store.objects(stateBucket(d))).find((o) => o.key === `.pulumi/stacks/${PROJECT}/${d}-app.json`)!;
    const latest = (JSON.parse(obj.body) as Checkpoint).checkpoint.latest!;
    expect(latest.secrets_providers!.type).toBe("cloud");
    expect(latest.secrets_providers!.state.url).toBe(mine.kms.secretsProvider);
    const wrappedKey = Buffer.from(latest.secrets_providers!.state.encryptedkey, "base64");

    // The data key is wrapped by THIS domain's key (the KMS says which key it used).
    const dataKey = await mine.kms.decrypt(wrappedKey, mine.kms.alias);
    expect(dataKey.length).toBe(32);
    const outputs = latest.resources!.find((r) => r.type === "pulumi:pulumi:Stack")!.outputs!;
    for (const [name, expected] of [["token", mine.secret], ["derived", `derived-${mine.secret}`]] as const) {
      const stored = outputs[name] as Record<string, string>;
      expect(stored[SECRET_SIG]).toBe("1b47061264138c4ac30d75fd1eb44270");
      expect(stored.ciphertext).toMatch(/^v1:/);
      expect(JSON.parse(decryptValue(dataKey, stored.ciphertext))).toBe(expected);
    }
    // The other domain's KMS cannot unwrap it: not by the blob, not with its own key named.
    await expect(theirs.kms.decrypt(wrappedKey)).rejects.toThrow();
    await expect(theirs.kms.decrypt(wrappedKey, theirs.kms.alias)).rejects.toThrow();
    // And the stack config file's secret is ciphertext under the same provider.
    const cfg = fs.readFileSync(path.join(projectDir, `Pulumi.${d}-app.yaml`), "utf8");
    expect(cfg).toContain(`secretsprovider: ${mine.kms.secretsProvider}`);
    expect(cfg).not.toContain(mine.secret);
  });

  it("has no plaintext secret (or its base64) in any object of any bucket", async () => {
    const needles = DOMAINS.flatMap((d) => [planes[d].secret, Buffer.from(planes[d].secret).toString("base64")]);
    let n = 0;
    for (const d of DOMAINS) {
      for (const b of [stateBucket(d), evidenceBucket(d)]) {
        for (const o of await planes[d].store.objects(b)) {
          n++;
          for (const s of needles) expect([b, o.key, o.body.includes(s)]).toEqual([b, o.key, false]);
        }
      }
    }
    expect(n).toBeGreaterThan(6);
  });

  it("fails a US stack that references an EU stack, clearly: not found in the US backend", () => {
    expect(crossDomainError).not.toBe("");
    expect(crossDomainError).toMatch(/organization\/meridian\/eu-app/);
    expect(crossDomainError).toMatch(/unknown stack|not found|does not exist/i);
  });

  it("keeps each domain's workspace on its own control plane only (checked as booleans: the env is never printed)", () => {
    for (const d of DOMAINS) {
      const env = decodeURIComponent(JSON.stringify(planes[d].env));
      const has = (s: string) => env.includes(s);
      const o = planes[other(d)];
      expect({ d, ownStore: has(planes[d].store.endpoint), ownKms: has(planes[d].kms.endpoint), otherStore: has(o.store.endpoint), otherKms: has(o.kms.endpoint), otherKey: has(awsEnv(other(d)).AWS_ACCESS_KEY_ID), passphrase: planes[d].env.PULUMI_CONFIG_PASSPHRASE !== undefined }).toEqual({ d, ownStore: true, ownKms: false, otherStore: false, otherKms: false, otherKey: false, passphrase: false });
      // The KMS endpoint reaches the CLI through the workspace's secrets provider, not the env.
      expect(fs.readFileSync(path.join(projectDir, `Pulumi.${d}-app.yaml`), "utf8")).toContain(encodeURIComponent(planes[d].kms.endpoint));
    }
  });

  it("reports the cross-domain failure as one readable error (printed for the record)", () => {
    const line = crossDomainError.split("\n").find((l) => /eu-app/.test(l) && /unknown|not found|does not exist/i.test(l));
    process.stderr.write(`residency e2e: US -> EU stack reference error: ${line}\n`);
    expect(line).toBeDefined();
  });
});

suite("e2e: the emulators themselves (loopback only, gone with their owner)", () => {
  it("refuses a non-loopback address", () => {
    for (const [bin, extra] of [["meridian-s3", []], ["meridian-kms", ["-data", tmpDir("refuse")]]] as const) {
      const r = spawnSync(path.join(EMULATOR_BIN, bin), ["-addr", "0.0.0.0:0", ...extra], { encoding: "utf8", timeout: 20000 });
      expect([bin, r.status, r.stderr]).toEqual([bin, 1, expect.stringContaining('-addr "0.0.0.0:0" is not a loopback address')]);
    }
  });

  it("dies when the process that started it is SIGKILLed (no afterAll, no exit handler ran)", async () => {
    const script = `const { startObjectStore } = require(${JSON.stringify(path.join(__dirname, "harness", "emulators.ts"))}); startObjectStore("eu", ["b"]).then((s) => { process.stdout.write(String(s.pid) + "\\n"); setInterval(() => {}, 1000); });`;
    const owner = spawn(process.execPath, ["--import", "tsx", "-e", script], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
    const pid = await new Promise<number>((resolve) => owner.stdout.once("data", (d: Buffer) => resolve(Number(String(d).trim()))));
    const alive = (p: number) => {
      try {
        process.kill(p, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect(alive(pid)).toBe(true);
    owner.kill("SIGKILL");
    const deadline = Date.now() + 10000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(alive(pid)).toBe(false);
  }, 60000);
});

// ---------------------------------------------------------------------------------------
// The same properties through the orchestrator (`fleet up` with `domains:` in fleet.yaml).
// NEEDS THE MERGE of controlplane-config (fleet.yaml `domains.<d>.{backend, secretsProvider,
// evidenceStore}`) and orchestrator-plane (per-domain backends/secrets providers, evidence
// upload to the domain's store). Probed, not assumed: until the fleet schema accepts
// `domains:`, this suite is skipped with a message naming what is missing.

function domainsFleet(planes: Record<Domain, { store: ObjectStore; kms: Kms }>): string {
  const dir = tmpDir("fleet-domains");
  for (const f of ["Pulumi.eu-pki.yaml", "Pulumi.us-pki.yaml"]) fs.copyFileSync(path.join(__dirname, "fleets", "local", f), path.join(dir, f));
  const lines = ["# e2e: one emulated control plane per domain", "domainOrder: [eu, us]", "domains:"];
  for (const d of DOMAINS) {
    const p = planes[d];
    lines.push(`  ${d}:`, `    backend: "${p.store.url(stateBucket(d))}"`, `    secretsProvider: "${p.kms.secretsProvider}"`, `    evidenceStore: "${p.store.url(evidenceBucket(d))}"`);
  }
  fs.writeFileSync(path.join(dir, "fleet.yaml"), `${lines.join("\n")}\n`);
  return dir;
}

/** Does this branch's fleet schema accept `domains:`? (false before the controlplane-config merge) */
function fleetAcceptsDomains(): { ok: boolean; why: string } {
  const fake = { eu: { store: { url: (b: string) => `s3://${b}?region=eu-central-1` }, kms: { secretsProvider: "awskms://alias/meridian-state-eu?region=eu-central-1" } }, us: { store: { url: (b: string) => `s3://${b}?region=us-east-1` }, kms: { secretsProvider: "awskms://alias/meridian-state-us?region=us-east-1" } } };
  try {
    loadFleet(domainsFleet(fake as unknown as Record<Domain, { store: ObjectStore; kms: Kms }>));
    return { ok: true, why: "" };
  } catch (e) {
    return { ok: false, why: String(e).split("\n").slice(0, 3).join(" ") };
  }
}

const probe = missing.length > 0 ? { ok: false, why: "binaries missing" } : fleetAcceptsDomains();
if (missing.length === 0 && !probe.ok) {
  process.stderr.write(`\nE2E ORCHESTRATOR-RESIDENCY SUITE SKIPPED — needs the merge of controlplane-config + orchestrator-plane (fleet.yaml domains:): ${probe.why}\n`);
}
(probe.ok ? describe : describe.skip)("e2e: fleet up with per-domain control planes (needs the controlplane-config + orchestrator-plane merge)", () => {
  const planes = {} as Record<Domain, { store: ObjectStore; kms: Kms }>;
  let project: Project;
  let run: Awaited<ReturnType<typeof fleet>>;

  beforeAll(async () => {
    for (const d of DOMAINS) {
      const [store, kms] = await Promise.all([startObjectStore(d, [stateBucket(d), evidenceBucket(d)]), startKms(d)]);
      planes[d] = { store, kms };
    }
    const fleetDir = domainsFleet(planes);
    const dir = tmpDir("proj-domains");
    for (const f of ["automation", "components", "stacks", "test", "policy-pack", "node_modules", "package.json", "tsconfig.json", ".tools"]) fs.symlinkSync(path.join(ROOT, f), path.join(dir, f));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), ["name: meridian", "runtime:", "  name: nodejs", "  options:", "    typescript: false", '    nodeargs: "--import tsx"', "main: test/e2e/fixture/program.ts", "stackConfigDir: fleet", ""].join("\n"));
    fs.symlinkSync(fleetDir, path.join(dir, "fleet"));
    const ca = path.join(tmpDir("root-ca"), "root-ca.pem");
    fs.writeFileSync(ca, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    // Both domains' dummy keys are the same emulator-only values per process here: the
    // orchestrator runs both domains; which store each stack reaches is what is asserted.
    const env = { ...engineEnv({ MERIDIAN_E2E_PROJECT: dir, MERIDIAN_STACKS_DIR: fleetDir, MERIDIAN_E2E_ROOT_CA_EU: ca, MERIDIAN_E2E_ROOT_CA_US: ca }), ...awsEnv("eu") };
    delete env.PULUMI_CONFIG_PASSPHRASE;
    project = { dir, fleetDir, backendUrl: "", backendDir: "", runsDir: path.join(dir, "runs"), env };
    run = await fleet(project, "up", [], { backend: false });
  }, 900000);

  afterAll(() => {
    for (const d of DOMAINS) {
      planes[d]?.store.stop();
      planes[d]?.kms.stop();
    }
  });

  it("succeeds", () => {
    expect([run.code, describeRun(run)]).toEqual([0, expect.any(String)]);
  });

  it.each(DOMAINS.map((d) => [d]))("puts %s state in its own state bucket and its evidence in its own evidence bucket only", async (d: Domain) => {
    const state = await planes[d].store.objects(stateBucket(d));
    expect(state.some((o) => o.key === `.pulumi/stacks/meridian/${d}-pki.json`)).toBe(true);
    const evidence = await planes[d].store.objects(evidenceBucket(d));
    expect(evidence.length).toBeGreaterThan(0);
    expect(evidence.map((o) => o.body).join("\n")).toContain(`${d}-pki`);
    for (const o of [...state, ...evidence]) expect([o.key, o.body.includes(`${other(d)}-pki`)]).toEqual([o.key, false]);
  });
});
