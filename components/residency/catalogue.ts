/**
 * The residency catalogue lives in the policy pack (policy-pack/lib/catalogue.ts) so the pack
 * can be published on its own and still read the very same data; everything else imports it
 * from here. One source, so the program, the plan and the pack can never disagree.
 */
export * from "../../policy-pack/lib/catalogue";
