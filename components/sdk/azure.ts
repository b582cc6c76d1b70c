/**
 * The parts of `@pulumi/azure-native` the components use, each from its own module. Import this as
 * the SDK (`import * as azure from "../sdk/azure"`): the SDK's root module loads every
 * service it has, the components use a few (docs/plan.md, "CLI start-up", has the figures).
 */
export * as alertsmanagement from "@pulumi/azure-native/alertsmanagement";
export * as authorization from "@pulumi/azure-native/authorization";
export * as compute from "@pulumi/azure-native/compute";
export * as containerregistry from "@pulumi/azure-native/containerregistry";
export * as containerservice from "@pulumi/azure-native/containerservice";
export * as keyvault from "@pulumi/azure-native/keyvault";
export * as managedidentity from "@pulumi/azure-native/managedidentity";
export * as monitor from "@pulumi/azure-native/monitor";
export * as network from "@pulumi/azure-native/network";
export * as operationalinsights from "@pulumi/azure-native/operationalinsights";
export * as privatedns from "@pulumi/azure-native/privatedns";
export * as resources from "@pulumi/azure-native/resources";
export * as storage from "@pulumi/azure-native/storage";
export { Provider, type ProviderArgs } from "@pulumi/azure-native/provider";
export type * as types from "@pulumi/azure-native/types";
