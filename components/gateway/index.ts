/**
 * ClusterGateway: how anything on a workload cluster is reached. Gateway API with Envoy
 * Gateway (ADR-6), an external and an internal Gateway in `meridian-gateway`, HTTP only as a
 * 301 to HTTPS, one HTTPS listener per tenant hostname that only that tenant's namespaces may
 * attach HTTPRoutes to; cert-manager with a CA ClusterIssuer backed by the domain PKI's
 * intermediate (and ACME for public names where configured); trust-manager distributing the
 * domain's roots — both roots during a rotation overlap — to every namespace of the domain.
 * Tenant Services stay ClusterIP (admission + the baseline's quota).
 *
 * Charts come from the domain registry's OCI mirror at pinned versions; every image is
 * overridden to the domain registry and pinned by digest (spec.ts `CHARTS`, `IMAGES`).
 */
import * as k8s from "../sdk/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { assertSameDomain, type CaHandle, type Cloud, type Domain, type NetworkHandle, type RegistryHandle, type TrustRootsHandle } from "../residency";
import { awsGateway } from "./aws";
import { azureGateway } from "./azure";
import { gcpGateway } from "./gcp";
import {
  CA_ISSUER,
  CA_SECRET,
  CERT_MANAGER_NAMESPACE,
  CHARTS,
  GATEWAY_NAMESPACE,
  GATEWAY_TIERS,
  TRUST_BUNDLE,
  TRUST_BUNDLE_KEY,
  ACME_ISSUER,
  acmeIssuerManifest,
  caIssuerManifest,
  certManagerValues,
  certificateManifests,
  chartRepository,
  envoyGatewayValues,
  envoyProxyManifest,
  gatewayClassManifest,
  gatewayCrdsValues,
  gatewayManifest,
  namespaceManifests,
  networkPolicyManifests,
  redirectRouteManifest,
  routeRbacManifests,
  serviceExposurePolicy,
  tenantListeners,
  trustBundleManifest,
  trustManagerValues,
  trustRoots,
  validateGatewaySpec,
  type AcmeSettings,
  type ChartKey,
  type ExposureZones,
  type GatewaySpec,
  type GatewayTier,
  type Manifest,
  type TenantExposure,
} from "./spec";

export * from "./spec";

const ADAPTERS: Record<Cloud, typeof awsGateway> = { aws: awsGateway, azure: azureGateway, gcp: gcpGateway };

export interface ClusterGatewayArgs<D extends Domain> {
  /** (Required) The residency domain; every handle must be of it. */
  readonly domain: D;
  /** (Required) The cluster's cloud: picks the load balancer annotations and API server ranges. */
  readonly cloud: Cloud;
  /** (Required) The cluster's own Kubernetes provider; every object goes through it. */
  readonly provider: k8s.Provider;
  /** (Required) Cluster name (messages, and the GKE control-plane range). */
  readonly clusterName: string;
  /** (Required) The cluster's network: its CIDR is where the private API endpoint lives. */
  readonly network: NetworkHandle<D>;
  /** (Required) The domain registry: chart mirror and every image. */
  readonly registry: RegistryHandle<D>;
  /** (Required) The domain PKI intermediate the CA ClusterIssuer signs with (key stays a secret). */
  readonly issuer: CaHandle<D>;
  /** (Required) The domain's roots for the trust bundle (current first, retiring ones during an overlap). */
  readonly trust: TrustRootsHandle<D>;
  /** (Optional) Public and private DNS zones; tenant hostnames are placed by zone. Defaults to none (no tenant listeners). */
  readonly zones?: ExposureZones;
  /** (Optional) Tenants on this cluster and their hostnames. Defaults to none. */
  readonly tenants?: readonly TenantExposure[];
  /** (Optional) ACME for the external Gateway's names. Defaults to off (the CA issuer signs everything). */
  readonly acme?: AcmeSettings;
  /** (Optional) Environment label on the namespaces. Defaults to `prod`. */
  readonly environment?: string;
  /** (Optional) Kubernetes minor for the Pod Security version labels. Defaults to `latest`. */
  readonly kubernetesVersion?: string;
  /** (Optional) API server CIDRs for the controllers' egress. Defaults to the cloud adapter's (network CIDR; plus the control-plane /28 on GKE). */
  readonly apiServerCidrs?: readonly string[];
  /** (Optional) Proxy replicas per Gateway, at least 2. Defaults to 2. */
  readonly replicas?: number;
  /** (Optional) What creates the tenant namespaces (the route-author bindings wait for it). Defaults to none. */
  readonly tenantNamespacesFrom?: readonly pulumi.Resource[];
}

/** Settle the defaults into the pure spec. */
export function gatewaySpec(args: Omit<ClusterGatewayArgs<Domain>, "provider" | "registry" | "issuer" | "trust" | "tenantNamespacesFrom">): GatewaySpec {
  const adapter = ADAPTERS[args.cloud];
  return {
    domain: args.domain,
    cloud: args.cloud,
    clusterName: args.clusterName,
    environment: args.environment ?? "prod",
    psaVersion: args.kubernetesVersion ? `v${args.kubernetesVersion}` : "latest",
    zones: args.zones ?? { external: [], internal: [] },
    tenants: args.tenants ?? [],
    acme: args.acme,
    apiServerCidrs: args.apiServerCidrs ?? adapter.apiServerCidrs(args.clusterName, args.network.cidr),
    loadBalancer: { external: adapter.loadBalancer("external"), internal: adapter.loadBalancer("internal") },
    replicas: args.replicas ?? 2,
  };
}

export class ClusterGateway<D extends Domain> extends pulumi.ComponentResource {
  /** The external Gateway's load balancer address (hostname or IP) once the cloud assigns it. */
  readonly externalAddress: pulumi.Output<string | undefined>;
  /** The internal Gateway's private load balancer address. */
  readonly internalAddress: pulumi.Output<string | undefined>;
  /** Tenant listeners: hostname → Gateway tier and issuer. */
  readonly listeners: pulumi.Output<Array<{ tenant: string; hostname: string; gateway: GatewayTier; issuer: string }>>;
  /** Chart versions installed. */
  readonly charts: Readonly<Record<ChartKey, string>>;

  constructor(name: string, args: ClusterGatewayArgs<D>, opts?: pulumi.ComponentResourceOptions) {
    super("meridian:gateway:ClusterGateway", name, {}, opts);
    for (const [what, handle] of [["network", args.network], ["registry", args.registry], ["issuer", args.issuer], ["trust", args.trust]] as const) {
      assertSameDomain(args.domain, handle, `ClusterGateway ${name}: ${what}`);
    }
    const spec = gatewaySpec(args);
    const problems = validateGatewaySpec(spec);
    if (problems.length > 0) throw new pulumi.InputPropertiesError({ message: `ClusterGateway ${name}: invalid arguments`, errors: problems });

    const o: pulumi.CustomResourceOptions = { parent: this, provider: args.provider };
    const prefix = pulumi.output(args.registry.imagePrefixes).apply((p) => {
      if (p.length === 0) throw new pulumi.ResourceError(`ClusterGateway ${name}: the domain registry has no image prefix`, this);
      return p[0];
    });
    const apply = (id: string, m: Manifest, extra: pulumi.CustomResourceOptions = {}) => manifestResource(`${name}-${id}`, m, { ...o, ...extra });

    const namespaces = namespaceManifests(spec).map((m) => new k8s.core.v1.Namespace(`${name}-ns-${m.metadata.name}`, { metadata: m.metadata }, o));
    const inNs: pulumi.CustomResourceOptions = { dependsOn: namespaces };
    for (const m of networkPolicyManifests(spec)) apply(`netpol-${m.metadata.namespace}-${m.metadata.name}`, m, inNs);

    const release = (key: ChartKey, namespace: string, values: pulumi.Input<object>, extra: Partial<k8s.helm.v3.ReleaseArgs>, deps: pulumi.Resource[]) =>
      new k8s.helm.v3.Release(
        `${name}-${key}`,
        {
          name: CHARTS[key].chart,
          chart: CHARTS[key].chart,
          version: CHARTS[key].version,
          namespace,
          repositoryOpts: { repo: prefix.apply(chartRepository) },
          values,
          atomic: true,
          ...extra,
        },
        { ...o, dependsOn: [...namespaces, ...deps] },
      );
    const crds = release("gatewayCrds", GATEWAY_NAMESPACE, gatewayCrdsValues(), {}, []);
    const envoy = release("envoyGateway", GATEWAY_NAMESPACE, prefix.apply(envoyGatewayValues), { skipCrds: true }, [crds]);
    const certManager = release("certManager", CERT_MANAGER_NAMESPACE, prefix.apply(certManagerValues), {}, [crds]);
    const trustManager = release("trustManager", CERT_MANAGER_NAMESPACE, prefix.apply(trustManagerValues), {}, [certManager]);
    this.charts = Object.fromEntries(Object.entries(CHARTS).map(([k, c]) => [k, c.version])) as Record<ChartKey, string>;

    // The domain intermediate, for the CA issuer: its key stays a Pulumi secret end to end.
    const caSecret = new k8s.core.v1.Secret(
      `${name}-ca-secret`,
      {
        metadata: { name: CA_SECRET, namespace: CERT_MANAGER_NAMESPACE, labels: { "app.kubernetes.io/part-of": "meridian-gateway" } },
        type: "kubernetes.io/tls",
        stringData: pulumi.secret(
          pulumi.all([args.issuer.certPem, args.issuer.privateKeyPem, pulumi.output(args.trust.rootCertPems)]).apply(([cert, key, roots]) => ({
            // The chain the issued certificates carry: intermediate, then the current root.
            "tls.crt": `${cert.trim()}\n${(roots[0] ?? "").trim()}\n`,
            "tls.key": key,
          })),
        ),
      },
      { ...o, dependsOn: namespaces },
    );
    const afterCertManager: pulumi.CustomResourceOptions = { dependsOn: [certManager, caSecret] };
    apply("issuer-ca", caIssuerManifest(), afterCertManager);
    if (spec.acme !== undefined) apply("issuer-acme", acmeIssuerManifest(spec.acme), afterCertManager);

    const roots = pulumi.output(args.trust.rootCertPems).apply((r) => {
      const distinct = trustRoots(r);
      if (distinct.length === 0) throw new pulumi.ResourceError(`ClusterGateway ${name}: the domain PKI exported no root`, this);
      return distinct;
    });
    const bundle = trustBundleManifest(spec.domain, []);
    new k8s.apiextensions.CustomResource(
      `${name}-trust-bundle`,
      { apiVersion: bundle.apiVersion, kind: bundle.kind, metadata: bundle.metadata, spec: roots.apply((r) => trustBundleManifest(spec.domain, r).spec as Record<string, unknown>) },
      { ...o, dependsOn: [trustManager] },
    );

    const afterEnvoy: pulumi.CustomResourceOptions = { dependsOn: [envoy] };
    const addresses: Partial<Record<GatewayTier, pulumi.Output<string | undefined>>> = {};
    for (const tier of GATEWAY_TIERS) {
      const proxyStatic = envoyProxyManifest(spec, tier, "pending/");
      const proxy = new k8s.apiextensions.CustomResource(
        `${name}-envoyproxy-${tier}`,
        { apiVersion: proxyStatic.apiVersion, kind: proxyStatic.kind, metadata: proxyStatic.metadata, spec: prefix.apply((p) => envoyProxyManifest(spec, tier, p).spec as Record<string, unknown>) },
        { ...o, ...afterEnvoy },
      );
      const gatewayClass = apply(`gatewayclass-${tier}`, gatewayClassManifest(tier), { dependsOn: [envoy, proxy] });
      const gw = gatewayManifest(spec, tier);
      const gateway = new k8s.apiextensions.CustomResource(
        `${name}-gateway-${tier}`,
        // `status: undefined` declares status as an output, so the load balancer address can be read.
        { apiVersion: gw.apiVersion, kind: gw.kind, metadata: gw.metadata, spec: gw.spec as Record<string, unknown>, status: undefined },
        { ...o, dependsOn: [gatewayClass, certManager] },
      );
      apply(`route-${tier}-redirect`, redirectRouteManifest(tier), { dependsOn: [gateway] });
      addresses[tier] = (gateway as unknown as { status: pulumi.Output<{ addresses?: Array<{ value?: string }> } | undefined> }).status.apply((s) => s?.addresses?.[0]?.value);
    }
    for (const m of certificateManifests(spec)) apply(`cert-${m.metadata.name}`, m, afterCertManager);
    for (const m of serviceExposurePolicy()) apply(`vap-${m.kind === "ValidatingAdmissionPolicy" ? "policy" : "binding"}`, m);
    for (const m of routeRbacManifests(spec)) {
      apply(`rbac-${m.metadata.namespace ?? "cluster"}-${m.kind.toLowerCase()}`, m, { dependsOn: [...(args.tenantNamespacesFrom ?? [])] });
    }

    this.externalAddress = addresses.external!;
    this.internalAddress = addresses.internal!;
    this.listeners = pulumi.output(tenantListeners(spec).map((l) => ({ tenant: l.tenant, hostname: l.hostname, gateway: l.tier, issuer: l.issuer })));
    this.registerOutputs({ externalAddress: this.externalAddress, internalAddress: this.internalAddress, listeners: this.listeners, charts: this.charts });
  }
}

/** What the service exports for other stacks (`services.exposure`). */
export const EXPOSURE_NAMES = { namespace: GATEWAY_NAMESPACE, caIssuer: CA_ISSUER, acmeIssuer: ACME_ISSUER, trustBundle: { configMap: TRUST_BUNDLE, key: TRUST_BUNDLE_KEY } } as const;

/** A static manifest as the matching typed resource (CustomResource for CRD kinds). */
function manifestResource(name: string, m: Manifest, opts: pulumi.CustomResourceOptions): pulumi.CustomResource {
  const { apiVersion: _a, kind: _k, ...rest } = m;
  switch (`${m.apiVersion}/${m.kind}`) {
    case "networking.k8s.io/v1/NetworkPolicy":
      return new k8s.networking.v1.NetworkPolicy(name, rest as k8s.networking.v1.NetworkPolicyArgs, opts);
    case "rbac.authorization.k8s.io/v1/ClusterRole":
      return new k8s.rbac.v1.ClusterRole(name, rest as k8s.rbac.v1.ClusterRoleArgs, opts);
    case "rbac.authorization.k8s.io/v1/RoleBinding":
      return new k8s.rbac.v1.RoleBinding(name, rest as unknown as k8s.rbac.v1.RoleBindingArgs, opts);
    case "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy":
      return new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(name, rest as k8s.admissionregistration.v1.ValidatingAdmissionPolicyArgs, opts);
    case "admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding":
      return new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(name, rest as k8s.admissionregistration.v1.ValidatingAdmissionPolicyBindingArgs, opts);
    default:
      return new k8s.apiextensions.CustomResource(name, { apiVersion: m.apiVersion, kind: m.kind, ...rest }, opts);
  }
}
