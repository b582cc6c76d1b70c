/**
 * Exposure as configuration: fleet.yaml `exposure.<domain>` — which DNS zones are public
 * (the external Gateway) and which private (the internal Gateway), the PKI intermediate the
 * clusters' CA issuer signs with, and an optional ACME issuer for public names. A tenant
 * hostname must fall under exactly one zone of its own domain: it is refused at fleet load
 * (exit 2, naming fleet.yaml and the tenant's key) otherwise, before any stack runs.
 */
import { z } from "zod";
import { tierOf } from "../../components/gateway/zones";
import { DOMAINS, type Domain } from "../../components/residency/catalogue";
import { FleetConfigError } from "./errors";
import type { FleetTenants } from "./tenants";

const zone = z.string().regex(/^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "a lower-case DNS zone such as apps.example.com");
const cidr = z.string().regex(/^(\d{1,3}\.){3}\d{1,3}\/([89]|[12]\d|3[0-2])$/, "an IPv4 CIDR of /8 or narrower");

export const exposureDomainSchema = z.strictObject({
  /** (Optional) Public zones (external Gateway) and private zones (internal Gateway). Defaults to none: no tenant listeners. */
  zones: z.strictObject({ external: z.array(zone).default([]), internal: z.array(zone).default([]) }).default({ external: [], internal: [] }),
  /** (Optional) The domain PKI intermediate (meridian:pki.intermediates) the CA ClusterIssuer signs with. Defaults to `gateway`. */
  issuerIntermediate: z.string().regex(/^[a-z][a-z0-9-]*$/).default("gateway"),
  /** (Optional) ACME for names under the external zones (HTTP-01 through the external Gateway). Defaults to off. */
  acme: z
    .strictObject({
      server: z.url({ protocol: /^https$/ }),
      email: z.email(),
      /** The ACME server's CIDRs: cert-manager's only internet egress (TCP 443). */
      egressCidrs: z.array(cidr).min(1),
    })
    .optional(),
});
export type ExposureDomainSettings = z.infer<typeof exposureDomainSchema>;

export const exposureSettingsSchema = z.partialRecord(z.enum(DOMAINS), exposureDomainSchema).default({});
export type ExposureSettings = Readonly<Record<Domain, ExposureDomainSettings>>;

const DEFAULT_DOMAIN: ExposureDomainSettings = exposureDomainSchema.parse({});

/** Every domain present (missing ones default), each tenant hostname placed in a zone of its domain. */
export function resolveExposure(file: string, raw: z.infer<typeof exposureSettingsSchema>, tenants: FleetTenants): ExposureSettings {
  const resolved = Object.fromEntries(DOMAINS.map((d) => [d, raw[d] ?? DEFAULT_DOMAIN])) as Record<Domain, ExposureDomainSettings>;
  for (const d of DOMAINS) {
    const zones = resolved[d].zones;
    const both = zones.external.filter((z) => zones.internal.includes(z));
    if (both.length > 0) throw new FleetConfigError(file, `exposure.${d}.zones`, `"${both[0]}" is both an external and an internal zone`);
    for (const t of tenants[d]) {
      t.hostnames.forEach((h, i) => {
        const placed = tierOf(h, zones);
        if ("problem" in placed) throw new FleetConfigError(file, `tenants.${d}.${t.name}.hostnames[${i}]`, `${placed.problem} of domain ${d}`);
        if (placed.tier === "external" && resolved[d].acme !== undefined && h.startsWith("*.")) {
          throw new FleetConfigError(file, `tenants.${d}.${t.name}.hostnames[${i}]`, `"${h}": a wildcard cannot be issued by ACME HTTP-01 on the external Gateway; list the names`);
        }
      });
    }
  }
  return resolved;
}
