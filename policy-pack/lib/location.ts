/**
 * Where a resource lives, per cloud, and whether that place is inside the stack's
 * domain. Region lists come from the catalogue (via the resolved config); nothing here
 * repeats them.
 */
import { DOMAINS, domainOfLocation, type Cloud, type Domain } from "./catalogue";
import type { ResolvedConfig } from "./config";
import { at, str, UNKNOWN, type Unknown } from "./values";

export function cloudOfType(type: string): Cloud | undefined {
  if (type.startsWith("aws:") || type === "pulumi:providers:aws") {
    return "aws";
  }
  if (type.startsWith("azure-native:") || type === "pulumi:providers:azure-native") {
    return "azure";
  }
  if (type.startsWith("gcp:") || type === "pulumi:providers:gcp") {
    return "gcp";
  }
  return undefined;
}

/** Azure writes locations both ways ("West Europe", "westeurope"). */
export function normalizeLocation(location: string): string {
  return location.toLowerCase().replace(/\s+/g, "");
}

/** `europe-west1-b` → `europe-west1`; `eu-central-1a` → `eu-central-1`; regions unchanged. */
export function regionOfZone(cloud: Cloud, zone: string): string {
  if (cloud === "gcp") {
    return /^[a-z]+-[a-z]+\d+-[a-z]$/.test(zone) ? zone.slice(0, zone.lastIndexOf("-")) : zone;
  }
  if (cloud === "aws") {
    return /^[a-z]{2}(-[a-z]+)+-\d[a-z]$/.test(zone) ? zone.slice(0, -1) : zone;
  }
  return /^[a-z0-9]+-\d$/.test(zone) ? zone.slice(0, zone.lastIndexOf("-")) : zone; // AKS zone label: westeurope-1
}

/**
 * GCP multi-region configurations of Firestore / Datastore (`locationId`) and Spanner
 * (`config`) that lie wholly inside one domain: `eur3` is Belgium + Netherlands; every
 * `nam*` is in the US. `eur5` (London) and `eur6` (a Zurich witness) are in none.
 */
export const GCP_SERVICE_MULTI_REGIONS: Record<Domain, readonly string[]> = {
  eu: ["eur3"],
  us: ["nam3", "nam5", "nam6", "nam7", "nam8", "nam9", "nam10", "nam11", "nam12", "nam13", "nam14", "nam15", "nam16"],
};

/** Is this location (region, zone or multi-region) inside the stack's domain for `cloud`? */
export function isAllowed(cfg: ResolvedConfig, cloud: Cloud, location: string): boolean {
  const n = normalizeLocation(location);
  return (
    cfg.allowed[cloud].has(n) ||
    cfg.allowed[cloud].has(regionOfZone(cloud, n)) ||
    cfg.multiRegion.has(n) ||
    (cloud === "gcp" && cfg.domain !== undefined && GCP_SERVICE_MULTI_REGIONS[cfg.domain].includes(n))
  );
}

/** "europe-west2 (domain: none — not allowlisted)" style explanation for messages. */
export function describeLocation(cfg: ResolvedConfig, cloud: Cloud, location: string): string {
  const region = regionOfZone(cloud, normalizeLocation(location));
  const owner: Domain | undefined =
    domainOfLocation(cfg.regions, region) ?? (cloud === "gcp" ? DOMAINS.find((d) => GCP_SERVICE_MULTI_REGIONS[d].includes(region)) : undefined);
  return owner ? `'${location}' (domain ${owner})` : `'${location}' (in no domain's allowlist)`;
}

/**
 * The location a resource is pinned to, and where it came from. AWS v7: per-resource
 * `region`, else the provider's `region`. Azure: `location`, else the provider's.
 * GCP: `location` / `region` / `zone` / `locationId` (Firestore, Memorystore), else the
 * provider's `region` / `zone`.
 */
export interface Placement {
  readonly location: string | Unknown | undefined;
  readonly source: string;
}

/** AWS services without a region: their resources are not "located". */
const AWS_GLOBAL_MODULES = new Set(["iam", "organizations", "route53", "cloudfront", "globalaccelerator", "budgets", "shield"]);

export function isGlobalAwsType(type: string): boolean {
  const m = /^aws:([a-zA-Z0-9]+)\//.exec(type);
  return m !== null && AWS_GLOBAL_MODULES.has(m[1]!);
}

export function placementOf(
  cloud: Cloud,
  props: unknown,
  providerProps: unknown,
): Placement {
  const pick = (obj: unknown, keys: readonly string[], prefix: string): Placement | undefined => {
    for (const k of keys) {
      const v = at(obj, k);
      if (v === UNKNOWN) {
        return { location: UNKNOWN, source: `${prefix}${k}` };
      }
      const s = str(v);
      if (s !== undefined && s !== "") {
        return { location: s, source: `${prefix}${k}` };
      }
    }
    return undefined;
  };
  const keys: Record<Cloud, readonly string[]> = {
    aws: ["region"],
    azure: ["location"],
    gcp: ["location", "region", "zone", "locationId"],
  };
  const providerKeys: Record<Cloud, readonly string[]> = {
    aws: ["region"],
    azure: ["location"],
    gcp: ["region", "zone"],
  };
  return (
    pick(props, keys[cloud], "") ??
    pick(providerProps, providerKeys[cloud], "provider.") ?? { location: undefined, source: "" }
  );
}

/** `arn:aws:kms:eu-central-1:123:key/…` → `eu-central-1` (undefined for region-less ARNs). */
export function regionOfArn(arn: string): string | undefined {
  const m = /^arn:aws[a-z-]*:[a-z0-9-]+:([a-z0-9-]*):/.exec(arn);
  return m && m[1] ? m[1] : undefined;
}

/** `projects/p/locations/europe-west1/keyRings/r/…` → `europe-west1`. */
export function locationOfGcpName(name: string): string | undefined {
  const m = /(?:^|\/)locations\/([^/]+)(?:\/|$)/.exec(name);
  return m ? m[1] : undefined;
}

/** The location a key reference carries in its own text, with the cloud it names. */
export function locationOfKeyRef(ref: string): { cloud: Cloud; location: string } | undefined {
  const arnRegion = ref.startsWith("arn:") ? regionOfArn(ref) : undefined;
  if (arnRegion) {
    return { cloud: "aws", location: arnRegion };
  }
  const gcpLocation = locationOfGcpName(ref);
  if (gcpLocation && ref.includes("keyRings/")) {
    return { cloud: "gcp", location: gcpLocation };
  }
  return undefined;
}

/** Azure storage SKUs that replicate to the paired region. */
export const GEO_REDUNDANT_SKUS = new Set(["standard_grs", "standard_ragrs", "standard_gzrs", "standard_ragzrs"]);

/**
 * Azure region pairs (Microsoft's published pairs) for the regions in the catalogue; a
 * region absent here has no pair, so geo-redundant storage cannot be placed safely.
 */
export const AZURE_REGION_PAIRS: Readonly<Record<string, string>> = {
  westeurope: "northeurope",
  northeurope: "westeurope",
  francecentral: "francesouth",
  germanywestcentral: "germanynorth",
  swedencentral: "swedensouth",
  italynorth: "",
  polandcentral: "",
  spaincentral: "",
  eastus: "westus",
  westus: "eastus",
  eastus2: "centralus",
  centralus: "eastus2",
  northcentralus: "southcentralus",
  southcentralus: "northcentralus",
  westus2: "westcentralus",
  westcentralus: "westus2",
  westus3: "eastus",
  uksouth: "ukwest",
  switzerlandnorth: "switzerlandwest",
};
