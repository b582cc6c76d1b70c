/**
 * `domains:` in fleet.yaml: every scheme the CLI opens, where its location comes from, and
 * every refusal (exit 2 through FleetConfigError naming fleet.yaml and the key).
 */
import * as fc from "fast-check";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { DEFAULT_REGIONS, DOMAINS, type Domain } from "../../../components/residency/catalogue";
import { FleetConfigError, FleetConfigErrors, loadFleet, loadFleetSettings } from "../../../automation/fleet";
import { controlPlaneFor, resolveControlPlanes, stackSecretsProviderProblem, type DomainsInput } from "../../../automation/fleet/controlPlane";
import { stackFileSecretsProblem } from "../../../automation/engine/automation";
import { fleetDir, readReference } from "../../support/fleetDir";

type Entry = Record<string, unknown>;

/** Local stores for both domains (always valid), with `eu`/`us` entries overridden. */
function domains(overrides: Partial<Record<Domain, Entry>> = {}): Record<Domain, Entry> {
  const local = (d: Domain): Entry => ({ backend: `file:///srv/meridian/${d}/state`, secretsProvider: "passphrase", evidenceStore: `file:///srv/meridian/${d}/evidence` });
  return { eu: { ...local("eu"), ...overrides.eu }, us: { ...local("us"), ...overrides.us } };
}

/** A stacks dir holding only fleet.yaml with this `domains:` block. */
function settingsDir(block: unknown): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-cp-"));
  fs.writeFileSync(path.join(dir, "fleet.yaml"), stringify({ domains: block }));
  return dir;
}

function load(block: unknown) {
  return loadFleetSettings(settingsDir(block));
}

/** The refusal for a `domains:` block: `<dir>/fleet.yaml: <key>: <detail>`. */
function refusal(block: unknown): { key: string; detail: string; message: string } {
  const dir = settingsDir(block);
  try {
    loadFleetSettings(dir);
  } catch (e) {
    expect(e).toBeInstanceOf(FleetConfigError);
    const err = e as FleetConfigError;
    expect(err.file).toBe(path.join(dir, "fleet.yaml"));
    expect(err.message.startsWith(`${path.join(dir, "fleet.yaml")}: ${err.key}: `)).toBe(true);
    expect(err.message).not.toContain("\n");
    return { key: err.key, detail: err.detail, message: err.message };
  }
  throw new Error("expected fleet.yaml to be refused");
}

describe("domains: accepted URLs and their locations", () => {
  const cases: Array<[string, Domain, Entry, Record<string, string>]> = [
    ["s3 with region=", "eu", { backend: "s3://meridian-state-eu?region=eu-central-1" }, { backend: "eu-central-1" }],
    [
      "s3 with awssdk, endpoint and s3ForcePathStyle",
      "eu",
      { backend: "s3://meridian-state-eu/fleet?region=eu-west-1&awssdk=v2&endpoint=https://s3.eu-west-1.amazonaws.com&s3ForcePathStyle=true" },
      { backend: "eu-west-1" },
    ],
    ["gs with a declared region", "eu", { evidenceStore: "gs://meridian-evidence-eu", locations: { evidenceStore: "europe-west1" } }, { evidenceStore: "europe-west1" }],
    ["gs with a declared multi-region", "eu", { evidenceStore: "gs://meridian-evidence-eu", locations: { evidenceStore: "EU" } }, { evidenceStore: "EU" }],
    ["azblob with a declared location", "eu", { backend: "azblob://state?storage_account=meridianeu", locations: { backend: "westeurope" } }, { backend: "westeurope" }],
    ["self-hosted Pulumi Cloud with a declared location", "eu", { backend: "https://pulumi.meridian.example.eu", locations: { backend: "eu-central-1" } }, { backend: "eu-central-1" }],
    ["Pulumi Cloud SaaS for us (AWS us-west-2)", "us", { backend: "https://api.pulumi.com" }, { backend: "us-west-2" }],
    ["app.pulumi.com is the same SaaS", "us", { backend: "https://app.pulumi.com" }, { backend: "us-west-2" }],
    ["file:// absolute", "eu", { backend: "file:///var/lib/meridian/eu" }, { backend: "local" }],
    ["file://~ (home)", "eu", { backend: "file://~/meridian-eu" }, { backend: "local" }],
    ["file:// relative", "eu", { evidenceStore: "file://evidence-eu" }, { evidenceStore: "local" }],
    ["awskms alias with region=", "eu", { secretsProvider: "awskms://alias/meridian-state-eu?region=eu-central-1" }, { secretsProvider: "eu-central-1" }],
    ["awskms key id with region=", "us", { secretsProvider: "awskms://1234abcd-12ab-34cd-56ef-1234567890ab?region=us-east-2" }, { secretsProvider: "us-east-2" }],
    [
      "awskms key ARN (empty host)",
      "eu",
      { secretsProvider: "awskms:///arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab" },
      { secretsProvider: "eu-central-1" },
    ],
    ["awskms ARN with the same region=", "eu", { secretsProvider: "awskms:///arn:aws:kms:eu-north-1:111122223333:alias/state?region=eu-north-1" }, { secretsProvider: "eu-north-1" }],
    ["gcpkms", "eu", { secretsProvider: "gcpkms://projects/meridian/locations/europe-west1/keyRings/state/cryptoKeys/eu" }, { secretsProvider: "europe-west1" }],
    [
      "azurekeyvault with algorithm= and a declared location",
      "eu",
      { secretsProvider: "azurekeyvault://meridian-eu.vault.azure.net/keys/state?algorithm=RSA-OAEP-256", locations: { secretsProvider: "westeurope" } },
      { secretsProvider: "westeurope" },
    ],
    ["hashivault with a declared location", "us", { secretsProvider: "hashivault://meridian-us", locations: { secretsProvider: "us-east-1" } }, { secretsProvider: "us-east-1" }],
    ["passphrase", "eu", { secretsProvider: "passphrase" }, { secretsProvider: "local" }],
  ];
  it.each(cases)("%s", (_name, domain, entry, expected) => {
    const plane = load(domains({ [domain]: entry })).controlPlane[domain]!;
    expect(plane.locations).toMatchObject(expected);
    for (const [key, value] of Object.entries(entry)) if (key !== "locations") expect(plane[key as "backend"]).toBe(value);
  });

  it("gives a passphrase domain its own variable, by default PULUMI_CONFIG_PASSPHRASE_<DOMAIN>", () => {
    const s = load(domains({ us: { passphraseEnv: "MERIDIAN_US_PASSPHRASE" } }));
    expect(s.controlPlane.eu!.passphraseEnv).toBe("PULUMI_CONFIG_PASSPHRASE_EU");
    expect(s.controlPlane.us!.passphraseEnv).toBe("MERIDIAN_US_PASSPHRASE");
  });

  it("leaves an undeclared domain to the local per-domain default", () => {
    const s = load({ eu: domains().eu });
    expect(s.controlPlane.us).toBeUndefined();
    expect(controlPlaneFor(s.controlPlane, "us", "/repo").backend).toBe("file:///repo/.pulumi-state/us");
  });

  it("accepts the reference fleet's declarations", () => {
    const fleet = loadFleet(path.resolve(__dirname, "../../../stacks"));
    expect(fleet.settings.controlPlane.eu!.locations).toEqual({ backend: "eu-central-1", secretsProvider: "eu-central-1", evidenceStore: "europe-west1" });
    expect(fleet.settings.controlPlane.us!.locations).toEqual({ backend: "us-east-1", secretsProvider: "us-east-1", evidenceStore: "us-central1" });
  });
});

const EU_AWS = DEFAULT_REGIONS.eu.aws.join(", ");

describe("domains: refusals name fleet.yaml and the key", () => {
  const cases: Array<[string, unknown, string, string | RegExp]> = [
    // Another domain's value for every key.
    [
      "EU backend in a US region",
      domains({ eu: { backend: "s3://meridian-state-eu?region=us-east-1" } }),
      "domains.eu.backend",
      `us-east-1 (from its \`region=\` parameter) is outside domain eu (it is a us location); allowed: ${EU_AWS}, EU, EUR4`,
    ],
    [
      "EU secrets provider in a US region",
      domains({ eu: { secretsProvider: "awskms://alias/state?region=us-west-2" } }),
      "domains.eu.secretsProvider",
      `us-west-2 (from its \`region=\` parameter) is outside domain eu (it is a us location); allowed: ${EU_AWS}, EU, EUR4`,
    ],
    [
      "EU secrets provider key ARN in a US region",
      domains({ eu: { secretsProvider: "awskms:///arn:aws:kms:us-east-1:111122223333:key/abc" } }),
      "domains.eu.secretsProvider",
      /^us-east-1 \(from the region in its key ARN\) is outside domain eu \(it is a us location\)/,
    ],
    [
      "EU evidence store in a US region",
      domains({ eu: { evidenceStore: "s3://meridian-evidence-eu?region=us-east-2" } }),
      "domains.eu.evidenceStore",
      /^us-east-2 \(from its `region=` parameter\) is outside domain eu/,
    ],
    [
      "US gcpkms key in Europe",
      domains({ us: { secretsProvider: "gcpkms://projects/p/locations/europe-west1/keyRings/k/cryptoKeys/c" } }),
      "domains.us.secretsProvider",
      /^europe-west1 \(from its `locations\/<L>` segment\) is outside domain us \(it is a eu location\); allowed: us-central1/,
    ],
    [
      "EU declared location in the US",
      domains({ eu: { evidenceStore: "gs://meridian-evidence-eu", locations: { evidenceStore: "us-central1" } } }),
      "domains.eu.locations.evidenceStore",
      /^us-central1 \(declared\) is outside domain eu \(it is a us location\); allowed: europe-west1/,
    ],
    [
      "EU declared multi-region US",
      domains({ eu: { backend: "gs://meridian-state-eu", locations: { backend: "US" } } }),
      "domains.eu.locations.backend",
      /^US \(declared\) is outside domain eu \(it is a us location\)/,
    ],
    [
      "EU Vault declared in the US",
      domains({ eu: { secretsProvider: "hashivault://meridian-eu", locations: { secretsProvider: "us-east-1" } } }),
      "domains.eu.locations.secretsProvider",
      /^us-east-1 \(declared\) is outside domain eu \(it is a us location\); allowed: eu-central-1, .*westeurope/,
    ],
    [
      "Pulumi Cloud's service-managed secrets",
      domains({ eu: { secretsProvider: "default" } }),
      "domains.eu.secretsProvider",
      "not a URL of the form <scheme>://<location>",
    ],
    [
      "EU passphrase variable of the US",
      domains({ eu: { passphraseEnv: "PULUMI_CONFIG_PASSPHRASE_US" } }),
      "domains.eu.passphraseEnv",
      "PULUMI_CONFIG_PASSPHRASE_US is also domain us's passphrase variable; one passphrase never serves two domains",
    ],
    [
      "Pulumi Cloud SaaS for EU",
      domains({ eu: { backend: "https://api.pulumi.com" } }),
      "domains.eu.backend",
      /^us-west-2 \(from Pulumi Cloud SaaS, which keeps its data in AWS us-west-2\) is outside domain eu \(it is a us location\)/,
    ],
    [
      "London is in no domain",
      domains({ eu: { backend: "s3://meridian-state-eu?region=eu-west-2" } }),
      "domains.eu.backend",
      /^eu-west-2 \(from its `region=` parameter\) is outside domain eu \(it is in no domain's allowlist\)/,
    ],
    [
      "global Cloud KMS is in no domain",
      domains({ eu: { secretsProvider: "gcpkms://projects/p/locations/global/keyRings/k/cryptoKeys/c" } }),
      "domains.eu.secretsProvider",
      /^global \(from its `locations\/<L>` segment\) is outside domain eu \(it is in no domain's allowlist\)/,
    ],
    [
      "a region of the wrong cloud for the scheme",
      domains({ eu: { backend: "s3://meridian-state-eu?region=europe-west1" } }),
      "domains.eu.backend",
      /^europe-west1 \(from its `region=` parameter\) is outside domain eu \(it is in no domain's allowlist\)/,
    ],
    // Not derivable and not declared.
    ["gs without a location", domains({ eu: { evidenceStore: "gs://meridian-evidence-eu" } }), "domains.eu.evidenceStore", "its location cannot be derived: a gs:// URL does not carry the bucket's location; declare it under `locations` (`domains.eu.locations.evidenceStore`)"],
    ["azblob without a location", domains({ eu: { backend: "azblob://state" } }), "domains.eu.backend", /^its location cannot be derived: an azblob:\/\/ URL/],
    ["azurekeyvault without a location", domains({ eu: { secretsProvider: "azurekeyvault://v.vault.azure.net/keys/k" } }), "domains.eu.secretsProvider", /^its location cannot be derived: an azurekeyvault:\/\//],
    ["hashivault without a location", domains({ eu: { secretsProvider: "hashivault://state" } }), "domains.eu.secretsProvider", /^its location cannot be derived: a hashivault:\/\//],
    ["self-hosted Pulumi Cloud without a location", domains({ eu: { backend: "https://pulumi.example.eu" } }), "domains.eu.backend", /^its location cannot be derived: a self-hosted Pulumi Cloud URL/],
    ["s3 without region=", domains({ eu: { backend: "s3://meridian-state-eu" } }), "domains.eu.backend", /^its location cannot be derived: an s3:\/\/ URL without `region=`/],
    ["awskms alias without region=", domains({ eu: { secretsProvider: "awskms://alias/state" } }), "domains.eu.secretsProvider", /^its location cannot be derived: an awskms:\/\/ alias/],
    // Declared locations that contradict the URL.
    [
      "declared location contradicting region=",
      domains({ eu: { backend: "s3://meridian-state-eu?region=eu-central-1", locations: { backend: "eu-west-1" } } }),
      "domains.eu.locations.backend",
      "\"eu-west-1\" contradicts the URL, whose location is eu-central-1 (from its `region=` parameter); remove it or fix the URL",
    ],
    ["a location declared for a file:// store", domains({ eu: { backend: "file:///srv/eu", locations: { backend: "eu-central-1" } } }), "domains.eu.locations.backend", /^a file:\/\/ store is local/],
    ["a location declared for passphrase", domains({ eu: { locations: { secretsProvider: "eu-central-1" } } }), "domains.eu.locations.secretsProvider", /^a passphrase is local/],
    [
      "awskms region= contradicting the ARN",
      domains({ eu: { secretsProvider: "awskms:///arn:aws:kms:eu-central-1:111122223333:key/abc?region=eu-west-1" } }),
      "domains.eu.secretsProvider",
      "its `region=` parameter (eu-west-1) contradicts the region in the key ARN (eu-central-1)",
    ],
    // One store or key for two domains.
    [
      "one backend bucket for both domains",
      domains({ eu: { backend: "s3://meridian-state?region=eu-central-1" }, us: { backend: "s3://meridian-state/us?region=us-east-1" } }),
      "domains.us.backend",
      "the same s3 bucket meridian-state as domains.eu.backend; each domain keeps its own state, keys and evidence",
    ],
    [
      "the US evidence store is the EU state bucket",
      domains({ eu: { backend: "gs://meridian-cp", locations: { backend: "EU" } }, us: { evidenceStore: "gs://Meridian-CP/evidence", locations: { evidenceStore: "US" } } }),
      "domains.us.evidenceStore",
      "the same gs bucket meridian-cp as domains.eu.backend; each domain keeps its own state, keys and evidence",
    ],
    [
      "one Vault key for both domains",
      domains({ eu: { secretsProvider: "hashivault://state", locations: { secretsProvider: "eu-central-1" } }, us: { secretsProvider: "hashivault://state/", locations: { secretsProvider: "us-east-1" } } }),
      "domains.us.secretsProvider",
      /^the same hashivault state as domains\.eu\.secretsProvider/,
    ],
    [
      "one self-hosted Pulumi Cloud for both domains",
      domains({ eu: { backend: "https://pulumi.example.com", locations: { backend: "eu-central-1" } }, us: { backend: "https://PULUMI.example.com/", locations: { backend: "us-east-1" } } }),
      "domains.us.backend",
      /^the same https pulumi\.example\.com as domains\.eu\.backend/,
    ],
    [
      "one file folder inside the other",
      domains({ eu: { backend: "file:///srv/meridian" }, us: { backend: "file:///srv/meridian/us" } }),
      "domains.us.backend",
      /^the same folder \/srv\/meridian\/us as domains\.eu\.backend/,
    ],
    [
      "the same passphrase variable for both domains",
      domains({ eu: { passphraseEnv: "FLEET_PASSPHRASE" }, us: { passphraseEnv: "FLEET_PASSPHRASE" } }),
      "domains.eu.passphraseEnv",
      "FLEET_PASSPHRASE is also domain us's passphrase variable; one passphrase never serves two domains",
    ],
    ["the ambient passphrase variable", domains({ eu: { passphraseEnv: "PULUMI_CONFIG_PASSPHRASE" } }), "domains.eu.passphraseEnv", /^PULUMI_CONFIG_PASSPHRASE is read by every Pulumi CLI process/],
    ["passphraseEnv with a KMS provider", domains({ eu: { secretsProvider: "awskms://alias/s?region=eu-central-1", passphraseEnv: "X_EU" } }), "domains.eu.passphraseEnv", "only used with `secretsProvider: passphrase`; remove it"],
    // Unknown schemes and parameters.
    ["an unknown scheme", domains({ eu: { backend: "ftp://state.example.eu/eu" } }), "domains.eu.backend", "unknown or unsupported scheme `ftp://` for backend; allowed: s3://, gs://, azblob://, https://, file://"],
    ["a KMS URL as the backend", domains({ eu: { backend: "awskms://alias/s?region=eu-central-1" } }), "domains.eu.backend", /^unknown or unsupported scheme `awskms:\/\/` for backend/],
    ["Pulumi Cloud as the evidence store", domains({ eu: { evidenceStore: "https://api.pulumi.com" } }), "domains.eu.evidenceStore", /^unknown or unsupported scheme `https:\/\/` for evidenceStore/],
    ["not a URL", domains({ eu: { secretsProvider: "kms-eu" } }), "domains.eu.secretsProvider", "not a URL of the form <scheme>://<location>"],
    ["a query parameter the CLI refuses", domains({ eu: { secretsProvider: "gcpkms://projects/p/locations/europe-west1/keyRings/k/cryptoKeys/c?region=x" } }), "domains.eu.secretsProvider", "gcpkms:// does not take the query parameter `region`; it takes none"],
    ["an ARN in the host", domains({ eu: { secretsProvider: "awskms://arn:aws:kms:eu-central-1:111122223333:key/abc" } }), "domains.eu.secretsProvider", /^a key ARN goes after an empty host: write awskms:\/\/\/arn:aws:kms:/],
    ["a malformed gcpkms key", domains({ eu: { secretsProvider: "gcpkms://projects/p/keyRings/k" } }), "domains.eu.secretsProvider", /^a gcpkms:\/\/ URL names a key as/],
    // Schema.
    ["a missing key", { eu: { backend: "file:///x", secretsProvider: "passphrase" } }, "domains.eu.evidenceStore", "missing; expected string"],
    ["an unknown key", { eu: { ...domains().eu, bucket: "x" } }, "domains.eu.bucket", "unknown key (check the spelling; see docs/configuration.md)"],
    ["an unknown domain", { apac: domains().eu }, "domains.apac", /./],
    ["an unknown locations key", domains({ eu: { locations: { evidence: "EU" } } }), "domains.eu.locations.evidence", /^unknown key/],
    ["a bad passphraseEnv", domains({ eu: { passphraseEnv: "lower-case" } }), "domains.eu.passphraseEnv", /an environment variable name/],
  ];
  it.each(cases)("%s", (_name, block, key, detail) => {
    const r = refusal(block);
    expect(r.key).toBe(key);
    if (typeof detail === "string") expect(r.detail).toBe(detail);
    else expect(r.detail).toMatch(detail);
  });

  const SECRET = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY";
  const credentials: Array<[string, Entry, string, RegExp]> = [
    ["user info", { backend: `s3://AKIAIOSFODNN7EXAMPLE:${SECRET}@meridian-state-eu?region=eu-central-1` }, "domains.eu.backend", /^contains credentials \(user info before `@`\)/],
    ["secret_access_key=", { backend: `s3://meridian-state-eu?region=eu-central-1&secret_access_key=${SECRET}` }, "domains.eu.backend", /^contains a credential \(query parameter `secret_access_key`\)/],
    ["an Azure SAS sig=", { evidenceStore: `azblob://evidence?sig=${SECRET}&sv=2022-11-02`, locations: { evidenceStore: "westeurope" } }, "domains.eu.evidenceStore", /^contains a credential \(query parameter `sig`\)/],
    ["a Vault token", { secretsProvider: `hashivault://state?token=${SECRET}`, locations: { secretsProvider: "eu-central-1" } }, "domains.eu.secretsProvider", /^contains a credential \(query parameter `token`\)/],
    ["a presigned URL", { backend: `s3://b?region=eu-central-1&X-Amz-Signature=${SECRET}` }, "domains.eu.backend", /^contains a credential \(query parameter `X-Amz-Signature`\)/],
    ["a password in a Pulumi Cloud URL", { backend: `https://admin:${SECRET}@pulumi.example.eu`, locations: { backend: "eu-central-1" } }, "domains.eu.backend", /^contains credentials/],
  ];
  it.each(credentials)("refuses a credential in the URL (%s) and never echoes it", (_name, entry, key, detail) => {
    const r = refusal(domains({ eu: entry }));
    expect(r.key).toBe(key);
    expect(r.detail).toMatch(detail);
    expect(r.message).not.toContain(SECRET);
    expect(r.message).not.toContain("AKIA");
  });
});

describe("domains: a location in domain D is accepted for D and refused for the other", () => {
  type Shape = { key: "backend" | "secretsProvider" | "evidenceStore"; cloud: "aws" | "gcp" | "azure"; url: (region: string) => string; declared: boolean };
  const shapes: Shape[] = [
    { key: "backend", cloud: "aws", url: (r) => `s3://meridian-state?region=${r}`, declared: false },
    { key: "evidenceStore", cloud: "aws", url: (r) => `s3://meridian-evidence?region=${r}&awssdk=v2`, declared: false },
    { key: "secretsProvider", cloud: "aws", url: (r) => `awskms://alias/meridian-state?region=${r}`, declared: false },
    { key: "secretsProvider", cloud: "aws", url: (r) => `awskms:///arn:aws:kms:${r}:111122223333:key/1234abcd`, declared: false },
    { key: "secretsProvider", cloud: "gcp", url: (r) => `gcpkms://projects/meridian/locations/${r}/keyRings/state/cryptoKeys/key`, declared: false },
    { key: "backend", cloud: "gcp", url: () => "gs://meridian-state", declared: true },
    { key: "evidenceStore", cloud: "azure", url: () => "azblob://evidence?storage_account=meridian", declared: true },
    { key: "secretsProvider", cloud: "azure", url: () => "azurekeyvault://meridian.vault.azure.net/keys/state", declared: true },
  ];
  const base = (d: Domain) => domains()[d];
  const arbitrary = fc
    .record({ domain: fc.constantFrom(...DOMAINS), shape: fc.constantFrom(...shapes) })
    .chain(({ domain, shape }) => fc.record({ domain: fc.constant(domain), shape: fc.constant(shape), region: fc.constantFrom(...DEFAULT_REGIONS[domain][shape.cloud]) }));

  it("holds for every scheme and region of the catalogue", () => {
    fc.assert(
      fc.property(arbitrary, ({ domain, shape, region }) => {
        const entry = { ...base(domain), [shape.key]: shape.url(region), ...(shape.declared ? { locations: { [shape.key]: region } } : {}) };
        const accepted = resolveControlPlanes({ [domain]: entry } as DomainsInput, DEFAULT_REGIONS, "fleet.yaml", "/stacks");
        expect(accepted[domain]!.locations![shape.key]).toBe(region);
        const other = DOMAINS.find((d) => d !== domain)!;
        const otherEntry = { ...base(other), [shape.key]: shape.url(region), ...(shape.declared ? { locations: { [shape.key]: region } } : {}) };
        let refused: unknown;
        try {
          resolveControlPlanes({ [other]: otherEntry } as DomainsInput, DEFAULT_REGIONS, "fleet.yaml", "/stacks");
        } catch (e) {
          refused = e;
        }
        expect(refused).toBeInstanceOf(FleetConfigError);
        const err = refused as FleetConfigError;
        expect(err.key).toBe(shape.declared ? `domains.${other}.locations.${shape.key}` : `domains.${other}.${shape.key}`);
        expect(err.detail).toContain(`is outside domain ${other} (it is a ${domain} location)`);
      }),
      { numRuns: 200 },
    );
  });
});

describe("stack files' secretsprovider", () => {
  function withProvider(file: string, provider: string): Record<string, string> {
    const doc = parse(readReference(file)) as Record<string, unknown>;
    return { [file]: stringify({ secretsprovider: provider, ...doc }) };
  }

  it("accepts its own domain's provider, compared after normalising", () => {
    const fleet = loadFleet(fleetDir(withProvider("Pulumi.eu-pki.yaml", "AWSKMS://alias/meridian-state-eu/?region=eu-central-1")));
    expect(fleet.stacks.get("eu-pki")!.domain).toBe("eu");
  });

  it("refuses the other domain's provider (exit 2 naming the stack file and secretsprovider)", () => {
    const dir = fleetDir(withProvider("Pulumi.eu-pki.yaml", "awskms://alias/meridian-state-us?region=us-east-1"));
    expect(() => loadFleet(dir)).toThrow(FleetConfigErrors);
    try {
      loadFleet(dir);
    } catch (e) {
      expect((e as FleetConfigErrors).errors.map((x) => x.message)).toEqual([
        `${path.join(dir, "Pulumi.eu-pki.yaml")}: secretsprovider: is AWS KMS key alias/meridian-state-us, not domains.eu.secretsProvider in fleet.yaml; a stack's secrets are encrypted by its own domain's provider (move them with \`pulumi stack change-secrets-provider\`)`,
      ]);
    }
  });

  it("refuses passphrase when the domain declares a KMS, and a credential without echoing it", () => {
    const dir = fleetDir({ ...withProvider("Pulumi.us-pki.yaml", "passphrase"), ...withProvider("Pulumi.eu-pki.yaml", "hashivault://k?token=s.hunter2hunter2") });
    try {
      loadFleet(dir);
      throw new Error("expected a refusal");
    } catch (e) {
      const lines = (e as FleetConfigErrors).errors.map((x) => x.message);
      expect(lines).toContain(`${path.join(dir, "Pulumi.us-pki.yaml")}: secretsprovider: is passphrase, not domains.us.secretsProvider in fleet.yaml; a stack's secrets are encrypted by its own domain's provider (move them with \`pulumi stack change-secrets-provider\`)`);
      expect(lines.find((l) => l.includes("Pulumi.eu-pki.yaml"))).toMatch(/secretsprovider: contains a credential \(query parameter `token`\)/);
      expect(lines.join("\n")).not.toContain("hunter2");
    }
  });

  it("refuses an encryptionsalt (passphrase secrets) in a stack file of a domain that declares a KMS, naming the key", () => {
    const doc = parse(readReference("Pulumi.us-pki.yaml")) as Record<string, unknown>;
    const dir = fleetDir({ "Pulumi.us-pki.yaml": stringify({ encryptionsalt: "v1:abc", ...doc }) });
    try {
      loadFleet(dir);
      throw new Error("expected a refusal");
    } catch (e) {
      expect((e as FleetConfigErrors).errors.map((x) => x.message)).toContainEqual(expect.stringMatching(/Pulumi\.us-pki\.yaml: encryptionsalt: is an encryptionsalt \(passphrase secrets\), not domains\.us\.secretsProvider/));
    }
  });

  it("load time and run time apply one rule: the same verdict for every declaration", () => {
    const expected = "awskms://alias/meridian-state-eu?region=eu-central-1";
    const docs: Array<Record<string, unknown>> = [
      {},
      { secretsprovider: expected },
      { secretsprovider: "AWSKMS://alias/meridian-state-eu/?region=eu-central-1" },
      { secretsprovider: "awskms://alias/meridian-state-us?region=us-east-1" },
      { secretsprovider: "passphrase" },
      { encryptionsalt: "v1:abc" },
      { secretsprovider: 42 },
    ];
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-sp-"));
    for (const doc of docs) {
      const file = path.join(work, "Pulumi.eu-pki.yaml");
      fs.writeFileSync(file, stringify({ ...doc, config: {} }));
      const atRun = stackFileSecretsProblem(file, expected);
      const atLoad = stackSecretsProviderProblem(doc, expected, "x", work);
      expect({ doc, refusedAtRun: atRun !== undefined }).toEqual({ doc, refusedAtRun: atLoad !== undefined });
    }
  });
});
