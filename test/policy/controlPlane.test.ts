/**
 * The pack's control-plane policies: the stack's backend, secrets provider and evidence
 * store (pack config `controlPlane`) lie in its domain; nothing exports them.
 */
import { configSchemaProperties, toEngineConfig } from "../../policy-pack/lib/config";
import { EU_CONTROL_PLANE } from "./controlPlaneConfig";
import { advisory, awsEu, EU, mandatory, res, run, UNKNOWN } from "./harness";

const MATCH = "meridian-residency-controlplane-domain-match";
const EXPORT = "meridian-residency-controlplane-export-deny";

const withPlane = (plane: Record<string, unknown>) => ({ ...EU, controlPlane: { ...EU_CONTROL_PLANE, ...plane } as typeof EU_CONTROL_PLANE });

describe(MATCH, () => {
  it("passes the stack's own domain stores", () => {
    expect(run(MATCH, [])).toEqual([]);
  });

  it("is silent without a configured control plane (a stack not started by the fleet)", () => {
    expect(run(MATCH, [], { ...EU, controlPlane: undefined })).toEqual([]);
  });

  it.each([
    [{ backend: "s3://meridian-state-eu?region=us-east-1" }, "controlPlane.backend is in us-east-1 (from its `region=` parameter), outside domain eu (a us location); allowed: eu-central-1"],
    [{ backend: "https://api.pulumi.com" }, "controlPlane.backend is in us-west-2 (from Pulumi Cloud SaaS, which keeps its data in AWS us-west-2), outside domain eu (a us location)"],
    [{ secretsProvider: "gcpkms://projects/p/locations/us-central1/keyRings/k/cryptoKeys/c" }, "controlPlane.secretsProvider is in us-central1 (from its `locations/<L>` segment), outside domain eu (a us location)"],
    [{ evidenceStore: "gs://meridian-evidence-eu", locations: {} }, "controlPlane.evidenceStore: its location cannot be derived and none is declared"],
    [{ evidenceStore: "gs://meridian-evidence-eu", locations: { evidenceStore: "US" } }, "controlPlane.evidenceStore is in US (declared), outside domain eu (a us location)"],
    [{ locations: { backend: "eu-west-1" } }, 'controlPlane.locations.backend: "eu-west-1" contradicts the URL, whose location is eu-central-1'],
    [{ backend: "ftp://x" }, "controlPlane.backend: unknown or unsupported scheme `ftp://` for backend"],
  ])("refuses %j", (plane, expected) => {
    const vs = mandatory(run(MATCH, [], withPlane(plane)));
    expect(vs.map((v) => v.message).join("\n")).toContain(expected);
  });

  it("refuses a credential in a URL without echoing it", () => {
    const vs = mandatory(run(MATCH, [], withPlane({ backend: "s3://b?region=eu-central-1&secret_access_key=TOPSECRETVALUE" })));
    expect(vs.map((v) => v.message).join("\n")).toContain("contains a credential (query parameter `secret_access_key`)");
    expect(JSON.stringify(vs)).not.toContain("TOPSECRETVALUE");
  });

  it("reaches the engine: the config file carries controlPlane for every policy, and its JSON schema declares it", () => {
    const file = toEngineConfig(EU, [MATCH, EXPORT]) as Record<string, { controlPlane?: unknown }>;
    expect(file[MATCH]!.controlPlane).toEqual(EU_CONTROL_PLANE);
    expect(Object.keys(configSchemaProperties)).toContain("controlPlane");
  });
});

describe(EXPORT, () => {
  const KEY_ARN = "arn:aws:kms:eu-central-1:123456789012:key/0f0e0d0c-aaaa-bbbb-cccc-00000000000a";

  it("recognises the state key by its ARN when the secrets provider names it", () => {
    const cfg = withPlane({ secretsProvider: `awskms:///${KEY_ARN}` });
    const replica = res("aws:kms/replicaKey:ReplicaKey", "replica", { primaryKeyArn: KEY_ARN, region: "us-west-2" }, { provider: awsEu });
    expect(mandatory(run(EXPORT, [replica], cfg)).map((v) => v.message)).toEqual([
      `KMS replica key copies domain eu's state key ${KEY_ARN} to us-west-2, outside domain eu`,
    ]);
    const inEu = res("aws:kms/replicaKey:ReplicaKey", "replica", { primaryKeyArn: KEY_ARN, region: "eu-north-1" }, { provider: awsEu });
    expect(run(EXPORT, [inEu], cfg)).toEqual([]);
  });

  it("leaves replica keys of other keys to RES-07", () => {
    const other = res("aws:kms/replicaKey:ReplicaKey", "replica", { primaryKeyArn: "arn:aws:kms:eu-central-1:123456789012:key/other", region: "us-west-2" }, { provider: awsEu });
    expect(run(EXPORT, [other])).toEqual([]);
  });

  it("finds the source bucket through its dependency when the name is unknown at preview", () => {
    const state = res("aws:s3/bucket:Bucket", "state", { bucket: "meridian-state-eu" }, { provider: awsEu });
    const rep = res(
      "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
      "rep",
      { bucket: UNKNOWN, rules: [{ destination: { bucket: "arn:aws:s3:::somewhere-else" } }] },
      { provider: awsEu, propertyDependencies: { bucket: [state.urn] } },
    );
    expect(mandatory(run(EXPORT, [state, rep])).map((v) => v.message)).toEqual([
      "S3 replication copies domain eu's state backend bucket meridian-state-eu to bucket somewhere-else, whose location cannot be shown to be in eu: copy control-plane data only to a bucket created in this stack with a region of the domain",
    ]);
  });

  it("reports a destination unknown at preview as cannot-verify (advisory), never as a pass", () => {
    const rep = res("aws:s3/bucketReplicationConfig:BucketReplicationConfig", "rep", { bucket: "meridian-state-eu", rules: [{ destination: { bucket: UNKNOWN } }] }, { provider: awsEu });
    const vs = run(EXPORT, [rep]);
    expect(mandatory(vs)).toEqual([]);
    expect(advisory(vs).map((v) => v.message).join("\n")).toMatch(/cannot verify during preview: rep\.rules\[0\]\.destination\.bucket destination/);
  });

  it("ignores replication of buckets that are not the control plane (RES-07 judges those)", () => {
    const rep = res("aws:s3/bucketReplicationConfig:BucketReplicationConfig", "rep", { bucket: "app-data", rules: [{ destination: { bucket: "arn:aws:s3:::elsewhere" } }] }, { provider: awsEu });
    expect(run(EXPORT, [rep])).toEqual([]);
  });

  it("allows copying within the domain's own control plane (state to evidence)", () => {
    const cfg = withPlane({ evidenceStore: "s3://meridian-evidence-eu?region=eu-west-1", locations: {} });
    const rep = res("aws:s3/bucketReplicationConfig:BucketReplicationConfig", "rep", { bucket: "meridian-state-eu", rules: [{ destination: { bucket: "arn:aws:s3:::meridian-evidence-eu" } }] }, { provider: awsEu });
    expect(run(EXPORT, [rep], cfg)).toEqual([]);
  });
});
