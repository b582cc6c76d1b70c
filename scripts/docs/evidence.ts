/**
 * The SOC2 evidence map as data: which control, which artifact, where it is kept per
 * domain. docs/soc2.md is rendered from this plus the policy pack's `frameworks` metadata.
 */
export interface EvidenceRow {
  readonly control: string;
  readonly topic: string;
  readonly artifacts: readonly string[];
  /** Where the artifact lives; `<domain>` is replaced per domain. */
  readonly kept: readonly string[];
}

export const EVIDENCE: readonly EvidenceRow[] = [
  {
    control: "CC6.1",
    topic: "logical access and encryption at rest",
    artifacts: ["policy verdicts of every preview/update (encryption, key co-location, private endpoints)", "residency key settings in stack state"],
    kept: ["`.fleet-runs/<run>/<domain>/evidence/evidence.json` (orchestrator runs)", "Pulumi Cloud org `meridian-<domain>`: update history and policy-group results of Deployments runs", "the domain's stack state"],
  },
  {
    control: "CC6.6",
    topic: "boundary protection",
    artifacts: ["private cluster endpoints, interconnect crypto and NetworkPolicy verdicts", "VPC/VNet flow logs (≥ 90 days, default 365)"],
    kept: ["`.fleet-runs/<run>/<domain>/evidence/`", "the domain's log stores (CloudWatch / Log Analytics / Cloud Logging in the domain's regions)"],
  },
  {
    control: "CC6.7",
    topic: "encryption in transit",
    artifacts: ["IPsec proposals (IKEv2, AES-GCM) and TLS settings as policy verdicts", "PKI rotation generations in the `<domain>-pki` stack config (git history)"],
    kept: ["`.fleet-runs/<run>/<domain>/evidence/`", "git history of `stacks/Pulumi.<domain>-*.yaml`"],
  },
  {
    control: "CC6.8",
    topic: "prevent unauthorized software",
    artifacts: ["admission policies (registry prefix allowlist, Pod Security) applied by the baseline", "baseline policy verdicts"],
    kept: ["the clusters' audit logs in the domain", "`.fleet-runs/<run>/<domain>/evidence/`"],
  },
  {
    control: "CC7.1",
    topic: "configuration monitoring (drift)",
    artifacts: ["drift-detection runs scheduled per stack (`DriftSchedule`, report-only)", "`fleet refresh` run records"],
    kept: ["Pulumi Cloud org `meridian-<domain>` (drift runs execute on the domain's agent pool)", "`.fleet-runs/<run>/<domain>/evidence/`"],
  },
  {
    control: "CC7.2",
    topic: "monitoring and audit logging",
    artifacts: ["control-plane audit logs (≥ 90 days, default 365)", "flow logs"],
    kept: ["the domain's log stores"],
  },
  {
    control: "CC8.1",
    topic: "change management",
    artifacts: [
      "pull request with review, the `checks` job (lint, tests, offline plan with zero mandatory violations) and per-domain previews with the policy pack",
      "the pushed commit, deployed by Deployments with path filters (who/what/when in the update history)",
      "orchestrator run record: user, git author, commit, dirty flag, stacks, results",
    ],
    kept: ["GitHub: pull request, checks and job summaries (no credentials; the plan runs on mock values)", "Pulumi Cloud org `meridian-<domain>`", "`.fleet-runs/<run>/<domain>/evidence/evidence.json`"],
  },
];

export const DOMAIN_NAMES = ["eu", "us"] as const;
