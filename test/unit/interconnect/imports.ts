/** One import point for the tests (after installMocks has run in each file). */
export * from "../../../components/interconnect";
export { overlaps } from "../../../components/network/ipam";
