/**
 * The exposure path's data: pinned charts and images, typed Helm values, and the pure
 * manifests (Gateways, listeners, issuers, trust bundle, admission) the ClusterGateway
 * component applies. Nothing here talks to a cluster, so every rule is testable as data.
 *
 * Shape (docs/exposure.md, ADR-6): one portable controller (Envoy Gateway) on every workload
 * cluster, two Gateways in `meridian-gateway` — `external` (internet-facing load balancer)
 * and `internal` (a private load balancer in the domain network). Each Gateway has a plain
 * HTTP listener that only the platform's redirect route may attach to, and one HTTPS listener
 * per tenant hostname that only that tenant's namespaces may attach routes to. Certificates
 * come from cert-manager: a CA ClusterIssuer backed by the domain PKI's intermediate, or an
 * ACME issuer for public names where configured. trust-manager distributes the domain's
 * roots — old and new during a rotation overlap — to every namespace of the domain.
 */
import { z } from "zod";
import { namespaceManifests as baselineNamespaceManifests } from "../baseline/policies";
import type { Cloud, Domain } from "../residency";
import { GATEWAY_TIERS, tierOf, type ExposureZones, type GatewayTier } from "./zones";

export * from "./zones";

export const GATEWAY_NAMESPACE = "meridian-gateway";
export const CERT_MANAGER_NAMESPACE = "meridian-cert-manager";

/** The CA issuer backed by the domain PKI and the optional ACME issuer. */
export const CA_ISSUER = "meridian-domain-ca";
export const ACME_ISSUER = "meridian-acme";
/** The trust bundle: a ConfigMap of this name and key in every namespace of the domain. */
export const TRUST_BUNDLE = "meridian-domain-roots";
export const TRUST_BUNDLE_KEY = "ca.crt";
/** Gateway API allows at most 64 listeners per Gateway (the CRD's maxItems). */
export const MAX_LISTENERS = 64;

/**
 * Charts, pinned exactly, pulled from the domain registry's OCI chart mirror
 * (`oci://<registry prefix>charts/<chart>`). Mirrored there from the upstream named here.
 */
export const CHARTS = {
  gatewayCrds: { chart: "gateway-crds-helm", version: "v1.7.4", upstream: "oci://docker.io/envoyproxy/gateway-crds-helm" },
  envoyGateway: { chart: "gateway-helm", version: "v1.7.4", upstream: "oci://docker.io/envoyproxy/gateway-helm" },
  certManager: { chart: "cert-manager", version: "v1.20.2", upstream: "oci://quay.io/jetstack/charts/cert-manager" },
  trustManager: { chart: "trust-manager", version: "v0.26.0", upstream: "oci://quay.io/jetstack/charts/trust-manager" },
} as const;
export type ChartKey = keyof typeof CHARTS;

/**
 * Every image the exposure path runs, as a repository under the domain registry and a digest.
 * PLACEHOLDERS: the digests below are not the mirrored images' digests; fill them from the
 * domain mirror (`crane digest <prefix><repository>:<tag>`) when the images are mirrored.
 * They are well-formed so admission and the policy pack judge the real shape.
 */
export const IMAGES = {
  envoyGateway: { repository: "envoyproxy/gateway", tag: "v1.7.4", digest: placeholderDigest(1) },
  envoyProxy: { repository: "envoyproxy/envoy", tag: "distroless-v1.35.6", digest: placeholderDigest(2) },
  ratelimit: { repository: "envoyproxy/ratelimit", tag: "3fb70258", digest: placeholderDigest(3) },
  certManagerController: { repository: "jetstack/cert-manager-controller", tag: "v1.20.2", digest: placeholderDigest(4) },
  certManagerWebhook: { repository: "jetstack/cert-manager-webhook", tag: "v1.20.2", digest: placeholderDigest(5) },
  certManagerCainjector: { repository: "jetstack/cert-manager-cainjector", tag: "v1.20.2", digest: placeholderDigest(6) },
  certManagerStartupapicheck: { repository: "jetstack/cert-manager-startupapicheck", tag: "v1.20.2", digest: placeholderDigest(7) },
  certManagerAcmesolver: { repository: "jetstack/cert-manager-acmesolver", tag: "v1.20.2", digest: placeholderDigest(8) },
  trustManager: { repository: "jetstack/trust-manager", tag: "v0.26.0", digest: placeholderDigest(9) },
} as const;
export type ImageKey = keyof typeof IMAGES;

function placeholderDigest(n: number): string {
  return `sha256:${n.toString(16).padStart(64, "0")}`;
}

/** `<prefix><repository>@<digest>`: the only image reference form the charts receive. */
export function imageRef(prefix: string, key: ImageKey): string {
  return `${prefix}${IMAGES[key].repository}@${IMAGES[key].digest}`;
}

/** The chart mirror inside the domain registry: `oci://<host/path>charts`. */
export function chartRepository(prefix: string): string {
  return `oci://${prefix}charts`;
}

// ------------------------------------------------------------------------------------------
// Inputs.

/** A tenant as the Gateway sees it: who may attach routes, and for which hostnames. */
export interface TenantExposure {
  readonly name: string;
  /** IdP group bound to the route-author role in the tenant's namespaces. */
  readonly developersGroup: string;
  readonly namespaces: readonly string[];
  /** Hostnames the tenant's routes may claim (exact or `*.` wildcard). */
  readonly hostnames: readonly string[];
}

/** ACME for public names (external Gateway only; HTTP-01 through the external Gateway). */
export interface AcmeSettings {
  /** ACME directory URL (https). */
  readonly server: string;
  /** Account e-mail. */
  readonly email: string;
  /** IPv4 CIDRs of the ACME server, the only internet egress cert-manager gets (TCP 443). */
  readonly egressCidrs: readonly string[];
}

export interface GatewaySpec {
  readonly domain: Domain;
  readonly cloud: Cloud;
  readonly clusterName: string;
  readonly environment: string;
  readonly psaVersion: string;
  readonly zones: ExposureZones;
  readonly tenants: readonly TenantExposure[];
  readonly acme?: AcmeSettings;
  /** CIDRs where the cluster's API server endpoints live (controllers' only egress besides DNS). */
  readonly apiServerCidrs: readonly string[];
  /** Load balancer annotations per tier, from the cloud adapter. */
  readonly loadBalancer: Readonly<Record<GatewayTier, Readonly<Record<string, string>>>>;
  /** Proxy replicas per Gateway. */
  readonly replicas: number;
}

const HOSTNAME = /^(\*\.)?([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Pure validation of everything the Gateway is given; every problem at once. */
export function validateGatewaySpec(spec: GatewaySpec): Array<{ propertyPath: string; reason: string }> {
  const problems: Array<{ propertyPath: string; reason: string }> = [];
  for (const tier of GATEWAY_TIERS) {
    spec.zones[tier].forEach((z, i) => {
      if (!HOSTNAME.test(z) || z.startsWith("*.")) problems.push({ propertyPath: `zones.${tier}[${i}]`, reason: `"${z}" is not a DNS zone such as apps.example.com` });
    });
  }
  const claimed = new Map<string, string>();
  const perTier: Record<GatewayTier, number> = { external: 1, internal: 1 }; // the http listener
  spec.tenants.forEach((t, ti) => {
    if (t.namespaces.length === 0) problems.push({ propertyPath: `tenants[${ti}].namespaces`, reason: `tenant "${t.name}" has no namespace to attach routes from` });
    t.hostnames.forEach((h, hi) => {
      const path = `tenants[${ti}].hostnames[${hi}]`;
      if (!HOSTNAME.test(h)) {
        problems.push({ propertyPath: path, reason: `"${h}" is not a lower-case hostname (a leading "*." wildcard is allowed)` });
        return;
      }
      const owner = claimed.get(h);
      if (owner !== undefined) problems.push({ propertyPath: path, reason: `"${h}" is already claimed by tenant "${owner}"` });
      claimed.set(h, t.name);
      const placed = tierOf(h, spec.zones);
      if ("problem" in placed) {
        problems.push({ propertyPath: path, reason: placed.problem });
        return;
      }
      perTier[placed.tier] += 1;
      if (placed.tier === "external" && spec.acme !== undefined && h.startsWith("*.")) {
        problems.push({ propertyPath: path, reason: `"${h}" is a wildcard on the external Gateway, which uses ACME HTTP-01 (no wildcards); list the names` });
      }
    });
  });
  for (const tier of GATEWAY_TIERS) {
    if (perTier[tier] > MAX_LISTENERS) problems.push({ propertyPath: "tenants", reason: `the ${tier} Gateway would have ${perTier[tier]} listeners, above Gateway API's ${MAX_LISTENERS}` });
  }
  if (spec.acme !== undefined) {
    if (!/^https:\/\/[^\s/]+/.test(spec.acme.server)) problems.push({ propertyPath: "acme.server", reason: `"${spec.acme.server}" must be an https:// ACME directory URL` });
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(spec.acme.email)) problems.push({ propertyPath: "acme.email", reason: `"${spec.acme.email}" is not an e-mail address` });
    if (spec.acme.egressCidrs.length === 0) problems.push({ propertyPath: "acme.egressCidrs", reason: "name the ACME server's CIDRs: cert-manager gets no other internet egress" });
    spec.acme.egressCidrs.forEach((c, i) => {
      const m = CIDR.exec(c);
      if (m === null || Number(m[5]) < 8) problems.push({ propertyPath: `acme.egressCidrs[${i}]`, reason: `"${c}" must be an IPv4 CIDR of /8 or narrower` });
    });
  }
  if (spec.apiServerCidrs.length === 0) problems.push({ propertyPath: "apiServerCidrs", reason: "the controllers need the API server's CIDRs" });
  if (!Number.isInteger(spec.replicas) || spec.replicas < 2) problems.push({ propertyPath: "replicas", reason: `at least 2 proxies per Gateway, got ${spec.replicas}` });
  return problems;
}

// ------------------------------------------------------------------------------------------
// Helm values: typed and validated (zod) before they reach a chart. Every image must come
// from the domain registry, pinned by digest.

/**
 * One schema per registry prefix, built on first use: a zod schema is immutable, and building
 * one (and zod compiling its parser on first parse) cost more than the parse, once per stack.
 */
function perPrefix<S>(build: (prefix: string) => S): (prefix: string) => S {
  const built = new Map<string, S>();
  return (prefix) => {
    let schema = built.get(prefix);
    if (schema === undefined) built.set(prefix, (schema = build(prefix)));
    return schema;
  };
}

const domainImage = perPrefix((prefix: string) =>
  z
    .string()
    .refine((s) => s.startsWith(prefix), `an image from the domain registry ${prefix}`)
    .refine((s) => /@sha256:[0-9a-f]{64}$/.test(s), "pinned by digest (@sha256:...)"),
);

const securityContext = z.strictObject({
  runAsNonRoot: z.literal(true),
  allowPrivilegeEscalation: z.literal(false),
  readOnlyRootFilesystem: z.literal(true),
  capabilities: z.strictObject({ drop: z.tuple([z.literal("ALL")]) }),
  seccompProfile: z.strictObject({ type: z.literal("RuntimeDefault") }),
});
export const RESTRICTED_CONTAINER = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
} as const;

export const envoyGatewayValuesSchema = perPrefix((prefix: string) =>
  z.strictObject({
    global: z.strictObject({
      images: z.strictObject({
        envoyGateway: z.strictObject({ image: domainImage(prefix), pullPolicy: z.literal("IfNotPresent") }),
        ratelimit: z.strictObject({ image: domainImage(prefix), pullPolicy: z.literal("IfNotPresent") }),
      }),
    }),
    deployment: z.strictObject({ replicas: z.int().min(2), pod: z.strictObject({ labels: z.record(z.string(), z.string()) }) }),
    config: z.strictObject({
      envoyGateway: z.strictObject({
        gateway: z.strictObject({ controllerName: z.literal("gateway.envoyproxy.io/gatewayclass-controller") }),
        provider: z.strictObject({ type: z.literal("Kubernetes") }),
        logging: z.strictObject({ level: z.strictObject({ default: z.enum(["info", "warn", "error"]) }) }),
      }),
    }),
  }),
);
export type EnvoyGatewayValues = z.infer<ReturnType<typeof envoyGatewayValuesSchema>>;

export function envoyGatewayValues(prefix: string): EnvoyGatewayValues {
  return envoyGatewayValuesSchema(prefix).parse({
    global: {
      images: {
        envoyGateway: { image: imageRef(prefix, "envoyGateway"), pullPolicy: "IfNotPresent" },
        ratelimit: { image: imageRef(prefix, "ratelimit"), pullPolicy: "IfNotPresent" },
      },
    },
    deployment: { replicas: 2, pod: { labels: { "app.kubernetes.io/part-of": "meridian-gateway" } } },
    config: {
      envoyGateway: {
        gateway: { controllerName: "gateway.envoyproxy.io/gatewayclass-controller" },
        provider: { type: "Kubernetes" },
        logging: { level: { default: "info" } },
      },
    },
  });
}

// Standard channel only: experimental Gateway API kinds are not offered to tenants.
const gatewayCrdsSchema = z.strictObject({
  crds: z.strictObject({
    gatewayAPI: z.strictObject({ enabled: z.literal(true), channel: z.literal("standard") }),
    envoyGateway: z.strictObject({ enabled: z.literal(true) }),
  }),
});
export function gatewayCrdsValuesSchema() {
  return gatewayCrdsSchema;
}
export function gatewayCrdsValues() {
  return gatewayCrdsValuesSchema().parse({ crds: { gatewayAPI: { enabled: true, channel: "standard" }, envoyGateway: { enabled: true } } });
}

/** A chart's `{ repository, digest }` image: the domain registry, pinned by digest. */
const repositoryImage = perPrefix((prefix: string) =>
  z.strictObject({ repository: z.string(), digest: z.string() }).superRefine((v, ctx) => {
    const r = domainImage(prefix).safeParse(`${v.repository}@${v.digest}`);
    if (!r.success) ctx.addIssue({ code: "custom", message: r.error.issues[0]?.message ?? "not a domain image" });
  }),
);
const component = perPrefix((prefix: string) => z.strictObject({ image: repositoryImage(prefix) }));
const imageOf = (prefix: string, key: ImageKey) => ({ repository: `${prefix}${IMAGES[key].repository}`, digest: IMAGES[key].digest });

export const certManagerValuesSchema = perPrefix((prefix: string) =>
  z.strictObject({
    crds: z.strictObject({ enabled: z.literal(true), keep: z.literal(true) }),
    replicaCount: z.int().min(2),
    image: repositoryImage(prefix),
    webhook: component(prefix),
    cainjector: component(prefix),
    startupapicheck: component(prefix),
    acmesolver: component(prefix),
    containerSecurityContext: securityContext,
    global: z.strictObject({ leaderElection: z.strictObject({ namespace: z.literal(CERT_MANAGER_NAMESPACE) }) }),
    config: z.strictObject({
      apiVersion: z.literal("controller.config.cert-manager.io/v1alpha1"),
      kind: z.literal("ControllerConfiguration"),
      enableGatewayAPI: z.literal(true),
    }),
    prometheus: z.strictObject({ enabled: z.boolean() }),
  }),
);
export type CertManagerValues = z.infer<ReturnType<typeof certManagerValuesSchema>>;

export function certManagerValues(prefix: string): CertManagerValues {
  return certManagerValuesSchema(prefix).parse({
    crds: { enabled: true, keep: true },
    replicaCount: 2,
    image: imageOf(prefix, "certManagerController"),
    webhook: { image: imageOf(prefix, "certManagerWebhook") },
    cainjector: { image: imageOf(prefix, "certManagerCainjector") },
    startupapicheck: { image: imageOf(prefix, "certManagerStartupapicheck") },
    acmesolver: { image: imageOf(prefix, "certManagerAcmesolver") },
    containerSecurityContext: RESTRICTED_CONTAINER,
    global: { leaderElection: { namespace: CERT_MANAGER_NAMESPACE } },
    // Lets ACME HTTP-01 solve through the Gateway (an HTTPRoute on the external Gateway's http listener).
    config: { apiVersion: "controller.config.cert-manager.io/v1alpha1", kind: "ControllerConfiguration", enableGatewayAPI: true },
    prometheus: { enabled: true },
  });
}

export const trustManagerValuesSchema = perPrefix((prefix: string) =>
  z.strictObject({
    crds: z.strictObject({ enabled: z.literal(true), keep: z.literal(true) }),
    replicaCount: z.int().min(2),
    image: repositoryImage(prefix),
    // No public CA package: the bundle carries the domain's roots only.
    defaultPackage: z.strictObject({ enabled: z.literal(false) }),
    app: z.strictObject({ trust: z.strictObject({ namespace: z.literal(CERT_MANAGER_NAMESPACE) }) }),
  }),
);
export type TrustManagerValues = z.infer<ReturnType<typeof trustManagerValuesSchema>>;

export function trustManagerValues(prefix: string): TrustManagerValues {
  return trustManagerValuesSchema(prefix).parse({
    crds: { enabled: true, keep: true },
    replicaCount: 2,
    image: imageOf(prefix, "trustManager"),
    defaultPackage: { enabled: false },
    app: { trust: { namespace: CERT_MANAGER_NAMESPACE } },
  });
}

// ------------------------------------------------------------------------------------------
// Manifests.

export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  readonly [k: string]: unknown;
}

const PART_OF = { "app.kubernetes.io/part-of": "meridian-gateway" };

/** The two platform namespaces, labelled by the baseline's own rule for platform namespaces (restricted). */
export function namespaceManifests(spec: GatewaySpec): Manifest[] {
  return baselineNamespaceManifests({
    domain: spec.domain,
    clusterName: spec.clusterName,
    clusterRole: "workload",
    environment: spec.environment,
    psaVersion: spec.psaVersion,
    imagePrefixes: [],
    tenants: [],
    platformNamespaces: [GATEWAY_NAMESPACE, CERT_MANAGER_NAMESPACE].map((name) => ({ name, enforce: "restricted" as const })),
    managedNamespaces: [],
    groups: { platformAdmins: [], platformOperators: [], auditors: [] },
    addons: [],
  });
}

/** Envoy listens on the listener port + 10000 when the port is privileged (80 → 10080, 443 → 10443). */
const PROXY_PORTS = [10080, 10443];
const TENANT_NAMESPACES = { namespaceSelector: { matchLabels: { "meridian.io/tier": "tenant" } } };

function netpol(namespace: string, name: string, spec: Record<string, unknown>): Manifest {
  return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace, labels: PART_OF }, spec };
}

/**
 * Default deny in both namespaces, then: DNS; the API server for the controllers; the proxies
 * take 80/443 from anywhere (they are the load balancers' backends) and reach tenant pods
 * only; cert-manager reaches the ACME server only when ACME is on.
 */
export function networkPolicyManifests(spec: GatewaySpec): Manifest[] {
  const dns = { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }], ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }] };
  const api = { to: spec.apiServerCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: "TCP", port: 443 }] };
  const base = (ns: string) => [
    netpol(ns, "default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
    netpol(ns, "allow-dns-egress", { podSelector: {}, policyTypes: ["Egress"], egress: [dns] }),
    netpol(ns, "allow-apiserver-egress", { podSelector: {}, policyTypes: ["Egress"], egress: [api] }),
  ];
  const proxies = { matchLabels: { "app.kubernetes.io/managed-by": "envoy-gateway", "app.kubernetes.io/component": "proxy" } };
  const result = [
    ...base(GATEWAY_NAMESPACE),
    netpol(GATEWAY_NAMESPACE, "allow-proxy-listeners", { podSelector: proxies, policyTypes: ["Ingress"], ingress: [{ ports: PROXY_PORTS.map((port) => ({ protocol: "TCP", port })) }] }),
    netpol(GATEWAY_NAMESPACE, "allow-proxy-to-tenants", { podSelector: proxies, policyTypes: ["Egress"], egress: [{ to: [TENANT_NAMESPACES] }] }),
    // Proxies fetch their configuration (xDS) from the controller in the same namespace.
    netpol(GATEWAY_NAMESPACE, "allow-xds", { podSelector: { matchLabels: { "app.kubernetes.io/name": "gateway-helm" } }, policyTypes: ["Ingress"], ingress: [{ from: [{ podSelector: proxies }], ports: [{ protocol: "TCP", port: 18000 }] }] }),
    netpol(GATEWAY_NAMESPACE, "allow-proxy-to-xds", { podSelector: proxies, policyTypes: ["Egress"], egress: [{ to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "gateway-helm" } } }], ports: [{ protocol: "TCP", port: 18000 }] }] }),
    ...base(CERT_MANAGER_NAMESPACE),
    // The API server calls the cert-manager webhook (10250) and trust-manager's (6443).
    netpol(CERT_MANAGER_NAMESPACE, "allow-cert-manager-webhook", { podSelector: { matchLabels: { "app.kubernetes.io/component": "webhook" } }, policyTypes: ["Ingress"], ingress: [{ from: spec.apiServerCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: "TCP", port: 10250 }] }] }),
    netpol(CERT_MANAGER_NAMESPACE, "allow-trust-manager-webhook", { podSelector: { matchLabels: { "app.kubernetes.io/name": "trust-manager" } }, policyTypes: ["Ingress"], ingress: [{ from: spec.apiServerCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: "TCP", port: 6443 }] }] }),
  ];
  if (spec.acme !== undefined) {
    result.push(netpol(CERT_MANAGER_NAMESPACE, "allow-acme-egress", { podSelector: { matchLabels: { "app.kubernetes.io/component": "controller" } }, policyTypes: ["Egress"], egress: [{ to: spec.acme.egressCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: "TCP", port: 443 }] }] }));
  }
  return result;
}

/** A tenant listener's name: `t-<tenant>-<n>` (section names are DNS labels). */
export function listenerName(tenant: string, index: number): string {
  return `t-${tenant}-${index}`.slice(0, 63);
}

export interface TenantListener {
  readonly tenant: string;
  readonly name: string;
  readonly hostname: string;
  readonly tier: GatewayTier;
  readonly secretName: string;
  readonly issuer: string;
}

/** Every tenant hostname as a listener on its Gateway (call after validation). */
export function tenantListeners(spec: GatewaySpec): TenantListener[] {
  return spec.tenants.flatMap((t) =>
    t.hostnames.map((hostname, i) => {
      const placed = tierOf(hostname, spec.zones);
      if ("problem" in placed) throw new Error(placed.problem);
      const name = listenerName(t.name, i);
      return { tenant: t.name, name, hostname, tier: placed.tier, secretName: `${placed.tier}-${name}-tls`, issuer: placed.tier === "external" && spec.acme !== undefined ? ACME_ISSUER : CA_ISSUER };
    }),
  );
}

export function gatewayClassName(tier: GatewayTier): string {
  return `meridian-${tier}`;
}

/** The proxies' infrastructure per tier: restricted pods, pinned image, the cloud's load balancer. */
export function envoyProxyManifest(spec: GatewaySpec, tier: GatewayTier, prefix: string): Manifest {
  return {
    apiVersion: "gateway.envoyproxy.io/v1alpha1",
    kind: "EnvoyProxy",
    metadata: { name: tier, namespace: GATEWAY_NAMESPACE, labels: PART_OF },
    spec: {
      provider: {
        type: "Kubernetes",
        kubernetes: {
          envoyDeployment: {
            replicas: spec.replicas,
            container: { image: imageRef(prefix, "envoyProxy"), securityContext: RESTRICTED_CONTAINER },
            // Envoy Gateway sets app.kubernetes.io/name (its selector); only add to it.
            pod: { labels: { ...PART_OF, "meridian.io/gateway-tier": tier } },
          },
          envoyService: {
            type: "LoadBalancer",
            // Local keeps the client address and avoids a second hop to another node.
            externalTrafficPolicy: "Local",
            annotations: { ...spec.loadBalancer[tier] },
          },
        },
      },
    },
  };
}

export function gatewayClassManifest(tier: GatewayTier): Manifest {
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "GatewayClass",
    metadata: { name: gatewayClassName(tier), labels: PART_OF },
    spec: {
      controllerName: "gateway.envoyproxy.io/gatewayclass-controller",
      parametersRef: { group: "gateway.envoyproxy.io", kind: "EnvoyProxy", name: tier, namespace: GATEWAY_NAMESPACE },
    },
  };
}

/**
 * A Gateway: the `http` listener admits routes from its own namespace only (the platform's
 * redirect, and cert-manager's HTTP-01 solver); each tenant listener admits HTTPRoutes from
 * that tenant's namespaces only, so no tenant can claim another's hostname.
 */
export function gatewayManifest(spec: GatewaySpec, tier: GatewayTier): Manifest {
  const listeners = tenantListeners(spec).filter((l) => l.tier === tier);
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "Gateway",
    metadata: {
      name: tier,
      namespace: GATEWAY_NAMESPACE,
      labels: { ...PART_OF, "meridian.io/gateway-tier": tier },
      // Wait for the load balancer address, so the stack exports a real one.
      annotations: { "pulumi.com/waitFor": "jsonpath={.status.addresses[0].value}" },
    },
    spec: {
      gatewayClassName: gatewayClassName(tier),
      listeners: [
        { name: "http", protocol: "HTTP", port: 80, allowedRoutes: { namespaces: { from: "Same" }, kinds: [{ kind: "HTTPRoute" }] } },
        ...listeners.map((l) => ({
          name: l.name,
          protocol: "HTTPS",
          port: 443,
          hostname: l.hostname,
          tls: { mode: "Terminate", certificateRefs: [{ kind: "Secret", name: l.secretName }] },
          allowedRoutes: {
            namespaces: { from: "Selector", selector: { matchLabels: { tenant: l.tenant, "meridian.io/tier": "tenant" } } },
            kinds: [{ kind: "HTTPRoute" }],
          },
        })),
      ],
    },
  };
}

/** HTTP → HTTPS, 301, for every hostname on the Gateway's plain listener. */
export function redirectRouteManifest(tier: GatewayTier): Manifest {
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "HTTPRoute",
    metadata: { name: `${tier}-https-redirect`, namespace: GATEWAY_NAMESPACE, labels: PART_OF },
    spec: {
      parentRefs: [{ name: tier, sectionName: "http" }],
      rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
    },
  };
}

/** A Certificate per tenant listener, in the Gateway namespace (same-namespace certificateRefs). */
export function certificateManifests(spec: GatewaySpec): Manifest[] {
  return tenantListeners(spec).map((l) => ({
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: { name: l.secretName.replace(/-tls$/, ""), namespace: GATEWAY_NAMESPACE, labels: { ...PART_OF, tenant: l.tenant } },
    spec: {
      secretName: l.secretName,
      dnsNames: [l.hostname],
      issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: l.issuer },
      // 90 days, renewed 30 days before expiry: a rotated issuer reaches every listener within 60 days.
      duration: "2160h",
      renewBefore: "720h",
      privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
    },
  }));
}

/** The CA issuer reads the domain intermediate from this Secret in cert-manager's namespace. */
export const CA_SECRET = "meridian-domain-ca";

export function caIssuerManifest(): Manifest {
  return { apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: { name: CA_ISSUER, labels: PART_OF }, spec: { ca: { secretName: CA_SECRET } } };
}

export function acmeIssuerManifest(acme: AcmeSettings): Manifest {
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "ClusterIssuer",
    metadata: { name: ACME_ISSUER, labels: PART_OF },
    spec: {
      acme: {
        server: acme.server,
        email: acme.email,
        privateKeySecretRef: { name: `${ACME_ISSUER}-account` },
        solvers: [{ http01: { gatewayHTTPRoute: { parentRefs: [{ name: "external", namespace: GATEWAY_NAMESPACE, kind: "Gateway", sectionName: "http" }] } } }],
      },
    },
  };
}

/**
 * The domain's roots in every namespace of the domain (ConfigMap `meridian-domain-roots`,
 * key `ca.crt`): the current root and, during a rotation overlap, the retiring ones.
 */
export function trustBundleManifest(domain: Domain, roots: readonly string[]): Manifest {
  return {
    apiVersion: "trust.cert-manager.io/v1alpha1",
    kind: "Bundle",
    metadata: { name: TRUST_BUNDLE, labels: PART_OF },
    spec: {
      sources: roots.map((pem) => ({ inLine: pem })),
      target: { configMap: { key: TRUST_BUNDLE_KEY }, namespaceSelector: { matchLabels: { residency: domain } } },
    },
  };
}

/** Distinct PEM certificates, current root first. */
export function trustRoots(roots: readonly string[]): string[] {
  const seen = new Set<string>();
  return roots.map((r) => r.trim() + "\n").filter((r) => (seen.has(r) ? false : (seen.add(r), true)));
}

export const SERVICE_EXPOSURE_POLICY = "meridian-tenant-service-exposure";

/**
 * Admission: tenants expose through the Gateway only. The baseline's quota (0 load balancers,
 * 0 node ports) already refuses these; this says why, and also covers updates of existing Services.
 */
export function serviceExposurePolicy(): Manifest[] {
  return [
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicy",
      metadata: { name: SERVICE_EXPOSURE_POLICY, labels: PART_OF },
      spec: {
        failurePolicy: "Fail",
        matchConstraints: {
          resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["services"] }],
          namespaceSelector: { matchLabels: { "meridian.io/tier": "tenant" } },
        },
        validations: [
          {
            expression: "!has(object.spec.type) || !(object.spec.type in ['LoadBalancer', 'NodePort'])",
            message: "tenant Services are ClusterIP only: expose through the platform Gateway with an HTTPRoute (docs/exposure.md)",
            reason: "Forbidden",
          },
        ],
      },
    },
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicyBinding",
      metadata: { name: SERVICE_EXPOSURE_POLICY, labels: PART_OF },
      spec: { policyName: SERVICE_EXPOSURE_POLICY, validationActions: ["Deny"] },
    },
  ];
}

export const ROUTE_AUTHOR_ROLE = "meridian:tenant-route-author";

/** Tenants may write HTTPRoutes in their own namespaces (attachment is the Gateway's decision). */
export function routeRbacManifests(spec: GatewaySpec): Manifest[] {
  return [
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: ROUTE_AUTHOR_ROLE, labels: PART_OF },
      rules: [
        { apiGroups: ["gateway.networking.k8s.io"], resources: ["httproutes"], verbs: ["get", "list", "watch", "create", "update", "patch", "delete"] },
        { apiGroups: ["gateway.networking.k8s.io"], resources: ["httproutes/status"], verbs: ["get", "list", "watch"] },
      ],
    },
    ...spec.tenants.flatMap((t) =>
      t.namespaces.map((ns) => ({
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: "meridian:tenant-route-author", namespace: ns, labels: PART_OF },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: ROUTE_AUTHOR_ROLE },
        subjects: [{ kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: t.developersGroup }],
      })),
    ),
  ];
}
