// Re-write (our code) after pulumi/examples aws-ts-lambda-efs: a Lambda in a VPC mounting an
// EFS file system (created without encryption at rest) through an access point.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const vpc = new aws.ec2.Vpc("vpc", { cidrBlock: "10.10.0.0/16" });
const subnet = new aws.ec2.Subnet("vpc-private-a", { vpcId: vpc.id, cidrBlock: "10.10.1.0/24", availabilityZone: "eu-central-1a" });
const sg = new aws.ec2.SecurityGroup("efs-sg", { vpcId: vpc.id, ingress: [{ protocol: "tcp", fromPort: 2049, toPort: 2049, cidrBlocks: ["10.10.0.0/16"] }] });

const filesystem = new aws.efs.FileSystem("filesystem");
new aws.efs.MountTarget("fs-mount", { fileSystemId: filesystem.id, subnetId: subnet.id, securityGroups: [sg.id] });
const ap = new aws.efs.AccessPoint("ap", {
  fileSystemId: filesystem.id,
  posixUser: { uid: 1000, gid: 1000 },
  rootDirectory: { path: "/www", creationInfo: { ownerGid: 1000, ownerUid: 1000, permissions: "755" } },
});

const role = new aws.iam.Role("lambda-role", {
  assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Action: "sts:AssumeRole", Principal: { Service: "lambda.amazonaws.com" }, Effect: "Allow" }] }),
});
new aws.lambda.Function("getHandler", {
  runtime: "nodejs20.x",
  handler: "index.handler",
  role: role.arn,
  code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset("exports.handler = async () => 'ok';") }),
  vpcConfig: { subnetIds: [subnet.id], securityGroupIds: [sg.id] },
  fileSystemConfig: { arn: ap.arn, localMountPath: "/mnt/storage" },
});
