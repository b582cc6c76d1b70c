/**
 * The fleet's own control plane stays in its domain: the stack's state backend, secrets
 * provider and evidence store lie inside the domain (MER-CP-01), and nothing in the stack
 * replicates or exports that state, key or evidence out of it (MER-CP-02).
 *
 * The pack learns the stack's control plane from its config (`controlPlane`, which the
 * orchestrator and the plan derive from fleet.yaml `domains.<domain>`); the URL rules are
 * the fleet config's own (lib/controlPlaneUrl.ts).
 */
import type { StackValidationPolicy } from "@pulumi/policy";
import { CONTROL_PLANE_EXPORT_TYPES, checkControlPlaneExports, controlPlaneStores } from "../lib/controlPlaneExports";
import { CONTROL_PLANE_KEYS, ControlPlaneUrlError, allowedLocations, domainOwningLocation, locationAllowed, parseControlPlaneUrl } from "../lib/controlPlaneUrl";
import { stackPolicy } from "../lib/define";

const SOC2_CONTROL_PLANE = ["SOC2 CC6.1", "SOC2 CC6.7", "SOC2 C1.1", "SOC2 CC8.1"];

export const controlPlaneDomainMatch: StackValidationPolicy = stackPolicy(
  {
    name: "meridian-residency-controlplane-domain-match",
    area: "residency",
    rules: ["MER-CP-01"],
    description: "The stack's Pulumi state backend, secrets provider and evidence store (pack config `controlPlane`) lie in the stack's domain.",
    why: "State holds every resource id and output, the secrets provider decrypts every secret, evidence proves every run: kept in the other domain (or in Pulumi Cloud SaaS, which is in the US), the domain's data has left it.",
    remediation:
      "Point `domains.<domain>.backend`, `.secretsProvider` and `.evidenceStore` in stacks/fleet.yaml at stores of the domain (a `region=`, key ARN or `locations/<L>` of the domain, or a declared `locations.<key>` of the domain for gs://, azblob://, azurekeyvault://, hashivault:// and self-hosted Pulumi Cloud).",
    severity: "critical",
    enforcementLevel: "mandatory",
    frameworks: SOC2_CONTROL_PLANE,
    types: ["pulumi:pulumi:Stack"],
  },
  (_resources, ctx) => {
    const plane = ctx.cfg.controlPlane;
    const domain = ctx.cfg.domain;
    if (!plane || !domain) return; // no domain: RES-01 reports it; no control plane: the stack was not started by the fleet
    for (const key of CONTROL_PLANE_KEYS) {
      let url;
      try {
        url = parseControlPlaneUrl(key, plane[key], "/");
      } catch (e) {
        if (!(e instanceof ControlPlaneUrlError)) throw e;
        ctx.report(`controlPlane.${key}: ${e.message}`, ctx.stackUrn);
        continue;
      }
      const declared = plane.locations?.[key];
      const loc = url.location;
      const location = loc.kind === "local" ? "local" : loc.kind === "derived" ? loc.location : declared;
      if (location === undefined) {
        ctx.report(`controlPlane.${key}: its location cannot be derived and none is declared (${loc.kind === "declare" ? loc.why : ""})`, ctx.stackUrn);
      } else if (loc.kind === "derived" && declared !== undefined && declared.toLowerCase() !== location.toLowerCase()) {
        ctx.report(`controlPlane.locations.${key}: "${declared}" contradicts the URL, whose location is ${location}`, ctx.stackUrn);
      } else if (!locationAllowed(ctx.cfg.regions, domain, url.scheme, location)) {
        const owner = domainOwningLocation(ctx.cfg.regions, url.scheme, location);
        ctx.report(
          `controlPlane.${key} is in ${location}${loc.kind === "derived" ? ` (from ${loc.source})` : " (declared)"}, outside domain ${domain}${owner ? ` (a ${owner} location)` : ""}; allowed: ${allowedLocations(ctx.cfg.regions, domain, url.scheme).join(", ")}`,
          ctx.stackUrn,
        );
      }
    }
  },
);

export const controlPlaneExportDeny: StackValidationPolicy = stackPolicy(
  {
    name: "meridian-residency-controlplane-export-deny",
    area: "residency",
    rules: ["MER-CP-02", "RES-06"],
    description:
      "No resource replicates or exports the domain's control-plane buckets (state, evidence) or state key out of the domain: S3 replication, KMS replica keys, Storage Transfer jobs, Azure object replication.",
    why: "A replica is a second copy under another jurisdiction: a state bucket replicated to the other domain, or the state key replicated there, makes every secret of this domain readable from it.",
    remediation:
      "Replicate control-plane buckets only to buckets of the same domain that this stack creates (so their region is visible), and KMS replica keys only to regions of the domain; never copy them into another domain's stores.",
    severity: "critical",
    enforcementLevel: "mandatory",
    frameworks: SOC2_CONTROL_PLANE,
    types: [...CONTROL_PLANE_EXPORT_TYPES],
  },
  (resources, ctx) => {
    const plane = ctx.cfg.controlPlane;
    const domain = ctx.cfg.domain;
    if (!plane || !domain) return;
    checkControlPlaneExports(resources, {
      domain,
      regions: ctx.cfg.regions,
      stores: [controlPlaneStores(domain, plane)],
      report: (message, urn) => ctx.report(message, urn),
      unknown: (path) => ctx.unknown(path),
    });
  },
);

export const controlPlanePolicies = [controlPlaneDomainMatch, controlPlaneExportDeny];
