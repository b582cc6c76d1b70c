/**
 * The platform services a cluster runs on top of its baseline (GitOps, Gateway, cert-manager,
 * External Secrets, signature verification, telemetry, backups, ...). Each service lives in
 * its own file in this folder and is one entry of {@link CLUSTER_SERVICES}; the workload and
 * management roles call {@link deployClusterServices} once, after the cluster and baseline.
 * A service returns what it publishes; the stack exports it under `services.<name>`.
 */
import type { ClusterBaseline } from "../../../components/baseline";
import type { ResidentCluster } from "../../../components/cluster";
import type { Cloud, Domain, KeyHandle, NetworkHandle, RegistryHandle, SigningKeyHandle } from "../../../components/residency";
import type { RoleContext } from "../../context";
import type { FoundationExports } from "../../contracts";
import { supplyChainService } from "./supply-chain";
import { tenantsService } from "./tenants";
import { secretsService } from "./secrets";
import { exposure } from "./exposure";
import { backupService } from "./backup";
import { observabilityService } from "./observability";
import { gitopsService } from "./gitops";
import { gitopsRegistrationService } from "./gitops-registration";

export interface ClusterServiceContext<D extends Domain> {
  readonly ctx: RoleContext<D>;
  readonly role: "management" | "workload";
  readonly cloud: Cloud;
  readonly region: string;
  readonly cluster: ResidentCluster<D>;
  readonly baseline: ClusterBaseline<D>;
  /** The foundation's resident handles and raw exports for this cluster's cloud. */
  readonly foundation: {
    readonly network: NetworkHandle<D>;
    readonly key: KeyHandle<D>;
    readonly registry: RegistryHandle<D>;
    /** The domain's image-signing key on this cloud (absent on foundations deployed before it). */
    readonly signing?: SigningKeyHandle<D>;
    readonly exports: FoundationExports;
  };
  /** Outputs of the services installed before this one, by service name (e.g. `earlier.tenants`). */
  readonly earlier: Readonly<Record<string, Record<string, unknown>>>;
}

export interface ClusterService {
  /** Output key under `services` and the prefix of the service's resource names. */
  readonly name: string;
  /** Which cluster roles run the service. */
  readonly roles: ReadonlyArray<"management" | "workload">;
  deploy<D extends Domain>(c: ClusterServiceContext<D>): Promise<Record<string, unknown>>;
}

/** Every platform service, in install order. Add one entry per service file. */
export const CLUSTER_SERVICES: readonly ClusterService[] = [
  tenantsService,
  gitopsService,
  exposure,
  secretsService,
  supplyChainService,
  gitopsRegistrationService,
  observabilityService,
  backupService,
];

export async function deployClusterServices<D extends Domain>(c: Omit<ClusterServiceContext<D>, "earlier">): Promise<Record<string, Record<string, unknown>>> {
  const outputs: Record<string, Record<string, unknown>> = {};
  for (const service of CLUSTER_SERVICES) {
    if (service.roles.includes(c.role)) outputs[service.name] = await service.deploy({ ...c, earlier: { ...outputs } });
  }
  return outputs;
}
