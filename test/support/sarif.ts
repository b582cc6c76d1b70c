/**
 * Validate a SARIF log against the SARIF 2.1.0 JSON schema Microsoft ships in
 * @microsoft/jest-sarif (pinned 1.0.0-beta.0: `sarif-2.1.0-rtm.5.json`, the schema
 * GitHub code scanning's docs name), with ajv (pinned 6.15.0; the schema is draft-04).
 */
import Ajv from "ajv";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const schema = require("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json") as object;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const draft04 = require("ajv/lib/refs/json-schema-draft-04.json") as object;

const ajv = new Ajv({ schemaId: "auto", allErrors: true, format: "full" });
ajv.addMetaSchema(draft04);
const validate = ajv.compile(schema);

/** The schema's errors, one line each; empty when valid. */
export function sarifErrors(log: unknown): string[] {
  if (validate(log)) return [];
  return (validate.errors ?? []).map((e) => `${e.dataPath || "(root)"} ${e.message ?? ""} ${JSON.stringify(e.params)}`);
}
