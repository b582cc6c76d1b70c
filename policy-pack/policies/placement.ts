/**
 * Multi-region and global placements (RES-08, RES-09): a resource whose one declaration
 * puts copies of the data in several regions (DynamoDB global tables, Cosmos DB extra
 * regions, Spanner multi-region configs, Cloud Run multi-region, BigQuery's implicit `US`)
 * must name only regions of the domain; edge caches (CloudFront, Azure Front Door / CDN,
 * Cloud CDN) store responses worldwide and are refused; global routers (Traffic Manager,
 * Front Door, global backend services, CloudFront origins) must send traffic only to
 * targets in the domain. RES-02 (`meridian-residency-resource-region-allowlist`) checks the
 * one region every located resource has; these are the placements it cannot see.
 */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { Cloud } from "../lib/catalogue";
import { resourcePolicy, stackPolicy, type StackCheckContext, type StackResourceView } from "../lib/define";
import { describeLocation, GCP_SERVICE_MULTI_REGIONS, isAllowed, placementOf, regionOfZone } from "../lib/location";
import { arrayAt, at, str, truthy, UNKNOWN } from "../lib/values";

const SOC2_RESIDENCY = ["SOC2 CC6.1", "SOC2 CC6.7", "SOC2 C1.1"];

export const multiRegionReplicas: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-residency-multiregion-replica-refuse",
    area: "residency",
    rules: ["RES-08", "RES-06"],
    description:
      "Resources that replicate themselves across regions (DynamoDB global tables, Cosmos DB locations, Spanner multi-region configs, Cloud Run multi-region services) list only regions of the domain; a BigQuery dataset names its location (unset means the US multi-region).",
    why: "One declaration, several copies: RES-02 sees the primary region only, while the replicas hold the same data wherever they are placed.",
    remediation:
      "Keep every replica region (`replicas[].regionName`, `locations[].locationName`, `multiRegionSettings.regions`) in the domain's allowlist; use a `regional-<region>` Spanner config or a domain-local multi-region (eur3 / nam*); set a BigQuery dataset's `location` explicitly.",
    severity: "critical",
    enforcementLevel: "mandatory",
    frameworks: SOC2_RESIDENCY,
    types: [
      "aws:dynamodb/table:Table",
      "aws:dynamodb/globalTable:GlobalTable",
      "azure-native:cosmosdb:DatabaseAccount",
      "gcp:spanner/instance:Instance",
      "gcp:cloudrunv2/service:Service",
      "gcp:bigquery/dataset:Dataset",
    ],
  },
  (r, ctx) => {
    if (!ctx.cfg.domain) {
      return;
    }
    const domain = ctx.cfg.domain;
    const regions = (list: string, field: string, cloud: Cloud, what: string) => {
      const items = arrayAt(r.props, list);
      if (items === UNKNOWN) {
        ctx.unknown(list);
        return;
      }
      items.forEach((item, i) => {
        const v = field === "" ? item : at(item, field);
        const where = `${list}[${i}]${field ? `.${field}` : ""}`;
        if (v === UNKNOWN) {
          ctx.unknown(where);
        } else if (typeof v === "string" && !isAllowed(ctx.cfg, cloud, v)) {
          ctx.report(`${what} ${where} ${describeLocation(ctx.cfg, cloud, v)} is outside the ${domain} domain`);
        }
      });
    };
    switch (r.type) {
      case "aws:dynamodb/table:Table":
      case "aws:dynamodb/globalTable:GlobalTable":
        regions("replicas", "regionName", "aws", "global table replica");
        break;
      case "azure-native:cosmosdb:DatabaseAccount":
        regions("locations", "locationName", "azure", "Cosmos DB region");
        break;
      case "gcp:cloudrunv2/service:Service":
        regions("multiRegionSettings.regions", "", "gcp", "Cloud Run region");
        break;
      case "gcp:spanner/instance:Instance": {
        const config = at(r.props, "config");
        if (config === UNKNOWN) {
          ctx.unknown("config");
          break;
        }
        const name = (str(config) ?? "").split("/").pop()!.toLowerCase();
        const regional = /^regional-(.+)$/.exec(name);
        if (regional) {
          if (!isAllowed(ctx.cfg, "gcp", regional[1]!)) {
            ctx.report(`config '${name}' places the instance in ${describeLocation(ctx.cfg, "gcp", regional[1]!)}, outside the ${domain} domain`);
          }
        } else if (!GCP_SERVICE_MULTI_REGIONS[domain].includes(name)) {
          ctx.report(`config '${name}' is a multi-region configuration not wholly inside the ${domain} domain (allowed: regional-<region>, ${GCP_SERVICE_MULTI_REGIONS[domain].join(", ")})`);
        }
        break;
      }
      case "gcp:bigquery/dataset:Dataset": {
        const location = at(r.props, "location");
        if (location === UNKNOWN) {
          ctx.unknown("location");
        } else if (typeof location !== "string" || location === "") {
          if (!isAllowed(ctx.cfg, "gcp", "US")) {
            ctx.report(`location is not set: BigQuery then creates the dataset in the US multi-region, outside the ${domain} domain`);
          }
        }
        break;
      }
    }
  },
);

// ------------------------------------------------------------------------------------------
// Edge caches and global routers.

const AWS_REGION_IN_HOST = /(?:^|[.-])([a-z]{2}(?:-[a-z]+)+-\d)\./;
const AZURE_REGION_IN_HOST = /\.([a-z]+\d?)\.(?:cloudapp\.azure\.com|azurecontainerapps\.io)$/;

/**
 * The region an origin host name proves, if any: AWS endpoints carry it (S3
 * `b.s3.eu-central-1.amazonaws.com`, website `b.s3-website-eu-west-1.amazonaws.com`, ELB
 * `x.eu-central-1.elb.amazonaws.com`, API Gateway, Lambda URLs `….lambda-url.<r>.on.aws`),
 * Azure `<label>.<location>.cloudapp.azure.com` and Container Apps do.
 */
export function regionOfHost(host: string): { cloud: Cloud; region: string } | undefined {
  const h = host.toLowerCase().replace(/^[a-z]+:\/\//, "").split(/[/:]/)[0]!;
  if (h.endsWith(".amazonaws.com") || h.endsWith(".on.aws")) {
    const m = AWS_REGION_IN_HOST.exec(h);
    return m ? { cloud: "aws", region: m[1]! } : undefined;
  }
  const azure = AZURE_REGION_IN_HOST.exec(h);
  return azure ? { cloud: "azure", region: azure[1]! } : undefined;
}

/** `…/zones/europe-west1-b/…` or `…/regions/europe-west1/…` in a GCP resource URL. */
function regionOfGcpUrl(url: string): string | undefined {
  const zone = /\/zones\/([a-z]+-[a-z]+\d+-[a-z])(?:\/|$)/.exec(url);
  if (zone) {
    return regionOfZone("gcp", zone[1]!);
  }
  const region = /\/regions\/([a-z]+-[a-z]+\d+)(?:\/|$)/.exec(url);
  return region ? region[1] : undefined;
}

const EDGE_CACHES: Readonly<Record<string, string>> = {
  "aws:cloudfront/distribution:Distribution": "CloudFront caches responses at edge locations in every price class's regions (both domains and beyond)",
  "azure-native:cdn:Profile": "Azure Front Door / CDN profiles cache responses at Microsoft's global edge",
  "azure-native:frontdoor:FrontDoor": "Azure Front Door (classic) caches and terminates TLS at Microsoft's global edge",
};

export const globalEdgeTargets: StackValidationPolicy = stackPolicy(
  {
    name: "meridian-residency-global-edge-target-domain",
    area: "residency",
    rules: ["RES-09", "RES-06"],
    description:
      "Edge caches (CloudFront, Azure Front Door / CDN, Cloud CDN) are refused; global routers (CloudFront and Front Door origins, CDN endpoints, Traffic Manager endpoints, global backend services, Global Accelerator endpoint groups) target only resources in the domain.",
    why: "An edge cache stores responses — the domain's data — in points of presence worldwide; a global router with a target in the other domain sends the domain's requests there.",
    remediation:
      "Serve through a regional load balancer or Application Gateway in the domain; if public, non-resident static content truly needs a CDN, record a time-boxed exemption with the reason; point every origin / endpoint / backend at a resource in an allowlisted region.",
    severity: "critical",
    enforcementLevel: "mandatory",
    frameworks: SOC2_RESIDENCY,
    types: [
      "aws:cloudfront/distribution:Distribution",
      "azure-native:cdn:Profile",
      "azure-native:frontdoor:FrontDoor",
      "azure-native:cdn:AFDOrigin",
      "azure-native:cdn:Endpoint",
      "azure-native:trafficmanager:Profile",
      "azure-native:trafficmanager:Endpoint",
      "gcp:compute/backendService:BackendService",
      "gcp:compute/backendBucket:BackendBucket",
      "aws:globalaccelerator/endpointGroup:EndpointGroup",
    ],
  },
  (resources, ctx) => {
    if (!ctx.cfg.domain) {
      return;
    }
    for (const r of resources) {
      const edge = EDGE_CACHES[r.type];
      if (edge) {
        ctx.report(`'${r.name}': ${edge}; the ${ctx.cfg.domain} domain's data must not be cached outside it`, r.urn);
      }
      switch (r.type) {
        case "aws:cloudfront/distribution:Distribution":
          targetsOf(r, "origins", "domainName", ctx, "CloudFront origin");
          break;
        case "azure-native:cdn:AFDOrigin":
          hostTarget(r, "hostName", ctx, "Front Door origin");
          break;
        case "azure-native:cdn:Endpoint":
          targetsOf(r, "origins", "hostName", ctx, "CDN endpoint origin");
          break;
        case "azure-native:frontdoor:FrontDoor": {
          const pools = arrayAt(r.props, "backendPools");
          if (pools === UNKNOWN) {
            ctx.unknown(`${r.name}.backendPools`);
            break;
          }
          pools.forEach((_p, i) => targetsOf(r, `backendPools.${i}.backends`, "address", ctx, "Front Door backend"));
          break;
        }
        case "aws:globalaccelerator/endpointGroup:EndpointGroup": {
          const region = at(r.props, "endpointGroupRegion");
          if (region === UNKNOWN) {
            ctx.unknown(`${r.name}.endpointGroupRegion`);
          } else if (typeof region !== "string" || region === "") {
            ctx.report(`'${r.name}': Global Accelerator endpoint group has no endpointGroupRegion: set it to a region of the ${ctx.cfg.domain} domain`, r.urn);
          } else {
            outside(ctx, r, "aws", region, "Global Accelerator endpoint group");
          }
          break;
        }
        case "azure-native:trafficmanager:Profile":
          trafficManagerEndpoints(r, arrayAt(r.props, "endpoints"), "endpoints", ctx);
          break;
        case "azure-native:trafficmanager:Endpoint":
          trafficManagerEndpoints(r, [r.props], "", ctx);
          break;
        case "gcp:compute/backendService:BackendService":
        case "gcp:compute/backendBucket:BackendBucket": {
          if (truthy(at(r.props, "enableCdn"))) {
            ctx.report(`'${r.name}': enableCdn caches responses at Google's global edge; the ${ctx.cfg.domain} domain's data must not be cached outside it`, r.urn);
          }
          if (r.type === "gcp:compute/backendBucket:BackendBucket") {
            viaDeps(r, "bucketName", ctx, "backend bucket");
            break;
          }
          const backends = arrayAt(r.props, "backends");
          if (backends === UNKNOWN) {
            ctx.unknown(`${r.name}.backends`);
            break;
          }
          backends.forEach((b, i) => {
            const group = at(b, "group");
            const region = typeof group === "string" ? regionOfGcpUrl(group) : undefined;
            if (region) {
              outside(ctx, r, "gcp", region, `backends[${i}].group`);
            } else {
              viaDeps(r, "backends", ctx, `backends[${i}].group`);
            }
          });
          break;
        }
      }
    }
  },
);

function outside(ctx: StackCheckContext, r: StackResourceView, cloud: Cloud, location: string, what: string): void {
  if (!isAllowed(ctx.cfg, cloud, location)) {
    ctx.report(`'${r.name}': ${what} is in ${describeLocation(ctx.cfg, cloud, location)}, outside the ${ctx.cfg.domain} domain`, r.urn);
  }
}

/** The target behind `key` through the dependency graph: the located resources it names. */
function viaDeps(r: StackResourceView, key: string, ctx: StackCheckContext, what: string): void {
  const located = (r.propertyDependencies[key] ?? [])
    .map((d) => {
      const cloud = d.type.startsWith("aws:") ? "aws" : d.type.startsWith("azure-native:") ? "azure" : d.type.startsWith("gcp:") ? "gcp" : undefined;
      return cloud ? { d, cloud, p: placementOf(cloud, d.props, d.provider?.props) } : undefined;
    })
    .filter((x) => x !== undefined && x.p.location !== undefined);
  if (located.length === 0) {
    ctx.unknown(`${r.name}: ${what} (its host names no region and no located resource stands behind ${key})`);
    return;
  }
  for (const x of located) {
    if (x!.p.location === UNKNOWN) {
      ctx.unknown(`${r.name}: ${what} (${x!.d.name} location)`);
    } else {
      outside(ctx, r, x!.cloud as Cloud, x!.p.location as string, `${what} '${x!.d.name}'`);
    }
  }
}

function hostTarget(r: StackResourceView, path: string, ctx: StackCheckContext, what: string): void {
  const host = at(r.props, path);
  if (host === UNKNOWN) {
    viaDeps(r, path.split(".")[0]!, ctx, what);
    return;
  }
  const located = typeof host === "string" ? regionOfHost(host) : undefined;
  if (located) {
    outside(ctx, r, located.cloud, located.region, `${what} ${host}`);
  } else {
    viaDeps(r, path.split(".")[0]!, ctx, what);
  }
}

function targetsOf(r: StackResourceView, list: string, field: string, ctx: StackCheckContext, what: string): void {
  const items = arrayAt(r.props, list);
  if (items === UNKNOWN) {
    ctx.unknown(`${r.name}.${list}`);
    return;
  }
  items.forEach((item, i) => {
    const host = at(item, field);
    const located = typeof host === "string" ? regionOfHost(host) : undefined;
    if (located) {
      outside(ctx, r, located.cloud, located.region, `${what} ${host}`);
    } else {
      viaDeps(r, list.split(".")[0]!, ctx, `${what} ${list}[${i}]`);
    }
  });
}

function trafficManagerEndpoints(r: StackResourceView, endpoints: unknown[] | typeof UNKNOWN, prefix: string, ctx: StackCheckContext): void {
  if (endpoints === UNKNOWN) {
    ctx.unknown(`${r.name}.${prefix}`);
    return;
  }
  endpoints.forEach((e, i) => {
    const where = prefix ? `${prefix}[${i}]` : "endpoint";
    const location = at(e, "endpointLocation");
    if (location === UNKNOWN) {
      ctx.unknown(`${r.name}.${where}.endpointLocation`);
    } else if (typeof location === "string" && location !== "") {
      outside(ctx, r, "azure", location, `Traffic Manager ${where} endpointLocation`);
    } else if (at(e, "targetResourceId") !== undefined) {
      viaDeps(r, prefix ? "endpoints" : "targetResourceId", ctx, `Traffic Manager ${where} target`);
    } else {
      const target = str(at(e, "target"));
      const located = target ? regionOfHost(target) : undefined;
      if (located) {
        outside(ctx, r, located.cloud, located.region, `Traffic Manager ${where} target ${target}`);
      } else {
        ctx.unknown(`${r.name}: Traffic Manager ${where} names neither endpointLocation nor a target whose region is known`);
      }
    }
  });
}

export const placementPolicies = [multiRegionReplicas, globalEdgeTargets];
