/**
 * ClusterGateway under mocks on all three clouds: pinned charts from the domain mirror, every
 * image from the domain registry by digest, the CA issuer fed by the domain intermediate (key a
 * secret), HTTP only as a redirect, tenant listeners admitting only their own tenant, the
 * cloud's internal load balancer on the internal Gateway, both roots in the trust bundle
 * during an overlap, tenant Services refused as LoadBalancer/NodePort.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are asserted as the untyped JSON the mock records */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { MockRecord as MockRecordLike } from "../../../automation/plan/mock-cloud";
import { findAll, installMocks, settle, unwrapSecret, valueOf } from "../../support/mocks";

const cloud = installMocks({ stack: "eu-workload-aws" });

import {
  CA_SECRET,
  CHARTS,
  ClusterGateway,
  GATEWAY_NAMESPACE,
  CERT_MANAGER_NAMESPACE,
  serviceExposurePolicy,
  type ClusterGatewayArgs,
} from "../../../components/gateway";
import { defaultMasterCidr } from "../../../components/cluster/gke";
import { claimResident, type Cloud } from "../../../components/residency";
import { evaluatePolicies } from "../baseline/cel";
import type { AdmissionPolicySpec } from "../../../components/baseline";

const ROOT_NEW = "-----BEGIN CERTIFICATE-----\nTkVXUk9PVA==\n-----END CERTIFICATE-----\n";
const ROOT_OLD = "-----BEGIN CERTIFICATE-----\nT0xEUk9PVA==\n-----END CERTIFICATE-----\n";
const INTERMEDIATE = "-----BEGIN CERTIFICATE-----\nR0FURVdBWQ==\n-----END CERTIFICATE-----\n";
const INTERMEDIATE_KEY = "-----BEGIN EC PRIVATE KEY-----\nS0VZ\n-----END EC PRIVATE KEY-----\n";

const PREFIX: Record<Cloud, string> = {
  aws: "123456789012.dkr.ecr.eu-central-1.amazonaws.com/",
  azure: "meridianeu.azurecr.io/",
  gcp: "europe-west1-docker.pkg.dev/meridian-eu-prod/platform/",
};

function argsFor(c: Cloud, extra: Partial<ClusterGatewayArgs<"eu">> = {}): ClusterGatewayArgs<"eu"> {
  const provider = new k8s.Provider(`eu-workload-${c}-k8s`, { kubeconfig: pulumi.secret("apiVersion: v1"), clusterIdentifier: `meridian:eu:eu-workload-${c}` });
  return {
    domain: "eu",
    cloud: c,
    provider,
    clusterName: `eu-workload-${c}`,
    network: claimResident("eu", { cloud: c, region: "eu", networkId: "net", privateSubnetIds: ["s"], cidr: `10.${c.length}.0.0/16` }),
    registry: claimResident("eu", { cloud: c, region: "eu", imagePrefixes: [PREFIX[c]] }),
    issuer: claimResident("eu", { purpose: "gateway", certPem: INTERMEDIATE, privateKeyPem: pulumi.secret(INTERMEDIATE_KEY) }),
    trust: claimResident("eu", { rootCertPems: [ROOT_NEW, ROOT_OLD] }),
    zones: { external: ["apps.eu.example.com"], internal: ["eu.internal.example"] },
    tenants: [
      { name: "payments", developersGroup: "eu-payments-devs", namespaces: ["payments", "payments-batch"], hostnames: ["pay.apps.eu.example.com", "*.pay.eu.internal.example"] },
      { name: "search", developersGroup: "eu-search-devs", namespaces: ["search"], hostnames: ["search.apps.eu.example.com"] },
    ],
    kubernetesVersion: "1.33",
    ...extra,
  };
}

const gateways: Record<Cloud, ClusterGateway<"eu">> = {
  aws: new ClusterGateway("eu-workload-aws-exposure", argsFor("aws", { acme: { server: "https://acme.example.org/directory", email: "pki@eu.example.com", egressCidrs: ["203.0.113.0/24"] } })),
  azure: new ClusterGateway("eu-workload-azure-exposure", argsFor("azure")),
  gcp: new ClusterGateway("eu-workload-gcp-exposure", argsFor("gcp")),
};

beforeAll(settle);

const CLOUDS: Cloud[] = ["aws", "azure", "gcp"];
const of = (c: Cloud) => cloud.records.filter((r) => r.name.startsWith(`eu-workload-${c}-exposure`));
const kind = (c: Cloud, type: string) => of(c).filter((r) => r.type === type);
const md = (r: MockRecordLike) => r.inputs.metadata as { name: string; namespace?: string; labels?: Record<string, string> };
const spec = (r: MockRecordLike) => r.inputs.spec as Record<string, any>;
const byName = (c: Cloud, type: string, name: string) => {
  const found = kind(c, type).filter((r) => md(r).name === name);
  if (found.length !== 1) throw new Error(`expected one ${type} ${name} on ${c}, found ${found.length}`);
  return found[0];
};

/** Every string in a values tree that looks like an image reference or repository. */
function images(values: unknown, path = ""): Array<{ path: string; value: string }> {
  if (Array.isArray(values)) return values.flatMap((v, i) => images(v, `${path}[${i}]`));
  if (values !== null && typeof values === "object") {
    const o = values as Record<string, unknown>;
    if (typeof o.repository === "string") return [{ path, value: `${o.repository}@${String(o.digest)}` }];
    return Object.entries(o).flatMap(([k, v]) => (k === "image" && typeof v === "string" ? [{ path: `${path}.${k}`, value: v }] : images(v, `${path}.${k}`)));
  }
  return [];
}

describe.each(CLOUDS)("on %s", (c) => {
  it("sends every Kubernetes object through the cluster's own provider", () => {
    expect(of(c).length).toBeGreaterThan(30);
    const objects = of(c).filter((r) => r.type !== "meridian:gateway:ClusterGateway");
    expect(objects.every((r) => r.type.startsWith("kubernetes:"))).toBe(true);
    for (const r of objects) expect(r.provider?.inputs.clusterIdentifier).toBe(`meridian:eu:eu-workload-${c}`);
  });

  it("installs the four charts at their pinned versions from the domain registry's chart mirror", () => {
    const releases = kind(c, "kubernetes:helm.sh/v3:Release");
    expect(releases.map((r) => r.inputs.chart).sort()).toEqual(Object.values(CHARTS).map((x) => x.chart).sort());
    for (const r of releases) {
      const pinned = Object.values(CHARTS).find((x) => x.chart === r.inputs.chart)!;
      expect(r.inputs.version).toBe(pinned.version);
      expect((r.inputs.repositoryOpts as { repo: string }).repo).toBe(`oci://${PREFIX[c]}charts`);
    }
  });

  it("overrides every image in the chart values to the domain registry, pinned by digest", () => {
    const releases = kind(c, "kubernetes:helm.sh/v3:Release").filter((r) => r.inputs.chart !== CHARTS.gatewayCrds.chart);
    const all = releases.flatMap((r) => images(r.inputs.values));
    // envoy-gateway: 2 images; cert-manager: controller, webhook, cainjector, startupapicheck, acmesolver; trust-manager: 1.
    expect(all).toHaveLength(8);
    for (const img of all) expect(img.value).toMatch(new RegExp(`^${PREFIX[c].replace(/[.]/g, "\\.")}[a-z/-]+@sha256:[0-9a-f]{64}$`));
    for (const proxy of kind(c, "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy")) {
      expect(spec(proxy).provider.kubernetes.envoyDeployment.container.image).toMatch(new RegExp(`^${PREFIX[c].replace(/[.]/g, "\\.")}envoyproxy/envoy@sha256:`));
    }
  });

  it("backs the CA ClusterIssuer with the domain intermediate; the key stays a secret", () => {
    const secret = kind(c, "kubernetes:core/v1:Secret");
    expect(secret).toHaveLength(1);
    expect(md(secret[0])).toMatchObject({ name: CA_SECRET, namespace: CERT_MANAGER_NAMESPACE });
    const data = unwrapSecret(secret[0].inputs.stringData);
    expect(data.secret).toBe(true);
    const { "tls.crt": crt, "tls.key": key } = data.value as Record<string, string>;
    expect(key).toBe(INTERMEDIATE_KEY);
    expect(crt).toBe(`${INTERMEDIATE.trim()}\n${ROOT_NEW.trim()}\n`);
    const issuer = byName(c, "kubernetes:cert-manager.io/v1:ClusterIssuer", "meridian-domain-ca");
    expect(spec(issuer)).toEqual({ ca: { secretName: CA_SECRET } });
  });

  it("offers plain HTTP only to the platform's 301 redirect to HTTPS", () => {
    for (const tier of ["external", "internal"]) {
      const gw = byName(c, "kubernetes:gateway.networking.k8s.io/v1:Gateway", tier);
      const http = spec(gw).listeners.filter((l: any) => l.protocol === "HTTP");
      expect(http).toEqual([{ name: "http", protocol: "HTTP", port: 80, allowedRoutes: { namespaces: { from: "Same" }, kinds: [{ kind: "HTTPRoute" }] } }]);
      for (const l of spec(gw).listeners.filter((x: any) => x.protocol !== "HTTP")) {
        expect(l).toMatchObject({ protocol: "HTTPS", port: 443, tls: { mode: "Terminate" } });
      }
      const route = byName(c, "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", `${tier}-https-redirect`);
      expect(spec(route)).toEqual({
        parentRefs: [{ name: tier, sectionName: "http" }],
        rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
      });
    }
  });

  it("lets each tenant attach routes only to its own hostnames, on the Gateway its zone names", () => {
    const listeners = (tier: string) => spec(byName(c, "kubernetes:gateway.networking.k8s.io/v1:Gateway", tier)).listeners.filter((l: any) => l.name !== "http");
    expect(listeners("external").map((l: any) => [l.hostname, l.allowedRoutes.namespaces.selector.matchLabels.tenant])).toEqual([
      ["pay.apps.eu.example.com", "payments"],
      ["search.apps.eu.example.com", "search"],
    ]);
    expect(listeners("internal").map((l: any) => [l.hostname, l.allowedRoutes.namespaces.selector.matchLabels.tenant])).toEqual([["*.pay.eu.internal.example", "payments"]]);
    for (const l of [...listeners("external"), ...listeners("internal")]) {
      expect(l.allowedRoutes.namespaces).toMatchObject({ from: "Selector", selector: { matchLabels: { "meridian.io/tier": "tenant" } } });
      expect(l.allowedRoutes.kinds).toEqual([{ kind: "HTTPRoute" }]);
    }
    // Route authors: each tenant namespace, that tenant's group only.
    const bindings = kind(c, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding").map((r) => [md(r).namespace, (r.inputs.subjects as Array<{ name: string }>)[0].name]);
    expect(bindings.sort()).toEqual([["payments", "eu-payments-devs"], ["payments-batch", "eu-payments-devs"], ["search", "eu-search-devs"]]);
  });

  it("puts the internal Gateway behind the cloud's private load balancer and the external one on a public one", () => {
    const annotations = (tier: string) => spec(byName(c, "kubernetes:gateway.envoyproxy.io/v1alpha1:EnvoyProxy", tier)).provider.kubernetes.envoyService.annotations as Record<string, string>;
    const internalKey = { aws: "service.beta.kubernetes.io/aws-load-balancer-internal", azure: "service.beta.kubernetes.io/azure-load-balancer-internal", gcp: "networking.gke.io/load-balancer-type" }[c];
    expect(annotations("internal")[internalKey]).toBe(c === "gcp" ? "Internal" : "true");
    expect(annotations("external")[internalKey]).toBeUndefined();
    const classes = kind(c, "kubernetes:gateway.networking.k8s.io/v1:GatewayClass").map((r) => spec(r).parametersRef);
    expect(classes).toEqual([
      { group: "gateway.envoyproxy.io", kind: "EnvoyProxy", name: "external", namespace: GATEWAY_NAMESPACE },
      { group: "gateway.envoyproxy.io", kind: "EnvoyProxy", name: "internal", namespace: GATEWAY_NAMESPACE },
    ]);
  });

  it("distributes old and new roots to every namespace of the domain during an overlap", () => {
    const bundle = kind(c, "kubernetes:trust.cert-manager.io/v1alpha1:Bundle");
    expect(bundle).toHaveLength(1);
    expect(spec(bundle[0])).toEqual({
      sources: [{ inLine: ROOT_NEW }, { inLine: ROOT_OLD }],
      target: { configMap: { key: "ca.crt" }, namespaceSelector: { matchLabels: { residency: "eu" } } },
    });
  });

  it("default-denies its namespaces and opens only DNS, the API server, the listeners and tenant backends", () => {
    const pols = kind(c, "kubernetes:networking.k8s.io/v1:NetworkPolicy");
    for (const ns of [GATEWAY_NAMESPACE, CERT_MANAGER_NAMESPACE]) {
      const deny = pols.find((p) => md(p).namespace === ns && md(p).name === "default-deny")!;
      expect(spec(deny)).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    }
    const cidrs = JSON.stringify(pols.map((p) => p.inputs.spec)).match(/"cidr":"[^"]+"/g) ?? [];
    expect(cidrs.some((x) => x.includes("0.0.0.0/0"))).toBe(false);
    const api = pols.find((p) => md(p).namespace === GATEWAY_NAMESPACE && md(p).name === "allow-apiserver-egress")!;
    const apiCidrs = spec(api).egress[0].to.map((t: any) => t.ipBlock.cidr);
    expect(apiCidrs).toEqual(c === "gcp" ? [`10.3.0.0/16`, defaultMasterCidr("eu-workload-gcp")] : [`10.${c.length}.0.0/16`]);
    const toTenants = pols.find((p) => md(p).name === "allow-proxy-to-tenants")!;
    expect(spec(toTenants).egress).toEqual([{ to: [{ namespaceSelector: { matchLabels: { "meridian.io/tier": "tenant" } } }] }]);
    const acme = pols.filter((p) => md(p).name === "allow-acme-egress");
    expect(acme.map((p) => spec(p).egress[0].to[0].ipBlock.cidr)).toEqual(c === "aws" ? ["203.0.113.0/24"] : []);
  });

  it("labels both namespaces with the domain and Pod Security restricted", () => {
    const nss = kind(c, "kubernetes:core/v1:Namespace");
    expect(nss.map((n) => md(n).name).sort()).toEqual([CERT_MANAGER_NAMESPACE, GATEWAY_NAMESPACE]);
    for (const n of nss) expect(md(n).labels).toMatchObject({ residency: "eu", "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "v1.33" });
  });

  it("exports the Gateways' load balancer addresses", async () => {
    await expect(valueOf(gateways[c].externalAddress)).resolves.toMatch(/\.gateway\.mock\.invalid$/);
    await expect(valueOf(gateways[c].internalAddress)).resolves.toMatch(/\.gateway\.mock\.invalid$/);
    expect(await valueOf(gateways[c].externalAddress)).not.toBe(await valueOf(gateways[c].internalAddress));
  });
});

it("uses ACME for public names only where configured, solving through the external Gateway's http listener", () => {
  const acme = kind("aws", "kubernetes:cert-manager.io/v1:ClusterIssuer").find((r) => md(r).name === "meridian-acme")!;
  expect(spec(acme).acme).toMatchObject({ server: "https://acme.example.org/directory", solvers: [{ http01: { gatewayHTTPRoute: { parentRefs: [{ name: "external", namespace: GATEWAY_NAMESPACE, kind: "Gateway", sectionName: "http" }] } } }] });
  expect(kind("azure", "kubernetes:cert-manager.io/v1:ClusterIssuer").map((r) => md(r).name)).toEqual(["meridian-domain-ca"]);
  const issuers = (c: Cloud) => kind(c, "kubernetes:cert-manager.io/v1:Certificate").map((r) => [spec(r).dnsNames[0], spec(r).issuerRef.name]);
  expect(issuers("aws")).toEqual([
    ["pay.apps.eu.example.com", "meridian-acme"],
    ["*.pay.eu.internal.example", "meridian-domain-ca"],
    ["search.apps.eu.example.com", "meridian-acme"],
  ]);
  expect(issuers("gcp").every(([, issuer]) => issuer === "meridian-domain-ca")).toBe(true);
});

it("refuses tenant LoadBalancer and NodePort Services at admission, and admits ClusterIP", () => {
  const [policy, binding] = serviceExposurePolicy();
  expect(binding.spec).toEqual({ policyName: policy.metadata.name, validationActions: ["Deny"] });
  expect((policy.spec as any).matchConstraints.namespaceSelector).toEqual({ matchLabels: { "meridian.io/tier": "tenant" } });
  const svc = (type?: string) => ({ kind: "Service", metadata: { name: "web", namespace: "payments" }, spec: type ? { type, ports: [{ port: 80 }] } : { ports: [{ port: 80 }] } });
  const results = evaluatePolicies([undefined, "ClusterIP", "LoadBalancer", "NodePort"].map((t) => ({ spec: policy.spec as unknown as AdmissionPolicySpec, object: svc(t), namespace: "payments" })));
  expect(results.map((r) => r.denied.length)).toEqual([0, 0, 1, 1]);
  expect(results.every((r) => r.errors.length === 0)).toBe(true);
  expect(findAll(cloud, "kubernetes:admissionregistration.k8s.io/v1:ValidatingAdmissionPolicy")).toHaveLength(3);
});

it("refuses a handle of the other domain at run time too (config is only known then)", () => {
  const usIssuer = claimResident("us", { purpose: "gateway", certPem: INTERMEDIATE, privateKeyPem: INTERMEDIATE_KEY });
  expect(() => new ClusterGateway("cross", { ...argsFor("aws"), issuer: usIssuer as never })).toThrow('residency: ClusterGateway cross: issuer belongs to domain "us" but is used in domain "eu"');
});
