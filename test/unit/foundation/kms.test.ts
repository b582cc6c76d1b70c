import { findOne, installMocks, settle, valueOf } from "../../support/mocks";
import * as aws from "@pulumi/aws";
import * as azure from "@pulumi/azure-native";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { ResidencyKey, validateResidencyKeyArgs } from "../../../components/kms";

const cloud = installMocks();
const tags = { residency: "eu", "meridian-stack": "eu-foundation-test" };

describe("ResidencyKey", () => {
  it("AWS: rotation on, single-region, 30-day window, protected, regional logs grant", async () => {
    const provider = new aws.Provider("p-aws", { region: "eu-central-1" });
    const key = new ResidencyKey("k", { domain: "eu", cloud: "aws", region: "eu-central-1", tags }, { providers: [provider] });
    const arn = await valueOf(key.keyId);
    await settle();
    const k = findOne(cloud, "aws:kms/key:Key");
    expect(k.inputs.enableKeyRotation).toBe(true);
    expect(k.inputs.rotationPeriodInDays).toBe(90);
    expect(k.inputs.multiRegion).toBe(false);
    expect(k.inputs.deletionWindowInDays).toBe(30);
    expect(k.inputs.tags).toMatchObject(tags);
    expect(k.provider?.inputs.region).toBe("eu-central-1");
    expect(arn).toMatch(/^arn:aws:kms:eu-central-1:\d{12}:key\//);
    const policy = JSON.parse(String(k.inputs.policy));
    const logs = policy.Statement.find((s: { Sid: string }) => s.Sid === "RegionalCloudWatchLogs");
    expect(logs.Principal.Service).toBe("logs.eu-central-1.amazonaws.com");
    expect(logs.Condition.ArnLike["kms:EncryptionContext:aws:logs:arn"]).toMatch(/^arn:aws:logs:eu-central-1:\d{12}:\*$/);
    // AMP: the deployer's IAM role (not its STS session), only through AMP in the key's region.
    const amp = policy.Statement.find((s: { Sid: string }) => s.Sid === "RegionalManagedPrometheus");
    const account = arn.split(":")[4];
    expect(amp.Principal.AWS).toBe(`arn:aws:iam::${account}:role/meridian-deployer`);
    expect(amp.Action).toEqual(expect.arrayContaining(["kms:CreateGrant", "kms:GenerateDataKey", "kms:Decrypt"]));
    expect(amp.Condition.StringEquals).toEqual({ "kms:ViaService": "aps.eu-central-1.amazonaws.com", "kms:CallerAccount": account });
    // AMP's Alertmanager and CloudWatch alarms publish to SNS topics this key encrypts.
    const alerts = policy.Statement.find((s: { Sid: string }) => s.Sid === "AlertsToEncryptedSns");
    expect(alerts.Principal.Service).toEqual(["aps.amazonaws.com", "cloudwatch.amazonaws.com"]);
    expect(alerts.Action).toEqual(["kms:GenerateDataKey*", "kms:Decrypt"]);
    expect(alerts.Condition.StringEquals["kms:ViaService"]).toBe("sns.eu-central-1.amazonaws.com");
    // Residency: every service grant is conditioned on this region; only the account itself is unconditioned.
    for (const s of policy.Statement.filter((x: { Sid: string }) => x.Sid !== "AccountAdministers")) {
      expect(JSON.stringify(s.Condition)).toContain("eu-central-1");
      expect(JSON.stringify(s.Condition)).not.toMatch(/us-|eu-west|\*\.amazonaws/);
    }
    expect(key.handle.domain).toBe("eu");
    expect(key.handle.cloud).toBe("aws");
  });

  it("AWS: a US key's service grants name only its own region", async () => {
    const provider = new aws.Provider("p-aws-us", { region: "us-east-1" });
    const key = new ResidencyKey("kus", { domain: "us", cloud: "aws", region: "us-east-1", tags }, { providers: [provider] });
    await valueOf(key.keyId);
    await settle();
    const policy = JSON.parse(String(findOne(cloud, "aws:kms/key:Key", "kus").inputs.policy));
    const vias = policy.Statement.flatMap((s: { Condition?: { StringEquals?: Record<string, string> } }) => [s.Condition?.StringEquals?.["kms:ViaService"] ?? []].flat());
    expect(vias).toEqual(["aps.us-east-1.amazonaws.com", "sns.us-east-1.amazonaws.com"]);
    expect(policy.Statement.find((s: { Sid: string }) => s.Sid === "RegionalCloudWatchLogs").Principal.Service).toBe("logs.us-east-1.amazonaws.com");
  });

  it("Azure: premium vault with purge protection and no public access; RSA-HSM key with rotation policy", async () => {
    const provider = new azure.Provider("p-az", { location: "westeurope" });
    const key = new ResidencyKey("kz", { domain: "eu", cloud: "azure", region: "westeurope", rotationDays: 60, tags }, { providers: [provider] });
    const uri = await valueOf(key.keyId);
    await settle();
    const vault = findOne(cloud, "azure-native:keyvault:Vault");
    const p = vault.inputs.properties as Record<string, unknown>;
    expect(p.enablePurgeProtection).toBe(true);
    expect(p.enableRbacAuthorization).toBe(true);
    expect(p.publicNetworkAccess).toBe("Disabled");
    expect(p.sku).toEqual({ family: "A", name: "premium" });
    expect((p.networkAcls as Record<string, unknown>).defaultAction).toBe("Deny");
    expect(vault.inputs.location).toBe("westeurope");
    const k = findOne(cloud, "azure-native:keyvault:Key");
    const kp = k.inputs.properties as { kty: string; attributes: { expires: number }; rotationPolicy: { lifetimeActions: unknown[] } };
    expect(kp.kty).toBe("RSA-HSM");
    expect(kp.attributes.expires).toBeGreaterThan(Date.now() / 1000);
    expect(kp.rotationPolicy.lifetimeActions).toContainEqual({ action: { type: "rotate" }, trigger: { timeAfterCreate: "P60D" } });
    expect(uri).toMatch(/^https:\/\/.+\.vault\.azure\.net\/keys\/[^/]+$/); // versionless: consumers follow rotation
  });

  it("GCP: regional ring, HSM key rotated within 90 days", async () => {
    const provider = new gcp.Provider("p-gcp", { project: "meridian-eu-prod", region: "europe-west1" });
    const key = new ResidencyKey("kg", { domain: "eu", cloud: "gcp", region: "europe-west1", tags }, { providers: [provider] });
    const id = await valueOf(key.keyId);
    await settle();
    const ring = findOne(cloud, "gcp:kms/keyRing:KeyRing");
    expect(ring.inputs.location).toBe("europe-west1");
    const k = findOne(cloud, "gcp:kms/cryptoKey:CryptoKey");
    expect(k.inputs.rotationPeriod).toBe("7776000s");
    expect((k.inputs.versionTemplate as Record<string, unknown>).protectionLevel).toBe("HSM");
    expect(id).toMatch(/^projects\/meridian-eu-prod\/locations\/europe-west1\/keyRings\/.+\/cryptoKeys\/.+$/);
  });

  it("AWS: rotation periods are the KMS API's 90–2560 days, and a long one reaches the key", async () => {
    const reasons = (rotationDays: number) => validateResidencyKeyArgs({ domain: "eu", cloud: "aws", region: "eu-central-1", rotationDays }).map((p) => `${p.propertyPath}: ${p.reason}`);
    expect(reasons(89)).toEqual(["rotationDays: must be a whole number of days from 90 to 2560 on aws, got 89"]);
    expect(reasons(30)).toHaveLength(1);
    expect(reasons(2561)).toHaveLength(1);
    expect(reasons(90)).toEqual([]);
    expect(reasons(2560)).toEqual([]);
    const provider = new aws.Provider("p-aws-long", { region: "eu-central-1" });
    new ResidencyKey("klong", { domain: "eu", cloud: "aws", region: "eu-central-1", rotationDays: 365, tags }, { providers: [provider] });
    await settle();
    const k = findOne(cloud, "aws:kms/key:Key", "klong");
    expect(k.inputs.rotationPeriodInDays).toBe(365);
  });

  it("GCP and Azure keep the 90-day ceiling; Azure rotates no sooner than 7 days", () => {
    const paths = (c: "gcp" | "azure", rotationDays: number) => validateResidencyKeyArgs({ domain: "eu", cloud: c, region: "europe-west1", rotationDays }).map((p) => p.propertyPath);
    expect(paths("gcp", 91)).toEqual(["rotationDays"]);
    expect(paths("gcp", 1)).toEqual([]);
    expect(paths("azure", 6)).toEqual(["rotationDays"]);
    expect(paths("azure", 91)).toEqual(["rotationDays"]);
    expect(paths("azure", 7)).toEqual([]);
  });

  it("refuses a global location, long rotation and a short deletion window, all at once", () => {
    const problems = validateResidencyKeyArgs({ domain: "eu", cloud: "gcp", region: "global", rotationDays: 365, deletionWindowDays: 3 });
    expect(problems.map((p) => p.propertyPath).sort()).toEqual(["deletionWindowDays", "region", "rotationDays"]);
    expect(() => new ResidencyKey("bad", { domain: "eu", cloud: "gcp", region: "global" })).toThrow(pulumi.InputPropertiesError);
  });
});
