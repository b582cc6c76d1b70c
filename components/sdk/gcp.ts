/**
 * The parts of `@pulumi/gcp` the components use, each from its own module. Import this as
 * the SDK (`import * as gcp from "../sdk/gcp"`): the SDK's root module loads every
 * service it has, the components use a few (docs/plan.md, "CLI start-up", has the figures).
 */
export * as artifactregistry from "@pulumi/gcp/artifactregistry";
export * as binaryauthorization from "@pulumi/gcp/binaryauthorization";
export * as compute from "@pulumi/gcp/compute";
export * as container from "@pulumi/gcp/container";
export * as containeranalysis from "@pulumi/gcp/containeranalysis";
export * as dns from "@pulumi/gcp/dns";
export * as iam from "@pulumi/gcp/iam";
export * as kms from "@pulumi/gcp/kms";
export * as logging from "@pulumi/gcp/logging";
export * as monitoring from "@pulumi/gcp/monitoring";
export * as organizations from "@pulumi/gcp/organizations";
export * as orgpolicy from "@pulumi/gcp/orgpolicy";
export * as projects from "@pulumi/gcp/projects";
export * as serviceaccount from "@pulumi/gcp/serviceaccount";
export * as storage from "@pulumi/gcp/storage";
export { Provider, type ProviderArgs } from "@pulumi/gcp/provider";
export type * as types from "@pulumi/gcp/types";
