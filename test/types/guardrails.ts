/**
 * Compile-time residency tests for the guardrails (run by `tsc --noEmit`): a guardrail
 * derived for one domain cannot configure the other domain's component.
 */
import type { ResidencyGuardrailsArgs } from "../../components/guardrails";
import type { DomainGuardrails } from "../../components/guardrails/spec";

declare const eu: DomainGuardrails<"eu">;
declare const us: DomainGuardrails<"us">;

export const ok: ResidencyGuardrailsArgs<"eu"> = { domain: "eu", guardrails: eu.clouds.aws! };
export const okUs: ResidencyGuardrailsArgs<"us"> = { domain: "us", guardrails: us.clouds.gcp! };

// @ts-expect-error an EU component cannot take the US guardrails
export const usOnEu: ResidencyGuardrailsArgs<"eu"> = { domain: "eu", guardrails: us.clouds.aws! };

// @ts-expect-error a US component cannot take the EU Azure guardrails
export const euOnUs: ResidencyGuardrailsArgs<"us"> = { domain: "us", guardrails: eu.clouds.azure! };
