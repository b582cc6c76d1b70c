/** `fleet upgrade`: versions, the add-on matrix, deprecated APIs, and the plan. */
export * from "./versions";
export * from "./addons";
export * from "./deprecatedApis";
export * from "./plan";
