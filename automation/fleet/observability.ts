/**
 * Observability as configuration: fleet.yaml `observability.<domain>`. Per domain, how long
 * its metrics and logs are kept, who is alerted (the domain's own receiver) and the SLO
 * objective its burn-rate alerts are computed from. A domain left out gets the defaults below;
 * a third domain is one more key here, not new code.
 */
import { z } from "zod";
import { LOG_ANALYTICS_COMMITMENT_TIERS } from "../../components/observability/facts";
import { DOMAINS, type Domain } from "../../components/residency/catalogue";

/** Burn-rate alerts assume a 30-day window; below 99% a page-worthy 14.4× burn exceeds 100% errors. */
const objective = z.number().min(99).max(99.999);

export const domainObservabilitySchema = z.strictObject({
  /**
   * (Optional) Days metrics are kept where the backend lets us choose (Amazon Managed
   * Prometheus, at most 1095); 30–3653. Defaults to 400 (13 months, a year-on-year view).
   * Azure Monitor workspaces (18 months) and Cloud Monitoring (24 months) fix their own.
   */
  metricsRetentionDays: z.int().min(30).max(3653).default(400),
  /** (Optional) Days workload, flow and collector logs are kept; 90–3653 (SOC2 evidence). Defaults to 365. */
  logRetentionDays: z.int().min(90).max(3653).default(365),
  /**
   * (Optional) The domain's alert receiver: e-mail addresses (on-call aliases of this domain's
   * team) every alert of the domain is sent to through the cloud's own channel (SNS, Azure
   * action group, Cloud Monitoring notification channel). Defaults to none: alerts still fire
   * and are visible in the backend, and the plan says no one is paged.
   */
  receiver: z
    .strictObject({ emails: z.array(z.email("an e-mail address such as oncall-eu@example.com")).min(1) })
    .optional(),
  /** (Optional) Availability objective in percent over 30 days, 99–99.999. Defaults to 99.9. */
  sloObjective: objective.default(99.9),
  /**
   * (Optional) Azure: encrypt each AKS cluster's Log Analytics workspace (its audit logs) with
   * the domain's Key Vault key, through a Log Analytics dedicated cluster billed at the
   * commitment tier `capacityGbPerDay` (one of {@link LOG_ANALYTICS_COMMITMENT_TIERS}; Azure
   * offers CMK on Log Analytics in no other way). Defaults to none: the workspaces keep
   * Microsoft-managed keys, and the stack output says so.
   */
  logAnalyticsCmk: z.strictObject({ capacityGbPerDay: z.literal(LOG_ANALYTICS_COMMITMENT_TIERS) }).optional(),
});

export const observabilitySettingsSchema = z.partialRecord(z.enum(DOMAINS), domainObservabilitySchema).default({});

export type DomainObservability = z.infer<typeof domainObservabilitySchema>;
export type FleetObservability = Readonly<Record<Domain, DomainObservability>>;

/** Every domain present, defaults settled. */
export function resolveObservability(raw: z.infer<typeof observabilitySettingsSchema>): FleetObservability {
  return Object.fromEntries(DOMAINS.map((d) => [d, raw[d] ?? domainObservabilitySchema.parse({})])) as unknown as FleetObservability;
}
