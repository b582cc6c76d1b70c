/**
 * The exposure path's plain-Kubernetes parts on a real kube-apiserver (tools/control-plane.sh):
 * the component's namespaces and NetworkPolicies are accepted by the API server's validation,
 * the admission policy refuses tenant LoadBalancer and NodePort Services (and only in tenant
 * namespaces), and the route-author binding lets a tenant's developers write HTTPRoutes in their
 * own namespace only. Manifests come straight from components/gateway/spec.ts; kubectl applies
 * them (the charts and Gateway API kinds need a real cluster with the controllers: not here).
 * Skips loudly when the control-plane binaries or kubectl are missing.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { kubectl, kubectlPath, ROOT, startControlPlane, type ControlPlane } from "./harness";
import {
  namespaceManifests,
  networkPolicyManifests,
  routeRbacManifests,
  serviceExposurePolicy,
  type GatewaySpec,
  type Manifest,
} from "../../components/gateway/spec";

const missing = [
  ...["etcd", "kube-apiserver", "kube-controller-manager"].filter((b) => !fs.existsSync(path.join(ROOT, ".tools", "bin", b))).map((b) => `.tools/bin/${b} (npm run setup:engine)`),
  ...(kubectlPath() ? [] : ["kubectl"]),
];
if (missing.length > 0) {
  process.stderr.write(["", "=".repeat(78), "E2E EXPOSURE TIER SKIPPED — missing:", ...missing.map((m) => `  - ${m}`), "=".repeat(78), ""].join("\n"));
}
const suite = missing.length > 0 ? describe.skip : describe;

const SPEC: GatewaySpec = {
  domain: "eu",
  cloud: "aws",
  clusterName: "eu-local",
  environment: "prod",
  psaVersion: "latest",
  zones: { external: ["apps.eu.example.com"], internal: [] },
  tenants: [
    { name: "payments", developersGroup: "eu-payments-devs", namespaces: ["payments"], hostnames: ["pay.apps.eu.example.com"] },
    { name: "search", developersGroup: "eu-search-devs", namespaces: ["search"], hostnames: [] },
  ],
  apiServerCidrs: ["10.0.0.0/16"],
  loadBalancer: { external: {}, internal: {} },
  replicas: 2,
};

const tenantNamespace = (name: string): Manifest => ({
  apiVersion: "v1",
  kind: "Namespace",
  metadata: { name, labels: { residency: "eu", team: name, tenant: name, env: "prod", "meridian.io/tier": "tenant" } },
});
const service = (namespace: string, type: string, name = `web-${type.toLowerCase()}`) => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name, namespace },
  spec: { type, selector: { app: "web" }, ports: [{ port: 80, targetPort: 8080 }] },
});

suite("e2e: exposure on a real kube-apiserver", () => {
  let cp: ControlPlane;
  const apply = (objects: readonly object[]) => kubectl(cp, ["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }));
  const create = (obj: object) => kubectl(cp, ["create", "-f", "-"], JSON.stringify(obj));

  beforeAll(async () => {
    cp = await startControlPlane("eu");
    const applied = apply([...namespaceManifests(SPEC), tenantNamespace("payments"), tenantNamespace("search")]);
    expect(applied.stderr).toBe("");
  }, 300_000);
  afterAll(() => cp?.stop());

  it("accepts the component's NetworkPolicies (schema-valid for the API server)", () => {
    const r = apply(networkPolicyManifests(SPEC));
    expect([r.code, r.stderr]).toEqual([0, ""]);
    const names = kubectl(cp, ["get", "networkpolicy", "-n", "meridian-gateway", "-o", "jsonpath={.items[*].metadata.name}"]).stdout.split(" ").sort();
    expect(names).toEqual(["allow-apiserver-egress", "allow-dns-egress", "allow-proxy-listeners", "allow-proxy-to-tenants", "allow-proxy-to-xds", "allow-xds", "default-deny"]);
  });

  it("refuses tenant LoadBalancer and NodePort Services, admits ClusterIP, leaves platform namespaces alone", async () => {
    const r = apply(serviceExposurePolicy());
    expect([r.code, r.stderr]).toEqual([0, ""]);
    // The API server loads a new policy asynchronously: wait until it denies (at most 60 s).
    let lb = create(service("payments", "LoadBalancer"));
    for (let i = 0; i < 60 && lb.code === 0; i++) {
      kubectl(cp, ["delete", "service", "-n", "payments", "web-loadbalancer", "--wait=false"]);
      await new Promise((res) => setTimeout(res, 1000));
      lb = create(service("payments", "LoadBalancer"));
    }
    expect(lb.code).not.toBe(0);
    expect(lb.stderr).toContain("tenant Services are ClusterIP only: expose through the platform Gateway");
    const nodePort = create(service("search", "NodePort"));
    expect(nodePort.code).not.toBe(0);
    expect(nodePort.stderr).toContain("ValidatingAdmissionPolicy 'meridian-tenant-service-exposure'");
    expect(create(service("payments", "ClusterIP")).code).toBe(0);
    // An update that turns a ClusterIP Service into a LoadBalancer is refused as well.
    const patched = kubectl(cp, ["patch", "service", "-n", "payments", "web-clusterip", "--type=merge", "-p", JSON.stringify({ spec: { type: "LoadBalancer" } })]);
    expect(patched.code).not.toBe(0);
    // The Gateway's own load balancer Services live in meridian-gateway: not a tenant namespace.
    expect(create(service("meridian-gateway", "LoadBalancer", "envoy-external")).code).toBe(0);
  });

  it("lets a tenant's developers write HTTPRoutes in their own namespaces only", () => {
    const r = apply(routeRbacManifests(SPEC));
    expect([r.code, r.stderr]).toEqual([0, ""]);
    // A SubjectAccessReview, as the authorizer answers it (the Gateway API CRDs are not installed
    // here, which RBAC does not need; kubectl auth can-i would try to resolve the kind first).
    const allowed = (ns: string, group: string, resource: string) => {
      const sar = { apiVersion: "authorization.k8s.io/v1", kind: "SubjectAccessReview", spec: { user: "dev@example.com", groups: [group], resourceAttributes: { namespace: ns, verb: "create", group: "gateway.networking.k8s.io", resource } } };
      const out = kubectl(cp, ["create", "-o", "jsonpath={.status.allowed}", "-f", "-"], JSON.stringify(sar));
      expect(out.stderr).toBe("");
      return out.stdout.trim();
    };
    expect(allowed("payments", "eu-payments-devs", "httproutes")).toBe("true");
    expect(allowed("search", "eu-payments-devs", "httproutes")).toBe("false");
    expect(allowed("search", "eu-search-devs", "httproutes")).toBe("true");
    expect(allowed("meridian-gateway", "eu-payments-devs", "httproutes")).toBe("false");
    // Route authors cannot create Gateways (attachment stays the platform's decision).
    expect(allowed("payments", "eu-payments-devs", "gateways")).toBe("false");
  });
});
