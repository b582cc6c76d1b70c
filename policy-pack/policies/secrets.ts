/**
 * Secrets (issue 15 item 4): tenant secrets stay in the domain and under its keys, and the
 * cluster-wide secret stores reach them only as the tenant's workload identity.
 *   - Secret Manager / Secrets Manager replicas only in the domain (GCP automatic replication
 *     lets Google pick locations worldwide, so it is refused);
 *   - GCP secrets with the domain CMK on every replica, in the replica's own location; AWS
 *     Secrets Manager replicas with a customer-managed key (the primary's `kmsKeyId` is
 *     `meridian-aws-datastore-cmk-require`'s);
 *   - ClusterSecretStores restricted by `conditions` to named namespaces, authenticating with the
 *     ExternalSecret's own namespace ServiceAccount (referent auth, no namespace pinned, no
 *     static credentials, never the controller's own identity), in a region of the domain.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { resourcePolicy, type ResourceCheckContext } from "../lib/define";
import { describeLocation, isAllowed, locationOfGcpName } from "../lib/location";
import { arrayAt, at, isSet, str, UNKNOWN, type Props } from "../lib/values";

const SOC2_RESIDENCY = ["SOC2 CC6.1", "SOC2 CC6.7", "SOC2 C1.1"];
const SOC2_ENCRYPTION = ["SOC2 CC6.1", "SOC2 CC6.7"];

const GCP_SECRET = "gcp:secretmanager/secret:Secret";
const GCP_REGIONAL_SECRET = "gcp:secretmanager/regionalSecret:RegionalSecret";
const AWS_SECRET = "aws:secretsmanager/secret:Secret";
/** ClusterSecretStore as the engine types a CustomResource: `kubernetes:<apiVersion>:<kind>`. */
export const CLUSTER_SECRET_STORE_TYPES = ["kubernetes:external-secrets.io/v1:ClusterSecretStore", "kubernetes:external-secrets.io/v1beta1:ClusterSecretStore"];

type Ctx = ResourceCheckContext;

/** Each element of a list, or nothing when the list is unknown (recorded). */
function each(props: Props, path: string, ctx: Ctx, visit: (item: unknown, where: string) => void): void {
  const items = arrayAt(props, path);
  if (items === UNKNOWN) {
    ctx.unknown(path);
    return;
  }
  items.forEach((item, i) => visit(item, `${path}[${i}]`));
}

function locationInDomain(ctx: Ctx, cloud: "aws" | "gcp", value: unknown, where: string, what: string): void {
  if (value === UNKNOWN) {
    ctx.unknown(where);
  } else if (typeof value !== "string" || value === "") {
    ctx.report(`${what} ${where} is not set`);
  } else if (!isAllowed(ctx.cfg, cloud, value)) {
    ctx.report(`${what} ${where} ${describeLocation(ctx.cfg, cloud, value)} is outside the ${ctx.cfg.domain} domain`);
  }
}

// ------------------------------------------------------------------------------------------

export const secretReplicas: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-residency-secret-replica-allowlist",
    area: "residency",
    rules: ["RES-07", "RES-06", "MER-SEC-01"],
    description:
      "GCP Secret Manager secrets use user-managed replication with every replica in the domain (automatic replication is refused); AWS Secrets Manager replicas are in the domain.",
    why: "A secret's replicas hold the same plaintext-equivalent value: with automatic replication Google chooses the locations, worldwide; one replica in the other domain moves the credential out of it.",
    remediation:
      "GCP: `replication: { userManaged: { replicas: [{ location: \"<cluster region>\", customerManagedEncryption: { kmsKeyName: <domain key in that region> } }] } }` (components/external-secrets `secretDefaults`); AWS: keep `replicas[].region` in the domain's allowlist.",
    severity: "critical",
    enforcementLevel: "mandatory",
    frameworks: SOC2_RESIDENCY,
    types: [GCP_SECRET, AWS_SECRET],
  },
  (r, ctx) => {
    if (!ctx.cfg.domain) {
      return;
    }
    if (r.type === AWS_SECRET) {
      each(r.props, "replicas", ctx, (replica, where) => locationInDomain(ctx, "aws", at(replica, "region"), `${where}.region`, "Secrets Manager replica"));
      return;
    }
    const replication = at(r.props, "replication");
    if (replication === UNKNOWN) {
      ctx.unknown("replication");
      return;
    }
    if (at(replication, "auto") !== undefined && at(replication, "auto") !== null) {
      ctx.report("replication.auto lets Google place replicas in any location, outside the domain; use replication.userManaged with replicas in the domain");
      return;
    }
    const replicas = arrayAt(r.props, "replication.userManaged.replicas");
    if (replicas !== UNKNOWN && replicas.length === 0) {
      ctx.report("replication.userManaged.replicas is empty: name at least one replica location in the domain");
      return;
    }
    each(r.props, "replication.userManaged.replicas", ctx, (replica, where) => locationInDomain(ctx, "gcp", at(replica, "location"), `${where}.location`, "Secret Manager replica"));
  },
);

/** A Cloud KMS key name's location must equal the data's (CMEK keys are regional and must match). */
function cmekAt(ctx: Ctx, key: unknown, location: unknown, where: string): void {
  if (key === UNKNOWN || location === UNKNOWN) {
    ctx.unknown(where);
    return;
  }
  if (!isSet(key)) {
    ctx.report(`${where} must name the domain's Cloud KMS key (Google-managed encryption is not the domain's key)`);
    return;
  }
  const keyLocation = locationOfGcpName(String(key));
  if (keyLocation === undefined) {
    ctx.report(`${where} "${String(key)}" is not a Cloud KMS key name (projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>)`);
  } else if (typeof location === "string" && keyLocation.toLowerCase() !== location.toLowerCase()) {
    ctx.report(`${where} is a key in ${keyLocation}; the replica is in ${location} and Secret Manager needs the key in the replica's location`);
  }
}

export const gcpSecretCmek: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-gcp-secretmanager-secret-cmek-require",
    area: "gcp",
    rules: ["MER-SEC-02", "RES-05"],
    description:
      "GCP Secret Manager secrets (global and regional) are encrypted with a customer-managed Cloud KMS key on every replica, located with the replica.",
    why: "Without CMEK the secret is under a Google-managed key the domain cannot disable, rotate or prove the location of.",
    remediation:
      "Set `customerManagedEncryption.kmsKeyName` on every user-managed replica (regional secrets: on the secret) to the domain key in the same region; grant the Secret Manager service agent `roles/cloudkms.cryptoKeyEncrypterDecrypter` on it (components/external-secrets does).",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: SOC2_ENCRYPTION,
    types: [GCP_SECRET, GCP_REGIONAL_SECRET],
  },
  (r, ctx) => {
    if (r.type === GCP_REGIONAL_SECRET) {
      cmekAt(ctx, at(r.props, "customerManagedEncryption.kmsKeyName"), at(r.props, "location"), "customerManagedEncryption.kmsKeyName");
      return;
    }
    const auto = at(r.props, "replication.auto");
    if (auto === UNKNOWN) {
      ctx.unknown("replication.auto");
      return;
    }
    if (auto !== undefined && auto !== null) {
      // Automatic replication has one key for all locations: it is refused for residency; here only its key is judged.
      if (!isSet(at(auto, "customerManagedEncryption.kmsKeyName"))) ctx.report("replication.auto.customerManagedEncryption.kmsKeyName must name the domain's Cloud KMS key");
      return;
    }
    each(r.props, "replication.userManaged.replicas", ctx, (replica, where) =>
      cmekAt(ctx, at(replica, "customerManagedEncryption.kmsKeyName"), at(replica, "location"), `${where}.customerManagedEncryption.kmsKeyName`),
    );
  },
);

export const awsSecretReplicaCmk: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-aws-secretsmanager-replica-cmk-require",
    area: "aws",
    rules: ["MER-SEC-03"],
    description: "Every AWS Secrets Manager replica names a customer-managed KMS key (`replicas[].kmsKeyId`); unset, the replica uses the AWS managed `aws/secretsmanager` key.",
    why: "The primary's CMK does not follow the secret: each replica region encrypts with its own key, and the AWS managed key's policy cannot restrict decrypt to the tenant's identities.",
    remediation: "Set `replicas[].kmsKeyId` to the domain's secrets key in the replica's region (a key whose policy lets only tenant roles decrypt).",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: SOC2_ENCRYPTION,
    types: [AWS_SECRET],
  },
  (r, ctx) => {
    each(r.props, "replicas", ctx, (replica, where) => {
      const key = at(replica, "kmsKeyId");
      if (key === UNKNOWN) ctx.unknown(`${where}.kmsKeyId`);
      else if (!isSet(key) || /alias\/aws\//.test(String(key))) ctx.report(`${where}.kmsKeyId must name a customer-managed key (got ${isSet(key) ? String(key) : "nothing"})`);
    });
  },
);

// ------------------------------------------------------------------------------------------

/** The serviceAccountRef a store authenticates with, per provider; `missing` when the provider uses static or ambient credentials. */
function storeAuth(provider: Props, ctx: Ctx): { kind: string; ref: unknown; where: string } | { kind: string; problem: string } | undefined {
  const aws = at(provider, "aws");
  if (aws !== undefined) {
    if (at(aws, "auth.secretRef") !== undefined) return { kind: "aws", problem: "spec.provider.aws.auth.secretRef uses static access keys" };
    if (at(aws, "auth.jwt") === undefined) return { kind: "aws", problem: "spec.provider.aws has no auth.jwt: the controller's own identity would serve every namespace" };
    if (isSet(at(aws, "role"))) return { kind: "aws", problem: "spec.provider.aws.role chains to another role after the tenant's: the store must use the tenant's role itself" };
    return { kind: "aws", ref: at(aws, "auth.jwt.serviceAccountRef"), where: "spec.provider.aws.auth.jwt.serviceAccountRef" };
  }
  const az = at(provider, "azurekv");
  if (az !== undefined) {
    const authType = at(az, "authType");
    if (authType === UNKNOWN) {
      ctx.unknown("spec.provider.azurekv.authType");
      return undefined;
    }
    if (authType !== "WorkloadIdentity") return { kind: "azurekv", problem: `spec.provider.azurekv.authType is ${String(authType ?? "ServicePrincipal (default)")}; only WorkloadIdentity authenticates as the tenant` };
    if (at(az, "authSecretRef") !== undefined) return { kind: "azurekv", problem: "spec.provider.azurekv.authSecretRef reads client credentials from a Secret" };
    return { kind: "azurekv", ref: at(az, "serviceAccountRef"), where: "spec.provider.azurekv.serviceAccountRef" };
  }
  const gcp = at(provider, "gcpsm");
  if (gcp !== undefined) {
    if (at(gcp, "auth.secretRef") !== undefined) return { kind: "gcpsm", problem: "spec.provider.gcpsm.auth.secretRef uses a service-account key" };
    const wi = at(gcp, "auth.workloadIdentity");
    if (wi !== undefined) return { kind: "gcpsm", ref: at(wi, "serviceAccountRef"), where: "spec.provider.gcpsm.auth.workloadIdentity.serviceAccountRef" };
    const wif = at(gcp, "auth.workloadIdentityFederation");
    if (wif !== undefined) return { kind: "gcpsm", ref: at(wif, "serviceAccountRef"), where: "spec.provider.gcpsm.auth.workloadIdentityFederation.serviceAccountRef" };
    return { kind: "gcpsm", problem: "spec.provider.gcpsm has no auth: the controller's own identity would serve every namespace" };
  }
  return { kind: "other", problem: "spec.provider is not AWS Secrets Manager, Azure Key Vault or GCP Secret Manager (the domain's secret services)" };
}

export const clusterSecretStoreScope: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-kubernetes-clustersecretstore-tenant-scope",
    area: "kubernetes",
    rules: ["MER-SEC-04", "RES-06"],
    description:
      "A ClusterSecretStore admits only named namespaces (`conditions`), authenticates as the ExternalSecret's own namespace ServiceAccount (serviceAccountRef without namespace; no static credentials, no controller identity, no role chaining) and, on AWS / GCP, names a region of the domain.",
    why: "A cluster-wide store with the controller's identity or a pinned ServiceAccount hands every namespace one identity's secrets; without conditions any namespace may use it; a store in another region moves the secret service out of the domain.",
    remediation:
      "Use components/external-secrets: one store per tenant, `conditions: [{ namespaces: [<tenant namespaces>] }]`, `serviceAccountRef: { name: <tenant>-workload }` (no namespace), region = the cluster's.",
    severity: "critical",
    enforcementLevel: "mandatory",
    frameworks: ["SOC2 CC6.1", "SOC2 CC6.3"],
    types: CLUSTER_SECRET_STORE_TYPES,
  },
  (r, ctx) => {
    const conditions = arrayAt(r.props, "spec.conditions");
    if (conditions === UNKNOWN) {
      ctx.unknown("spec.conditions");
    } else if (conditions.length === 0) {
      ctx.report("spec.conditions is empty: every namespace of the cluster may use this store");
    } else {
      conditions.forEach((c, i) => {
        if (at(c, "namespaceRegexes") !== undefined) ctx.report(`spec.conditions[${i}].namespaceRegexes cannot be reviewed; name the namespaces`);
        const names = arrayAt(c, "namespaces");
        const selector = at(c, "namespaceSelector");
        if (names !== UNKNOWN && names.length === 0 && (selector === undefined || Object.keys((at(selector, "matchLabels") as object | undefined) ?? {}).length === 0)) {
          ctx.report(`spec.conditions[${i}] names no namespaces and no namespaceSelector.matchLabels`);
        }
      });
    }
    const provider = at(r.props, "spec.provider");
    if (provider === UNKNOWN) {
      ctx.unknown("spec.provider");
      return;
    }
    const auth = storeAuth((provider ?? {}) as Props, ctx);
    if (auth === undefined) return;
    if ("problem" in auth) {
      ctx.report(`${auth.problem}; authenticate with the tenant's workload ServiceAccount`);
    } else if (auth.ref === UNKNOWN) {
      ctx.unknown(auth.where);
    } else if (!isSet(str(at(auth.ref, "name")))) {
      ctx.report(`${auth.where}.name is not set`);
    } else if (at(auth.ref, "namespace") !== undefined) {
      ctx.report(`${auth.where}.namespace pins one namespace's ServiceAccount for every namespace; leave it unset so ESO uses the ExternalSecret's namespace`);
    }
    if (ctx.cfg.domain) {
      if ("kind" in auth && auth.kind === "aws") locationInDomain(ctx, "aws", at(provider, "aws.region"), "spec.provider.aws.region", "Secrets Manager region");
      const gcpLocation = at(provider, "gcpsm.location");
      if (gcpLocation !== undefined) locationInDomain(ctx, "gcp", gcpLocation, "spec.provider.gcpsm.location", "Secret Manager location");
    }
  },
);

export const secretsPolicies = [secretReplicas, gcpSecretCmek, awsSecretReplicaCmk, clusterSecretStoreScope];
