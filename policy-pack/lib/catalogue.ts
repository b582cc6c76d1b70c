/**
 * The residency catalogue: which regions belong to which domain, per cloud.
 *
 * This is data, shared by the stack program, the fleet plan and the policy pack, so
 * the three can never disagree. The lists are explicit on purpose: a prefix is not a
 * domain (`eu-west-2` is London and `europe-west6` is Zurich — neither is in the EU).
 * A fleet that wants such a region adds it in `stacks/fleet.yaml` (`residency.<domain>.<cloud>`),
 * where the choice is visible in review.
 */

export const DOMAINS = ["eu", "us"] as const;
/** A hard data-residency domain. Nothing a domain owns is referenced from the other. */
export type Domain = (typeof DOMAINS)[number];

export const CLOUDS = ["aws", "azure", "gcp"] as const;
export type Cloud = (typeof CLOUDS)[number];

/** Regions allowed per domain and cloud. */
export type RegionAllowlist = Record<Domain, Record<Cloud, readonly string[]>>;

/** EU member-state regions only (no London, no Zurich); US regions only (no GovCloud). */
export const DEFAULT_REGIONS: RegionAllowlist = {
  eu: {
    aws: ["eu-central-1", "eu-west-1", "eu-west-3", "eu-north-1", "eu-south-1", "eu-south-2"],
    gcp: [
      "europe-west1",
      "europe-west3",
      "europe-west4",
      "europe-west8",
      "europe-west9",
      "europe-west10",
      "europe-west12",
      "europe-north1",
      "europe-north2",
      "europe-central2",
      "europe-southwest1",
    ],
    azure: [
      "westeurope",
      "northeurope",
      "francecentral",
      "germanywestcentral",
      "swedencentral",
      "italynorth",
      "polandcentral",
      "spaincentral",
    ],
  },
  us: {
    aws: ["us-east-1", "us-east-2", "us-west-1", "us-west-2"],
    gcp: ["us-central1", "us-east1", "us-east4", "us-east5", "us-south1", "us-west1", "us-west2", "us-west3", "us-west4"],
    azure: ["eastus", "eastus2", "centralus", "northcentralus", "southcentralus", "westus", "westus2", "westus3", "westcentralus"],
  },
};

/**
 * Multi-region "locations" some services accept (GCS, logging buckets). They are
 * residency-safe only when they sit wholly inside one domain.
 */
export const MULTI_REGION_LOCATIONS: Record<Domain, readonly string[]> = {
  eu: ["EU", "EUR4", "eu"],
  us: ["US", "NAM4", "us"],
};

/** The Pulumi config key that carries each cloud's region. */
export const REGION_CONFIG_KEY: Record<Cloud, string> = {
  aws: "aws:region",
  azure: "azure-native:location",
  gcp: "gcp:region",
};

/**
 * Availability zones we spread across, per cloud. AWS and GCP zone letters differ per
 * region; the table lists the default regions and falls back to a, b, c.
 */
const GCP_ZONE_SUFFIXES: Record<string, readonly string[]> = {
  "europe-west1": ["b", "c", "d"],
  "us-central1": ["a", "b", "c", "f"],
  "us-east1": ["b", "c", "d"],
};

export function zonesFor(cloud: Cloud, region: string, count: number): string[] {
  let zones: readonly string[];
  switch (cloud) {
    case "aws":
      zones = ["a", "b", "c"].map((z) => `${region}${z}`);
      break;
    case "gcp":
      zones = (GCP_ZONE_SUFFIXES[region] ?? ["a", "b", "c"]).map((z) => `${region}-${z}`);
      break;
    case "azure":
      zones = ["1", "2", "3"];
      break;
  }
  if (count > zones.length) {
    throw new Error(`${cloud} region ${region} has only ${zones.length} zones in the catalogue; asked for ${count}`);
  }
  return zones.slice(0, count);
}

/** GCP labels from tags: GCP accepts only lower-case keys and values. */
export function gcpLabels(tags: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).map(([k, v]) => [k.toLowerCase(), v.toLowerCase()]));
}

/** The domain a region belongs to under an allowlist, or undefined when it is in neither. */
export function domainOfRegion(allowlist: RegionAllowlist, cloud: Cloud, region: string): Domain | undefined {
  return DOMAINS.find((d) => allowlist[d][cloud].includes(region));
}

/** Any cloud: the domain whose allowlist contains the region (or multi-region location). */
export function domainOfLocation(allowlist: RegionAllowlist, location: string): Domain | undefined {
  const normalized = location.toLowerCase().replace(/\s+/g, "");
  return DOMAINS.find(
    (d) =>
      CLOUDS.some((c) => allowlist[d][c].some((r) => r.toLowerCase() === normalized)) ||
      MULTI_REGION_LOCATIONS[d].some((m) => m.toLowerCase() === normalized),
  );
}
