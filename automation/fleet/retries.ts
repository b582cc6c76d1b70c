/**
 * fleet.yaml `retries:` — the transient errors worth running a stack's operation again for,
 * as an allow-list: each rule a regular expression over the engine's (redacted) error text,
 * with its own attempts and backoff. Nothing else is retried: repeating a real failure only
 * repeats it against the cloud. A stack lock held by another update is the built-in rule.
 *
 * ```yaml
 * retries:
 *   - name: aws-throttling
 *     match: "(ThrottlingException|RequestLimitExceeded|Rate exceeded)"
 *     attempts: 4            # engine calls at most, the first included (2–10)
 *     backoffSeconds: 5      # first wait; doubles each retry
 *     maxBackoffSeconds: 60
 * ```
 */
import { z } from "zod";

export const retryRuleSchema = z.strictObject({
  /** (Required) Shown in the record and report ("succeeded after 1 retry (aws-throttling)"). */
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "a lower-case name such as aws-throttling"),
  /** (Required) A regular expression over the error text; must compile, at most 500 characters. */
  match: z
    .string()
    .min(1)
    .max(500)
    .refine((m) => {
      try {
        new RegExp(m);
        return true;
      } catch {
        return false;
      }
    }, "a valid regular expression"),
  /** (Optional) Engine calls at most, the first included, 2–10. Defaults to 3. */
  attempts: z.int().min(2).max(10).default(3),
  /** (Optional) First wait in seconds; doubles each retry. 1–600. Defaults to 5. */
  backoffSeconds: z.number().min(1).max(600).default(5),
  /** (Optional) Longest wait in seconds, 1–3600. Defaults to 120. */
  maxBackoffSeconds: z.number().min(1).max(3600).default(120),
});

export const retriesSettingsSchema = z.array(retryRuleSchema).max(50).default([]);

export type RetryRuleSettings = z.infer<typeof retryRuleSchema>;
