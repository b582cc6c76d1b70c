import * as aws from "../sdk/aws";
import * as pulumi from "@pulumi/pulumi";
import type { KeyRef } from "../residency";
import type { NetworkRefs, NetworkSpec } from "./index";

/**
 * AWS VPC: private subnets per zone (no public IPs), public subnets only for NAT, one NAT
 * gateway per zone (or one), the default security group stripped of every rule (CIS
 * 5.4), and VPC flow logs to a KMS-encrypted CloudWatch log group.
 */
export function createAwsNetwork(name: string, spec: NetworkSpec, key: Extract<KeyRef, { cloud: "aws" }>, parent: pulumi.Resource): NetworkRefs {
  const tags = (extra: Record<string, string> = {}) => ({ ...spec.tags, ...extra });
  const vpc = new aws.ec2.Vpc(
    `${name}-vpc`,
    { cidrBlock: spec.cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: tags({ Name: `${name}-vpc` }) },
    { parent },
  );
  new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId: vpc.id, ingress: [], egress: [], tags: tags() }, { parent });

  const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: tags() }, { parent });
  const publicRt = new aws.ec2.RouteTable(`${name}-public-rt`, { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }], tags: tags() }, { parent });

  const publicSubnets = spec.zones.map((az, i) => {
    const s = new aws.ec2.Subnet(
      `${name}-public-${i}`,
      { vpcId: vpc.id, cidrBlock: spec.subnets.publicSubnets[i], availabilityZone: az, mapPublicIpOnLaunch: false, tags: tags({ Name: `${name}-public-${az}`, "kubernetes.io/role/elb": "1" }) },
      { parent },
    );
    new aws.ec2.RouteTableAssociation(`${name}-public-rta-${i}`, { subnetId: s.id, routeTableId: publicRt.id }, { parent });
    return s;
  });
  const natCount = spec.natGateways === "perZone" ? spec.zones.length : 1;
  const nats = Array.from({ length: natCount }, (_, i) => {
    const eip = new aws.ec2.Eip(`${name}-nat-eip-${i}`, { domain: "vpc", tags: tags() }, { parent });
    return new aws.ec2.NatGateway(`${name}-nat-${i}`, { allocationId: eip.id, subnetId: publicSubnets[i].id, tags: tags() }, { parent, dependsOn: [igw] });
  });
  const privateRouteTables: aws.ec2.RouteTable[] = [];
  const privateSubnets = spec.zones.map((az, i) => {
    const s = new aws.ec2.Subnet(
      `${name}-private-${i}`,
      { vpcId: vpc.id, cidrBlock: spec.subnets.privateSubnets[i], availabilityZone: az, mapPublicIpOnLaunch: false, tags: tags({ Name: `${name}-private-${az}`, "kubernetes.io/role/internal-elb": "1" }) },
      { parent },
    );
    const rt = new aws.ec2.RouteTable(
      `${name}-private-rt-${i}`,
      { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nats[Math.min(i, nats.length - 1)].id }], tags: tags() },
      { parent },
    );
    new aws.ec2.RouteTableAssociation(`${name}-private-rta-${i}`, { subnetId: s.id, routeTableId: rt.id }, { parent });
    privateRouteTables.push(rt);
    return s;
  });

  const logGroup = new aws.cloudwatch.LogGroup(
    `${name}-flow-logs`,
    { retentionInDays: spec.flowLogRetentionDays, kmsKeyId: key.arn, tags: tags() },
    { parent },
  );
  const flowRole = new aws.iam.Role(
    `${name}-flow-logs-role`,
    {
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "vpc-flow-logs.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
      tags: tags(),
    },
    { parent },
  );
  new aws.iam.RolePolicy(
    `${name}-flow-logs-policy`,
    {
      role: flowRole.id,
      // Least privilege: write to this one log group only.
      policy: logGroup.arn.apply((arn) =>
        JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource: [arn, `${arn}:*`] },
          ],
        }),
      ),
    },
    { parent },
  );
  new aws.ec2.FlowLog(
    `${name}-flow-log`,
    { vpcId: vpc.id, trafficType: "ALL", logDestinationType: "cloud-watch-logs", logDestination: logGroup.arn, iamRoleArn: flowRole.arn, maxAggregationInterval: 60, tags: tags() },
    { parent },
  );
  // The domain's networks on the other clouds, over the VPNs: admitted to whatever carries
  // this group (EKS control plane and nodes). Kubernetes NetworkPolicies filter further.
  const peers = new aws.ec2.SecurityGroup(
    `${name}-peers`,
    {
      vpcId: vpc.id,
      description: `meridian ${spec.domain}: the domain's peer networks over the interconnect VPNs`,
      ingress: spec.peerCidrs.length > 0 ? [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: [...spec.peerCidrs], description: "domain peer networks (VPN)" }] : [],
      egress: [],
      tags: tags({ Name: `${name}-peers` }),
    },
    { parent },
  );
  return {
    networkId: vpc.id,
    privateSubnetIds: pulumi.all(privateSubnets.map((s) => s.id)),
    routeTableIds: pulumi.all(privateRouteTables.map((rt) => rt.id)),
    peerSecurityGroupId: peers.id,
  };
}
