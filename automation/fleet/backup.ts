/**
 * What a cluster stack backs up, read from the fleet model alone: its tenant namespaces (the
 * fleet.yaml `tenants.<domain>` placed on it, plus its own `meridian:cluster.tenants`) and
 * its `meridian:cluster.backup` settings. The backup service (stacks/roles/services/
 * backup.ts) creates one Schedule per namespace from this; `fleet drill restore` accepts
 * only these namespaces.
 */
import type { BackupSettings } from "../../components/backup/spec";
import type { Fleet, RoleConfig, StackSpec } from "./index";
import { tenantsOnStack } from "./tenants";

/** A tenant namespace of a cluster, with the owners the baseline labels it with. */
export interface BackedUpNamespace {
  readonly namespace: string;
  readonly tenant: string;
  readonly team: string;
  readonly developersGroup: string;
}

export function isClusterStack(spec: StackSpec): boolean {
  return spec.role === "workload" || spec.role === "management";
}

/** The tenant namespaces a cluster stack backs up (none on management clusters), deduplicated in order. */
export function backedUpNamespaces(fleet: Fleet, spec: StackSpec): BackedUpNamespace[] {
  if (spec.role !== "workload") return [];
  const out = new Map<string, BackedUpNamespace>();
  for (const t of tenantsOnStack(fleet.settings.tenants, spec.domain, spec.name)) {
    for (const ns of t.namespaces) if (!out.has(ns)) out.set(ns, { namespace: ns, tenant: t.name, team: t.team, developersGroup: t.developersGroup });
  }
  return [...out.values()];
}

/** A cluster stack's backup settings, defaults applied by the schema. */
export function backupSettingsOf(spec: StackSpec): BackupSettings {
  return (spec.config as RoleConfig<"workload"> | RoleConfig<"management">)["meridian:cluster"].backup;
}
