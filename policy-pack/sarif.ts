/**
 * Violations as SARIF 2.1.0, for code scanning: one rule per policy, described from the
 * pack's own metadata (description, why, remediation, frameworks); one result per
 * violation, located at the stack's config file (the thing a reviewer edits to fix it) with
 * the resource's URN as its logical location.
 */
import { createHash } from "node:crypto";
import { policyMetadata } from "./lib/define";
import type { PolicyViolation } from "./evaluate";

export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

export interface SarifOptions {
  readonly toolVersion: string;
  /** Where each stack's config lives, relative to the repository root (forward slashes). */
  readonly stackFile: (stack: string) => string;
  readonly informationUri?: string;
}

type Json = Record<string, unknown>;

function rule(policy: string): Json {
  const meta = policyMetadata.get(policy);
  if (meta === undefined) {
    // Fleet-wide checks outside the pack (address overlaps, interconnect allocation).
    return { id: policy, name: policy, shortDescription: { text: policy }, defaultConfiguration: { level: "error" } };
  }
  return {
    id: meta.name,
    name: meta.name,
    shortDescription: { text: meta.description },
    fullDescription: { text: meta.why },
    help: { text: meta.remediation, markdown: `**Why:** ${meta.why}\n\n**Fix:** ${meta.remediation}` },
    defaultConfiguration: { level: meta.enforcementLevel === "advisory" ? "warning" : "error" },
    properties: {
      tags: [meta.area, ...meta.rules, ...meta.frameworks],
      // GitHub sorts code-scanning alerts by this (0.0–10.0).
      "security-severity": { critical: "9.5", high: "8.0", medium: "5.5", low: "3.0" }[meta.severity] ?? "5.5",
    },
  };
}

/** Relative paths are relative to the repository root; absolute URIs stand alone. */
function artifactLocation(uri: string): Json {
  return /^[a-z][a-z0-9+.-]*:/i.test(uri) ? { uri } : { uri, uriBaseId: "%SRCROOT%" };
}

export function toSarif(violations: readonly PolicyViolation[], options: SarifOptions): Json {
  const policies = [...new Set([...policyMetadata.keys(), ...violations.map((v) => v.policy)])];
  const index = new Map(policies.map((p, i) => [p, i]));
  const results = violations.map((v) => {
    const logical = v.urn
      ? [{ fullyQualifiedName: v.urn, name: v.urn.slice(v.urn.lastIndexOf("::") + 2), kind: "resource" }]
      : [{ fullyQualifiedName: `stack:${v.stack}`, name: v.stack, kind: "module" }];
    return {
      ruleId: v.policy,
      ruleIndex: index.get(v.policy),
      level: v.level === "mandatory" ? "error" : "warning",
      message: { text: v.message },
      locations: [
        {
          physicalLocation: { artifactLocation: artifactLocation(options.stackFile(v.stack)), region: { startLine: 1 } },
          logicalLocations: logical,
        },
      ],
      // Stable across runs, so code scanning tracks one alert per (stack, policy, resource).
      partialFingerprints: { "meridianViolation/v1": createHash("sha256").update(`${v.stack}\0${v.policy}\0${v.urn ?? ""}`).digest("hex").slice(0, 32) },
      properties: { stack: v.stack },
    };
  });
  return {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "meridian-policy-pack",
            version: options.toolVersion,
            ...(options.informationUri ? { informationUri: options.informationUri } : {}),
            rules: policies.map(rule),
          },
        },
        originalUriBaseIds: { "%SRCROOT%": { description: { text: "The repository root" } } },
        results,
      },
    ],
  };
}
