/**
 * Add-on compatibility: the Kubernetes minors each pinned chart's upstream supports, as one
 * table with its source. A row is tied to the exact chart version the components pin (a test
 * fails when a pin moves without its row), so bumping a chart forces re-reading its matrix.
 *
 * Where upstream publishes no matrix (or we could not read the row for the pinned release
 * here), the row says so (`minors: undefined`): the pre-check then reports "not checked" for
 * that add-on instead of passing it.
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
  /** Where the minors come from, or why there are none. */
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
    source: "https://external-secrets.io/latest/introduction/stability-support/ lists one tested minor per release; the row for this release was not readable offline — fill it in",
  },
  {
    addon: "argo-cd",
    chart: ARGOCD_CHART.chart,
    chartVersion: ARGOCD_CHART.version,
    source: "https://argo-cd.readthedocs.io/en/stable/operator-manual/installation/#tested-versions (per release; the v3.0 row was not readable offline — fill it in)",
  },
  {
    addon: "velero",
    chart: VELERO_CHART.name,
    chartVersion: VELERO_CHART.version,
    source: "https://github.com/vmware-tanzu/velero#velero-compatibility-matrix (the row for this chart's Velero release was not readable offline — fill it in)",
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
  readonly status: "supported" | "unsupported" | "not-checked";
  readonly detail: string;
}

/** Each pinned add-on against the target minor. */
export function addonVerdicts(target: string, matrix: readonly AddonRow[] = ADDON_MATRIX): AddonVerdict[] {
  return matrix.map((row) => {
    const chart = `${row.chart} ${row.chartVersion}`;
    if (row.minors === undefined) return { addon: row.addon, chart, status: "not-checked", detail: row.source };
    return row.minors.includes(target)
      ? { addon: row.addon, chart, status: "supported", detail: `${target} listed (${row.minors[0]}–${row.minors[row.minors.length - 1]}; ${row.source})` }
      : { addon: row.addon, chart, status: "unsupported", detail: `${target} not listed: supports ${row.minors.join(", ")} (${row.source})` };
  });
}
