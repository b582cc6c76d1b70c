/**
 * Add-on compatibility: the Kubernetes minors each pinned chart's upstream supports, as one
 * table with its source. A row is tied to the exact chart version the components pin (a test
 * fails when a pin moves without its row), so bumping a chart forces re-reading its matrix.
 *
 * Two kinds of table upstream publishes, kept apart (`basis`):
 * - `supported`: the Kubernetes minors a release supports (Envoy Gateway, cert-manager). A
 *   target outside them is `unsupported`, and the pre-check fails: the upgrade halts.
 * - `tested`: the minors upstream's CI ran a release on (Argo CD, External Secrets, Velero),
 *   which those projects say is not a support statement. A target outside them is `untested`:
 *   the pre-check lists it as a warning in the plan and the evidence, and does not halt.
 * Where upstream publishes no matrix, the row says so (`minors: undefined`): the pre-check
 * then reports "not checked" for that add-on instead of passing it. Each cited row names the
 * commit of the page it was read from.
 */
import { CHARTS } from "../../components/gateway/spec";
import { ESO_CHART } from "../../components/external-secrets/spec";
import { ARGOCD_CHART } from "../../components/gitops/spec";
import { VELERO_CHART } from "../../components/backup/spec";
import { COLLECTOR_PINS } from "../../components/observability/spec";
import { POLICY_CONTROLLER } from "../../components/supply-chain/spec";

export interface AddonRow {
  readonly addon: string;
  /** The chart and version the components pin (read from them, not copied). */
  readonly chart: string;
  readonly chartVersion: string;
  /** Kubernetes minors upstream lists as supported for this release; undefined: none published or read. */
  readonly minors?: readonly string[];
  /** (Optional) What the minors say: `supported` (outside them halts) or `tested` (outside them warns). Defaults to `supported`. */
  readonly basis?: "supported" | "tested";
  /** Where the minors come from (URL, and the commit read), or why there are none. */
  readonly source: string;
}

const range = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => `1.${from + i}`);

export const ADDON_MATRIX: readonly AddonRow[] = [
  {
    addon: "envoy-gateway",
    chart: CHARTS.envoyGateway.chart,
    chartVersion: CHARTS.envoyGateway.version,
    minors: range(32, 35),
    source: "https://gateway.envoyproxy.io/news/releases/matrix (row v1.7: Kubernetes v1.32, v1.33, v1.34, v1.35)",
  },
  {
    addon: "gateway-api-crds",
    chart: CHARTS.gatewayCrds.chart,
    chartVersion: CHARTS.gatewayCrds.version,
    minors: range(32, 35),
    source: "https://gateway.envoyproxy.io/news/releases/matrix (the CRDs ship with Envoy Gateway v1.7: Gateway API v1.4.1)",
  },
  {
    addon: "cert-manager",
    chart: CHARTS.certManager.chart,
    chartVersion: CHARTS.certManager.version,
    minors: range(32, 35),
    source: "https://cert-manager.io/docs/releases/ (row 1.20: supported Kubernetes 1.32 → 1.35)",
  },
  {
    addon: "trust-manager",
    chart: CHARTS.trustManager.chart,
    chartVersion: CHARTS.trustManager.version,
    source: "none published: trust-manager has no Kubernetes support matrix (it follows cert-manager's)",
  },
  {
    addon: "external-secrets",
    chart: ESO_CHART.name,
    chartVersion: ESO_CHART.version,
    minors: ["1.36"],
    basis: "tested",
    source:
      "https://github.com/external-secrets/external-secrets/blob/cc5bfbc2234ace9cb0caff4ea89c435cf517b27b/docs/introduction/stability-support.md (row 2.9: Kubernetes 1.36; \"We do not do test coverage for any other kubernetes version than the ones running on our test suites\")",
  },
  {
    addon: "argo-cd",
    chart: ARGOCD_CHART.chart,
    chartVersion: ARGOCD_CHART.version,
    minors: range(29, 32),
    basis: "tested",
    source: "https://github.com/argoproj/argo-cd/blob/db93798d6643a565c056c6fda453e696719dbe12/docs/operator-manual/tested-kubernetes-versions.md (tag v3.0.6, the chart's appVersion; row 3.0: v1.32, v1.31, v1.30, v1.29)",
  },
  {
    addon: "velero",
    chart: VELERO_CHART.name,
    chartVersion: VELERO_CHART.version,
    minors: range(31, 33),
    basis: "tested",
    source:
      "https://github.com/vmware-tanzu/velero/blob/d30d389b56068eebd675d9953492183cb7b58a78/README.md#velero-compatibility-matrix (row 1.16, the chart's Velero v1.16.1: tested on 1.31.4, 1.32.3 and 1.33.0; expected compatibility 1.18-latest)",
  },
  {
    addon: "opentelemetry-collector",
    chart: COLLECTOR_PINS.chart,
    chartVersion: COLLECTOR_PINS.chartVersion,
    source: "none published: the collector chart documents no Kubernetes support matrix",
  },
  {
    addon: "policy-controller",
    chart: POLICY_CONTROLLER.chart,
    chartVersion: POLICY_CONTROLLER.version,
    source: "none published: sigstore policy-controller documents no Kubernetes support matrix",
  },
];

export interface AddonVerdict {
  readonly addon: string;
  readonly chart: string;
  readonly status: "supported" | "unsupported" | "untested" | "not-checked";
  readonly detail: string;
}

/** Each pinned add-on against the target minor. */
export function addonVerdicts(target: string, matrix: readonly AddonRow[] = ADDON_MATRIX): AddonVerdict[] {
  return matrix.map((row) => {
    const chart = `${row.chart} ${row.chartVersion}`;
    if (row.minors === undefined) return { addon: row.addon, chart, status: "not-checked", detail: row.source };
    const tested = row.basis === "tested";
    const listed = `${row.minors[0]}${row.minors.length > 1 ? `–${row.minors[row.minors.length - 1]}` : ""}`;
    if (row.minors.includes(target)) return { addon: row.addon, chart, status: "supported", detail: `${target} ${tested ? "tested upstream" : "listed"} (${listed}; ${row.source})` };
    return tested
      ? { addon: row.addon, chart, status: "untested", detail: `${target} not tested upstream: tested on ${row.minors.join(", ")} (${row.source})` }
      : { addon: row.addon, chart, status: "unsupported", detail: `${target} not listed: supports ${row.minors.join(", ")} (${row.source})` };
  });
}
