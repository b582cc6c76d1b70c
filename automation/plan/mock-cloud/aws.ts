/** AWS-shaped mock outputs: ARNs carry the provider's region and the fake account. */
import { FAKE_AWS_ACCOUNT, kindOf, physicalName, stableHash, str, type MockContext, type ProviderState } from "./shared";

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
    return { id: keyId, keyId, arn: `arn:aws:kms:${region}:${FAKE_AWS_ACCOUNT}:key/${keyId}` };
  },
  "aws:kms/alias:Alias": (ctx, region) => ({ arn: `arn:aws:kms:${region}:${FAKE_AWS_ACCOUNT}:${str(ctx.inputs.name, ctx.name)}` }),
  "aws:ecr/repository:Repository": (ctx, region) => {
    const name = str(ctx.inputs.name, physicalName(ctx));
    return {
      id: name,
      arn: `arn:aws:ecr:${region}:${FAKE_AWS_ACCOUNT}:repository/${name}`,
      registryId: FAKE_AWS_ACCOUNT,
      repositoryUrl: `${FAKE_AWS_ACCOUNT}.dkr.ecr.${region}.amazonaws.com/${name}`,
    };
  },
  "aws:ec2/vpc:Vpc": (ctx, region) => {
    const id = `vpc-${stableHash(ctx.name, 17)}`;
    return { id, arn: `arn:aws:ec2:${region}:${FAKE_AWS_ACCOUNT}:vpc/${id}`, defaultSecurityGroupId: `sg-${stableHash(ctx.name + "sg", 17)}`, mainRouteTableId: `rtb-${stableHash(ctx.name + "rt", 17)}` };
  },
  "aws:iam/role:Role": (ctx) => {
    const name = str(ctx.inputs.name, physicalName(ctx));
    return { id: name, name, arn: `arn:aws:iam::${FAKE_AWS_ACCOUNT}:role/${name}`, uniqueId: `AROA${stableHash(name, 16).toUpperCase()}` };
  },
  "aws:iam/policy:Policy": (ctx) => {
    const name = str(ctx.inputs.name, physicalName(ctx));
    return { id: `arn:aws:iam::${FAKE_AWS_ACCOUNT}:policy/${name}`, name, arn: `arn:aws:iam::${FAKE_AWS_ACCOUNT}:policy/${name}` };
  },
  // Organizations is global: policy ARNs carry no region (guardrails).
  "aws:organizations/policy:Policy": (ctx) => {
    const id = `p-${stableHash(ctx.type + ctx.name, 8)}`;
    return { id, arn: `arn:aws:organizations::${FAKE_AWS_ACCOUNT}:policy/o-mock/service_control_policy/${id}` };
  },
  "aws:organizations/policyAttachment:PolicyAttachment": (ctx) => ({ id: `${str(ctx.inputs.targetId, "target")}:${str(ctx.inputs.policyId, "policy")}` }),
  "aws:cloudwatch/logGroup:LogGroup": (ctx, region) => {
    const name = str(ctx.inputs.name, physicalName(ctx));
    return { id: name, name, arn: `arn:aws:logs:${region}:${FAKE_AWS_ACCOUNT}:log-group:${name}` };
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
  const arnBase = `arn:aws:${serviceOf(ctx.type)}:${region}:${FAKE_AWS_ACCOUNT}:${kind.toLowerCase()}/${id}`;
  const shaped = SHAPERS[ctx.type]?.(ctx, region, arnBase) ?? {};
  return { id, arn: arnBase, region, ...shaped };
}

export const awsInvokes: Record<string, (inputs: Record<string, unknown>, provider: ProviderState | undefined) => Record<string, unknown>> = {
  "aws:index/getCallerIdentity:getCallerIdentity": () => ({
    accountId: FAKE_AWS_ACCOUNT,
    arn: `arn:aws:sts::${FAKE_AWS_ACCOUNT}:assumed-role/meridian-deployer/session`,
    userId: "AROAMOCK:session",
    id: FAKE_AWS_ACCOUNT,
  }),
  "aws:index/getPartition:getPartition": () => ({ partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" }),
  "aws:index/getRegion:getRegion": (_i, provider) => {
    const region = awsRegion({ inputs: {}, provider });
    return { name: region, region, id: region, endpoint: `ec2.${region}.amazonaws.com` };
  },
};
