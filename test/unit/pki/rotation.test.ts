/**
 * A full root rotation: start (introduce) → overlap with new intermediates (issue, cross-signed)
 * → retire the old root.
 *
 * Part 1 walks ResidencyPki through the phases under mocks and checks the wiring: which root
 * signs which intermediate, what the trust bundle holds, and that a phase change keeps the
 * names (so keys) it keeps. The offline mocks do not sign, so
 * part 2 produces real certificates with the openssl CLI from the same templates (caSubject,
 * ROOT_USES / INTERMEDIATE_USES, ECDSA P-384, as the tls provider is asked for) and checks
 * the chains each phase promises with node:crypto X509Certificate.checkIssued/verify and with
 * `openssl verify`. What is not proven here: the tls provider's own signing (no provider
 * binary offline) and cert-manager/trust-manager serving the chain on a cluster.
 */
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import { findAll, installMocks, settle, valueOf } from "../../support/mocks";

const cloud = installMocks({ stack: "eu-pki" });

import { pkiSettings } from "../../../automation/fleet/schema";
import { caSubject, INTERMEDIATE_USES, ResidencyPki, ROOT_USES, validateResidencyPkiArgs, type ResidencyPkiArgs } from "../../../components/pki";

const providers = [new tls.Provider("tls", {}), new random.Provider("random", {})];
const phases: Record<string, Partial<ResidencyPkiArgs<"eu">>> = {
  steady: { generation: 1 },
  introduce: { generation: 1, rotation: { to: 2, phase: "introduce" } },
  issue: { generation: 1, rotation: { to: 2, phase: "issue" } },
  retired: { generation: 2 },
};
// The aliases each child is registered with (an SDK-side transformation sees the options).
const aliases = new Map<string, unknown[]>();
const recordAliases: pulumi.ResourceTransformation = (a) => {
  aliases.set(a.name, (a.opts.aliases ?? []) as unknown[]);
  return undefined;
};
const pkis = Object.fromEntries(
  Object.entries(phases).map(([phase, a]) => [phase, new ResidencyPki(phase, { domain: "eu", intermediates: ["mesh"], ...a }, { providers, transformations: [recordAliases] })]),
);

beforeAll(settle);

describe("the phases, under mocks", () => {
  const records = (phase: string, type: string) => findAll(cloud, type).filter((r) => r.name.startsWith(`${phase}-`));
  const names = (phase: string) => [...records(phase, "tls:index/privateKey:PrivateKey"), ...records(phase, "tls:index/selfSignedCert:SelfSignedCert"), ...records(phase, "tls:index/locallySignedCert:LocallySignedCert")].map((r) => r.name.slice(phase.length + 1)).sort();
  const rootPem = (phase: string, g: number) => String(records(phase, "tls:index/selfSignedCert:SelfSignedCert").find((r) => r.name === `${phase}-g${g}-root`)!.state.certPem);
  const signer = (phase: string, cert: string) => records(phase, "tls:index/locallySignedCert:LocallySignedCert").find((r) => r.name === `${phase}-${cert}`)!.inputs.caCertPem;

  it("steady: one root, the intermediate signed by it, the pre-generation names kept as aliases", async () => {
    expect(names("steady")).toEqual(["g1-mesh", "g1-mesh-key", "g1-root", "g1-root-key"]);
    expect(signer("steady", "g1-mesh")).toBe(rootPem("steady", 1));
    expect(await valueOf(pkis.steady.trustRootPems)).toEqual([rootPem("steady", 1)]);
    // A stack deployed before generations were named keeps its keys: same resources, new names.
    for (const [now, before] of [["g1-serial", "generation"], ["g1-root-key", "root-key"], ["g1-root", "root"], ["g1-mesh-key", "mesh-key"], ["g1-mesh-csr", "mesh-csr"], ["g1-mesh", "mesh"]]) {
      expect(aliases.get(`steady-${now}`)).toEqual([{ name: `steady-${before}` }]);
    }
  });

  it("introduce: root g2 joins the bundle; g1 still issues", async () => {
    expect(names("introduce")).toEqual(["g1-mesh", "g1-mesh-key", "g1-root", "g1-root-key", "g2-root", "g2-root-key"]);
    expect(signer("introduce", "g1-mesh")).toBe(rootPem("introduce", 1));
    expect(await valueOf(pkis.introduce.rootCertPem)).toBe(rootPem("introduce", 1));
    expect(await valueOf(pkis.introduce.trustRootPems)).toEqual([rootPem("introduce", 1), rootPem("introduce", 2)]);
    expect(pkis.introduce.incoming).toEqual({});
  });

  it("issue: new intermediate keys certified by g2 and cross-signed by g1; both roots trusted", async () => {
    expect(names("issue")).toEqual(["g1-root", "g1-root-key", "g2-mesh", "g2-mesh-cross", "g2-mesh-key", "g2-root", "g2-root-key"]);
    expect(signer("issue", "g2-mesh")).toBe(rootPem("issue", 2));
    expect(signer("issue", "g2-mesh-cross")).toBe(rootPem("issue", 1));
    // Only the current generation answers to the old names; the incoming one is new.
    expect(aliases.get("issue-g1-root")).toEqual([{ name: "issue-root" }]);
    expect(aliases.get("issue-g2-root")).toEqual([]);
    expect(aliases.get("issue-g2-mesh-key")).toEqual([]);
    const cross = records("issue", "tls:index/locallySignedCert:LocallySignedCert");
    expect(cross[0].inputs.certRequestPem).toBe(cross[1].inputs.certRequestPem); // one key, two issuers
    // The served (cross-signed) intermediate chains to g1, so g1 stays first: consumers such as
    // the gateway's CA Secret append trustRoots[0] to the intermediate to form their chain.
    expect(await valueOf(pkis.issue.trustRootPems)).toEqual([rootPem("issue", 1), rootPem("issue", 2)]);
    expect(await valueOf(pkis.issue.rootCertPem)).toBe(rootPem("issue", 1));
    // Consumers are handed the cross-signed certificate; the g2-certified one waits for retire.
    const served = records("issue", "tls:index/locallySignedCert:LocallySignedCert").find((r) => r.name === "issue-g2-mesh-cross")!;
    const direct = records("issue", "tls:index/locallySignedCert:LocallySignedCert").find((r) => r.name === "issue-g2-mesh")!;
    expect(await valueOf(pkis.issue.intermediates.mesh.certPem)).toBe(served.state.certPem);
    expect(await valueOf(pkis.issue.incoming.mesh)).toBe(direct.state.certPem);
  });

  it("retire: only g2 remains, under the same names as during the overlap (no new keys)", async () => {
    expect(names("retired")).toEqual(["g2-mesh", "g2-mesh-key", "g2-root", "g2-root-key"]);
    expect(await valueOf(pkis.retired.trustRootPems)).toEqual([rootPem("retired", 2)]);
  });

  it("in every phase the served intermediate is signed by trustRoots[0] (the chain consumers build is whole)", async () => {
    for (const phase of Object.keys(phases)) {
      const served = await valueOf(pkis[phase].intermediates.mesh.certPem);
      const record = records(phase, "tls:index/locallySignedCert:LocallySignedCert").find((r) => r.state.certPem === served)!;
      expect(record.inputs.caCertPem).toBe((await valueOf(pkis[phase].trustRootPems))[0]);
    }
  });

  it("meridian:pki.rotation is checked at the edge, with its key", () => {
    expect(pkiSettings.safeParse({ generation: 1, rotation: { to: 2, phase: "introduce" } }).success).toBe(true);
    const skip = pkiSettings.safeParse({ generation: 1, rotation: { to: 3, phase: "issue" } });
    expect(skip.error?.issues.map((i) => [i.path.join("."), i.message])).toEqual([["rotation.to", "must be generation + 1: rotate one generation at a time (docs/runbooks.md)"]]);
    expect(pkiSettings.safeParse({ rotation: { to: 2, phase: "cutover" } }).error?.issues[0].path).toEqual(["rotation", "phase"]);
  });

  it("rotates one generation at a time", () => {
    expect(validateResidencyPkiArgs({ domain: "eu", generation: 1, rotation: { to: 3, phase: "issue" } })).toEqual([
      { propertyPath: "rotation.to", reason: "must be generation + 1 (2), got 3; rotate one generation at a time" },
    ]);
  });
});

describe("real X.509 chains through the rotation (openssl-signed, node:crypto-verified)", () => {
  const dir = mkdtempSync(join(tmpdir(), "meridian-pki-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] }).toString();
  const KEY_USAGE: Record<string, string> = { cert_signing: "keyCertSign", crl_signing: "cRLSign", digital_signature: "digitalSignature" };
  let serial = 1;
  const dn = (s: { commonName: string; organization: string; organizationalUnit: string }) => `/CN=${s.commonName}/O=${s.organization}/OU=${s.organizationalUnit}`;
  const key = (n: string) => (openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", `${n}.key`), `${n}.key`);
  const ext = (n: string, uses: readonly string[], ca: boolean) => {
    writeFileSync(join(dir, `${n}.ext`), `[v3]\nbasicConstraints=critical,CA:${ca ? "TRUE" : "FALSE"}\nkeyUsage=critical,${uses.map((u) => KEY_USAGE[u]).join(",")}\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n`);
    return `${n}.ext`;
  };
  const root = (g: number) => {
    const k = key(`root${g}`);
    const subject = dn(caSubject({ domain: "eu", organization: "meridian", generation: g, serialHex: `0000000${g}` }));
    const uses = ROOT_USES.map((u) => KEY_USAGE[u]).join(",");
    openssl("req", "-x509", "-new", "-key", k, "-subj", subject, "-days", "3650", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", `keyUsage=critical,${uses}`, "-out", `root${g}.pem`);
    return { cert: `root${g}.pem`, key: k };
  };
  const sign = (csr: string, by: { cert: string; key: string }, out: string, extfile: string) =>
    (openssl("x509", "-req", "-in", csr, "-CA", by.cert, "-CAkey", by.key, "-set_serial", String(serial++), "-days", "365", "-extfile", extfile, "-extensions", "v3", "-out", out), out);
  const csr = (n: string, k: string, subject: string) => (openssl("req", "-new", "-key", k, "-subj", subject, "-out", `${n}.csr`), `${n}.csr`);
  const x509 = (f: string) => new X509Certificate(readFileSync(join(dir, f)));

  /** Does `leaf` chain to one of `roots` through `pool`? Checked link by link with node:crypto. */
  function chainsTo(leaf: string, pool: string[], roots: string[]): boolean {
    const visit = (cert: X509Certificate, depth: number): boolean => {
      if (depth > 4) return false;
      // checkIssued: "was this certificate issued by the argument" (names and key identifiers); verify: the signature.
      for (const r of roots.map(x509)) if (cert.checkIssued(r) && cert.verify(r.publicKey)) return true;
      return pool.map(x509).some((i) => i.fingerprint256 !== cert.fingerprint256 && cert.checkIssued(i) && cert.verify(i.publicKey) && visit(i, depth + 1));
    };
    return visit(x509(leaf), 0);
  }
  /** The same question to OpenSSL's own chain builder. */
  function opensslVerifies(leaf: string, pool: string[], roots: string[]): boolean {
    writeFileSync(join(dir, "trust.pem"), roots.map((r) => readFileSync(join(dir, r), "utf8")).join(""));
    writeFileSync(join(dir, "untrusted.pem"), pool.map((r) => readFileSync(join(dir, r), "utf8")).join("") || "\n");
    try {
      openssl("verify", "-CAfile", "trust.pem", ...(pool.length ? ["-untrusted", "untrusted.pem"] : []), leaf);
      return true;
    } catch {
      return false;
    }
  }
  const both = (leaf: string, pool: string[], roots: string[]) => [chainsTo(leaf, pool, roots), opensslVerifies(leaf, pool, roots)];

  it("walks start → overlap → new intermediates → retire without a moment where a served chain fails", () => {
    // Steady state, generation 1: root g1, mesh intermediate g1, a leaf it issued.
    const r1 = root(1);
    const i1key = key("mesh1");
    const i1 = sign(csr("mesh1", i1key, dn(caSubject({ domain: "eu", organization: "meridian", generation: 1, serialHex: "00000001", purpose: "mesh" }))), r1, "mesh1.pem", ext("mesh1", INTERMEDIATE_USES, true));
    const leaf1 = sign(csr("leaf1", key("leaf1"), "/CN=svc.eu.internal"), { cert: i1, key: i1key }, "leaf1.pem", ext("leaf1", ["digital_signature"], false));
    expect(x509(i1).ca).toBe(true);
    expect(x509(i1).issuer).toBe(x509(r1.cert).subject);

    // Start (introduce): root g2 exists and is trusted beside g1; g1 still issues.
    const r2 = root(2);
    const bundle = [r1.cert, r2.cert];
    expect(both(leaf1, [i1], bundle)).toEqual([true, true]);
    expect(both(leaf1, [i1], [r1.cert])).toEqual([true, true]); // a consumer without the new bundle yet is unaffected

    // Overlap (issue): a new intermediate key, certified by g2 and cross-signed by g1.
    const i2key = key("mesh2");
    const i2csr = csr("mesh2", i2key, dn(caSubject({ domain: "eu", organization: "meridian", generation: 2, serialHex: "00000002", purpose: "mesh" })));
    const i2 = sign(i2csr, r2, "mesh2.pem", ext("mesh2", INTERMEDIATE_USES, true));
    const i2cross = sign(i2csr, r1, "mesh2-cross.pem", ext("mesh2x", INTERMEDIATE_USES, true));
    expect(x509(i2).publicKey.export({ format: "der", type: "spki" })).toEqual(x509(i2cross).publicKey.export({ format: "der", type: "spki" }));
    expect(x509(i2).subject).toBe(x509(i2cross).subject);
    const leaf2 = sign(csr("leaf2", key("leaf2"), "/CN=svc.eu.internal"), { cert: i2, key: i2key }, "leaf2.pem", ext("leaf2", ["digital_signature"], false));
    // Served during the overlap: leaf2 + the cross-signed intermediate.
    expect(both(leaf2, [i2cross], bundle)).toEqual([true, true]); // updated consumers
    expect(both(leaf2, [i2cross], [r1.cert])).toEqual([true, true]); // a consumer still on the old bundle
    expect(both(leaf2, [i2], [r1.cert])).toEqual([false, false]); // serving the g2-certified one now would be the hard cut-over
    // Serving both certificates of the key: Go-style backtracking finds the cross path, OpenSSL
    // takes the first candidate and does not backtrack among untrusted certificates — one at a time.
    expect(both(leaf2, [i2, i2cross], [r1.cert])).toEqual([true, false]);
    expect(both(leaf1, [i1], bundle)).toEqual([true, true]); // leaves issued before keep working

    // Retire: the g2-certified intermediate is served (same key: leaf2 unchanged), bundle g2 only.
    expect(both(leaf2, [i2], [r2.cert])).toEqual([true, true]);
    expect(both(leaf2, [i2], bundle)).toEqual([true, true]); // a consumer that still has both roots
    expect(both(leaf1, [i1], [r2.cert])).toEqual([false, false]); // why the runbook renews leaves (or keeps retiringRoots) first
  });
});
