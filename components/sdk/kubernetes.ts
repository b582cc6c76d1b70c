/**
 * The parts of `@pulumi/kubernetes` the components use, each from its own module. Import this as
 * the SDK (`import * as k8s from "../sdk/kubernetes"`): the SDK's root module loads every
 * service it has, the components use a few (docs/plan.md, "CLI start-up", has the figures).
 */
export * as admissionregistration from "@pulumi/kubernetes/admissionregistration";
export * as apiextensions from "@pulumi/kubernetes/apiextensions";
export * as apps from "@pulumi/kubernetes/apps";
export * as core from "@pulumi/kubernetes/core";
export * as helm from "@pulumi/kubernetes/helm";
export * as networking from "@pulumi/kubernetes/networking";
export * as policy from "@pulumi/kubernetes/policy";
export * as rbac from "@pulumi/kubernetes/rbac";
export * as scheduling from "@pulumi/kubernetes/scheduling";
export * as storage from "@pulumi/kubernetes/storage";
export { Provider, type ProviderArgs } from "@pulumi/kubernetes/provider";
export type * as types from "@pulumi/kubernetes/types";
