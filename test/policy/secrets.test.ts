/**
 * The secrets policies over what components/external-secrets really renders (under mocks, on
 * all three clouds): its ClusterSecretStores pass the store-scope policy, and a secret declared
 * with its `secretDefaults` passes the replica and CMEK policies; the same shapes bent the way a
 * hand-written store or secret would be fail them. The per-type pass/fail cases are in
 * secretsCases.ts (run by coverage.test.ts).
 */
import { findAll, installMocks, settle, unwrapSecret, valueOf } from "../support/mocks";
import * as aws from "@pulumi/aws";
import * as azure from "@pulumi/azure-native";
import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import { ExternalSecrets } from "../../components/external-secrets";
import { claimResident, type KeyHandle, type RegistryHandle } from "../../components/residency";
import { gcpEu, k8sEu, mandatory, res, run } from "./harness";

const cloud = installMocks();
const SCOPE = "meridian-kubernetes-clustersecretstore-tenant-scope";
const GKEY = "projects/meridian-eu-prod/locations/europe-west1/keyRings/eu/cryptoKeys/foundation";

const registry = (c: "aws" | "azure" | "gcp", prefix: string) => claimResident("eu", { cloud: c, region: "x", imagePrefixes: [prefix] }) as RegistryHandle<"eu">;
const common = { domain: "eu" as const, environment: "prod", privateCidrs: ["10.0.0.0/16"], tenants: [{ name: "payments", namespaces: ["payments"] }] };

let gcpDefaults: Record<string, unknown> = {};

beforeAll(async () => {
  const k = new k8s.Provider("k", { kubeconfig: "{}" });
  new ExternalSecrets(
    "aws-secrets",
    { ...common, cloud: "aws", region: "eu-central-1", provider: k, clusterName: "c", registry: registry("aws", "123456789012.dkr.ecr.eu-central-1.amazonaws.com/"), key: claimResident("eu", { cloud: "aws" as const, arn: "arn:aws:kms:eu-central-1:123456789012:key/k", region: "eu-central-1" }) as KeyHandle<"eu"> },
    { providers: [new aws.Provider("a", { region: "eu-central-1" })] },
  );
  new ExternalSecrets(
    "azure-secrets",
    {
      ...common,
      tenants: [{ name: "payments", namespaces: ["payments"], azureVaultUri: "https://kv-payments.vault.azure.net/" }],
      cloud: "azure",
      region: "westeurope",
      provider: k,
      clusterName: "c",
      registry: registry("azure", "meridianeu.azurecr.io/"),
      key: claimResident("eu", { cloud: "azure" as const, region: "westeurope", vaultId: "v", vaultUri: "u", keyName: "k", keyUri: "k", keyUriWithVersion: "k/1", resourceGroupName: "rg" }) as KeyHandle<"eu">,
    },
    { providers: [new azure.Provider("z", { location: "westeurope" })] },
  );
  const g = new ExternalSecrets(
    "gcp-secrets",
    { ...common, cloud: "gcp", region: "europe-west1", provider: k, clusterName: "c", gcp: { project: "meridian-eu-prod" }, registry: registry("gcp", "europe-west1-docker.pkg.dev/meridian-eu-prod/platform/"), key: claimResident("eu", { cloud: "gcp" as const, cryptoKeyId: GKEY, region: "europe-west1" }) as KeyHandle<"eu"> },
    { providers: [new gcp.Provider("g", { project: "meridian-eu-prod", region: "europe-west1" })] },
  );
  gcpDefaults = await valueOf(g.secretDefaults);
  await settle();
});

/** The component's stores as the plan presents them. */
function renderedStores() {
  return findAll(cloud, "kubernetes:external-secrets.io/v1:ClusterSecretStore").map((r) => res(r.type, r.name, unwrapSecret(r.inputs).value as Record<string, unknown>, { provider: k8sEu }));
}

it("the stores the component renders on AWS, Azure and GCP pass the store-scope policy", () => {
  const stores = renderedStores();
  expect(stores).toHaveLength(3);
  for (const s of stores) expect(run(SCOPE, [s])).toEqual([]);
});

it("the same stores fail it once a namespace is pinned or the conditions are dropped", () => {
  for (const s of renderedStores()) {
    const spec = s.props.spec as { provider: Record<string, Record<string, unknown>>; conditions: unknown[] };
    expect(mandatory(run(SCOPE, [{ ...s, props: { ...s.props, spec: { ...spec, conditions: [] } } }]))).toHaveLength(1);
    const pinned = JSON.parse(JSON.stringify(spec).replace('"serviceAccountRef":{"name":"payments-workload"}', '"serviceAccountRef":{"name":"payments-workload","namespace":"payments"}'));
    expect(mandatory(run(SCOPE, [{ ...s, props: { ...s.props, spec: pinned } }])).map((v) => v.message).join()).toContain("namespace pins one namespace's ServiceAccount");
  }
});

it("a GCP secret declared with the component's secretDefaults passes the replica and CMEK policies; automatic replication fails both checks", () => {
  const secret = res("gcp:secretmanager/secret:Secret", "payments--db", { secretId: "payments--db", ...gcpDefaults }, { provider: gcpEu });
  expect(run("meridian-residency-secret-replica-allowlist", [secret])).toEqual([]);
  expect(run("meridian-gcp-secretmanager-secret-cmek-require", [secret])).toEqual([]);
  const auto = res("gcp:secretmanager/secret:Secret", "payments--db", { secretId: "payments--db", replication: { auto: {} } }, { provider: gcpEu });
  expect(mandatory(run("meridian-residency-secret-replica-allowlist", [auto]))).toHaveLength(1);
  expect(mandatory(run("meridian-gcp-secretmanager-secret-cmek-require", [auto]))).toHaveLength(1);
});

it("a store whose region is unknown at preview is advisory (cannot verify), never a silent pass", () => {
  const s = renderedStores().find((r) => r.name.startsWith("aws-secrets"))!;
  const spec = s.props.spec as { provider: { aws: Record<string, unknown> } };
  const unknownRegion = { ...s, props: { ...s.props, spec: { ...spec, provider: { aws: { ...spec.provider.aws, region: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" } } } } };
  const vs = run(SCOPE, [unknownRegion]);
  expect(vs.map((v) => v.level)).toEqual(["advisory"]);
});
