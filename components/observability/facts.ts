/**
 * Pure facts about the observability backends, shared by the component and the fleet schema
 * (no Pulumi import, so the config loader can use them).
 */

/**
 * The commitment tiers of a Log Analytics dedicated cluster, in GB a day: the only way Azure
 * encrypts Log Analytics with a customer-managed key, and 100 GB a day is its minimum.
 * https://learn.microsoft.com/azure/azure-monitor/logs/logs-dedicated-clusters
 */
export const LOG_ANALYTICS_COMMITMENT_TIERS = [100, 200, 300, 400, 500, 1000, 2000, 5000, 10000, 25000, 50000] as const;
