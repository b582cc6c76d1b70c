/**
 * fleet.yaml `gitops.<domain>`: where each tenant's desired state lives in Git, read by the
 * domain's GitOps controller (Argo CD on the management cluster, docs/gitops.md). One entry
 * per domain gives the default source (`{tenant}` in `repoURL`, `{cluster}` and `{namespace}`
 * in `path` are filled per Application); `tenants.<name>` overrides it for one tenant.
 * Every domain that has tenants needs an entry, and an override must name a tenant of that
 * domain — both refused at fleet load (exit 2, file and key).
 */
import { z } from "zod";
import { DOMAINS, type Domain } from "../../components/residency/catalogue";
import { FleetConfigError } from "./errors";
import type { FleetTenants, Tenant } from "./tenants";

const repoUrl = z
  .string()
  .regex(/^(https:\/\/[^\s/]+\/\S+|ssh:\/\/[^\s/]+\/\S+|git@[^\s:]+:\S+)$/, "an https://, ssh:// or git@host: Git URL (plain http and file paths are refused)");
const revision = z.string().regex(/^[A-Za-z0-9._/-]{1,255}$/, "a branch, tag or commit");
const repoPath = z
  .string()
  .regex(/^[A-Za-z0-9._{}/-]{1,255}$/, "a relative path (letters, digits, . _ - / and {cluster} {namespace})")
  .refine((p) => !p.startsWith("/") && !p.split("/").includes(".."), "a relative path inside the repository");

const sourceOverride = z.strictObject({ repoURL: repoUrl.optional(), revision: revision.optional(), path: repoPath.optional() });

export const gitopsDomainSchema = z.strictObject({
  /** (Required) Default Git repository of a tenant; `{tenant}` is replaced by the tenant's name. */
  repoURL: repoUrl,
  /** (Optional) Branch, tag or commit. Defaults to `main`. */
  revision: revision.default("main"),
  /** (Optional) Path per Application; `{cluster}` (the workload stack) and `{namespace}`. Defaults to `clusters/{cluster}/{namespace}`. */
  path: repoPath.default("clusters/{cluster}/{namespace}"),
  /** (Optional) Per-tenant overrides of repoURL, revision, path. Defaults to none. */
  tenants: z.record(z.string(), sourceOverride).default({}),
});

export const gitopsSettingsSchema = z.partialRecord(z.enum(DOMAINS), gitopsDomainSchema).default({});
export type GitOpsSettings = z.infer<typeof gitopsSettingsSchema>;

/** Where one tenant's manifests come from (placeholders `{cluster}` / `{namespace}` left in `path`). */
export interface TenantSource {
  readonly repoURL: string;
  readonly revision: string;
  readonly path: string;
}

/** Cross-checks against the tenants: every domain with tenants has a source; overrides name real tenants. */
export function validateGitOpsSettings(file: string, gitops: GitOpsSettings, tenants: FleetTenants): GitOpsSettings {
  for (const d of DOMAINS) {
    const names = new Set(tenants[d].map((t) => t.name));
    const entry = gitops[d];
    if (entry === undefined) {
      if (names.size > 0) throw new FleetConfigError(file, `gitops.${d}`, `domain ${d} has tenants (${[...names].join(", ")}) but no GitOps source: set gitops.${d}.repoURL`);
      continue;
    }
    for (const t of Object.keys(entry.tenants)) {
      if (!names.has(t)) throw new FleetConfigError(file, `gitops.${d}.tenants.${t}`, `"${t}" is not a tenant of domain ${d} (tenants.${d})`);
    }
  }
  return gitops;
}

/** The settled source of a tenant; throws (naming the key) when its domain has no entry. */
export function tenantSource<D extends Domain>(gitops: GitOpsSettings, tenant: Tenant<D>): TenantSource {
  const entry = gitops[tenant.domain];
  if (entry === undefined) throw new Error(`fleet.yaml: gitops.${tenant.domain}: no GitOps source for tenant "${tenant.name}"`);
  const o = entry.tenants[tenant.name] ?? {};
  return {
    repoURL: (o.repoURL ?? entry.repoURL).replaceAll("{tenant}", tenant.name),
    revision: o.revision ?? entry.revision,
    path: o.path ?? entry.path,
  };
}
