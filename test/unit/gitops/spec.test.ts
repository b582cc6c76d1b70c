/** The pure parts of GitOps: values validation, rings, sources, and fleet.yaml `gitops:` refusals (exit 2, file and key). */
import { FleetConfigError, loadFleet } from "../../../automation/fleet";
import { tenantSource } from "../../../automation/fleet/gitops";
import { argoCdValues, clusterConfig, ringSteps, validateArgoCdValues } from "../../../components/gitops";
import { fleetDir, readReference } from "../../support/fleetDir";

const EU = "123456789012.dkr.ecr.eu-central-1.amazonaws.com/";
const US = "123456789012.dkr.ecr.us-east-1.amazonaws.com/";
const values = () => argoCdValues({ domain: "eu", namespace: "meridian-gitops", registryPrefix: EU, gcpStacks: [] });

describe("chart values are validated before they reach the chart", () => {
  it("the generated values pass for the domain registry", () => {
    expect(validateArgoCdValues(values(), [EU])).toEqual([]);
  });
  it("an image from another domain's registry is refused", () => {
    expect(validateArgoCdValues(values(), [US])).toEqual([
      `values.global.image.repository: "${EU}mirror/argoproj/argocd" is not in the domain registry (${US})`,
      `values.redis.image.repository: "${EU}mirror/library/redis" is not in the domain registry (${US})`,
    ]);
  });
  it("a tag without digest, the local admin or exec are refused", () => {
    const v = values() as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    v.global.image.tag = "v3.0.6";
    v.configs.cm["admin.enabled"] = true;
    v.configs.cm["exec.enabled"] = true;
    expect(validateArgoCdValues(v, [EU]).map((p) => p.split(":")[0])).toEqual(["values.global.image.tag", "values.configs.cm.admin.enabled", "values.configs.cm.exec.enabled"]);
  });
});

it("rings: one RollingSync step per distinct ring, ascending", () => {
  expect(ringSteps({ a: 2, b: 0, c: 2 }).map((s) => (s as any).matchExpressions[0].values)).toEqual([["0"], ["2"]]); // eslint-disable-line @typescript-eslint/no-explicit-any
});

it("cluster configs: AKS by workload identity, GKE by credential configuration", () => {
  expect(clusterConfig({ kind: "azure", clientId: "c", tenantId: "t" }, "CA")).toMatchObject({ execProviderConfig: { command: "argocd-k8s-auth", args: ["azure"] }, tlsClientConfig: { insecure: false, caData: "CA" } });
  expect(clusterConfig({ kind: "gcp", stack: "s" }, "CA")).toMatchObject({ execProviderConfig: { args: ["gcp"], env: { GOOGLE_APPLICATION_CREDENTIALS: "/var/run/secrets/meridian/gitops/gcp-config/s/credentials.json" } } });
});

const TENANT = `
tenants:
  eu:
    payments: { team: payments, developersGroup: g, clusters: [eu-workload-aws] }
`;
// The reference gitops block and tenants are replaced by the test's own.
const fleetYaml = (gitops: string) => readReference("fleet.yaml").replace(/^gitops:\n(?:[ \t].*\n)*/m, gitops).replace(/^tenants:\n(?:[ \t#].*\n|[ \t]*\n)*/m, "") + TENANT;

describe("fleet.yaml gitops", () => {
  it("the reference sources settle per tenant, with overrides", () => {
    const fleet = loadFleet(fleetDir({ "fleet.yaml": fleetYaml(`gitops:\n  eu: { repoURL: "https://git.eu.example/{tenant}.git", tenants: { payments: { revision: v2 } } }\n`) }));
    const t = fleet.settings.tenants.eu[0]!;
    expect(tenantSource(fleet.settings.gitops, t)).toEqual({ repoURL: "https://git.eu.example/payments.git", revision: "v2", path: "clusters/{cluster}/{namespace}" });
  });

  const refused = (gitops: string): FleetConfigError => {
    try {
      loadFleet(fleetDir({ "fleet.yaml": fleetYaml(gitops) }));
    } catch (e) {
      const err = (e as { errors?: FleetConfigError[] }).errors?.[0] ?? (e as FleetConfigError);
      return err;
    }
    throw new Error("accepted");
  };

  it("a domain with tenants and no source is refused, naming the key", () => {
    const e = refused("gitops:\n  us: { repoURL: \"https://git.us.example/{tenant}.git\" }\n");
    expect(e).toBeInstanceOf(FleetConfigError);
    expect([e.key, e.file.endsWith("fleet.yaml")]).toEqual(["gitops.eu", true]);
  });
  it("an override for a tenant of another domain is refused", () => {
    const e = refused("gitops:\n  eu: { repoURL: \"https://git.eu.example/{tenant}.git\", tenants: { ledger: { revision: main } } }\n");
    expect(e.key).toBe("gitops.eu.tenants.ledger");
  });
  it("plain http and a path escaping the repository are refused", () => {
    expect(refused("gitops:\n  eu: { repoURL: \"http://git.eu.example/x.git\" }\n").key).toBe("gitops.eu.repoURL");
    expect(refused("gitops:\n  eu: { repoURL: \"https://git.eu.example/x.git\", path: \"../other\" }\n").key).toBe("gitops.eu.path");
  });
});
