import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { gcpLabels, type KeyRef } from "../residency";
import type { RegistrySpec } from "./index";

/**
 * Artifact Registry (Docker) per repository, regional, CMEK with the domain key (the
 * Artifact Registry service agent is granted use of that key first), immutable tags,
 * vulnerability scanning on.
 */
export function createArtifactRegistry(
  name: string,
  spec: RegistrySpec,
  key: Extract<KeyRef, { cloud: "gcp" }>,
  parent: pulumi.Resource,
): pulumi.Output<string[]> {
  const labels = gcpLabels(spec.tags);
  const project = gcp.organizations.getProjectOutput({}, { parent });
  const grant = new gcp.kms.CryptoKeyIAMMember(
    `${name}-agent-key`,
    {
      cryptoKeyId: key.cryptoKeyId,
      role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
      member: pulumi.interpolate`serviceAccount:service-${project.number}@gcp-sa-artifactregistry.iam.gserviceaccount.com`,
    },
    { parent },
  );
  const repos = spec.repositories.map(
    (repo, i) =>
      new gcp.artifactregistry.Repository(
        `${name}-repo-${i}`,
        {
          repositoryId: `${spec.domain}-${repo.replace(/[/._]/g, "-")}`,
          location: spec.region,
          format: "DOCKER",
          mode: "STANDARD_REPOSITORY",
          kmsKeyName: key.cryptoKeyId,
          dockerConfig: { immutableTags: true },
          vulnerabilityScanningConfig: { enablementConfig: "INHERITED" },
          labels,
        },
        { parent, dependsOn: [grant] },
      ),
  );
  return pulumi
    .all(repos.map((r) => pulumi.all([r.location, r.project, r.repositoryId])))
    .apply((rs) => rs.map(([loc, proj, id]) => `${loc}-docker.pkg.dev/${proj}/${id}/`));
}
