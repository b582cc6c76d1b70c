/** docs/policies.md is generated from the metadata; fails when the checked-in file is stale. */
import * as fs from "node:fs";
import * as path from "node:path";
import { renderPolicyDocs } from "../../policy-pack/docs";
import { allPolicyMetadata } from "../../policy-pack/policies";

const FILE = path.resolve(__dirname, "../../docs/policies.md");

it("docs/policies.md is current (regenerate: npm run docs:policies)", () => {
  expect(fs.readFileSync(FILE, "utf8")).toBe(renderPolicyDocs());
});

it("every policy has complete metadata", () => {
  for (const m of allPolicyMetadata) {
    expect(m.name).toMatch(/^meridian-(residency|aws|azure|gcp|kubernetes|interconnect|baseline|governance)-[a-z0-9]+(-[a-z0-9]+)+$/);
    expect([m.description, m.why, m.remediation].every((s) => s.length > 20)).toBe(true);
    expect(m.rules.length).toBeGreaterThan(0);
    expect(m.frameworks.some((f) => f.startsWith("SOC2 "))).toBe(true);
    if (m.area === "residency" || /encrypt|kms|crypto/.test(m.name)) {
      expect(m.enforcementLevel).toBe("mandatory");
    }
  }
});

it("covers every rule row of POLICY-RULES.md", () => {
  const ids = new Set(allPolicyMetadata.flatMap((m) => m.rules));
  const rows = [
    ...["01", "02", "03", "04", "05", "06", "07"].map((n) => `RES-${n}`),
    ...["01", "02", "03", "04", "05", "06", "07", "08"].map((n) => `AWS-${n}`),
    ...["01", "02", "03", "04", "05", "06", "07"].map((n) => `AZ-${n}`),
    ...["01", "02", "03", "04", "05", "06", "07"].map((n) => `GCP-${n}`),
    ...["01", "02", "03", "04"].map((n) => `K8S-${n}`),
  ];
  expect(rows.filter((r) => !ids.has(r))).toEqual([]);
});
