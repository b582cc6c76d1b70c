export * from "./catalogue";
export * from "./resident";
export * from "./tags";
