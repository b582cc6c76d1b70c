/**
 * The config keys added for #16 (gates, `observability.<d>.logAnalyticsCmk`, `meridian:pki.rotation`,
 * node-pool `upgrade` settings), each fed a value of the other domain or one that widens what
 * the key allows: the loader refuses every one with one line naming the file and the key, and
 * the real CLI exits 2 on it. In-domain values of the same shape still load, so the refusals
 * are about the domain, not the shape. A gate check naming another domain's stack (a kube
 * context, a kubeconfig file, a URL's query) is refused the same way.
 */
import { parse, stringify } from "yaml";
import { gateUrlProblem } from "../../../automation/fleet/gates";
import { loadFleet } from "../../../automation/fleet";
import { fleetCli } from "../../support/cli";
import { fleetDir, readReference } from "../../support/fleetDir";
import { loadErrors } from "../../support/loadErrors";

type Config = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function editStack(file: string, change: (config: Config) => void): Record<string, string> {
  const doc = parse(readReference(file)) as { config: Config };
  change(doc.config);
  return { [file]: stringify(doc) };
}

/** fleet.yaml with `gates:` holding one check for `domain`. */
function gateFleet(domain: string, check: string): Record<string, string> {
  return { "fleet.yaml": `${readReference("fleet.yaml")}\ngates:\n  domains:\n    ${domain}:\n      checks:\n        - ${check}\n` };
}

/** fleet.yaml with `observability.<domain>.logAnalyticsCmk` set to `cmk`. */
function logAnalyticsCmkFleet(domain: string, cmk: unknown): Record<string, string> {
  const doc = parse(readReference("fleet.yaml")) as { observability: Config };
  doc.observability[domain] = { ...doc.observability[domain], logAnalyticsCmk: cmk };
  return { "fleet.yaml": stringify(doc) };
}

const rejects = (edits: Record<string, string>) => loadErrors(fleetDir(edits));

describe("gate URLs are held in their domain (fleet.yaml gates.domains.<d>.checks)", () => {
  const refused: Array<[string, string, RegExp]> = [
    ["an http check under the other domain's exposure zone", `{ name: gw, kind: http, url: "https://status.apps.us.meridian.example/healthz" }`, /gates\.domains\.eu\.checks\[0\]\.url: .*status\.apps\.us\.meridian\.example is under domain us's exposure zone apps\.us\.meridian\.example, not eu/],
    ["an http check under the other domain's internal zone", `{ name: gw, kind: http, url: "http://grafana.internal.us.meridian.example:3000/api/health" }`, /checks\[0\]\.url: .*domain us's exposure zone internal\.us\.meridian\.example/],
    ["an SLO burn check on the other domain's Amazon Managed Prometheus", `{ name: burn, kind: slo-burn, prometheusUrl: "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1" }`, /checks\[0\]\.prometheusUrl: .*Amazon Managed Prometheus in us-east-1, domain us, not eu/],
    ["an SLO burn check in a region of no domain", `{ name: burn, kind: slo-burn, prometheusUrl: "https://aps-workspaces.ap-southeast-1.amazonaws.com/workspaces/ws-1" }`, /checks\[0\]\.prometheusUrl: .*ap-southeast-1, which is in no domain's allowlist/],
    ["a command check whose argument is a URL of the other domain", `{ name: curl, kind: command, command: [curl, -fsS, "--url=https://status.apps.us.meridian.example/healthz"] }`, /checks\[0\]\.command\[2\]: .*domain us's exposure zone apps\.us\.meridian\.example, not eu/],
    ["an address in the other domain's node pool", `{ name: ip, kind: http, url: "http://10.64.1.5:9090/-/healthy" }`, /checks\[0\]\.url: .*10\.64\.1\.5 is in domain us's nodes pool 10\.64\.0\.0\/10, not eu/],
  ];
  it.each(refused)("refuses %s, naming fleet.yaml and the key", (_what, check, message) => {
    const errors = rejects(gateFleet("eu", check));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/fleet\.yaml: /);
    expect(errors[0]).toMatch(message);
  });

  it("holds the US domain's gates the same way (the rule is keyed by domain, not written for eu)", () => {
    expect(rejects(gateFleet("us", `{ name: gw, kind: http, url: "https://status.apps.eu.meridian.example/" }`))[0]).toMatch(/gates\.domains\.us\.checks\[0\]\.url: .*domain eu's exposure zone apps\.eu\.meridian\.example, not us/);
    expect(rejects(gateFleet("us", `{ name: burn, kind: slo-burn, prometheusUrl: "https://aps-workspaces.eu-central-1.amazonaws.com/workspaces/ws-1" }`))[0]).toMatch(/gates\.domains\.us\.checks\[0\]\.prometheusUrl: .*domain eu, not us/);
  });

  it("refuses a domain the catalogue does not know", () => {
    expect(rejects(gateFleet("apac", `{ name: gw, kind: http, url: "https://status.example.com/" }`))[0]).toMatch(/fleet\.yaml: gates\.domains\.apac: /);
  });

  it("loads in-domain URLs of the same shapes, and names the fleet cannot place (loopback, a private name)", () => {
    const checks = [
      `{ name: burn, kind: slo-burn, prometheusUrl: "https://aps-workspaces.eu-central-1.amazonaws.com/workspaces/ws-1" }`,
      `{ name: gw, kind: http, url: "https://status.apps.eu.meridian.example/healthz" }`,
      `{ name: ip, kind: http, url: "http://10.0.1.5:9090/-/healthy" }`,
      `{ name: local, kind: http, url: "http://127.0.0.1:8080/healthz" }`,
      `{ name: curl, kind: command, command: [curl, -fsS, "https://status.apps.eu.meridian.example/healthz"] }`,
    ];
    const dir = fleetDir({ "fleet.yaml": `${readReference("fleet.yaml")}\ngates:\n  domains:\n    eu:\n      checks:\n${checks.map((c) => `        - ${c}\n`).join("")}` });
    expect(loadFleet(dir).settings.gates.domains.eu?.checks.map((c) => c.name)).toEqual(["burn", "gw", "ip", "local", "curl"]);
  });

  it("places a host by the fleet's own facts: zones, pools and regions come from fleet.yaml, not from the rule", () => {
    const facts = loadFleet(fleetDir()).settings;
    const placed = { regions: facts.regions, exposure: facts.exposure, pools: facts.ipam.pools };
    expect(gateUrlProblem("https://status.apps.us.meridian.example/", "us", placed)).toBeUndefined();
    expect(gateUrlProblem("https://status.apps.us.meridian.example/", "eu", placed)).toMatch(/domain us's exposure zone/);
    // The same host is nobody's once no domain claims its zone.
    const noZones = { ...placed, exposure: { eu: { zones: { external: [], internal: [] } }, us: { zones: { external: [], internal: [] } } } };
    expect(gateUrlProblem("https://status.apps.us.meridian.example/", "eu", noZones)).toBeUndefined();
  });
});

describe("gate checks name no stack of another domain (fleet.yaml gates.domains.<d>.checks)", () => {
  const refused: Array<[string, string, RegExp]> = [
    ["a kubectl context named after a US stack", `{ name: nodes, kind: command, command: [kubectl, --context, us-workload-aws, wait, --for=condition=Ready, nodes, --all] }`, /checks\[0\]\.command\[2\]: a gate of domain eu must check its own domain: it names stack us-workload-aws of domain us$/],
    ["the stack after '=' in one argument", `{ name: nodes, kind: command, command: [kubectl, --context=us-mgmt, get, nodes] }`, /checks\[0\]\.command\[1\]: .*names stack us-mgmt of domain us$/],
    ["a kubeconfig file named after the stack", `{ name: nodes, kind: command, command: [kubectl, --kubeconfig, /etc/kube/us-workload-gcp.yaml, get, nodes] }`, /checks\[0\]\.command\[2\]: .*names stack us-workload-gcp of domain us$/],
    ["an EKS cluster ARN ending in the stack's name", `{ name: eks, kind: command, command: [aws, eks, describe-cluster, --name, "arn:aws:eks:eu-central-1:111111111111:cluster/us-workload-aws"] }`, /checks\[0\]\.command\[4\]: .*names stack us-workload-aws of domain us$/],
    ["the stack in another case", `{ name: nodes, kind: command, command: [kubectl, --context, US-Workload-AWS, get, nodes] }`, /checks\[0\]\.command\[2\]: .*names stack us-workload-aws of domain us$/],
    ["the stack in full-width letters (one name after NFKC)", `{ name: nodes, kind: command, command: [kubectl, --context, "\uff55\uff53-workload-aws", get, nodes] }`, /checks\[0\]\.command\[2\]: .*names stack us-workload-aws of domain us$/],
    ["the stack in an http check's query", `{ name: gw, kind: http, url: "https://status.example.com/health?stack=us-workload-azure" }`, /checks\[0\]\.url: .*names stack us-workload-azure of domain us$/],
    ["the stack in an SLO burn check's URL", `{ name: burn, kind: slo-burn, prometheusUrl: "https://prometheus.example.com/us-mgmt" }`, /checks\[0\]\.prometheusUrl: .*names stack us-mgmt of domain us$/],
  ];
  it.each(refused)("refuses %s, naming fleet.yaml and the key", (_what, check, message) => {
    const errors = rejects(gateFleet("eu", check));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/fleet\.yaml: gates\.domains\.eu\.checks\[0\]\./);
    expect(errors[0]).toMatch(message);
  });

  it("holds the US domain's gates the same way, and names every argument that does it", () => {
    const errors = rejects(gateFleet("us", `{ name: both, kind: command, command: [kubectl, --context, eu-workload-aws, --kubeconfig, /kube/eu-mgmt.yaml, get, nodes] }`));
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/fleet\.yaml: gates\.domains\.us\.checks\[0\]\.command\[2\]: a gate of domain us must check its own domain: it names stack eu-workload-aws of domain eu$/);
    expect(errors[1]).toMatch(/gates\.domains\.us\.checks\[0\]\.command\[4\]: .*names stack eu-mgmt of domain eu$/);
  });

  it("loads its own domain's stacks, and words that only contain another domain's stack name", () => {
    const checks = [
      `{ name: own, kind: command, command: [kubectl, --context, eu-workload-aws, wait, --for=condition=Ready, nodes, --all] }`,
      `{ name: own-file, kind: command, command: [kubectl, --kubeconfig, /etc/kube/eu-mgmt.yaml, get, nodes] }`,
      // Longer names than a US stack's are other names (no stack is called so).
      `{ name: longer, kind: command, command: [echo, us-workload-aws-old, old-us-mgmt] }`,
      `{ name: gw, kind: http, url: "https://status.apps.eu.meridian.example/health?stack=eu-workload-gcp" }`,
    ];
    const dir = fleetDir({ "fleet.yaml": `${readReference("fleet.yaml")}\ngates:\n  domains:\n    eu:\n      checks:\n${checks.map((c) => `        - ${c}\n`).join("")}` });
    expect(loadFleet(dir).settings.gates.domains.eu?.checks.map((c) => c.name)).toEqual(["own", "own-file", "longer", "gw"]);
  });

  it("goes by the stacks the fleet has: a name no stack file declares is nobody's", () => {
    expect(rejects(gateFleet("eu", `{ name: nodes, kind: command, command: [kubectl, --context, us-workload-oci, get, nodes] }`))).toEqual([]);
  });
});

describe("observability.<d>.logAnalyticsCmk carries no other domain's key or place", () => {
  it.each<[string, unknown, RegExp]>([
    ["another domain's Key Vault key", { capacityGbPerDay: 100, keyId: "https://meridian-eu.vault.azure.net/keys/state" }, /fleet\.yaml: observability\.us\.logAnalyticsCmk\.keyId: unknown key/],
    ["a location", { capacityGbPerDay: 100, location: "westeurope" }, /fleet\.yaml: observability\.us\.logAnalyticsCmk\.location: unknown key/],
    ["a capacity below Azure's commitment tiers", { capacityGbPerDay: 50 }, /fleet\.yaml: observability\.us\.logAnalyticsCmk\.capacityGbPerDay: /],
  ])("refuses %s, naming fleet.yaml and the key", (_what, cmk, message) => {
    const errors = rejects(logAnalyticsCmkFleet("us", cmk));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
  });

  it("refuses a domain the catalogue does not know", () => {
    expect(rejects(logAnalyticsCmkFleet("apac", { capacityGbPerDay: 100 }))[0]).toMatch(/fleet\.yaml: observability\.apac: unknown key/);
  });

  it("loads a commitment tier alone", () => {
    expect(loadFleet(fleetDir(logAnalyticsCmkFleet("us", { capacityGbPerDay: 100 }))).settings.observability.us.logAnalyticsCmk).toEqual({ capacityGbPerDay: 100 });
  });
});

describe("meridian:pki.rotation moves one generation of its own domain's PKI", () => {
  it.each<[string, (pki: Config) => void, RegExp]>([
    ["a jump of two generations", (pki) => void (pki.rotation = { to: 3, phase: "introduce" }), /Pulumi\.eu-pki\.yaml: meridian:pki\.rotation\.to: must be generation \+ 1/],
    ["a rotation back to generation 1", (pki) => void Object.assign(pki, { generation: 2, rotation: { to: 1, phase: "issue" } }), /Pulumi\.eu-pki\.yaml: meridian:pki\.rotation\.to: /],
    ["a rotation naming another domain", (pki) => void (pki.rotation = { to: 2, phase: "introduce", domain: "us" }), /Pulumi\.eu-pki\.yaml: meridian:pki\.rotation\.domain: unknown key/],
    ["a phase that is not introduce or issue", (pki) => void (pki.rotation = { to: 2, phase: "cutover" }), /Pulumi\.eu-pki\.yaml: meridian:pki\.rotation\.phase: /],
  ])("refuses %s, naming the stack file and the key", (_what, change, message) => {
    const errors = rejects(editStack("Pulumi.eu-pki.yaml", (c) => change(c["meridian:pki"])));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
  });

  it("loads generation + 1", () => {
    const dir = fleetDir(editStack("Pulumi.eu-pki.yaml", (c) => void (c["meridian:pki"].rotation = { to: 2, phase: "introduce" })));
    expect(loadFleet(dir).stacks.get("eu-pki")!.config["meridian:pki" as never]).toMatchObject({ rotation: { to: 2, phase: "introduce" } });
  });
});

describe("node-pool upgrade settings hold to their own cloud and carry no place", () => {
  it.each<[string, string, (cluster: Config) => void, RegExp]>([
    ["a region", "Pulumi.eu-workload-aws.yaml", (c) => void (c.workloadPools[0].upgrade = { maxUnavailable: 1, region: "us-east-1" }), /Pulumi\.eu-workload-aws\.yaml: meridian:cluster\.workloadPools\.0\.upgrade\.region: unknown key/],
    ["an AKS drain timeout on EKS", "Pulumi.eu-workload-aws.yaml", (c) => void (c.workloadPools[0].upgrade = { drainTimeoutMinutes: 30 }), /Pulumi\.eu-workload-aws\.yaml: meridian:cluster\.workloadPools\.0\.upgrade\.drainTimeoutMinutes: EKS has a fixed 15-minute eviction wait/],
    ["GKE's blue-green on AKS", "Pulumi.us-workload-azure.yaml", (c) => void (c.systemPool = { upgrade: { strategy: "blue-green" } }), /Pulumi\.us-workload-azure\.yaml: meridian:cluster\.systemPool\.upgrade\.strategy: blue-green is a GKE strategy/],
    ["a surge above 100%", "Pulumi.eu-workload-azure.yaml", (c) => void (c.workloadPools[1].upgrade = { maxSurge: "150%" }), /meridian:cluster\.workloadPools\.1\.upgrade\.maxSurge: a percentage is at most 100%/],
    ["a percentage on GKE", "Pulumi.us-workload-gcp.yaml", (c) => void (c.workloadPools[0].upgrade = { maxSurge: "10%" }), /meridian:cluster\.workloadPools\.0\.upgrade\.maxSurge: GKE takes a node count/],
  ])("refuses %s at load, naming the stack file and the key", (_what, file, change, message) => {
    const errors = rejects(editStack(file, (c) => change(c["meridian:cluster"])));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
  });

  it("loads each cloud's own settings", () => {
    const dir = fleetDir({
      ...editStack("Pulumi.eu-workload-aws.yaml", (c) => void (c["meridian:cluster"].workloadPools[0].upgrade = { maxUnavailable: "10%" })),
      ...editStack("Pulumi.eu-workload-azure.yaml", (c) => void (c["meridian:cluster"].workloadPools[0].upgrade = { maxSurge: "33%", drainTimeoutMinutes: 45, soakMinutes: 5 })),
      ...editStack("Pulumi.us-workload-gcp.yaml", (c) => void (c["meridian:cluster"].workloadPools[0].upgrade = { strategy: "blue-green", soakMinutes: 20 })),
    });
    expect(() => loadFleet(dir)).not.toThrow();
  });
});

describe("through the real CLI entry", () => {
  it("exits 2 with one line naming the file and key, and no stack trace, for each kind of key", async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [gateFleet("eu", `{ name: burn, kind: slo-burn, prometheusUrl: "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1" }`), /fleet\.yaml: gates\.domains\.eu\.checks\[0\]\.prometheusUrl: /],
      [editStack("Pulumi.eu-workload-aws.yaml", (c) => void (c["meridian:cluster"].workloadPools[0].upgrade = { drainTimeoutMinutes: 30 })), /Pulumi\.eu-workload-aws\.yaml: meridian:cluster\.workloadPools\.0\.upgrade\.drainTimeoutMinutes: /],
      [gateFleet("eu", `{ name: nodes, kind: command, command: [kubectl, --context, us-workload-aws, get, nodes] }`), /fleet\.yaml: gates\.domains\.eu\.checks\[0\]\.command\[2\]: .*names stack us-workload-aws of domain us$/m],
    ];
    for (const [edits, message] of cases) {
      const r = await fleetCli(["plan", "--stacks-dir", fleetDir(edits)]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  }, 120_000);
});
