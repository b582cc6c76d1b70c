/**
 * Exposure zones: which DNS zones are public (the external Gateway) and which private (the
 * internal Gateway), and where a hostname belongs. Pure and import-free, because the fleet
 * model (automation/fleet/exposure.ts) checks tenant hostnames with it when the fleet loads.
 */
export const GATEWAY_TIERS = ["external", "internal"] as const;
export type GatewayTier = (typeof GATEWAY_TIERS)[number];

/** Which DNS zones are public (external Gateway) and which private (internal Gateway). */
export interface ExposureZones {
  readonly external: readonly string[];
  readonly internal: readonly string[];
}

/** The zone a hostname falls under (a hostname equal to the zone, or below it). */
function zoneOf(hostname: string, zones: readonly string[]): string | undefined {
  const bare = hostname.replace(/^\*\./, "");
  return zones.find((z) => bare === z || bare.endsWith(`.${z}`));
}

/** The Gateway a tenant hostname belongs on, or why it has none. */
export function tierOf(hostname: string, zones: ExposureZones): { tier: GatewayTier } | { problem: string } {
  const ext = zoneOf(hostname, zones.external);
  const int = zoneOf(hostname, zones.internal);
  if (ext !== undefined && int !== undefined) return { problem: `"${hostname}" is under both the external zone "${ext}" and the internal zone "${int}"` };
  if (ext !== undefined) return { tier: "external" };
  if (int !== undefined) return { tier: "internal" };
  const all = [...zones.external, ...zones.internal];
  return { problem: `"${hostname}" is under none of the domain's exposure zones (${all.length > 0 ? all.join(", ") : "none configured: set exposure.<domain>.zones in fleet.yaml"})` };
}
