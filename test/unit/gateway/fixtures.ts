/** A settled Gateway spec for the pure tests (unit, policy cases): one tenant with an external and an internal name. */
import type { GatewaySpec } from "../../../components/gateway/spec";

export const GATEWAY_SPEC: GatewaySpec = {
  domain: "eu",
  cloud: "aws",
  clusterName: "eu-workload-aws",
  environment: "prod",
  psaVersion: "v1.33",
  zones: { external: ["apps.eu.example.com"], internal: ["eu.internal.example"] },
  tenants: [{ name: "payments", developersGroup: "g", namespaces: ["payments"], hostnames: ["pay.apps.eu.example.com", "pay.eu.internal.example"] }],
  apiServerCidrs: ["10.0.0.0/16"],
  loadBalancer: { external: {}, internal: {} },
  replicas: 2,
};
