export * from "./catalogue";
export * from "./resident";
