import * as gcp from "../sdk/gcp";
import * as pulumi from "@pulumi/pulumi";
import { gcpLabels, type KeyRef } from "../residency";
import { artifactRegistryRepositoryId, gcpSecretCondition, gcpServiceAccountId, SECRET_PREFIX, tenantImagePrefixes, workloadServiceAccount } from "./spec";
import type { CloudTenant, CloudTenantContext } from "./index";

/**
 * GCP: an Artifact Registry repository for the tenant in the domain registry's project and
 * region (domain CMEK, immutable tags), and per namespace a Google service account that only
 * that namespace's `<tenant>-workload` ServiceAccount may impersonate (Workload Identity),
 * reader on the tenant's repository and Secret Manager accessor limited by an IAM condition
 * to secrets named `<tenant>--*`.
 */
export function createGcpTenant(ctx: CloudTenantContext, key: Extract<KeyRef, { cloud: "gcp" }>, registryPrefixes: pulumi.Input<string[]>): CloudTenant {
  const o = { parent: ctx.parent };
  const project = gcp.organizations.getProjectOutput({}, o);
  const repository = new gcp.artifactregistry.Repository(
    `${ctx.name}-repo`,
    {
      repositoryId: artifactRegistryRepositoryId(ctx.domain, ctx.tenant.name),
      location: ctx.region,
      format: "DOCKER",
      mode: "STANDARD_REPOSITORY",
      kmsKeyName: key.cryptoKeyId,
      dockerConfig: { immutableTags: true },
      vulnerabilityScanningConfig: { enablementConfig: "INHERITED" },
      labels: gcpLabels({ ...ctx.tags, tenant: ctx.tenant.name }),
    },
    o,
  );
  // The cluster admits the prefix derived before the repository existed; they must agree.
  const prefix = pulumi
    .all([repository.location, repository.project, repository.repositoryId, pulumi.output(registryPrefixes)])
    .apply(([loc, proj, id, domainPrefixes]) => {
      const actual = `${loc}-docker.pkg.dev/${proj}/${id}/`;
      const admitted = tenantImagePrefixes("gcp", domainPrefixes, ctx.domain, [ctx.tenant.name])[0];
      if (actual !== admitted) throw new pulumi.ResourceError(`tenant ${ctx.tenant.name}: repository ${actual} is not the admitted prefix ${admitted}`, ctx.parent);
      return actual;
    });
  const sa = workloadServiceAccount(ctx.tenant.name);
  const principals: Record<string, pulumi.Output<string>> = {};
  for (const ns of ctx.tenant.namespaces) {
    const account = new gcp.serviceaccount.Account(
      `${ctx.name}-${ns}-gsa`,
      { accountId: gcpServiceAccountId(ctx.tenant.name, ns), displayName: `meridian ${ctx.domain} tenant ${ctx.tenant.name} / ${ns}` },
      o,
    );
    const member = pulumi.interpolate`serviceAccount:${account.email}`;
    new gcp.serviceaccount.IAMMember(
      `${ctx.name}-${ns}-wi`,
      { serviceAccountId: account.name, role: "roles/iam.workloadIdentityUser", member: pulumi.interpolate`serviceAccount:${project.projectId}.svc.id.goog[${ns}/${sa}]` },
      o,
    );
    new gcp.artifactregistry.RepositoryIamMember(
      `${ctx.name}-${ns}-pull`,
      { project: repository.project, location: repository.location, repository: repository.name, role: "roles/artifactregistry.reader", member },
      o,
    );
    new gcp.projects.IAMMember(
      `${ctx.name}-${ns}-secrets`,
      { project: pulumi.output(project.projectId).apply((p) => p ?? ""), role: "roles/secretmanager.secretAccessor", member, condition: project.number.apply((n) => gcpSecretCondition(n, ctx.tenant.name)) },
      o,
    );
    principals[ns] = account.email;
  }
  return {
    repository: prefix,
    principals,
    serviceAccountAnnotations: (ns) => principals[ns].apply((email) => ({ "iam.gke.io/gcp-service-account": email })),
    secretScope: pulumi.interpolate`projects/${project.number}/secrets/${SECRET_PREFIX.gcp(ctx.tenant.name)}`,
  };
}
