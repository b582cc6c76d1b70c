/**
 * The backup service: Velero on every workload and management cluster, writing to a bucket
 * of the cluster's domain on its own cloud and region with the domain key, one Schedule per
 * tenant namespace (fleet.yaml `tenants.<domain>` placed on this stack). Settings: `meridian:cluster.backup`.
 */
import { ClusterBackup } from "../../../components/backup";
import type { Domain } from "../../../components/residency";
import { backedUpNamespaces, backupSettingsOf } from "../../../automation/fleet/backup";
import type { ClusterService, ClusterServiceContext } from "./index";

export const backupService: ClusterService = {
  name: "backup",
  roles: ["management", "workload"],
  async deploy<D extends Domain>(c: ClusterServiceContext<D>): Promise<Record<string, unknown>> {
    const backup = new ClusterBackup(
      `${c.ctx.stack}-backup`,
      {
        domain: c.ctx.domain,
        cloud: c.cloud,
        region: c.region,
        clusterName: c.ctx.stack,
        provider: c.cluster.provider,
        key: c.foundation.key,
        network: c.foundation.network,
        registry: c.foundation.registry,
        oidcIssuer: c.cluster.oidcIssuer,
        namespaces: backedUpNamespaces(c.ctx.fleet, c.ctx.spec).map((n) => n.namespace),
        settings: backupSettingsOf(c.ctx.spec),
        tags: c.ctx.tags,
      },
      { parent: c.cluster, providers: [c.ctx.provider(c.cloud)] },
    );
    return {
      bucket: backup.bucket,
      location: backup.location,
      region: c.region,
      retentionDays: backup.settings.retentionDays,
      schedule: backup.settings.schedule,
      schedules: backup.schedules.map((s) => ({ name: s.name, namespace: s.namespace })),
    };
  },
};
