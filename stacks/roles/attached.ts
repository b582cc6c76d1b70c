/**
 * The attached role: the domain's Kubernetes baseline on a cluster the fleet did not
 * create, reached through a kubeconfig from config. The same ClusterBaseline the managed
 * clusters get, with no cloud-specific storage class (none is assumed to exist).
 */
import * as fs from "node:fs";
import * as k8s from "../../components/sdk/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { RoleConfig } from "../../automation/fleet";
import { ClusterBaseline } from "../../components/baseline";
import { trustRoots } from "../../components/gateway/spec";
import { claimResident, type Domain } from "../../components/residency";
import type { RoleContext } from "../context";
import { tenantsOnStack } from "../../automation/fleet/tenants";
import { ClusterTenant } from "../../components/tenant";
import { tenantNamespaces } from "./tenantNamespaces";
import { identifyKubeconfig, type ClusterIdentity } from "../../policy-pack/lib/clusterIdentity";

/**
 * The provider's `clusterIdentifier` (`meridian:<domain>:<cluster>`) from evidence: a cluster
 * located in another domain (or in none) gets that domain, so the pack's
 * `meridian-kubernetes-provider-cluster-domain` reports a mandatory violation at preview; a
 * cluster whose address proves nothing keeps the stack's domain, with a warning saying so.
 * The value only changes when the evidence contradicts the stack (a changed identifier
 * replaces the provider, and a violation blocks that).
 */
export function clusterIdentifierFor(domain: Domain, clusterName: string, identity: ClusterIdentity, file: string): string {
  if (identity.kind === "unknown") {
    pulumi.log.warn(`${file}: meridian:kubeconfig: cannot verify that cluster ${clusterName} is in domain ${domain}: ${identity.reason}`);
    return `meridian:${domain}:${clusterName}`;
  }
  if (identity.domain !== domain) {
    pulumi.log.error(
      `${file}: meridian:kubeconfig: cluster ${clusterName} is in ${identity.cloud} ${identity.region} (${identity.domain ? `domain ${identity.domain}` : "no domain"}; ${identity.from}), not in domain ${domain}`,
    );
    return `meridian:${identity.domain ?? "none"}:${clusterName}`;
  }
  return `meridian:${domain}:${clusterName}`;
}

export async function attached<D extends Domain>(ctx: RoleContext<D>): Promise<Record<string, unknown>> {
  const config = ctx.spec.config as RoleConfig<"attached">;
  const settings = config["meridian:attached"];
  const kubeconfig = new pulumi.Config("meridian").requireSecret("kubeconfig").apply((v) => (fs.existsSync(v) ? fs.readFileSync(v, "utf8") : v));
  const provider = new k8s.Provider(`${ctx.stack}-k8s`, {
    kubeconfig,
    context: settings.context,
    // The policy pack reads the domain from this identifier (Kubernetes resources only
    // through providers of clusters in the same domain); it carries the domain the
    // kubeconfig's API server proves, never the one this stack claims.
    clusterIdentifier: pulumi.unsecret(
      kubeconfig.apply((kc) => clusterIdentifierFor(ctx.domain, settings.clusterName, identifyKubeconfig(kc, ctx.fleet.settings.regions, settings.context), ctx.spec.file)),
    ),
    enableServerSideApply: true,
  });
  const registry = claimResident(ctx.domain, { cloud: "external" as const, region: "external", imagePrefixes: [...settings.registries] });
  // Tenants from fleet.yaml `tenants.<domain>`: namespaces by the baseline, the rest (no cloud
  // here: no repository or cloud identity) by the tenant component.
  const tenants = settings.clusterRole === "workload" ? tenantNamespaces(ctx.fleet.settings.tenants, ctx.domain, ctx.stack) : [];
  const baseline = new ClusterBaseline(`${ctx.stack}-baseline`, {
    domain: ctx.domain,
    provider,
    clusterName: settings.clusterName,
    clusterRole: settings.clusterRole,
    cloud: "none",
    environment: ctx.spec.environment,
    kubernetesVersion: settings.kubernetesVersion,
    registries: [registry],
    tenants,
    groups: settings.groups,
  });
  const tenantOutputs: Record<string, unknown> = {};
  for (const tenant of settings.clusterRole === "workload" ? tenantsOnStack(ctx.fleet.settings.tenants, ctx.domain, ctx.stack) : []) {
    const t = new ClusterTenant(
      `${ctx.stack}-tenant-${tenant.name}`,
      { domain: ctx.domain, tenant, provider, clusterName: settings.clusterName, cloud: { cloud: "none" } },
      { dependsOn: [baseline] },
    );
    tenantOutputs[tenant.name] = { namespaces: t.namespaces, identity: { serviceAccount: t.serviceAccount } };
  }
  // With the domain PKI upstream, publish its root CA as the cluster's trust bundle
  // (public material only; intermediates' keys stay in the pki stack). During a rotation
  // overlap the bundle carries the retiring roots too (docs/runbooks.md).
  let trustBundle: k8s.core.v1.ConfigMap | undefined;
  if (ctx.upstream.pki !== undefined) {
    const pki = await ctx.refs.pki();
    trustBundle = new k8s.core.v1.ConfigMap(
      `${ctx.stack}-trust-bundle`,
      {
        metadata: { name: "meridian-trust-bundle", namespace: "meridian-system", labels: { residency: ctx.domain, "app.kubernetes.io/managed-by": "pulumi" } },
        data: { "ca.crt": pulumi.output(pki.trustRoots().rootCertPems).apply((roots) => (roots.length <= 1 ? pki.rootCertPem : trustRoots(roots).join(""))) },
      },
      { provider, dependsOn: [baseline] },
    );
  }
  return {
    domain: ctx.domain,
    stack: ctx.stack,
    role: "attached",
    trustBundle: trustBundle ? trustBundle.metadata.name : null,
    cluster: { name: settings.clusterName, registries: settings.registries },
    namespaces: baseline.namespaces ?? [],
    services: { tenants: tenantOutputs },
  };
}
