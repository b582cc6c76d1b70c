/**
 * policy-pack/lib/values.ts reads UnknownValueError and unknownCheckingProxy from
 * `@pulumi/policy/proxy` (the package's index would load its policy server): they must be
 * the very objects the package's index and its server hand out, since the engine's server
 * tests `e instanceof UnknownValueError` on what a policy throws.
 */
import * as policy from "@pulumi/policy";
import { CannotVerifyError, UnknownValueError, unknownCheckingProxy } from "../../policy-pack/lib/values";

describe("the pack's proxy exports", () => {
  it("are the @pulumi/policy package's own", () => {
    const sdk = policy as unknown as { UnknownValueError: unknown; unknownCheckingProxy: unknown };
    expect(UnknownValueError).toBe(sdk.UnknownValueError);
    expect(unknownCheckingProxy).toBe(sdk.unknownCheckingProxy);
  });

  it("make errors the server recognizes as unknown-at-preview", () => {
    const props = unknownCheckingProxy({ region: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" });
    let thrown: unknown;
    try {
      void (props as { region: string }).region;
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf((policy as unknown as { UnknownValueError: new (...a: never[]) => Error }).UnknownValueError);
    expect(new CannotVerifyError(["a.b"])).toBeInstanceOf(UnknownValueError);
  });
});
