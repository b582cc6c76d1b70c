/**
 * The secrets service's reading of the tenants service's export: per cloud, what each tenant's
 * store and key policy get, and the clear error when the tenant's Azure vault is missing.
 */
import * as pulumi from "@pulumi/pulumi";
import { resolveTenants } from "../../../automation/fleet/tenants";
import { secretTenants } from "../../../stacks/roles/services/secrets";
import type { ClusterServiceContext } from "../../../stacks/roles/services";
import { installMocks, valueOf } from "../../support/mocks";

installMocks();

const tenants = resolveTenants({
  eu: {
    payments: { team: "payments", developersGroup: "g", clusters: ["eu-workload-aws"], namespaces: ["payments", "payments-batch"], egress: [], services: [], hostnames: [] },
    search: { team: "search", developersGroup: "g", clusters: ["eu-workload-gcp"], egress: [], services: [], hostnames: [] },
  },
});

function context(cloud: "aws" | "azure" | "gcp", role: "workload" | "management", earlier: Record<string, Record<string, unknown>>): ClusterServiceContext<"eu"> {
  return {
    ctx: { domain: "eu", stack: "eu-workload-aws", spec: { file: "stacks/Pulumi.eu-workload-aws.yaml" }, fleet: { settings: { tenants } } },
    role,
    cloud,
    region: "eu-central-1",
    earlier,
  } as unknown as ClusterServiceContext<"eu">;
}

const ROLE = (ns: string) => `arn:aws:iam::123456789012:role/${ns}`;

it("AWS: the tenants on this stack only, with every namespace's role as a decrypt principal", async () => {
  const earlier = { tenants: { payments: { identity: { principals: pulumi.output({ payments: ROLE("payments"), "payments-batch": ROLE("payments-batch") }) }, secretScope: pulumi.output("x") } } };
  const got = secretTenants(context("aws", "workload", earlier));
  expect(got.map((t) => [t.name, t.namespaces])).toEqual([["payments", ["payments", "payments-batch"]]]);
  expect(await valueOf(got[0]!.awsRoleArns!)).toEqual([ROLE("payments"), ROLE("payments-batch")]);
});

it("AWS without the tenants service's export: a store but no decrypt principal (nobody can read)", async () => {
  const got = secretTenants(context("aws", "workload", {}));
  expect(await valueOf(got[0]!.awsRoleArns!)).toEqual([]);
});

it("Azure: the store points at the tenant's vault URI; a missing vault is a one-line error naming the stack file", async () => {
  const earlier = { tenants: { payments: { identity: { principals: {} }, secretScope: pulumi.output("https://kv-payments.vault.azure.net/") } } };
  expect(await valueOf(secretTenants(context("azure", "workload", earlier))[0]!.azureVaultUri!)).toBe("https://kv-payments.vault.azure.net/");
  expect(() => secretTenants(context("azure", "workload", {}))).toThrow(/^stacks\/Pulumi\.eu-workload-aws\.yaml: tenant "payments" has no Key Vault/);
});

it("management clusters serve no tenant", () => {
  expect(secretTenants(context("aws", "management", {}))).toEqual([]);
});
