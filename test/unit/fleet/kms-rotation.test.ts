/** `meridian:kms.rotationDays` is checked per cloud at load: AWS 90–2560, GCP 1–90, Azure 7–90. */
import { parse, stringify } from "yaml";
import { loadFleet } from "../../../automation/fleet";
import { loadErrors } from "../../support/loadErrors";
import { fleetDir, readReference } from "../../support/fleetDir";

function withRotation(file: string, rotationDays: number): string {
  const doc = parse(readReference(file)) as { config: Record<string, unknown> };
  doc.config["meridian:kms"] = { rotationDays };
  return fleetDir({ [file]: stringify(doc) });
}


describe("meridian:kms.rotationDays", () => {
  it("accepts AWS periods up to 2560 days and hands them to the key", () => {
    const fleet = loadFleet(withRotation("Pulumi.eu-foundation-aws.yaml", 2560));
    const config = fleet.stacks.get("eu-foundation-aws")!.config;
    if (config["meridian:role"] !== "foundation") throw new Error("role");
    expect(config["meridian:kms"].rotationDays).toBe(2560);
  });

  it("refuses an AWS period under 90 days, naming file and key", () => {
    const errors = loadErrors(withRotation("Pulumi.eu-foundation-aws.yaml", 30));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("Pulumi.eu-foundation-aws.yaml");
    expect(errors[0]).toContain("meridian:kms.rotationDays");
    expect(errors[0]).toContain("from 90 to 2560 on aws, got 30");
  });

  it("keeps the 90-day ceiling on GCP and Azure", () => {
    expect(loadErrors(withRotation("Pulumi.eu-foundation-gcp.yaml", 365))[0]).toContain("from 1 to 90 on gcp, got 365");
    expect(loadErrors(withRotation("Pulumi.us-foundation-azure.yaml", 3))[0]).toContain("from 7 to 90 on azure, got 3");
    expect(loadErrors(withRotation("Pulumi.us-foundation-azure.yaml", 30))).toEqual([]);
  });
});
