/**
 * ExternalSecrets: the External Secrets Operator on a cluster (pinned chart from the domain
 * registry's mirror, images by digest) and, per tenant on the cluster, a ClusterSecretStore
 * for the domain's secret service in the cluster's region — AWS Secrets Manager, Azure Key
 * Vault, GCP Secret Manager — that authenticates only as the tenant's workload identity
 * (referent auth on `<tenant>-workload`, namespaces restricted by `conditions`). The cloud
 * side sets the secret service's CMK: an AWS secrets key decryptable only by tenant roles, the
 * GCP Secret Manager agent on the domain key; Azure vaults are the tenant component's.
 */
import * as k8s from "../sdk/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { claimResident, residentTags, type Cloud, type Domain, type KeyHandle, type KeyRef, type RegistryHandle } from "../residency";
import { createAwsSecrets } from "./aws";
import { createAzureSecrets } from "./azure";
import { createGcpSecrets } from "./gcp";
import {
  chartRepository,
  ESO_CHART,
  ESO_NAMESPACE,
  ESO_RELEASE,
  esoNetworkPolicies,
  esoValues,
  STORE_API_VERSION,
  storeName,
  storeSpec,
  tokenGrantManifests,
  type StoreTarget,
} from "./spec";

export * from "./spec";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** A tenant whose secrets this cluster serves. */
export interface SecretTenant {
  /** (Required) Tenant name (DNS-1123 label). */
  readonly name: string;
  /** (Required) The tenant's namespaces on this cluster; the only ones its store admits. */
  readonly namespaces: readonly string[];
  /** (Optional) AWS: the tenant's workload role ARNs (one per namespace), the only principals that may decrypt its secrets. Without them nobody can. */
  readonly awsRoleArns?: pulumi.Input<string[]>;
  /** (Required on Azure) The tenant's Key Vault URI in this cluster's region (from the tenant component). */
  readonly azureVaultUri?: pulumi.Input<string>;
}

export interface ExternalSecretsArgs<D extends Domain> {
  /** (Required) The residency domain; registry and key must be of it. */
  readonly domain: D;
  /** (Required) The cluster's cloud. */
  readonly cloud: Cloud;
  /** (Required) The cluster's region: the secret service's region, replica location and key location. */
  readonly region: string;
  /** (Required) The environment label of the operator's namespace (as the baseline's namespaces). */
  readonly environment: string;
  /** (Required) The cluster's Kubernetes provider. */
  readonly provider: k8s.Provider;
  /** (Required) The cluster's name (GCP Workload Identity needs it). */
  readonly clusterName: pulumi.Input<string>;
  /** (Required) The domain registry: chart mirror and image source. */
  readonly registry: RegistryHandle<D>;
  /** (Required) The domain CMK in the cluster's region (GCP Secret Manager encrypts with it). */
  readonly key: KeyHandle<D>;
  /**
   * (Required) Private ranges the operator may reach on 443 and that may call its webhook: the
   * cluster network (API server private endpoint, VPC / private endpoints of the secret service),
   * on GCP also the control-plane range and Google's private VIP. Never 0.0.0.0/0.
   */
  readonly privateCidrs: readonly string[];
  /** (Optional) Tenants on this cluster, one store each. Defaults to none (operator only, e.g. management clusters). */
  readonly tenants?: readonly SecretTenant[];
  /** (Required on GCP) The project of the cluster and its secrets. */
  readonly gcp?: { readonly project: string };
  /** (Optional) Azure: the Entra tenant id. Defaults to the deployer's (client config). */
  readonly azure?: { readonly tenantId?: pulumi.Input<string> };
  /** (Optional) AWS: rotation period of the secrets key in days, 90–2560. Defaults to 365. */
  readonly keyRotationDays?: number;
  /** (Optional) Resources the tenants' namespaces and ServiceAccounts come from (the baseline, the tenant component). Defaults to none. */
  readonly tenantsReady?: pulumi.Input<pulumi.Resource>[];
  /** (Optional) Tags/labels for every child. Defaults to none. */
  readonly tags?: Readonly<Record<string, string>>;
  /** (Optional) Protect the AWS secrets key from `pulumi destroy`. Defaults to true. */
  readonly protect?: boolean;
}

/** Settled arguments the cloud adapters read. */
export interface CloudSecretsSpec {
  readonly domain: Domain;
  readonly region: string;
  readonly clusterName: pulumi.Input<string>;
  readonly key: KeyHandle<Domain>;
  readonly tenants: readonly SecretTenant[];
  readonly keyRotationDays: number;
  readonly tags: Readonly<Record<string, string>>;
  readonly protect: boolean;
  readonly gcp?: { readonly project: string };
  readonly azure?: { readonly tenantId?: pulumi.Input<string> };
}

/** What an adapter returns: where each tenant's store points, the service's key and the defaults tenant secrets must use. */
export interface CloudSecretsSide {
  targetFor(tenant: SecretTenant): StoreTarget<pulumi.Input<string>>;
  readonly key: KeyRef;
  readonly secretDefaults: Record<string, unknown>;
}

/** Pure validation, testable without mocks; every problem at once. */
export function validateExternalSecretsArgs(args: ExternalSecretsArgs<Domain>): pulumi.InputPropertyErrorDetails[] {
  const problems: pulumi.InputPropertyErrorDetails[] = [];
  const need = (ok: boolean, propertyPath: string, reason: string) => {
    if (!ok) problems.push({ propertyPath, reason });
  };
  need(args.registry.domain === args.domain, "registry", `belongs to domain "${args.registry.domain}", not "${args.domain}"`);
  need(args.key.domain === args.domain, "key", `belongs to domain "${args.key.domain}", not "${args.domain}"`);
  need(args.key.cloud === args.cloud, "key", `is a ${args.key.cloud} key; the cluster is on ${args.cloud}`);
  need(args.key.region === args.region, "key", `is in ${args.key.region}; the secret service runs in ${args.region} and its key must be in that region`);
  need(args.registry.cloud === args.cloud || args.registry.cloud === "external", "registry", `is a ${args.registry.cloud} registry; the cluster is on ${args.cloud}`);
  need(args.privateCidrs.length > 0, "privateCidrs", "at least one range: the operator must reach the API server and the secret service");
  args.privateCidrs.forEach((c, i) => {
    need(/^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/.test(c), `privateCidrs[${i}]`, `"${c}" is not an IPv4 CIDR`);
    need(!c.endsWith("/0"), `privateCidrs[${i}]`, `"${c}" opens egress to everything; name the private ranges`);
  });
  need(args.cloud !== "gcp" || (args.gcp?.project ?? "") !== "", "gcp.project", "required on GCP");
  const rotation = args.keyRotationDays ?? 365;
  need(Number.isInteger(rotation) && rotation >= 90 && rotation <= 2560, "keyRotationDays", `must be a whole number of days from 90 to 2560 (AWS KMS), got ${rotation}`);
  const seen = new Set<string>();
  (args.tenants ?? []).forEach((t, i) => {
    need(DNS_LABEL.test(t.name), `tenants[${i}].name`, `"${t.name}" is not a DNS-1123 label`);
    need(!seen.has(t.name), `tenants[${i}].name`, `"${t.name}" appears twice`);
    seen.add(t.name);
    need(t.namespaces.length > 0, `tenants[${i}].namespaces`, "at least one namespace: a store without conditions would admit every namespace");
    t.namespaces.forEach((n, j) => need(DNS_LABEL.test(n), `tenants[${i}].namespaces[${j}]`, `"${n}" is not a DNS-1123 label`));
    need(args.cloud !== "azure" || t.azureVaultUri !== undefined, `tenants[${i}].azureVaultUri`, "required on Azure (the tenant's Key Vault in the cluster's region)");
  });
  return problems;
}

export class ExternalSecrets<D extends Domain> extends pulumi.ComponentResource {
  /** The Helm release's name and namespace. */
  readonly release: pulumi.Output<{ name: string; namespace: string; chartVersion: string }>;
  /** ClusterSecretStore name per tenant (what `secretStoreRef.name` names, with `kind: ClusterSecretStore`). */
  readonly stores: pulumi.Output<Record<string, string>>;
  /** The key the secret service encrypts tenant secrets with, as a resident handle. */
  readonly secretsKey: KeyHandle<D>;
  /** What every tenant secret on this cluster's secret service must set (AWS `kmsKeyId`, GCP `replication`). */
  readonly secretDefaults: pulumi.Output<Record<string, unknown>>;

  constructor(name: string, args: ExternalSecretsArgs<D>, opts?: pulumi.ComponentResourceOptions) {
    super("meridian:external-secrets:ExternalSecrets", name, {}, opts);
    const problems = validateExternalSecretsArgs(args);
    if (problems.length > 0) {
      throw new pulumi.InputPropertiesError({ message: `ExternalSecrets ${name}: invalid arguments`, errors: problems });
    }
    const tags = residentTags(args.domain, args.tags);
    const tenants = args.tenants ?? [];
    const spec: CloudSecretsSpec = {
      domain: args.domain,
      region: args.region,
      clusterName: args.clusterName,
      key: args.key,
      tenants,
      keyRotationDays: args.keyRotationDays ?? 365,
      tags,
      protect: args.protect ?? true,
      gcp: args.gcp,
      azure: args.azure,
    };
    const side =
      args.cloud === "aws" ? createAwsSecrets(name, spec, this) : args.cloud === "azure" ? createAzureSecrets(name, spec, this) : createGcpSecrets(name, spec, this);

    const k8sOpts = { parent: this, provider: args.provider };
    const labels = { residency: args.domain, "app.kubernetes.io/part-of": "meridian-external-secrets" };
    const namespace = new k8s.core.v1.Namespace(
      `${name}-ns`,
      {
        metadata: {
          name: ESO_NAMESPACE,
          labels: {
            ...labels,
            team: "platform",
            tenant: "platform",
            env: args.environment,
            "meridian.io/tier": "platform",
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/audit": "restricted",
            "pod-security.kubernetes.io/warn": "restricted",
          },
        },
      },
      k8sOpts,
    );
    for (const policy of esoNetworkPolicies(args.privateCidrs)) {
      new k8s.networking.v1.NetworkPolicy(`${name}-netpol-${policy.name}`, { metadata: { name: policy.name, namespace: namespace.metadata.name, labels }, spec: policy.spec }, k8sOpts);
    }
    const values = pulumi.output(args.registry.imagePrefixes).apply((prefixes) => {
      if (prefixes.length === 0) throw new Error(`ExternalSecrets ${name}: registry.imagePrefixes: the domain registry has no image prefix to mirror the chart and images from`);
      return { repo: chartRepository(prefixes[0]!), values: esoValues(prefixes[0]!, labels) };
    });
    const release = new k8s.helm.v3.Release(
      `${name}-eso`,
      {
        name: ESO_RELEASE,
        chart: ESO_CHART.name,
        version: ESO_CHART.version,
        repositoryOpts: { repo: values.repo },
        namespace: namespace.metadata.name,
        createNamespace: false,
        atomic: true,
        cleanupOnFail: true,
        values: values.values,
      },
      k8sOpts,
    );

    const stores: Record<string, pulumi.Output<string>> = {};
    for (const tenant of tenants) {
      this.tokenGrants(name, tenant, args.provider, args.tenantsReady ?? []);
      const store = new k8s.apiextensions.CustomResource(
        `${name}-store-${tenant.name}`,
        {
          apiVersion: STORE_API_VERSION,
          kind: "ClusterSecretStore",
          metadata: { name: storeName(tenant.name), labels: { ...labels, tenant: tenant.name } },
          spec: storeSpec(tenant.name, tenant.namespaces, side.targetFor(tenant)),
        },
        { ...k8sOpts, dependsOn: [release] },
      );
      stores[tenant.name] = store.metadata.name;
    }

    this.release = pulumi.output({ name: release.name, namespace: ESO_NAMESPACE, chartVersion: ESO_CHART.version });
    this.stores = pulumi.output(stores);
    this.secretsKey = claimResident(args.domain, { ...side.key, region: args.region }) as KeyHandle<D>;
    this.secretDefaults = pulumi.output(side.secretDefaults).apply((d) => d as Record<string, unknown>);
    this.registerOutputs({ release: this.release, stores: this.stores, secretDefaults: this.secretDefaults });
  }

  /**
   * The chart runs with `rbac.serviceAccountTokenCreate: false`: the controller may mint tokens
   * only for `<tenant>-workload`, in the tenant's namespaces (resourceNames), never for any
   * other ServiceAccount of the cluster.
   */
  private tokenGrants(name: string, tenant: SecretTenant, provider: k8s.Provider, ready: pulumi.Input<pulumi.Resource>[]): void {
    const opts = { parent: this, provider, dependsOn: ready };
    for (const ns of tenant.namespaces) {
      const { role, binding } = tokenGrantManifests(tenant.name, ns);
      const created = new k8s.rbac.v1.Role(`${name}-token-${tenant.name}-${ns}`, { metadata: role.metadata, rules: role.rules }, opts);
      new k8s.rbac.v1.RoleBinding(`${name}-token-${tenant.name}-${ns}`, { metadata: binding.metadata, roleRef: binding.roleRef, subjects: binding.subjects }, { ...opts, dependsOn: [...ready, created] });
    }
  }
}
