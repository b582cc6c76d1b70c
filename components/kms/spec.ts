/**
 * Pure facts about residency keys, shared by the component and the fleet schema (no
 * Pulumi import, so the config loader can use them).
 */
import type { Cloud } from "../residency/catalogue";

/**
 * The automatic-rotation periods each cloud accepts, in days, within the fleet's cadence:
 * - AWS KMS `RotationPeriodInDays` is 90–2560 (the API refuses anything else:
 *   https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKeyRotation.html).
 *   Policy AWS-03 requires rotation on; it sets no maximum.
 * - GCP Cloud KMS takes any period of at least a day; policy GCP-03 caps it at 90.
 * - Azure Key Vault rotates no sooner than 7 days after creation; the fleet keeps 90 as
 *   its ceiling there too (the key's expiry is two years, so rotation always comes first).
 */
export const ROTATION_DAYS: Readonly<Record<Cloud, { readonly min: number; readonly max: number }>> = {
  aws: { min: 90, max: 2560 },
  gcp: { min: 1, max: 90 },
  azure: { min: 7, max: 90 },
};

/** Every cloud's default: 90 days is inside all three ranges. */
export const DEFAULT_ROTATION_DAYS = 90;

/** Why `days` is not a valid rotation period on `cloud`, or undefined when it is. */
export function rotationDaysProblem(cloud: Cloud, days: number): string | undefined {
  const { min, max } = ROTATION_DAYS[cloud];
  if (Number.isInteger(days) && days >= min && days <= max) return undefined;
  return `must be a whole number of days from ${min} to ${max} on ${cloud}, got ${days}`;
}
