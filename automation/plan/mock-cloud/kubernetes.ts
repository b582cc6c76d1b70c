/** Kubernetes-shaped mock outputs: objects echo their inputs with names and a uid. */
import { stableHash, type MockContext } from "./shared";

export function kubernetesOutputs(ctx: MockContext): Record<string, unknown> {
  const metadata = (ctx.inputs.metadata ?? {}) as Record<string, unknown>;
  const name = typeof metadata.name === "string" ? metadata.name : `${ctx.name}-${stableHash(ctx.name, 8)}`;
  const namespace = typeof metadata.namespace === "string" ? metadata.namespace : undefined;
  return {
    id: namespace ? `${namespace}/${name}` : name,
    metadata: { ...metadata, name, uid: `${stableHash(ctx.type + ctx.name, 8)}-0000-4000-8000-${stableHash(ctx.name, 12)}` },
  };
}

/** A Gateway's status as its controller reports it once the load balancer exists (a placeholder address). */
export const gatewayShapers: Record<string, (ctx: MockContext) => Record<string, unknown>> = {
  "kubernetes:gateway.networking.k8s.io/v1:Gateway": (ctx) => ({
    status: { addresses: [{ type: "Hostname", value: `${stableHash(ctx.name, 12)}.gateway.mock.invalid` }] },
  }),
};
