export * from "./errors";
export * from "./schema";
export * from "./settings";
export * from "./load";
export * from "./graph";
export * from "./tenants";
export * from "./retries";
export * from "./projectConfig";
export { ParseCache, cacheKeyFile } from "./parseCache";
