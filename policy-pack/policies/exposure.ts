/**
 * Encryption in transit and exposure (MER-NET-01..08): HTTP only as a redirect, TLS 1.2 or
 * newer wherever a TLS policy is chosen, databases and caches that require TLS, no resource
 * policy that grants to everyone, S3 public access blocks on, no website endpoints, no
 * ingress from the whole internet beyond the configured ports, no nodes with public IPs.
 */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { resourcePolicy, stackPolicy, type ResourceCheckContext, type StackResourceView } from "../lib/define";
import { parsePolicyDocument, publicStatements } from "../lib/policyDocument";
import { arrayAt, at, equalsCI, expect, isSet, str, truthy, UNKNOWN, type Props } from "../lib/values";

const SOC2_TRANSIT = ["SOC2 CC6.1", "SOC2 CC6.7"];
const SOC2_EXPOSURE = ["SOC2 CC6.1", "SOC2 CC6.6"];

const LB_LISTENERS = ["aws:lb/listener:Listener", "aws:alb/listener:Listener"];
const APP_GATEWAY = "azure-native:network:ApplicationGateway";
const GCP_HTTP_PROXY = "gcp:compute/targetHttpProxy:TargetHttpProxy";
const GCP_URL_MAP = "gcp:compute/uRLMap:URLMap";

// ------------------------------------------------------------------------------------------
// MER-NET-01: HTTP only to redirect to HTTPS.

function listenerProtocol(props: Props): string | typeof UNKNOWN {
  const p = at(props, "protocol");
  if (p === UNKNOWN) {
    return UNKNOWN;
  }
  if (typeof p === "string" && p !== "") {
    return p.toUpperCase();
  }
  // No protocol: an ALB listener is HTTP unless it has a certificate.
  const cert = at(props, "certificateArn");
  return cert === UNKNOWN ? UNKNOWN : isSet(cert) ? "HTTPS" : "HTTP";
}

const PLAIN_TRANSPORT = new Set(["TCP", "UDP", "TCP_UDP"]);
const HTTPS_PORT = 443;

/**
 * A TCP/UDP listener on an internet-facing load balancer forwards whatever its backend
 * speaks, unencrypted by the load balancer. On 443 (a configured public HTTPS port) that is
 * TLS passthrough to a backend that terminates TLS itself; on any other port (Redis 6379, a
 * database, plain HTTP on 80, which an NLB cannot redirect) it is a clear-text service on the
 * internet. The load balancer's scheme is read from the resource behind `loadBalancerArn`.
 */
function plainTransportListener(r: StackResourceView, ctx: { report(m: string, urn?: string): void; unknown(p: string): void }): void {
  const lbs = (r.propertyDependencies.loadBalancerArn ?? []).filter((d) => LB_TYPES.has(d.type));
  if (lbs.length === 0) {
    return; // a load balancer this stack does not declare: its scheme is not evidence here
  }
  const internal = at(lbs[0]!.props, "internal");
  const port = at(r.props, "port");
  if (internal === UNKNOWN || port === UNKNOWN) {
    ctx.unknown(`${r.name}.port / ${lbs[0]!.name}.internal`);
    return;
  }
  if (truthy(internal) || port === HTTPS_PORT || port === String(HTTPS_PORT)) {
    return;
  }
  ctx.report(`listener '${r.name}' forwards plain ${String(at(r.props, "protocol"))} on port ${String(port ?? "?")} from the internet (load balancer '${lbs[0]!.name}' is internet-facing): use protocol TLS with a certificate, or an internal load balancer`, r.urn);
}

const LB_TYPES = new Set(["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"]);

export const httpListenerRedirect: StackValidationPolicy = stackPolicy(
  {
    name: "meridian-baseline-http-listener-redirect",
    area: "baseline",
    rules: ["MER-NET-01", "RES-06"],
    description:
      "Plain-HTTP listeners (ALB/NLB listeners, Application Gateway HTTP listeners, GCP target HTTP proxies) only redirect to HTTPS; plain TCP/UDP listeners on an internet-facing load balancer only on 443 (TLS passthrough).",
    why: "A listener that serves over HTTP sends the domain's data and session tokens in clear text across networks the domain does not control.",
    remediation:
      "ALB: `defaultActions: [{ type: \"redirect\", redirect: { protocol: \"HTTPS\", port: \"443\", statusCode: \"HTTP_301\" } }]`; Application Gateway: a request routing rule with a `redirectConfiguration` to the HTTPS listener; GCP: a URL map with `defaultUrlRedirect: { httpsRedirect: true }` behind the HTTP proxy.",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: SOC2_TRANSIT,
    types: [...LB_LISTENERS, APP_GATEWAY, GCP_HTTP_PROXY, GCP_URL_MAP],
  },
  (resources, ctx) => {
    for (const r of resources) {
      if (LB_LISTENERS.includes(r.type)) {
        const protocol = listenerProtocol(r.props);
        if (protocol === UNKNOWN) {
          ctx.unknown(`${r.name}.protocol`);
          continue;
        }
        if (PLAIN_TRANSPORT.has(protocol)) {
          plainTransportListener(r, ctx);
          continue;
        }
        if (protocol !== "HTTP") {
          continue;
        }
        const actions = arrayAt(r.props, "defaultActions");
        if (actions === UNKNOWN) {
          ctx.unknown(`${r.name}.defaultActions`);
          continue;
        }
        const redirects = actions.length > 0 && actions.every((a) => equalsCI("redirect")(at(a, "type")) && equalsCI("HTTPS")(at(a, "redirect.protocol")));
        if (!redirects) {
          ctx.report(`listener '${r.name}' serves HTTP (port ${String(at(r.props, "port") ?? "?")}) without redirecting to HTTPS`, r.urn);
        }
      } else if (r.type === APP_GATEWAY) {
        const listeners = arrayAt(r.props, "httpListeners");
        const rules = arrayAt(r.props, "requestRoutingRules");
        if (listeners === UNKNOWN || rules === UNKNOWN) {
          ctx.unknown(`${r.name}.httpListeners/requestRoutingRules`);
          continue;
        }
        for (const l of listeners) {
          if (!equalsCI("Http")(at(l, "protocol"))) {
            continue;
          }
          const name = str(at(l, "name")) ?? "?";
          const redirected = rules.some((rule) => {
            const ref = str(at(rule, "httpListener.id")) ?? "";
            return (ref.endsWith(`/httpListeners/${name}`) || ref === name) && at(rule, "redirectConfiguration") !== undefined;
          });
          if (!redirected) {
            ctx.report(`Application Gateway '${r.name}': HTTP listener '${name}' has no routing rule that redirects to HTTPS`, r.urn);
          }
        }
      } else if (r.type === GCP_HTTP_PROXY) {
        const maps = (r.propertyDependencies.urlMap ?? []).filter((d) => d.type === GCP_URL_MAP);
        if (maps.length === 0) {
          ctx.unknown(`${r.name}.urlMap (the URL map is not declared in this stack, so its redirect cannot be read)`);
          continue;
        }
        for (const m of maps) {
          const redirect = at(m.props, "defaultUrlRedirect.httpsRedirect");
          if (redirect === UNKNOWN) {
            ctx.unknown(`${m.name}.defaultUrlRedirect`);
          } else if (!truthy(redirect)) {
            ctx.report(`target HTTP proxy '${r.name}' serves URL map '${m.name}', which does not redirect to HTTPS (defaultUrlRedirect.httpsRedirect)`, r.urn);
          }
        }
      }
    }
  },
);

// ------------------------------------------------------------------------------------------
// MER-NET-02: TLS 1.2+ and TLS required, table-driven.

/** ELB policies whose minimum is TLS 1.2 (the TLS13-1-2 / TLS-1-2 / FS-1-2 families, and 1.3-only). */
const ELB_TLS12 = /^ELBSecurityPolicy-(TLS13-1-[23]|TLS-1-2|FS-1-2)/;
const APPGW_TLS12_POLICIES = ["AppGwSslPolicy20170401S", "AppGwSslPolicy20220101", "AppGwSslPolicy20220101S"];

interface TransitRow {
  readonly type: string;
  readonly check: (props: Props, ctx: ResourceCheckContext) => void;
}

const tls12 = (...ok: string[]) => equalsCI(...ok);

const TRANSIT_ROWS: readonly TransitRow[] = [
  ...LB_LISTENERS.map((type) => ({
    type,
    check: (props: Props, ctx: ResourceCheckContext) => {
      const protocol = listenerProtocol(props);
      if (protocol === UNKNOWN) {
        ctx.unknown("protocol");
      } else if (protocol === "HTTPS" || protocol === "TLS") {
        expect(ctx, props, "sslPolicy", (v) => typeof v === "string" && ELB_TLS12.test(v), "sslPolicy must be a TLS 1.2+ policy such as ELBSecurityPolicy-TLS13-1-2-2021-06 (the default, ELBSecurityPolicy-2016-08, accepts TLS 1.0)");
      }
    },
  })),
  {
    type: "aws:apigateway/domainName:DomainName",
    check: (props, ctx) => expect(ctx, props, "securityPolicy", (v) => v === undefined || (typeof v === "string" && /^TLS_1_[23]|SecurityPolicy_TLS1[23]/i.test(v)), "securityPolicy must be TLS_1_2"),
  },
  ...["aws:opensearch/domain:Domain", "aws:elasticsearch/domain:Domain"].map((type) => ({
    type,
    check: (props: Props, ctx: ResourceCheckContext) => {
      expect(ctx, props, "domainEndpointOptions.enforceHttps", truthy, "domainEndpointOptions.enforceHttps must be true");
      expect(ctx, props, "domainEndpointOptions.tlsSecurityPolicy", (v) => typeof v === "string" && /Min-TLS-1-2/.test(v), "domainEndpointOptions.tlsSecurityPolicy must be Policy-Min-TLS-1-2-2019-07 or newer");
      expect(ctx, props, "nodeToNodeEncryption.enabled", truthy, "nodeToNodeEncryption.enabled must be true");
    },
  })),
  {
    type: "aws:elasticache/replicationGroup:ReplicationGroup",
    check: (props, ctx) => expect(ctx, props, "transitEncryptionEnabled", truthy, "transitEncryptionEnabled must be true"),
  },
  {
    type: "aws:msk/cluster:Cluster",
    check: (props, ctx) => {
      expect(ctx, props, "encryptionInfo.encryptionInTransit.clientBroker", (v) => v === undefined || equalsCI("TLS")(v), "encryptionInfo.encryptionInTransit.clientBroker must be \"TLS\"");
      expect(ctx, props, "encryptionInfo.encryptionInTransit.inCluster", (v) => v !== false, "encryptionInfo.encryptionInTransit.inCluster must not be false");
    },
  },
  ...["aws:rds/parameterGroup:ParameterGroup", "aws:rds/clusterParameterGroup:ClusterParameterGroup"].map((type) => ({
    type,
    check: (props: Props, ctx: ResourceCheckContext) => {
      const params = arrayAt(props, "parameters");
      if (params === UNKNOWN) {
        ctx.unknown("parameters");
        return;
      }
      for (const p of params) {
        const name = str(at(p, "name"));
        if ((name === "rds.force_ssl" || name === "require_secure_transport") && ["0", "off", "false"].includes(String(at(p, "value")).toLowerCase())) {
          ctx.report(`parameter ${name}=${String(at(p, "value"))} lets clients connect without TLS`);
        }
      }
    },
  })),
  {
    type: APP_GATEWAY,
    check: (props, ctx) => {
      const policy = at(props, "sslPolicy");
      if (policy === UNKNOWN) {
        ctx.unknown("sslPolicy");
        return;
      }
      const min = at(policy, "minProtocolVersion");
      const name = at(policy, "policyName");
      const ok = (typeof min === "string" && /TLSv1_[23]/i.test(min)) || (typeof name === "string" && APPGW_TLS12_POLICIES.includes(name));
      if (!ok) {
        ctx.report(`sslPolicy must set minProtocolVersion TLSv1_2 (CustomV2) or a TLS 1.2 predefined policy (${APPGW_TLS12_POLICIES.join(", ")}); the default accepts TLS 1.0`);
      }
    },
  },
  { type: "azure-native:sql:Server", check: (props, ctx) => expect(ctx, props, "minimalTlsVersion", tls12("1.2", "1.3"), "minimalTlsVersion must be \"1.2\" or newer") },
  { type: "azure-native:cosmosdb:DatabaseAccount", check: (props, ctx) => expect(ctx, props, "minimalTlsVersion", (v) => v === undefined || tls12("Tls12", "Tls13")(v), "minimalTlsVersion must be \"Tls12\"") },
  ...["azure-native:servicebus:Namespace", "azure-native:eventhub:Namespace"].map((type) => ({
    type,
    check: (props: Props, ctx: ResourceCheckContext) => expect(ctx, props, "minimumTlsVersion", (v) => v === undefined || tls12("1.2", "1.3")(v), "minimumTlsVersion must be \"1.2\""),
  })),
  {
    type: "azure-native:redis:Redis",
    check: (props, ctx) => {
      expect(ctx, props, "minimumTlsVersion", tls12("1.2", "1.3"), "minimumTlsVersion must be \"1.2\"");
      expect(ctx, props, "enableNonSslPort", (v) => v !== true, "enableNonSslPort must be false");
    },
  },
  {
    type: "azure-native:web:WebApp",
    check: (props, ctx) => {
      expect(ctx, props, "httpsOnly", truthy, "httpsOnly must be true");
      expect(ctx, props, "siteConfig.minTlsVersion", (v) => v === undefined || tls12("1.2", "1.3")(v), "siteConfig.minTlsVersion must be \"1.2\"");
    },
  },
  ...["azure-native:dbforpostgresql:Configuration", "azure-native:dbformysql:Configuration"].map((type) => ({
    type,
    check: (props: Props, ctx: ResourceCheckContext) => {
      const name = at(props, "configurationName");
      const value = at(props, "value");
      if (name === UNKNOWN || value === UNKNOWN) {
        ctx.unknown("configurationName/value");
      } else if (name === "require_secure_transport" && typeof value === "string" && value.toLowerCase() === "off") {
        ctx.report("require_secure_transport=off lets clients connect without TLS");
      }
    },
  })),
  { type: "gcp:compute/sSLPolicy:SSLPolicy", check: (props, ctx) => expect(ctx, props, "minTlsVersion", tls12("TLS_1_2", "TLS_1_3"), "minTlsVersion must be \"TLS_1_2\" (the default is TLS_1_0)") },
  { type: "gcp:compute/targetHttpsProxy:TargetHttpsProxy", check: (props, ctx) => expect(ctx, props, "sslPolicy", isSet, "sslPolicy must name an SSL policy with minTlsVersion TLS_1_2 (without one Google's default accepts TLS 1.0)") },
  {
    type: "gcp:sql/databaseInstance:DatabaseInstance",
    check: (props, ctx) => {
      const mode = at(props, "settings.ipConfiguration.sslMode");
      if (mode === UNKNOWN) {
        ctx.unknown("settings.ipConfiguration.sslMode");
      } else if (!equalsCI("ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED")(mode)) {
        ctx.report("settings.ipConfiguration.sslMode must be \"ENCRYPTED_ONLY\" or \"TRUSTED_CLIENT_CERTIFICATE_REQUIRED\" (the default allows unencrypted connections)");
      }
    },
  },
  { type: "gcp:redis/instance:Instance", check: (props, ctx) => expect(ctx, props, "transitEncryptionMode", equalsCI("SERVER_AUTHENTICATION"), "transitEncryptionMode must be \"SERVER_AUTHENTICATION\"") },
];

const transitByType = new Map(TRANSIT_ROWS.map((r) => [r.type, r]));

export const transitTls: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-baseline-transit-tls-require",
    area: "baseline",
    rules: ["MER-NET-02"],
    description:
      "TLS 1.2 or newer wherever a TLS policy is chosen (load balancer listeners, Application Gateways, API Gateway, GCP SSL policies and HTTPS proxies) and TLS required by databases, caches and brokers (OpenSearch, ElastiCache, MSK, RDS parameter groups, Azure SQL/Cosmos/Service Bus/Event Hubs/Redis/PostgreSQL/MySQL, App Service, Cloud SQL, Memorystore).",
    why: "TLS 1.0/1.1 and plaintext connections are readable or forgeable on any network between the client and the service, which the domain does not control.",
    remediation:
      "Choose the TLS 1.2+ policy the violation names (ELBSecurityPolicy-TLS13-1-2-2021-06, AppGwSslPolicy20220101, Policy-Min-TLS-1-2-2019-07, minTlsVersion TLS_1_2, minimalTlsVersion 1.2) and switch on the service's TLS requirement (transitEncryptionEnabled, sslMode ENCRYPTED_ONLY, require_secure_transport on).",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: SOC2_TRANSIT,
    types: TRANSIT_ROWS.map((r) => r.type),
  },
  (r, ctx) => transitByType.get(r.type)?.check(r.props, ctx),
);

// ------------------------------------------------------------------------------------------
// MER-NET-03: no resource policy grants to everyone.

const AWS_POLICY_TYPES: Readonly<Record<string, string>> = {
  "aws:s3/bucketPolicy:BucketPolicy": "policy",
  "aws:s3/bucket:Bucket": "policy",
  "aws:s3/bucketV2:BucketV2": "policy",
  "aws:ecr/repositoryPolicy:RepositoryPolicy": "policy",
  "aws:sqs/queuePolicy:QueuePolicy": "policy",
  "aws:sqs/queue:Queue": "policy",
  "aws:sns/topicPolicy:TopicPolicy": "policy",
  "aws:sns/topic:Topic": "policy",
  "aws:secretsmanager/secretPolicy:SecretPolicy": "policy",
  "aws:kms/key:Key": "policy",
};
const GCP_PUBLIC_MEMBERS = new Set(["allusers", "allauthenticatedusers"]);
// Grants on data (buckets, repositories) and on invocation (Cloud Run services and jobs,
// Cloud Functions 1st and 2nd gen): `allUsers` as run/functions invoker lets anyone on the
// internet call the domain's code and reach the data behind it.
const GCP_IAM_MEMBER = [
  "gcp:storage/bucketIAMMember:BucketIAMMember",
  "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember",
  "gcp:cloudrun/iamMember:IamMember",
  "gcp:cloudrunv2/serviceIamMember:ServiceIamMember",
  "gcp:cloudrunv2/jobIamMember:JobIamMember",
  "gcp:cloudfunctions/functionIamMember:FunctionIamMember",
  "gcp:cloudfunctionsv2/functionIamMember:FunctionIamMember",
];
const GCP_IAM_BINDING = [
  "gcp:storage/bucketIAMBinding:BucketIAMBinding",
  "gcp:artifactregistry/repositoryIamBinding:RepositoryIamBinding",
  "gcp:cloudrun/iamBinding:IamBinding",
  "gcp:cloudrunv2/serviceIamBinding:ServiceIamBinding",
  "gcp:cloudrunv2/jobIamBinding:JobIamBinding",
  "gcp:cloudfunctions/functionIamBinding:FunctionIamBinding",
  "gcp:cloudfunctionsv2/functionIamBinding:FunctionIamBinding",
];

export const publicResourcePolicy: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-baseline-resource-policy-public-refuse",
    area: "baseline",
    rules: ["MER-NET-03"],
    description:
      "No bucket, repository, queue, topic, secret or key policy allows `Principal: \"*\"` without a condition that narrows it (source account/ARN/VPC/organisation); no GCS, Artifact Registry, Cloud Run or Cloud Functions grant (member or binding) to allUsers/allAuthenticatedUsers; no Lambda permission for everyone; no public Azure blob access.",
    why: "A grant to everyone makes the domain's data readable (or writable) by anyone on the internet, wherever they are.",
    remediation:
      "Grant to named principals, or add a narrowing condition (`aws:SourceArn`, `aws:SourceAccount`, `aws:SourceVpce`, `aws:PrincipalOrgID`); serve public content through an authenticated front end in the domain; set `allowBlobPublicAccess: false` and container `publicAccess: \"None\"`.",
    severity: "critical",
    enforcementLevel: "mandatory",
    frameworks: SOC2_EXPOSURE,
    types: [
      ...Object.keys(AWS_POLICY_TYPES),
      "aws:lambda/permission:Permission",
      ...GCP_IAM_MEMBER,
      ...GCP_IAM_BINDING,
      "gcp:storage/bucketAccessControl:BucketAccessControl",
      "azure-native:storage:StorageAccount",
      "azure-native:storage:BlobContainer",
    ],
  },
  (r, ctx) => {
    const policyPath = AWS_POLICY_TYPES[r.type];
    if (policyPath) {
      const policy = at(r.props, policyPath);
      if (policy === UNKNOWN) {
        ctx.unknown(policyPath);
        return;
      }
      const parsed = parsePolicyDocument(policy);
      if (parsed.kind === "invalid") {
        ctx.report(`${policyPath}: ${parsed.reason}, so who it grants to cannot be read`);
        return;
      }
      for (const s of publicStatements(policy)) {
        ctx.report(`${policyPath} Statement[${s.index}]${s.sid ? ` (${s.sid})` : ""} allows ${s.actions} to Principal "*" without a narrowing condition`);
      }
      return;
    }
    switch (r.type) {
      case "aws:lambda/permission:Permission": {
        const principal = at(r.props, "principal");
        if (principal === UNKNOWN) {
          ctx.unknown("principal");
        } else if (principal === "*" && !isSet(at(r.props, "sourceArn")) && !isSet(at(r.props, "sourceAccount")) && !isSet(at(r.props, "principalOrgId"))) {
          ctx.report(`principal "*" lets anyone invoke the function${at(r.props, "functionUrlAuthType") === "NONE" ? " through an unauthenticated function URL" : ""}`);
        }
        break;
      }
      case "gcp:storage/bucketAccessControl:BucketAccessControl": {
        const entity = at(r.props, "entity");
        if (entity === UNKNOWN) {
          ctx.unknown("entity");
        } else if (typeof entity === "string" && GCP_PUBLIC_MEMBERS.has(entity.toLowerCase())) {
          ctx.report(`entity ${entity} makes the bucket public`);
        }
        break;
      }
      case "azure-native:storage:StorageAccount":
        expect(ctx, r.props, "allowBlobPublicAccess", (v) => v !== true, "allowBlobPublicAccess must be false");
        break;
      case "azure-native:storage:BlobContainer":
        expect(ctx, r.props, "publicAccess", (v) => v === undefined || equalsCI("None")(v), "publicAccess must be \"None\"");
        break;
      default: {
        const members = GCP_IAM_MEMBER.includes(r.type) ? [at(r.props, "member")] : arrayAt(r.props, "members");
        if (members === UNKNOWN) {
          ctx.unknown("members");
          break;
        }
        for (const m of members) {
          if (m === UNKNOWN) {
            ctx.unknown("member");
          } else if (typeof m === "string" && GCP_PUBLIC_MEMBERS.has(m.toLowerCase())) {
            ctx.report(`${m} is granted ${String(at(r.props, "role") ?? "a role")}: anyone can use it`);
          }
        }
      }
    }
  },
);

// ------------------------------------------------------------------------------------------
// MER-NET-04: S3 public access blocks and ACLs.

const PAB_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
const PUBLIC_ACLS = new Set(["public-read", "public-read-write", "authenticated-read"]);

export const s3PublicAccessBlock: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-aws-s3-public-access-block",
    area: "aws",
    rules: ["MER-NET-04"],
    description: "S3 public access blocks (bucket and account) keep all four switches on; no bucket ACL is public-read, public-read-write or authenticated-read.",
    why: "A disabled block is how a bucket becomes world-readable by a later policy or ACL change; canned public ACLs expose every object.",
    remediation: "Set `blockPublicAcls`, `blockPublicPolicy`, `ignorePublicAcls` and `restrictPublicBuckets` to true; use `acl: \"private\"` (or none, with BucketOwnerEnforced ownership).",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: SOC2_EXPOSURE,
    types: [
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
      "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
      "aws:s3/bucketAclV2:BucketAclV2",
      "aws:s3/bucketAcl:BucketAcl",
      "aws:s3/bucket:Bucket",
      "aws:s3/bucketV2:BucketV2",
    ],
  },
  (r, ctx) => {
    if (r.type.endsWith("PublicAccessBlock")) {
      for (const flag of PAB_FLAGS) {
        expect(ctx, r.props, flag, truthy, `${flag} must be true`);
      }
      return;
    }
    expect(ctx, r.props, "acl", (v) => typeof v !== "string" || !PUBLIC_ACLS.has(v.toLowerCase()), `acl must not be ${[...PUBLIC_ACLS].join(", ")}`);
  },
);

// ------------------------------------------------------------------------------------------
// MER-NET-05: website endpoints.

export const websiteEndpoints: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-baseline-website-endpoint-refuse",
    area: "baseline",
    rules: ["MER-NET-05"],
    description: "No storage website endpoints: S3 website configurations, GCS `website`, Azure static websites.",
    why: "Website endpoints serve a bucket to anyone (S3 website endpoints over HTTP only), bypassing the domain's TLS and access controls.",
    remediation: "Serve content through an HTTPS load balancer or Application Gateway in the domain with authenticated access to a private bucket; remove the website configuration.",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: SOC2_EXPOSURE,
    types: [
      "aws:s3/bucketWebsiteConfigurationV2:BucketWebsiteConfigurationV2",
      "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration",
      "aws:s3/bucket:Bucket",
      "gcp:storage/bucket:Bucket",
      "azure-native:storage:StorageAccountStaticWebsite",
    ],
  },
  (r, ctx) => {
    if (r.type === "aws:s3/bucket:Bucket" || r.type === "gcp:storage/bucket:Bucket") {
      expect(ctx, r.props, "website", (v) => v === undefined || v === null || (typeof v === "object" && Object.keys(v).length === 0), "website must not be set: the bucket would be served as a public website");
      return;
    }
    ctx.report("a website endpoint serves the storage to anyone");
  },
);

// ------------------------------------------------------------------------------------------
// MER-NET-06: ingress from the whole internet.

const OPEN_V4 = new Set(["0.0.0.0/0"]);
const OPEN_V6 = new Set(["::/0"]);
const AZURE_ANY = new Set(["*", "internet", "0.0.0.0/0", "::/0", "any"]);

/** Ports of a from/to range outside the allowed set; `all` for "every port". */
function disallowedPorts(allowed: ReadonlySet<number>, from: number, to: number): string | undefined {
  if (from < 0 || to < 0 || (from === 0 && to === 65535) || to - from > 1024) {
    return `${from === to ? from : `${from}-${to}`} (all or many ports)`;
  }
  const bad: number[] = [];
  for (let p = from; p <= to; p++) {
    if (!allowed.has(p)) {
      bad.push(p);
    }
  }
  return bad.length === 0 ? undefined : bad.length === 1 ? String(bad[0]) : `${from}-${to}`;
}

function parsePortSpec(spec: string): [number, number] | undefined {
  if (spec === "*") {
    return [0, 65535];
  }
  const m = /^(\d+)(?:-(\d+))?$/.exec(spec.trim());
  return m ? [Number(m[1]), Number(m[2] ?? m[1])] : undefined;
}

const SG_TYPES = ["aws:ec2/securityGroup:SecurityGroup", "aws:ec2/securityGroupRule:SecurityGroupRule", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"];
const NSG_TYPES = ["azure-native:network:NetworkSecurityGroup", "azure-native:network:SecurityRule"];
const FIREWALL = "gcp:compute/firewall:Firewall";

const CLOUD_SQL = "gcp:sql/databaseInstance:DatabaseInstance";

/**
 * Cloud SQL's own firewall: an authorized network 0.0.0.0/0 on the public IP opens the
 * database port to the internet (the database speaks its own protocol there, not HTTPS).
 */
function checkAuthorizedNetworks(r: StackResourceView, ctx: { report(m: string, urn?: string): void; unknown(p: string): void }): void {
  const ip = at(r.props, "settings.ipConfiguration");
  if (ip === UNKNOWN) {
    ctx.unknown(`${r.name}.settings.ipConfiguration`);
    return;
  }
  if (at(ip, "ipv4Enabled") === false) {
    return; // no public IP: authorized networks do not apply
  }
  const nets = arrayAt(ip, "authorizedNetworks");
  if (nets === UNKNOWN) {
    ctx.unknown(`${r.name}.settings.ipConfiguration.authorizedNetworks`);
    return;
  }
  nets.forEach((n, i) => {
    const v = at(n, "value");
    if (v === UNKNOWN) {
      ctx.unknown(`${r.name}.settings.ipConfiguration.authorizedNetworks[${i}].value`);
    } else if (typeof v === "string" && (OPEN_V4.has(v) || OPEN_V6.has(v))) {
      ctx.report(`'${r.name}': settings.ipConfiguration.authorizedNetworks[${i}] authorizes ${v}: the database's public IP is open to the internet`, r.urn);
    }
  });
}

const LOAD_BALANCERS = new Set(["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"]);
const HTTP_PORT = 80;

/**
 * Where an open port 80 can be a redirect to HTTPS: an AWS security group that only load
 * balancers use (their listeners are checked by meridian-baseline-http-listener-redirect), an Azure
 * NSG (Application Gateway subnets need it); never a GCP firewall (Google's load balancers
 * reach backends from their own ranges, so 0.0.0.0/0 on 80 is straight to the VMs).
 */
function redirectable(r: StackResourceView, all: readonly StackResourceView[]): boolean {
  if (r.type === FIREWALL) {
    return false;
  }
  if (NSG_TYPES.includes(r.type)) {
    return true;
  }
  const groups =
    r.type === "aws:ec2/securityGroup:SecurityGroup" ? [r] : (r.propertyDependencies.securityGroupId ?? []).filter((d) => d.type === "aws:ec2/securityGroup:SecurityGroup");
  const uses = (u: StackResourceView, g: StackResourceView) => Object.values(u.propertyDependencies).some((deps) => deps.some((d) => d.urn === g.urn));
  // Only a group that fronts nothing but load balancers: the same group on an ECS service,
  // an instance or a launch template lets 0.0.0.0/0 reach those directly on 80 (rules and
  // other groups that merely reference it as a source are not its users).
  const directUser = (u: StackResourceView) => !LOAD_BALANCERS.has(u.type) && !SG_TYPES.includes(u.type);
  return groups.length > 0 && groups.every((g) => all.some((u) => LOAD_BALANCERS.has(u.type) && uses(u, g)) && !all.some((u) => directUser(u) && uses(u, g)));
}

export const openIngress: StackValidationPolicy = stackPolicy(
  {
    name: "meridian-baseline-ingress-open-restrict",
    area: "baseline",
    rules: ["MER-NET-06", "RES-06"],
    description:
      "Security groups, security group rules, NSGs / security rules, GCP firewalls and Cloud SQL authorized networks open to 0.0.0.0/0 or ::/0 only on `publicIngressPorts` (default 443, and 80 only where it can redirect to HTTPS: a security group only load balancers use, an NSG — never a GCP firewall, nor a group also attached to instances, ECS services or launch templates).",
    why: "SSH, RDP, database and admin ports open to the internet are the most common way in, and port 80 straight to an instance is clear-text HTTP; only the domain's public HTTPS entry points (and their redirects) belong there.",
    remediation:
      "Restrict the source to the domain's CIDRs, a prefix list or a security group; reach hosts through SSM / IAP / Bastion; put HTTP behind a load balancer that redirects to HTTPS; if another port must be public, add it to `publicIngressPorts` in the pack config (reviewed).",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: SOC2_EXPOSURE,
    types: [...SG_TYPES, ...NSG_TYPES, FIREWALL, ...LOAD_BALANCERS, CLOUD_SQL],
  },
  (resources, stackCtx) => {
    const types = new Set([...SG_TYPES, ...NSG_TYPES, FIREWALL]);
    for (const r of resources) {
      if (r.type === CLOUD_SQL) {
        checkAuthorizedNetworks(r, stackCtx);
        continue;
      }
      if (!types.has(r.type)) {
        continue;
      }
      const configured = stackCtx.cfg.publicIngressPorts;
      const redirect = configured.has(HTTP_PORT) && redirectable(r, resources);
      const allowed = new Set([...configured].filter((p) => p !== HTTP_PORT || redirect));
      const ctx = {
        report: (m: string) => stackCtx.report(`'${r.name}': ${m}`, r.urn),
        unknown: (path: string) => stackCtx.unknown(`${r.name}.${path}`),
      };
      checkIngress(r, ctx, allowed, configured.has(HTTP_PORT) && !redirect);
    }
  },
);

function checkIngress(r: StackResourceView, ctx: { report(m: string): void; unknown(p: string): void }, allowed: ReadonlySet<number>, httpNotRedirectable: boolean): void {
    const judge = (where: string, protocol: unknown, from: number, to: number) => {
      const proto = String(protocol ?? "").toLowerCase();
      if (proto === "icmp" || proto === "icmpv6" || proto === "1" || proto === "58") {
        return;
      }
      const all = proto === "-1" || proto === "all" || proto === "*";
      const bad = all ? "all ports (protocol all)" : disallowedPorts(allowed, from, to);
      if (bad) {
        const why = httpNotRedirectable && from <= HTTP_PORT && HTTP_PORT <= to ? " (80 only in front of a load balancer that redirects to HTTPS: here it reaches instances in clear text)" : "";
        ctx.report(`${where} opens ${bad} to the internet; allowed public ports: ${[...allowed].join(", ") || "none"}${why}`);
      }
    };
    const num = (v: unknown, d: number) => (typeof v === "number" ? v : typeof v === "string" && v !== "" && !Number.isNaN(Number(v)) ? Number(v) : d);
    const awsRule = (rule: unknown, where: string, cidrKeys: readonly string[]) => {
      for (const key of cidrKeys) {
        const v = at(rule, key);
        if (v === UNKNOWN) {
          ctx.unknown(`${where}.${key}`);
          continue;
        }
        const cidrs = Array.isArray(v) ? v : v === undefined ? [] : [v];
        if (cidrs.some((c) => typeof c === "string" && (OPEN_V4.has(c) || OPEN_V6.has(c)))) {
          judge(where, at(rule, r.type.startsWith("aws:vpc/") ? "ipProtocol" : "protocol"), num(at(rule, "fromPort"), -1), num(at(rule, "toPort"), -1));
          return;
        }
      }
    };
    switch (r.type) {
      case "aws:ec2/securityGroup:SecurityGroup": {
        const ingress = arrayAt(r.props, "ingress");
        if (ingress === UNKNOWN) {
          ctx.unknown("ingress");
          return;
        }
        ingress.forEach((rule, i) => awsRule(rule, `ingress[${i}]`, ["cidrBlocks", "ipv6CidrBlocks"]));
        return;
      }
      case "aws:ec2/securityGroupRule:SecurityGroupRule": {
        const type = at(r.props, "type");
        if (type === UNKNOWN) {
          ctx.unknown("type");
        } else if (type === "ingress") {
          awsRule(r.props, "rule", ["cidrBlocks", "ipv6CidrBlocks"]);
        }
        return;
      }
      case "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
        awsRule(r.props, "rule", ["cidrIpv4", "cidrIpv6"]);
        return;
      case FIREWALL: {
        const direction = at(r.props, "direction");
        const disabled = at(r.props, "disabled");
        if (direction === UNKNOWN || (typeof direction === "string" && direction.toUpperCase() === "EGRESS") || truthy(disabled)) {
          if (direction === UNKNOWN) ctx.unknown("direction");
          return;
        }
        const ranges = arrayAt(r.props, "sourceRanges");
        if (ranges === UNKNOWN) {
          ctx.unknown("sourceRanges");
          return;
        }
        if (!ranges.some((c) => typeof c === "string" && (OPEN_V4.has(c) || OPEN_V6.has(c)))) {
          return;
        }
        const allows = arrayAt(r.props, "allows");
        if (allows === UNKNOWN) {
          ctx.unknown("allows");
          return;
        }
        allows.forEach((a, i) => {
          const protocol = str(at(a, "protocol")) ?? "";
          const ports = arrayAt(a, "ports");
          if (ports === UNKNOWN) {
            ctx.unknown(`allows[${i}].ports`);
            return;
          }
          if (ports.length === 0) {
            judge(`allows[${i}]`, protocol === "all" ? "all" : protocol, 0, 65535);
          }
          for (const p of ports) {
            const range = typeof p === "string" ? parsePortSpec(p) : typeof p === "number" ? ([p, p] as [number, number]) : undefined;
            if (range) {
              judge(`allows[${i}]`, protocol, range[0], range[1]);
            }
          }
        });
        return;
      }
      default: {
        // Azure: an NSG's inline securityRules, or one SecurityRule.
        const rules = r.type === "azure-native:network:SecurityRule" ? [r.props] : arrayAt(r.props, "securityRules");
        if (rules === UNKNOWN) {
          ctx.unknown("securityRules");
          return;
        }
        rules.forEach((rule, i) => {
          const where = r.type === "azure-native:network:SecurityRule" ? "rule" : `securityRules[${i}]`;
          if (!equalsCI("Inbound")(at(rule, "direction")) || !equalsCI("Allow")(at(rule, "access"))) {
            return;
          }
          const prefixes = arrayAt(rule, "sourceAddressPrefixes");
          const ranges = arrayAt(rule, "destinationPortRanges");
          if (prefixes === UNKNOWN || ranges === UNKNOWN) {
            ctx.unknown(`${where}.sourceAddressPrefixes/destinationPortRanges`);
            return;
          }
          const sources = [at(rule, "sourceAddressPrefix"), ...prefixes];
          if (!sources.some((s) => typeof s === "string" && AZURE_ANY.has(s.toLowerCase()))) {
            return;
          }
          const specs = [at(rule, "destinationPortRange"), ...ranges].filter((s): s is string => typeof s === "string");
          for (const spec of specs.length > 0 ? specs : ["*"]) {
            const range = parsePortSpec(spec);
            if (range) {
              judge(`${where} '${String(at(rule, "name") ?? "")}'`, at(rule, "protocol") === "*" && spec === "*" ? "*" : "tcp", range[0], range[1]);
            }
          }
        });
      }
    }
}

// ------------------------------------------------------------------------------------------
// MER-NET-07: nodes and instances without public IPs.

export const nodePublicIp: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-baseline-node-public-ip-refuse",
    area: "baseline",
    rules: ["MER-NET-07"],
    description:
      "Instances, cluster nodes and containers get no public IP: EC2 instances and launch templates, ECS services' tasks (assignPublicIp), AKS node pools, Azure NICs, Azure container groups (ipAddress type Public), Compute Engine instances and templates (access configs), GKE node pools (private nodes).",
    why: "A node with a public address is reachable from the internet and leaves through its own address, around the domain's egress controls.",
    remediation:
      "Put nodes in private subnets behind NAT; set `associatePublicIpAddress: false`, ECS `assignPublicIp: false`, ACI `ipAddress.type: \"Private\"` with `subnetIds`, `enableNodePublicIP: false`, no `publicIPAddress` on NICs, no `accessConfigs` on GCE network interfaces, and private GKE nodes.",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: SOC2_EXPOSURE,
    types: [
      "aws:ec2/instance:Instance",
      "aws:ec2/launchTemplate:LaunchTemplate",
      "aws:ecs/service:Service",
      "azure-native:containerinstance:ContainerGroup",
      "azure-native:containerservice:ManagedCluster",
      "azure-native:containerservice:AgentPool",
      "azure-native:network:NetworkInterface",
      "gcp:compute/instance:Instance",
      "gcp:compute/instanceTemplate:InstanceTemplate",
      "gcp:container/nodePool:NodePool",
    ],
  },
  (r, ctx) => {
    const eachOf = (list: string, field: string, ok: (v: unknown) => boolean, message: (i: number) => string) => {
      const items = arrayAt(r.props, list);
      if (items === UNKNOWN) {
        ctx.unknown(list);
        return;
      }
      items.forEach((item, i) => expect(ctx, item, field, ok, message(i), `${list}[${i}].`));
    };
    switch (r.type) {
      case "aws:ec2/instance:Instance": {
        const assoc = expect(ctx, r.props, "associatePublicIpAddress", (v) => !truthy(v), "associatePublicIpAddress must be false");
        const subnet = at(r.props, "subnetId");
        const nics = at(r.props, "networkInterfaces");
        if (assoc === undefined && subnet === undefined && (nics === undefined || (Array.isArray(nics) && nics.length === 0))) {
          ctx.report("no subnetId: the instance lands in the default VPC, whose subnets give every instance a public IP (set subnetId to a private subnet, or associatePublicIpAddress: false)");
        }
        break;
      }
      case "aws:ec2/launchTemplate:LaunchTemplate":
        eachOf("networkInterfaces", "associatePublicIpAddress", (v) => !truthy(v), (i) => `networkInterfaces[${i}].associatePublicIpAddress must be false`);
        break;
      case "aws:ecs/service:Service":
        // awsvpc tasks (Fargate) get their own ENI; with assignPublicIp each task is on the internet.
        expect(ctx, r.props, "networkConfiguration.assignPublicIp", (v) => !truthy(v), "networkConfiguration.assignPublicIp must be false (each task would get a public IP)");
        break;
      case "azure-native:containerinstance:ContainerGroup": {
        const type = at(r.props, "ipAddress.type");
        if (type === UNKNOWN) {
          ctx.unknown("ipAddress.type");
        } else if (equalsCI("Public")(type)) {
          const ports = arrayAt(r.props, "ipAddress.ports");
          const list = ports === UNKNOWN ? "" : ports.map((p) => String(at(p, "port"))).join(", ");
          ctx.report(`ipAddress.type "Public" puts the container group on the internet${list ? ` (ports ${list})` : ""}: deploy it into a VNet subnet (subnetIds, type "Private") behind the domain's ingress`);
        }
        break;
      }
      case "azure-native:containerservice:ManagedCluster":
        eachOf("agentPoolProfiles", "enableNodePublicIP", (v) => v !== true, (i) => `agentPoolProfiles[${i}].enableNodePublicIP must be false`);
        break;
      case "azure-native:containerservice:AgentPool":
        expect(ctx, r.props, "enableNodePublicIP", (v) => v !== true, "enableNodePublicIP must be false");
        break;
      case "azure-native:network:NetworkInterface":
        eachOf("ipConfigurations", "publicIPAddress", (v) => v === undefined || v === null, (i) => `ipConfigurations[${i}].publicIPAddress gives the interface a public IP`);
        break;
      case "gcp:compute/instance:Instance":
      case "gcp:compute/instanceTemplate:InstanceTemplate":
        eachOf("networkInterfaces", "accessConfigs", (v) => v === undefined || (Array.isArray(v) && v.length === 0), (i) => `networkInterfaces[${i}].accessConfigs gives the instance an external IP`);
        break;
      case "gcp:container/nodePool:NodePool":
        expect(ctx, r.props, "networkConfig.enablePrivateNodes", (v) => v !== false, "networkConfig.enablePrivateNodes must not be false");
        break;
    }
  },
);

export const exposurePolicies = [httpListenerRedirect, transitTls, publicResourcePolicy, s3PublicAccessBlock, websiteEndpoints, openIngress, nodePublicIp];
