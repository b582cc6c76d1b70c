/**
 * The docs: generated pages are current (docs/fleet.md from the fleet model, docs/soc2.md from
 * the policy metadata), and README.md → docs/** has no dead relative link or anchor.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generatedDocs, renderFleetDoc, staleDocs } from "../../scripts/docs/generate";
import { loadFleet } from "../../automation/fleet";
import { fleetDir, readReference } from "../support/fleetDir";
import { anchorsOf, checkLinks, markdownFiles, slug } from "./links";

const ROOT = path.resolve(__dirname, "..", "..");

describe("generated docs", () => {
  it("are current (run `npm run docs` after changing stacks/, the path rules or policy metadata)", () => {
    expect(staleDocs(ROOT)).toEqual([]);
  });

  it("follow the fleet model: a new dependsOn edge changes docs/fleet.md, so a stale page is caught", () => {
    const edited = readReference("Pulumi.eu-interconnect-aws-gcp.yaml").replace("    - eu-foundation-gcp\n", "    - eu-foundation-gcp\n    - eu-pki\n");
    const dir = fleetDir({ "Pulumi.eu-interconnect-aws-gcp.yaml": edited });
    const md = renderFleetDoc(loadFleet(dir));
    expect(md).toContain("  eu_pki --> eu_interconnect_aws_gcp");
    expect(fs.readFileSync(path.join(ROOT, "docs/fleet.md"), "utf8")).not.toContain("  eu_pki --> eu_interconnect_aws_gcp");
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-docs-"));
    fs.mkdirSync(path.join(root, "docs", "schemas"), { recursive: true });
    for (const [f, t] of Object.entries(generatedDocs())) fs.writeFileSync(path.join(root, f), t);
    expect(staleDocs(root, generatedDocs(dir))).toEqual(["docs/fleet.md"]);
  });

  it("list every stack of the fleet, and no edge across domains", () => {
    const md = fs.readFileSync(path.join(ROOT, "docs/fleet.md"), "utf8");
    for (const name of loadFleet(path.join(ROOT, "stacks")).stacks.keys()) expect(md).toContain(`| \`${name}\` |`);
    expect(md).not.toMatch(/eu_\w+ --> us_|us_\w+ --> eu_/);
  });
});

describe("links", () => {
  const files = [path.join(ROOT, "README.md"), ...markdownFiles(path.join(ROOT, "docs"))];

  it("README.md and docs/**/*.md have no dead relative link or anchor", () => {
    expect(files.length).toBeGreaterThan(10);
    expect(checkLinks(files).map((b) => `${path.relative(ROOT, b.file)}: ${b.target} (${b.why})`)).toEqual([]);
  });

  it("the checker catches a missing file and a missing anchor, and skips code", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "meridian-links-"));
    fs.writeFileSync(path.join(dir, "a.md"), "# Title `x`\n\n## Same\n## Same\n");
    fs.writeFileSync(
      path.join(dir, "b.md"),
      ["[ok](a.md#title-x) [ok2](a.md#same-1) [web](https://example.com/x)", "[gone](nope.md) [bad](a.md#nope)", "`[code](ignored.md)`", "```", "[fenced](ignored.md)", "```"].join("\n"),
    );
    expect(checkLinks([path.join(dir, "b.md")]).map((b) => `${b.target}: ${b.why}`)).toEqual(["nope.md: no such file", "a.md#nope: no heading with anchor #nope"]);
    expect(anchorsOf(path.join(dir, "a.md"))).toEqual(new Set(["title-x", "same", "same-1"]));
    expect(slug("Certificate and PSK rotation (overlap)")).toBe("certificate-and-psk-rotation-overlap");
  });
});
