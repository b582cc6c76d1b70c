/**
 * The pack as the engine runs it: the Node.js language host starts
 * `@pulumi/pulumi/cmd/run-policy-pack <engine> <pack dir>` with the pack directory as
 * cwd; that registers ts-node (typeCheck on, the vendored ts-node 7 over our TypeScript
 * 5.9, module nodenext) and requires package.json's `main` (index.ts), whose PolicyPack
 * serves the Analyzer gRPC service and prints its port. This test does exactly that,
 * then speaks the Analyzer protocol the way the CLI does: GetAnalyzerInfo, Configure
 * (the file written by toEngineConfig), Analyze (one resource) and AnalyzeStack.
 * Slow (ts-node type-checks the pack: ~20-30 s), so it runs once for the whole file.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { toEngineConfig } from "../../policy-pack/lib/config";
import { policyNames } from "../../policy-pack/policies";
import { EU } from "./harness";

/* eslint-disable @typescript-eslint/no-require-imports */
const analyzerPb = require("@pulumi/pulumi/proto/analyzer_pb");
const analyzerGrpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
const structPb = require("google-protobuf/google/protobuf/struct_pb");
const emptyPb = require("google-protobuf/google/protobuf/empty_pb");
/* eslint-enable @typescript-eslint/no-require-imports */

const ROOT = path.resolve(__dirname, "../..");
const PACK = path.join(ROOT, "policy-pack");

type Client = Record<string, (req: unknown, cb: (err: Error | null, res: unknown) => void) => void>;
function usVpcRequest(region = "us-east-1") {
  const req = new analyzerPb.AnalyzeRequest();
  req.setType("aws:ec2/vpc:Vpc");
  req.setName("vpc");
  req.setUrn("urn:pulumi:eu-network::meridian::aws:ec2/vpc:Vpc::vpc");
  req.setProperties(structPb.Struct.fromJavaScript({ cidrBlock: "10.0.0.0/16" }));
  req.setOptions(new analyzerPb.AnalyzerResourceOptions());
  const prov = new analyzerPb.AnalyzerProviderResource();
  prov.setType("pulumi:providers:aws");
  prov.setName("default_7_48_0");
  prov.setUrn("urn:pulumi:eu-network::meridian::pulumi:providers:aws::default_7_48_0");
  prov.setProperties(structPb.Struct.fromJavaScript({ region }));
  req.setProvider(prov);
  return req;
}

function call<T>(client: Client, method: string, req: unknown): Promise<T> {
  return new Promise((resolve, reject) => client[method]!.call(client, req, (err, res) => (err ? reject(err) : resolve(res as T))));
}

let child: ChildProcess | undefined;
let client: Client;
let stderr = "";

let compactFile: string;

beforeAll(async () => {
  // What automation/engine writes for a stack and exports as MERIDIAN_POLICY_CONFIG.
  compactFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "meridian-policy-")), "eu-network.json");
  fs.writeFileSync(compactFile, JSON.stringify({ domain: "eu", stackDomains: { "eu-network": "eu" } }));
  child = spawn(process.execPath, [path.join(ROOT, "node_modules/@pulumi/pulumi/cmd/run-policy-pack"), "127.0.0.1:1", "."], {
    cwd: PACK,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, MERIDIAN_POLICY_CONFIG: compactFile },
  });
  child.stderr!.on("data", (d) => (stderr += String(d)));
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child!.stdout!.on("data", (d) => {
      out += String(d);
      const m = /^(\d+)\s*$/m.exec(out);
      if (m) {
        resolve(Number(m[1]));
      }
    });
    child!.on("exit", (code) => reject(new Error(`run-policy-pack exited ${code}: ${stderr}`)));
  });
  const Ctor = analyzerGrpc.AnalyzerClient as new (addr: string, creds: grpc.ChannelCredentials) => Client;
  client = new Ctor(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}, 120_000);

afterAll(() => {
  (client as unknown as { close?: () => void })?.close?.();
  child?.kill();
});

it("serves the pack: every policy with its metadata and the shared config schema", async () => {
  const info = await call<{ getName(): string; getPoliciesList(): Array<{ getName(): string; getEnforcementlevel(): number; getConfigschema(): { getProperties(): { toJavaScript(): Record<string, unknown> } } }> }>(
    client,
    "getAnalyzerInfo",
    new emptyPb.Empty(),
  );
  expect(info.getName()).toBe("meridian");
  const policies = info.getPoliciesList();
  expect(policies.map((p) => p.getName())).toEqual([...policyNames]);
  const residency = policies.find((p) => p.getName() === "meridian-residency-resource-region-allowlist")!;
  expect(residency.getEnforcementlevel()).toBe(analyzerPb.EnforcementLevel.MANDATORY);
  expect(Object.keys(residency.getConfigschema().getProperties().toJavaScript())).toEqual(
    expect.arrayContaining(["domain", "regions", "registries", "stackDomains", "namespaceExceptions", "exemptions"]),
  );
}, 60_000);

it("analyzes a resource with the config written by toEngineConfig", async () => {
  const cfg = toEngineConfig(EU, policyNames);
  const configure = new analyzerPb.ConfigureAnalyzerRequest();
  const map = configure.getPolicyconfigMap();
  for (const [name, value] of Object.entries(cfg)) {
    if (name === "all") {
      continue;
    }
    const pc = new analyzerPb.PolicyConfig();
    pc.setEnforcementlevel(analyzerPb.EnforcementLevel.MANDATORY);
    pc.setProperties(structPb.Struct.fromJavaScript(value as Record<string, unknown>));
    map.set(name, pc);
  }
  await call(client, "configure", configure);

  const req = usVpcRequest();
  const res = await call<{ getDiagnosticsList(): Array<{ getPolicyname(): string; getMessage(): string; getEnforcementlevel(): number }> }>(client, "analyze", req);
  const ds = res.getDiagnosticsList().map((d) => ({ policy: d.getPolicyname(), level: d.getEnforcementlevel(), message: d.getMessage() }));
  expect(ds).toEqual([
    { policy: "meridian-residency-resource-region-allowlist", level: analyzerPb.EnforcementLevel.MANDATORY, message: expect.stringContaining("'us-east-1' (domain us)") },
  ]);

  // The same resource with the region unknown at preview: an advisory, not a pass.
  const unknown = await call<{ getDiagnosticsList(): Array<{ getPolicyname(): string; getEnforcementlevel(): number }> }>(
    client,
    "analyze",
    usVpcRequest("04da6b54-80e4-46f7-96ec-b56ff0331ba9"),
  );
  expect(unknown.getDiagnosticsList().map((d) => [d.getPolicyname(), d.getEnforcementlevel()])).toEqual([
    ["meridian-residency-resource-region-allowlist", analyzerPb.EnforcementLevel.ADVISORY],
  ]);
}, 60_000);

it("takes the domain from MERIDIAN_POLICY_CONFIG when the engine config carries only levels", async () => {
  await call(client, "configure", new analyzerPb.ConfigureAnalyzerRequest());
  const res = await call<{ getDiagnosticsList(): Array<{ getPolicyname(): string; getMessage(): string }> }>(client, "analyze", usVpcRequest());
  expect(res.getDiagnosticsList().map((d) => [d.getPolicyname(), d.getMessage()])).toEqual([
    ["meridian-residency-resource-region-allowlist", expect.stringContaining("outside the eu allowlist")],
  ]);
}, 60_000);

it("learns preview vs update from ConfigureStack: an unproven cluster is advisory at preview, mandatory at update", async () => {
  await call(client, "configure", new analyzerPb.ConfigureAnalyzerRequest());
  const provider = new analyzerPb.AnalyzerResource();
  provider.setType("pulumi:providers:kubernetes");
  provider.setName("k8s");
  provider.setUrn("urn:pulumi:eu-network::meridian::pulumi:providers:kubernetes::k8s");
  provider.setOptions(new analyzerPb.AnalyzerResourceOptions());
  // An API server behind an IP address proves no region, and nothing in the graph does either.
  const kubeconfig = JSON.stringify({
    "current-context": "aws",
    contexts: [{ name: "aws", context: { cluster: "c" } }],
    clusters: [{ name: "c", cluster: { server: "https://10.1.2.3" } }],
  });
  provider.setProperties(structPb.Struct.fromJavaScript({ kubeconfig }));
  const levelsFor = async (dryRun: boolean) => {
    const configure = new analyzerPb.AnalyzerStackConfigureRequest();
    configure.setStack("eu-network");
    configure.setProject("meridian");
    configure.setDryRun(dryRun);
    await call(client, "configureStack", configure);
    const req = new analyzerPb.AnalyzeStackRequest();
    req.setResourcesList([provider]);
    const res = await call<{ getDiagnosticsList(): Array<{ getPolicyname(): string; getEnforcementlevel(): number }> }>(client, "analyzeStack", req);
    return res
      .getDiagnosticsList()
      .filter((d) => d.getPolicyname() === "meridian-kubernetes-provider-cluster-domain")
      .map((d) => d.getEnforcementlevel());
  };
  expect(await levelsFor(true)).toEqual([analyzerPb.EnforcementLevel.ADVISORY]);
  expect(await levelsFor(false)).toEqual([analyzerPb.EnforcementLevel.MANDATORY]);
}, 60_000);
