import * as gcp from "../sdk/gcp";
import * as pulumi from "@pulumi/pulumi";
import { gcpLabels, type KeyRef } from "../residency";
import type { NetworkHandle } from "../residency";
import type { RegistryRefs, RegistrySpec } from "./index";

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
): RegistryRefs {
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
  if (spec.network !== undefined) createPrivateGoogleAccess(name, spec.network, labels, parent);
  const imagePrefixes = pulumi
    .all(repos.map((r) => pulumi.all([r.location, r.project, r.repositoryId])))
    .apply((rs) => rs.map(([loc, proj, id]) => `${loc}-docker.pkg.dev/${proj}/${id}/`));
  return { imagePrefixes };
}

/** private.googleapis.com: Google's VIPs for Private Google Access, reachable only from inside Google's network. */
export const PRIVATE_GOOGLE_ACCESS_CIDR = "199.36.153.8/30";
export const PRIVATE_GOOGLE_ACCESS_IPS = ["199.36.153.8", "199.36.153.9", "199.36.153.10", "199.36.153.11"] as const;

/**
 * Artifact Registry without the internet: the network's subnets already have Private
 * Google Access (components/network/gcp.ts); this resolves `pkg.dev` and `*.pkg.dev`
 * (`<region>-docker.pkg.dev`) to private.googleapis.com in a private zone visible only to
 * this network, and routes that range to Google's gateway — so pulls keep working with
 * no external IPs and no default route to the internet.
 * https://cloud.google.com/vpc/docs/configure-private-google-access#config-domain
 */
export function createPrivateGoogleAccess(name: string, network: NetworkHandle<RegistrySpec["domain"]>, labels: Record<string, string>, parent: pulumi.Resource): void {
  const zone = new gcp.dns.ManagedZone(
    `${name}-pkg-dev`,
    {
      dnsName: "pkg.dev.",
      description: "Artifact Registry through Private Google Access",
      visibility: "private",
      privateVisibilityConfig: { networks: [{ networkUrl: network.networkId }] },
      labels,
    },
    { parent },
  );
  new gcp.dns.RecordSet(`${name}-pkg-dev-a`, { managedZone: zone.name, name: "pkg.dev.", type: "A", ttl: 300, rrdatas: [...PRIVATE_GOOGLE_ACCESS_IPS] }, { parent });
  new gcp.dns.RecordSet(`${name}-pkg-dev-cname`, { managedZone: zone.name, name: "*.pkg.dev.", type: "CNAME", ttl: 300, rrdatas: ["pkg.dev."] }, { parent });
  new gcp.compute.Route(
    `${name}-private-google-access`,
    { network: network.networkId, destRange: PRIVATE_GOOGLE_ACCESS_CIDR, nextHopGateway: "default-internet-gateway", priority: 100, description: "private.googleapis.com (Private Google Access)" },
    { parent },
  );
}
