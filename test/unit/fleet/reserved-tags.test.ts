/**
 * Reserved tags win even when a caller passes them (defence in depth behind the loader's
 * exit 2): the stack program's commonTags and every component that tags its children.
 * Resource names are unchanged (the URNs are the same as with ordinary tags).
 */
import * as fc from "fast-check";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as gcp from "@pulumi/gcp";
import { loadFleet, type StackSpec } from "../../../automation/fleet";
import { ResidencyKey } from "../../../components/kms";
import { Network } from "../../../components/network";
import { ResidencyRegistry } from "../../../components/registry";
import { normalizedTagKey, withReservedTags } from "../../../components/residency/tags";
import { commonTags } from "../../../stacks/context";
import { findAll, installMocks, settle } from "../../support/mocks";

const cloud = installMocks();
const HOSTILE = { residency: "us", Residency: "us", "managed-by": "terraform", "meridian-stack": "us-prod", owner: "platform" };

describe("reserved tags win over a caller's", () => {
  it("commonTags: a spec that slipped past the loader still gets the platform's values", () => {
    const spec = loadFleet(path.resolve(__dirname, "../../../stacks")).stacks.get("eu-pki")!;
    const tampered = { ...spec, config: { ...spec.config, "meridian:tags": HOSTILE } } as StackSpec;
    const tags = commonTags(tampered);
    expect(tags).toMatchObject({ residency: "eu", "meridian-stack": "eu-pki", "meridian-role": "pki", "managed-by": "pulumi", owner: "platform" });
    expect(Object.keys(tags).filter((k) => normalizedTagKey(k) === "residency")).toEqual(["residency"]);
  });

  it("components: the key, network and registry children carry the component's domain, whatever the caller passed", async () => {
    const provider = new aws.Provider("p-aws", { region: "eu-central-1" });
    const key = new ResidencyKey("k", { domain: "eu", cloud: "aws", region: "eu-central-1", tags: HOSTILE }, { providers: [provider] });
    new Network("n", { domain: "eu", cidr: "10.0.0.0/16", key: key.handle, tags: HOSTILE }, { providers: [provider] });
    new ResidencyRegistry("r", { domain: "eu", key: key.handle, tags: HOSTILE }, { providers: [provider] });
    const gp = new gcp.Provider("p-gcp", { project: "meridian-eu-prod", region: "europe-west1" });
    const gkey = new ResidencyKey("gk", { domain: "eu", cloud: "gcp", region: "europe-west1", tags: HOSTILE }, { providers: [gp] });
    void gkey;
    await settle();
    const tagged = cloud.records.filter((r) => r.inputs.tags !== undefined || r.inputs.labels !== undefined);
    expect(tagged.length).toBeGreaterThan(10);
    for (const r of tagged) {
      const t = (r.inputs.tags ?? r.inputs.labels) as Record<string, string>;
      const residency = Object.entries(t).filter(([k]) => normalizedTagKey(k) === "residency");
      expect([r.type, residency]).toEqual([r.type, [["residency", "eu"]]]);
    }
    // Names are what they always were.
    expect(findAll(cloud, "aws:ec2/vpc:Vpc").map((r) => r.name)).toEqual(["n-vpc"]);
  });

  it("property: withReservedTags keeps every other key and no other spelling of a reserved one", () => {
    fc.assert(
      fc.property(fc.dictionary(fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,12}$/), fc.string({ maxLength: 8 })), fc.constantFrom("residency", "Residency", "RESIDENCY"), (tags, spelling) => {
        const out = withReservedTags({ ...tags, [spelling]: "us" }, { residency: "eu" });
        expect(out.residency).toBe("eu");
        expect(Object.keys(out).filter((k) => normalizedTagKey(k) === "residency")).toEqual(["residency"]);
        for (const [k, v] of Object.entries(tags)) if (normalizedTagKey(k) !== "residency") expect(out[k]).toBe(v);
      }),
    );
  });
});
