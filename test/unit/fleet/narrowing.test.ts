/**
 * Configuration can only narrow residency (automation/fleet/narrowing.ts, graph.ts): every
 * value that names a place or an owner is checked against the stack's domain at load, and a
 * problem is one line naming the file and the key (the CLI exits 2). Table tests per class,
 * then properties over generated values.
 */
import * as fc from "fast-check";
import { parse, stringify } from "yaml";
import { runPlanCommand } from "../../../automation/commands/plan";
import { FleetConfigErrors, loadFleet, type Fleet } from "../../../automation/fleet";
import { PROVIDER_KEY_RULES, registryProblem } from "../../../automation/fleet/narrowing";
import { configuredRegistries, stackPackConfig } from "../../../automation/plan/policies";
import { contains } from "../../../components/network/ipam";
import { RESERVED_TAG_KEYS, normalizedTagKey } from "../../../components/residency/tags";
import { fleetDir, readReference } from "../../support/fleetDir";

const ACCOUNTS = [
  "accounts:",
  "  eu: { aws: ['111111111111'], gcp: [meridian-eu-prod], azure: [11111111-1111-4111-8111-111111111111], registries: [meridianeu.azurecr.io] }",
  "  us: { aws: ['222222222222'], gcp: [meridian-us-prod], azure: [22222222-2222-4222-8222-222222222222], registries: [meridianus.azurecr.io] }",
].join("\n");
const FLEET_YAML = `${readReference("fleet.yaml").replace(/\naccounts:[\s\S]*$/, "\n")}${ACCOUNTS}\n`;

function edit(file: string, change: (config: Record<string, unknown>) => void): Record<string, string> {
  const doc = parse(readReference(file)) as { config: Record<string, unknown> };
  change(doc.config);
  return { [file]: stringify(doc) };
}

function attachedStack(extra: Record<string, unknown> = {}, attached: Record<string, unknown> = {}): Record<string, string> {
  const config = {
    "meridian:domain": "eu",
    "meridian:role": "attached",
    "meridian:attached": { clusterName: "ext-eu", registries: ["europe-west1-docker.pkg.dev/meridian-eu-prod/platform/"], ...attached },
    "meridian:kubeconfig": { secure: "v1:AAAA" },
    ...extra,
  };
  return { "Pulumi.eu-attached.yaml": stringify({ config }) };
}

/** Load a fleet; return its error lines ([] when it loads). */
function problems(edits: Record<string, string | null>): string[] {
  try {
    loadFleet(fleetDir({ "fleet.yaml": FLEET_YAML, ...edits }));
    return [];
  } catch (e) {
    if (!(e instanceof FleetConfigErrors)) throw e;
    return e.errors.map((x) => x.message);
  }
}

function expectRefused(lines: string[], file: string, key: string, detail: RegExp): void {
  const hit = lines.find((l) => l.includes(`${file}: ${key}: `));
  expect(hit ?? lines.join("\n") ?? "(loaded)").toMatch(detail);
  for (const l of lines) expect(l).not.toMatch(/\n|^\s+at |\.ts:\d+:\d+/);
}

const kubeconfig = (server: string) =>
  stringify({ apiVersion: "v1", kind: "Config", "current-context": "c", contexts: [{ name: "c", context: { cluster: "k" } }], clusters: [{ name: "k", cluster: { server } }] });

describe("registries are checked against the stack's domain", () => {
  const refused: Array<[string, string, RegExp]> = [
    ["an ECR registry in us-east-1", "222222222222.dkr.ecr.us-east-1.amazonaws.com/meridian/", /us-east-1 \(domain us\), not in domain eu/],
    ["an Artifact Registry in the US multi-region", "us-docker.pkg.dev/meridian-eu-prod/apps/", /in us \(domain us\)/],
    ["an Artifact Registry in us-central1", "us-central1-docker.pkg.dev/meridian-eu-prod/apps/", /us-central1 \(domain us\)/],
    ["gcr.io (stored in the US)", "gcr.io/meridian-eu-prod/", /domain us/],
    ["a US ACR", "meridianus.azurecr.io/", /declared for domain us, not eu/],
    ["an ACR nobody declared, however it is named", "meridianeuwest.azurecr.io/", /unknown \(its name proves no location; a name is not evidence\)/],
    ["a private registry named after the EU", "registry.eu.example.com/meridian/eu/", /a name is not evidence/],
    ["an EU ECR of an undeclared account", "999999999999.dkr.ecr.eu-central-1.amazonaws.com/x/", /AWS account 999999999999, declared for no domain/],
    ["an EU ECR of the US account", "222222222222.dkr.ecr.eu-central-1.amazonaws.com/x/", /AWS account 222222222222, declared for domain us/],
    ["an EU Artifact Registry of a US project", "europe-west1-docker.pkg.dev/meridian-us-prod/apps/", /GCP project meridian-us-prod, declared for domain us/],
    ["Docker Hub", "docker.io/library/", /a name is not evidence/],
  ];
  it.each(refused)("refuses %s (exit 2 naming file and key)", (_label, prefix, detail) => {
    expectRefused(problems(attachedStack({}, { registries: [prefix] })), "Pulumi.eu-attached.yaml", "meridian:attached.registries.0", detail);
  });

  const accepted = [
    "111111111111.dkr.ecr.eu-central-1.amazonaws.com/meridian/",
    "europe-west1-docker.pkg.dev/meridian-eu-prod/platform/",
    "europe-docker.pkg.dev/meridian-eu-prod/platform/",
    "eu.gcr.io/meridian-eu-prod/",
    "meridianeu.azurecr.io/platform/",
  ];
  it.each(accepted)("accepts %s", (prefix) => {
    expect(problems(attachedStack({}, { registries: [prefix] }))).toEqual([]);
  });

  it("never lets a refused registry into the domain's allowlist for other stacks, even in a hand-built fleet", () => {
    const fleet = loadFleet(fleetDir({ "fleet.yaml": FLEET_YAML, ...attachedStack() }));
    const spec = fleet.stacks.get("eu-attached")!;
    const tampered: Fleet = {
      ...fleet,
      stacks: new Map([
        ...fleet.stacks,
        ["eu-attached", { ...spec, config: { ...spec.config, "meridian:attached": { ...(spec.config as never as { "meridian:attached": object })["meridian:attached"], registries: ["222222222222.dkr.ecr.us-east-1.amazonaws.com/x/", "meridianus.azurecr.io/"] } } as never }],
      ]),
    };
    expect(configuredRegistries(tampered).eu ?? []).toEqual([]);
    const learned = { eu: ["222222222222.dkr.ecr.us-east-1.amazonaws.com/learned/", "111111111111.dkr.ecr.eu-central-1.amazonaws.com/platform/"] };
    expect(stackPackConfig(tampered, "eu-workload-aws", learned).registries!.eu).toEqual(["111111111111.dkr.ecr.eu-central-1.amazonaws.com/platform/"]);
  });

  it("property: an ECR prefix is the EU's exactly when both its region and its account are", () => {
    const settings = loadFleet(fleetDir({ "fleet.yaml": FLEET_YAML })).settings;
    const regions = [...settings.regions.eu.aws, ...settings.regions.us.aws, "ap-south-1", "eu-west-2"];
    fc.assert(
      fc.property(fc.constantFrom(...regions), fc.constantFrom("111111111111", "222222222222", "333333333333"), (region, account) => {
        const ok = registryProblem(`${account}.dkr.ecr.${region}.amazonaws.com/r/`, "eu", settings) === undefined;
        expect(ok).toBe(settings.regions.eu.aws.includes(region) && account === "111111111111");
      }),
    );
  });

  it("property: a host whose name proves nothing is the domain's only when declared for it", () => {
    const settings = loadFleet(fleetDir({ "fleet.yaml": FLEET_YAML })).settings;
    const label = fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/);
    fc.assert(
      fc.property(label, fc.constantFrom("azurecr.io", "example.com", "eu.example.com", "europe.registry.io"), (name, suffix) => {
        const host = `${name}.${suffix}`;
        const declared = settings.accounts.eu.registries.includes(host);
        expect(registryProblem(`${host}/x/`, "eu", settings) === undefined).toBe(declared);
      }),
    );
  });
});

describe("provider keys are validated against the domain, or refused", () => {
  const gcp = "Pulumi.eu-foundation-gcp.yaml";
  const aws = "Pulumi.eu-foundation-aws.yaml";
  const azure = "Pulumi.eu-foundation-azure.yaml";
  const refused: Array<[string, string, string, unknown, RegExp]> = [
    ["a US project", gcp, "gcp:project", "meridian-us-prod", /GCP project "meridian-us-prod" is not one of domain eu's \(it is declared for domain us\)/],
    ["an undeclared project", gcp, "gcp:project", "someone-elses-proj", /declared for no domain\); declare it under accounts\.eu\.gcp/],
    ["a project hidden in a secret", gcp, "gcp:project", { secure: "v1:xyz" }, /cannot be a secret/],
    ["a US zone", gcp, "gcp:zone", "us-central1-a", /region "us-central1" is not allowed for domain eu \(it is a us region\)/],
    ["a zone that is no zone", gcp, "gcp:zone", "europe-west1", /not a GCP zone/],
    ["an unsupported GCP key", gcp, "gcp:userProjectOverride", true, /unsupported provider key/],
    ["custom AWS endpoints", aws, "aws:endpoints", [{ s3: "https://s3.us-east-1.amazonaws.com" }], /unsupported provider key: custom endpoints/],
    ["a US STS region", aws, "aws:stsRegion", "us-east-1", /STS region "us-east-1" is not allowed for domain eu/],
    ["an undeclared AWS account", aws, "aws:allowedAccountIds", ["999999999999"], /AWS account "999999999999" is not one of domain eu's/],
    ["the US AWS account", aws, "aws:allowedAccountIds", ["222222222222"], /declared for domain us/],
    ["an account id as a number", aws, "aws:allowedAccountIds", [111111111111], /expected a list of strings/],
    ["an AWS profile", aws, "aws:profile", "prod-us", /unsupported provider key: credentials and accounts come from the environment/],
    ["a US subscription", azure, "azure-native:subscriptionId", "22222222-2222-4222-8222-222222222222", /Azure subscription .* declared for domain us/],
    ["a sovereign Azure cloud", azure, "azure-native:environment", "usgovernment", /not supported/],
    ["a default kubernetes provider's context", azure, "kubernetes:context", "us-prod", /unsupported provider key: it configures only the default provider/],
    ["a pulumi key other than disable-default-providers", azure, "pulumi:template", "x", /unsupported provider key/],
  ];
  it.each(refused)("refuses %s (exit 2 naming file and key)", (_label, file, key, value, detail) => {
    expectRefused(problems(edit(file, (c) => (c[key] = value))), file, key, detail);
  });

  const accepted: Array<[string, string, unknown]> = [
    [gcp, "gcp:zone", "europe-west1-b"],
    [aws, "aws:stsRegion", "eu-central-1"],
    [aws, "aws:allowedAccountIds", ["111111111111"]],
    [azure, "azure-native:subscriptionId", "11111111-1111-4111-8111-111111111111"],
    [azure, "azure-native:environment", "public"],
  ];
  it.each(accepted)("%s accepts %s", (file, key, value) => {
    expect(problems(edit(file, (c) => (c[key] = value)))).toEqual([]);
  });

  it("property: a provider key meridian does not validate is always refused, never ignored", () => {
    const name = fc.stringMatching(/^[a-z][A-Za-z]{1,15}$/);
    fc.assert(
      fc.property(fc.constantFrom("aws", "azure-native", "pulumi", "kubernetes", "tls", "random"), name, fc.oneof(fc.string(), fc.boolean(), fc.integer()), (ns, n, value) => {
        const key = `${ns}:${n}`;
        fc.pre(PROVIDER_KEY_RULES[key] === undefined);
        const file = ns === "aws" ? aws : azure;
        const lines = problems(edit(file, (c) => (c[key] = value)));
        expect(lines.some((l) => l.includes(`${file}: ${key}: `))).toBe(true);
      }),
      { numRuns: 25 },
    );
  });
});

describe("hand-set CIDRs lie inside the domain's IPAM pool", () => {
  const file = "Pulumi.eu-foundation-aws.yaml";
  const withCidr = (cidr: string) => edit(file, (c) => ((c["meridian:network"] as Record<string, unknown>).cidr = cidr));
  it.each([
    ["the US node pool", "10.64.0.0/16", /outside domain eu's node pool 10\.0\.0\.0\/10 \(it is in domain us's pool\)/],
    ["no pool at all", "192.168.0.0/16", /outside domain eu's node pool/],
    ["a range wider than the pool", "10.0.0.0/8", /outside domain eu's node pool/],
    ["host bits set", "10.5.0.1/16", /has host bits set/],
    ["an impossible address", "10.300.0.0/16", /is not an IPv4 CIDR/],
  ])("refuses %s", (_label, cidr, detail) => {
    expectRefused(problems(withCidr(cidr)), file, "meridian:network.cidr", detail);
  });

  it("property: a hand-set CIDR loads exactly when it is inside the pool", () => {
    const pool = "10.0.0.0/10";
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.constantFrom(16, 20), (a, b, prefix) => {
        const cidr = prefix === 16 ? `10.${a}.0.0/16` : `10.${a}.${b & 0xf0}.0/20`;
        const lines = problems(withCidr(cidr)).filter((l) => l.includes("meridian:network.cidr"));
        expect(lines.length === 0).toBe(contains(pool, cidr));
      }),
      { numRuns: 20 },
    );
  });
});

describe("reserved tags cannot be set by meridian:tags", () => {
  const file = "Pulumi.eu-pki.yaml";
  const withTags = (tags: Record<string, string>) => edit(file, (c) => (c["meridian:tags"] = tags));
  it.each([...RESERVED_TAG_KEYS, "Residency", "MANAGED-BY", "Meridian-Stack", "meridian-anything"])("refuses %s", (key) => {
    expectRefused(problems(withTags({ [key]: "us" })), file, `meridian:tags.${key}`, /is a reserved tag/);
  });

  it("accepts ordinary tags", () => {
    expect(problems(withTags({ owner: "platform", "cost-centre": "42" }))).toEqual([]);
  });

  it("property: a key is refused exactly when it normalises to a reserved key or the meridian- prefix", () => {
    const reserved = new Set(RESERVED_TAG_KEYS.map(normalizedTagKey));
    const key = fc.oneof(fc.constantFrom(...RESERVED_TAG_KEYS).map((k) => k.toUpperCase()), fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,20}$/));
    fc.assert(
      fc.property(key, (k) => {
        const n = normalizedTagKey(k);
        const expected = reserved.has(n) || n.startsWith("meridian-");
        expect(problems(withTags({ [k]: "v" })).some((l) => l.includes("reserved tag"))).toBe(expected);
      }),
      { numRuns: 25 },
    );
  });
});

describe("stack-name references: azureGatewayFrom", () => {
  const file = "Pulumi.eu-interconnect-aws-azure.yaml";
  const from = (name: string, dependsOn?: string[]) =>
    edit(file, (c) => {
      (c["meridian:interconnect"] as Record<string, unknown>).azureGatewayFrom = name;
      if (dependsOn) c["meridian:dependsOn"] = dependsOn;
    });
  const key = "meridian:interconnect.azureGatewayFrom";
  it.each([
    ["a missing stack", from("eu-nope"), file, /"eu-nope" is not a stack/],
    ["the other domain", from("us-interconnect-gcp-azure", ["eu-foundation-aws", "eu-foundation-azure", "us-interconnect-gcp-azure"]), file, /in domain us, this stack in eu/],
    ["itself", from("eu-interconnect-aws-azure"), file, /cannot borrow its own gateway/],
    ["a stack without an Azure side", from("eu-interconnect-aws-gcp", ["eu-foundation-aws", "eu-foundation-azure", "eu-interconnect-aws-gcp"]), file, /has no Azure side/],
    ["a stack that is not an interconnect", from("eu-pki", ["eu-foundation-aws", "eu-foundation-azure", "eu-pki"]), file, /is a pki stack, not an interconnect/],
    [
      "a gateway owner left out of dependsOn",
      edit("Pulumi.eu-interconnect-gcp-azure.yaml", (c) => (c["meridian:dependsOn"] = ["eu-foundation-gcp", "eu-foundation-azure"])),
      "Pulumi.eu-interconnect-gcp-azure.yaml",
      /must also be in meridian:dependsOn/,
    ],
    ["a borrower as the owner", from("eu-interconnect-gcp-azure"), file, /borrows its gateway too/],
  ])("refuses %s", (_label, edits, f, detail) => {
    expectRefused(problems(edits), f, key, detail);
  });

  it("refuses it on an interconnect that has no Azure side (it would be silently ignored)", () => {
    const f = "Pulumi.eu-interconnect-aws-gcp.yaml";
    expectRefused(problems(edit(f, (c) => ((c["meridian:interconnect"] as Record<string, unknown>).azureGatewayFrom = "eu-interconnect-aws-azure"))), f, key, /no Azure side/);
  });

  it("makes the plan exit 2 with one line naming file and key, not an internal error", async () => {
    const err: string[] = [];
    const dir = fleetDir({ "fleet.yaml": FLEET_YAML, ...from("us-interconnect-gcp-azure", ["eu-foundation-aws", "eu-foundation-azure", "us-interconnect-gcp-azure"]) });
    const code = await runPlanCommand({ stacksDir: dir, json: true }, { out: () => undefined, err: (s) => void err.push(s) });
    expect(code).toBe(2);
    expect(err.join("")).toMatch(new RegExp(`${file}: ${key.replace(/\./g, "\\.")}: `));
  });
});

describe("an attached cluster's domain comes from its kubeconfig's API server", () => {
  it.each([
    ["EKS in us-east-1", "https://ABCDEF.gr7.us-east-1.eks.amazonaws.com", /aws us-east-1 \(domain us; API server/],
    ["AKS in eastus", "https://ext-1a2b3c.hcp.eastus.azmk8s.io:443", /azure eastus \(domain us/],
    ["GKE in us-central1", "https://gke-0123abcd-42.us-central1.gke.goog", /gcp us-central1 \(domain us/],
    ["EKS in a region of no domain", "https://ABCDEF.gr7.ap-south-1.eks.amazonaws.com", /no domain's allowlist/],
  ])("refuses %s behind an EU stack when the kubeconfig is in config", (_label, server, detail) => {
    expectRefused(problems(attachedStack({ "meridian:kubeconfig": kubeconfig(server) })), "Pulumi.eu-attached.yaml", "meridian:kubeconfig", detail);
  });

  it("refuses it even when the context's name says eu (a name is not evidence)", () => {
    const kc = kubeconfig("https://ABCDEF.gr7.us-east-1.eks.amazonaws.com").replace(/\bc\b/g, "meridian-eu-prod");
    expectRefused(problems(attachedStack({ "meridian:kubeconfig": kc })), "Pulumi.eu-attached.yaml", "meridian:kubeconfig", /domain us/);
  });

  it("accepts an EU cluster, and one whose address proves nothing (checked again when the stack runs)", () => {
    expect(problems(attachedStack({ "meridian:kubeconfig": kubeconfig("https://ABCDEF.gr7.eu-central-1.eks.amazonaws.com") }))).toEqual([]);
    expect(problems(attachedStack({ "meridian:kubeconfig": kubeconfig("https://10.0.0.1:6443") }))).toEqual([]);
  });
});
