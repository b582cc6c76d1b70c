/**
 * The parts of `@pulumi/aws` the components use, each from its own module. Import this as
 * the SDK (`import * as aws from "../sdk/aws"`): the SDK's root module loads every
 * service it has, the components use a few (docs/plan.md, "CLI start-up", has the figures).
 */
export * as amp from "@pulumi/aws/amp";
export * as cloudwatch from "@pulumi/aws/cloudwatch";
export * as ec2 from "@pulumi/aws/ec2";
export * as ec2transitgateway from "@pulumi/aws/ec2transitgateway";
export * as ecr from "@pulumi/aws/ecr";
export * as eks from "@pulumi/aws/eks";
export * as iam from "@pulumi/aws/iam";
export * as kms from "@pulumi/aws/kms";
export * as organizations from "@pulumi/aws/organizations";
export * as route53 from "@pulumi/aws/route53";
export * as s3 from "@pulumi/aws/s3";
export * as sns from "@pulumi/aws/sns";
export { Provider, type ProviderArgs } from "@pulumi/aws/provider";
export { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
export { getPartitionOutput } from "@pulumi/aws/getPartition";
export type { Region } from "@pulumi/aws/types/enums";
export type * as types from "@pulumi/aws/types";
