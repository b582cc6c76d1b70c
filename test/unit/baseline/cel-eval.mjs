// Evaluates ValidatingAdmissionPolicy specs the way the API server does (matchConditions,
// then variables in order, then validations), with @marcbachmann/cel-js. The package is
// ESM-only and jest runs CommonJS, so the tests run this file in a child `node` process:
// stdin: [{ spec, object, namespace, operation }], stdout: [{ applies, denied: [messages], errors: [..] }].
import { evaluate } from "@marcbachmann/cel-js";

const input = JSON.parse(await new Promise((resolve) => {
  let s = "";
  process.stdin.on("data", (d) => (s += d));
  process.stdin.on("end", () => resolve(s));
}));

const results = input.map(({ spec, object, namespace, operation }) => {
  const ctx = {
    object,
    oldObject: null,
    params: null,
    request: { namespace: namespace ?? "", operation: operation ?? "CREATE", kind: { kind: object.kind } },
    variables: {},
  };
  const errors = [];
  for (const mc of spec.matchConditions ?? []) {
    try {
      if (evaluate(mc.expression, ctx) !== true) return { applies: false, denied: [], errors };
    } catch (e) {
      // failurePolicy Fail: an error in a match condition rejects.
      return { applies: true, denied: [`matchCondition ${mc.name} errored: ${e.message}`], errors: [e.message] };
    }
  }
  for (const v of spec.variables ?? []) {
    try {
      ctx.variables[v.name] = evaluate(v.expression, ctx);
    } catch (e) {
      errors.push(`variable ${v.name}: ${e.message}`);
    }
  }
  const denied = [];
  for (const val of spec.validations) {
    try {
      const ok = evaluate(val.expression, ctx);
      if (ok !== true) denied.push(val.message ?? val.expression);
    } catch (e) {
      errors.push(`${val.expression}: ${e.message}`);
      denied.push(`error: ${e.message}`);
    }
  }
  return { applies: true, denied, errors };
});
process.stdout.write(JSON.stringify(results));
