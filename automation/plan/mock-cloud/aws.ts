/** AWS-shaped mock outputs: ARNs carry the provider's region and the fake account. */
import { awsAccountOf, fakePublicKeyPem, kindOf, physicalName, stableHash, str, type MockContext, type ProviderState } from "./shared";

type Shaper = (ctx: MockContext, region: string, arnBase: string) => Record<string, unknown>;

/** `aws:kms/key:Key` → service `kms`. */
function serviceOf(type: string): string {
  return type.split(":")[1].split("/")[0].toLowerCase();
}

export function awsRegion(ctx: { inputs: Record<string, unknown>; provider: ProviderState | undefined }): string {
  // aws v7: a per-resource `region` overrides the provider's.
  return str(ctx.inputs.region, str(ctx.provider?.inputs.region, "us-east-1"));
}

/** Types with outputs a component reads; everything else gets arn + id. */
const SHAPERS: Record<string, Shaper> = {
  "aws:kms/key:Key": (ctx, region) => {
    const keyId = `${stableHash(ctx.name, 8)}-0000-4000-8000-${stableHash(ctx.name + "k", 12)}`;
    return { id: keyId, keyId, arn: `arn:aws:kms:${region}:${awsAccountOf(ctx.provider)}:key/${keyId}` };
  },
  "aws:kms/alias:Alias": (ctx, region) => ({ arn: `arn:aws:kms:${region}:${awsAccountOf(ctx.provider)}:${str(ctx.inputs.name, ctx.name)}` }),
  "aws:ecr/repository:Repository": (ctx, region) => {
    const name = str(ctx.inputs.name, physicalName(ctx));
    return {
      id: name,
      arn: `arn:aws:ecr:${region}:${awsAccountOf(ctx.provider)}:repository/${name}`,
      registryId: awsAccountOf(ctx.provider),
      repositoryUrl: `${awsAccountOf(ctx.provider)}.dkr.ecr.${region}.amazonaws.com/${name}`,
    };
  },
  "aws:ec2/vpc:Vpc": (ctx, region) => {
    const id = `vpc-${stableHash(ctx.name, 17)}`;
    return { id, arn: `arn:aws:ec2:${region}:${awsAccountOf(ctx.provider)}:vpc/${id}`, defaultSecurityGroupId: `sg-${stableHash(ctx.name + "sg", 17)}`, mainRouteTableId: `rtb-${stableHash(ctx.name + "rt", 17)}` };
  },
  "aws:iam/role:Role": (ctx) => {
    const name = str(ctx.inputs.name, physicalName(ctx));
    return { id: name, name, arn: `arn:aws:iam::${awsAccountOf(ctx.provider)}:role/${name}`, uniqueId: `AROA${stableHash(name, 16).toUpperCase()}` };
  },
  "aws:iam/policy:Policy": (ctx) => {
    const name = str(ctx.inputs.name, physicalName(ctx));
    return { id: `arn:aws:iam::${awsAccountOf(ctx.provider)}:policy/${name}`, name, arn: `arn:aws:iam::${awsAccountOf(ctx.provider)}:policy/${name}` };
  },
  // Organizations is global: policy ARNs carry no region (guardrails).
  "aws:organizations/policy:Policy": (ctx) => {
    const id = `p-${stableHash(ctx.type + ctx.name, 8)}`;
    return { id, arn: `arn:aws:organizations::${awsAccountOf(ctx.provider)}:policy/o-mock/service_control_policy/${id}` };
  },
  "aws:organizations/policyAttachment:PolicyAttachment": (ctx) => ({ id: `${str(ctx.inputs.targetId, "target")}:${str(ctx.inputs.policyId, "policy")}` }),
  // S3 bucket ARNs carry neither region nor account.
  "aws:s3/bucket:Bucket": (ctx) => {
    const bucket = str(ctx.inputs.bucket, physicalName(ctx));
    return { id: bucket, bucket, arn: `arn:aws:s3:::${bucket}`, bucketDomainName: `${bucket}.s3.amazonaws.com` };
  },
  // Route 53 is global: a hosted zone's ARN has neither region nor account; AWS picks its id
  // and four name servers (the dns role exports both).
  "aws:route53/zone:Zone": (ctx) => {
    const zoneId = `Z${stableHash(ctx.name, 20).toUpperCase()}`;
    const ns = (n: number, tld: string) => `ns-${parseInt(stableHash(ctx.name + n, 3), 16) % 2048}.awsdns-${String(n * 13 + 7).padStart(2, "0")}.${tld}`;
    return { id: zoneId, zoneId, arn: `arn:aws:route53:::hostedzone/${zoneId}`, nameServers: [ns(1, "com"), ns(2, "net"), ns(3, "org"), ns(4, "co.uk")] };
  },
  "aws:cloudwatch/logGroup:LogGroup": (ctx, region) => {
    const name = str(ctx.inputs.name, physicalName(ctx));
    return { id: name, name, arn: `arn:aws:logs:${region}:${awsAccountOf(ctx.provider)}:log-group:${name}` };
  },
};

/** EC2-style ids for the common networking kinds. */
const EC2_PREFIX: Record<string, string> = {
  Subnet: "subnet",
  InternetGateway: "igw",
  NatGateway: "nat",
  Eip: "eipalloc",
  RouteTable: "rtb",
  SecurityGroup: "sg",
  FlowLog: "fl",
  VpnGateway: "vgw",
  CustomerGateway: "cgw",
  VpnConnection: "vpn",
  LaunchTemplate: "lt",
  TransitGateway: "tgw",
};

export function awsOutputs(ctx: MockContext): Record<string, unknown> {
  const region = awsRegion(ctx);
  const kind = kindOf(ctx.type);
  const prefix = EC2_PREFIX[kind];
  const id = prefix ? `${prefix}-${stableHash(ctx.type + ctx.name, 17)}` : physicalName(ctx);
  const arnBase = `arn:aws:${serviceOf(ctx.type)}:${region}:${awsAccountOf(ctx.provider)}:${kind.toLowerCase()}/${id}`;
  const shaped = SHAPERS[ctx.type]?.(ctx, region, arnBase) ?? {};
  return { id, arn: arnBase, region, ...shaped };
}

export const awsInvokes: Record<string, (inputs: Record<string, unknown>, provider: ProviderState | undefined) => Record<string, unknown>> = {
  "aws:index/getCallerIdentity:getCallerIdentity": (_i, provider) => ({
    accountId: awsAccountOf(provider),
    arn: `arn:aws:sts::${awsAccountOf(provider)}:assumed-role/meridian-deployer/session`,
    userId: "AROAMOCK:session",
    id: awsAccountOf(provider),
  }),
  // As the provider does: an STS assumed-role ARN becomes its IAM role's ARN; any other ARN passes through.
  "aws:iam/getSessionContext:getSessionContext": (inputs) => {
    const arn = String(inputs.arn);
    const m = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/.exec(arn);
    const issuerArn = m ? `arn:${m[1]}:iam::${m[2]}:role/${m[3]}` : arn;
    return { arn, issuerArn, issuerId: "AROAMOCK", issuerName: m?.[3] ?? "", sessionName: m?.[4] ?? "", id: arn };
  },
  "aws:index/getPartition:getPartition": () => ({ partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" }),
  "aws:index/getRegion:getRegion": (_i, provider) => {
    const region = awsRegion({ inputs: {}, provider });
    return { name: region, region, id: region, endpoint: `ec2.${region}.amazonaws.com` };
  },
  "aws:index/getAvailabilityZones:getAvailabilityZones": (inputs, provider) => {
    const region = awsRegion({ inputs, provider });
    const names = ["a", "b", "c"].map((z) => `${region}${z}`);
    return { id: region, names, zoneIds: names.map((_, i) => `${region.replace(/-/g, "").slice(0, 6)}-az${i + 1}`), groupNames: [region] };
  },
  "aws:ec2/getAmi:getAmi": (inputs, provider) => {
    const id = `ami-${stableHash(JSON.stringify(inputs.filters ?? []) + awsRegion({ inputs, provider }), 17)}`;
    return { id, imageId: id, architecture: "x86_64", name: "al2023-ami-2023.6-kernel-6.1-x86_64", ownerId: "137112412989", rootDeviceType: "ebs", virtualizationType: "hvm" };
  },
  // The default VPC every AWS account has in every region (what `getVpc({ default: true })` finds).
  "aws:ec2/getVpc:getVpc": (inputs, provider) => {
    const region = awsRegion({ inputs, provider });
    const id = `vpc-${stableHash(`default-${region}`, 17)}`;
    return { id, cidrBlock: "172.31.0.0/16", default: true, arn: `arn:aws:ec2:${region}:${awsAccountOf(provider)}:vpc/${id}`, ownerId: awsAccountOf(provider) };
  },
  "aws:ec2/getSubnets:getSubnets": (inputs, provider) => {
    const region = awsRegion({ inputs, provider });
    return { id: region, ids: ["a", "b", "c"].map((z) => `subnet-${stableHash(`default-${region}${z}`, 17)}`) };
  },
  // Rendered as AWS renders it, so bucket and key policies built with it are judged on real JSON.
  "aws:iam/getPolicyDocument:getPolicyDocument": (inputs) => {
    const json = JSON.stringify({ Version: "2012-10-17", Statement: ((inputs.statements as PolicyStatementInput[] | undefined) ?? []).map(policyStatement) });
    return { id: stableHash(json, 10), json, minifiedJson: json };
  },
  // The public half of an asymmetric KMS key (image signing).
  "aws:kms/getPublicKey:getPublicKey": (inputs) => {
    const keyId = str(inputs.keyId, "unknown");
    return { id: keyId, arn: keyId, keyId, keyUsage: "SIGN_VERIFY", keySpec: "ECC_NIST_P256", publicKeyPem: fakePublicKeyPem(keyId), signingAlgorithms: ["ECDSA_SHA_256"] };
  },
  "aws:ecr/getAuthorizationToken:getAuthorizationToken": (_i, provider) => {
    const region = awsRegion({ inputs: {}, provider });
    return {
      id: region,
      authorizationToken: "bW9jazptb2Nr",
      userName: "AWS",
      password: "mock",
      proxyEndpoint: `https://${awsAccountOf(provider)}.dkr.ecr.${region}.amazonaws.com`,
      expiresAt: "2036-01-01T00:00:00Z",
    };
  },
};

interface PolicyStatementInput {
  sid?: string;
  effect?: string;
  actions?: string[];
  notActions?: string[];
  resources?: string[];
  notResources?: string[];
  principals?: Array<{ type: string; identifiers: string[] }>;
  conditions?: Array<{ test: string; variable: string; values: string[] }>;
}

function policyStatement(s: PolicyStatementInput): Record<string, unknown> {
  const one = (v: string[]) => (v.length === 1 ? v[0] : v);
  const out: Record<string, unknown> = {};
  if (s.sid) out.Sid = s.sid;
  out.Effect = s.effect ?? "Allow";
  if (s.actions) out.Action = one(s.actions);
  if (s.notActions) out.NotAction = one(s.notActions);
  if (s.resources) out.Resource = one(s.resources);
  if (s.notResources) out.NotResource = one(s.notResources);
  if (s.principals) {
    // `{ type: "*", identifiers: ["*"] }` renders as `"Principal": "*"`, as AWS does.
    out.Principal = s.principals.some((p) => p.type === "*") ? "*" : Object.fromEntries(s.principals.map((p) => [p.type, one(p.identifiers)]));
  }
  if (s.conditions) {
    const c: Record<string, Record<string, unknown>> = {};
    for (const x of s.conditions) (c[x.test] ??= {})[x.variable] = one(x.values);
    out.Condition = c;
  }
  return out;
}
