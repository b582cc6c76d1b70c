/**
 * Multi-language components: the SDK's own schema analyzer (the one `componentProviderHost`
 * and `pulumi package add` use, @pulumi/pulumi/provider/experimental/analyzer) over the
 * generic `ResidencyKey<D>` and over its non-generic facade. The generic class cannot have a
 * schema (its domain is a type parameter); the facade can, with the domain as an enum — and
 * the facade enforces at run time what the type did. docs/components/package.md.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { findAll, installMocks, settle } from "../support/mocks";

const cloud = installMocks({ stack: "eu-facade" });

import { KeyCloud, KeyDomain, ResidencyKeyFacade } from "@meridian/components/multi-language";
import { CLOUDS, DOMAINS } from "@meridian/components/residency";

/* eslint-disable @typescript-eslint/no-require-imports */
type Analyzer = new (dir: string, name: string, pkg: Record<string, unknown>, components: Set<string>) => { analyze(): { components: Record<string, { inputs: Record<string, unknown>; outputs: Record<string, unknown> }>; typeDefinitions: Record<string, { enum?: Array<{ value: string }> }> } };
const { Analyzer } = require("@pulumi/pulumi/provider/experimental/analyzer") as { Analyzer: Analyzer };

const COMPONENTS = path.resolve(__dirname, "../../components");

/** A throw-away component package whose entry point re-exports the classes under test. */
function packageDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-mlc-"));
  const compilerOptions = { target: "ES2022", module: "commonjs", moduleResolution: "node", strict: true, skipLibCheck: true, esModuleInterop: true, types: [] };
  fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, files: ["index.ts"] }));
  fs.writeFileSync(
    path.join(dir, "index.ts"),
    [`export { ResidencyKeyFacade } from ${JSON.stringify(path.join(COMPONENTS, "multi-language"))};`, `export { ResidencyKey } from ${JSON.stringify(path.join(COMPONENTS, "kms"))};`].join("\n"),
  );
  return dir;
}

describe("multi-language components: the schema the SDK would publish", () => {
  let dir: string;
  beforeAll(() => {
    dir = packageDir();
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("the facade's enums are exactly the catalogue's domains and clouds", () => {
    expect(Object.values(KeyDomain).sort()).toEqual([...DOMAINS].sort());
    expect(Object.values(KeyCloud).sort()).toEqual([...CLOUDS].sort());
  });

  it("the generic ResidencyKey<D> has no schema: the analyzer refuses its type parameter", () => {
    expect(() => new Analyzer(dir, "meridian", { name: "meridian" }, new Set(["ResidencyKey"])).analyze()).toThrow(/ResidencyKeyArgs\.domain': type 'D'/);
  }, 600_000);

  it("the facade has one: domain and cloud as enum types, the key's outputs", () => {
    const result = new Analyzer(dir, "meridian", { name: "meridian" }, new Set(["ResidencyKeyFacade"])).analyze();
    const facade = result.components.ResidencyKeyFacade;
    expect(Object.keys(facade.inputs).sort()).toEqual(["cloud", "domain", "region", "rotationDays"]);
    expect(Object.keys(facade.outputs).sort()).toEqual(["domain", "keyId", "region"]);
    expect(facade.inputs.domain).toMatchObject({ $ref: "#/types/meridian:index:KeyDomain" });
    expect(result.typeDefinitions.KeyDomain.enum!.map((e) => e.value).sort()).toEqual([...DOMAINS].sort());
    expect(result.typeDefinitions.KeyCloud.enum!.map((e) => e.value).sort()).toEqual([...CLOUDS].sort());
  }, 600_000);

  it("enforces at run time what the type did: an unknown domain is refused, naming the property", () => {
    let error: unknown;
    try {
      new ResidencyKeyFacade("bad", { domain: "mars" as KeyDomain, cloud: "aws", region: "eu-central-1" });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ message: "ResidencyKeyFacade bad: invalid arguments", errors: [{ propertyPath: "domain", reason: 'must be one of eu, us, got "mars"' }] });
  });

  it("builds the generic key inside it, as its child, with the residency settings", async () => {
    const facade = new ResidencyKeyFacade("payments", { domain: "eu", cloud: "aws", region: "eu-central-1" });
    await settle();
    const keys = findAll(cloud, "aws:kms/key:Key").filter((k) => k.name.includes("payments"));
    expect(keys).toHaveLength(1);
    expect(keys[0].inputs.multiRegion).toBe(false);
    expect(keys[0].inputs.enableKeyRotation).toBe(true);
    const domain = await new Promise((resolve) => facade.domain.apply(resolve));
    expect(domain).toBe("eu");
  });
});
