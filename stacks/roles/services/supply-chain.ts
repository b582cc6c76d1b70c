/**
 * Signature verification at admission on every workload cluster, keyed by the domain's
 * signing key on the cluster's cloud (from the foundation stack), plus GKE Binary
 * Authorization on GCP. Exported as `services.supply-chain`.
 */
import { ImageVerification } from "../../../components/supply-chain";
import type { Domain } from "../../../components/residency";
import type { ClusterService, ClusterServiceContext } from "./index";

export const supplyChainService: ClusterService = {
  name: "supply-chain",
  roles: ["workload"],
  async deploy<D extends Domain>(c: ClusterServiceContext<D>): Promise<Record<string, unknown>> {
    const signingKey = c.foundation.signing;
    if (signingKey === undefined) {
      throw new Error(`${c.ctx.spec.file}: foundation stack of ${c.cloud} exports no \`signing\` key; run \`pulumi up\` on it first (it creates the domain's signing key)`);
    }
    const verification = new ImageVerification(
      `${c.ctx.stack}-supply-chain`,
      {
        domain: c.ctx.domain,
        cloud: c.cloud,
        provider: c.cluster.provider,
        signingKey,
        registry: c.foundation.registry,
        oidcIssuer: c.cluster.oidcIssuer,
        tags: c.ctx.tags,
      },
      { parent: c.cluster, providers: [c.ctx.provider(c.cloud)] },
    );
    return {
      policy: verification.policyName,
      signingKey: verification.signingKey,
      chart: { name: "policy-controller", version: verification.release.version },
      ...(verification.attestor ? { attestor: verification.attestor } : {}),
    };
  },
};
