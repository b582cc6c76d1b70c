import * as aws from "../sdk/aws";
import type * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import type { Domain } from "../residency/catalogue";
import type { AwsExemption, AwsGuardrailSpec } from "./spec";

/** One service control policy: its name, purpose and JSON content, as the resource receives it. */
export interface ScpDocument {
  readonly key: "region-deny" | "residency-protect";
  readonly name: string;
  readonly description: string;
  readonly content: string;
}

/** The principal-ARN condition that exempts principals (none → no condition at all). */
function principalsExcept(principals: readonly string[]): Record<string, unknown> {
  return principals.length === 0 ? {} : { ArnNotLike: { "aws:PrincipalARN": [...principals] } };
}

/**
 * The region deny: every action outside the domain's regions is denied, except the global
 * services (NotAction) whose endpoints live in us-east-1. Shaped like AWS's documented
 * example, with the domain's regions in `aws:RequestedRegion`.
 */
export function regionDenyDocument(spec: AwsGuardrailSpec): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyOutsideDomainRegions",
        Effect: "Deny",
        NotAction: [...spec.globalServices],
        Resource: "*",
        Condition: { StringNotEquals: { "aws:RequestedRegion": [...spec.regions] }, ...principalsExcept(spec.exemptions.map((e) => e.principal)) },
      },
    ],
  };
}

/**
 * Residency protections an SCP can express: no multi-region keys, no key replication, no
 * S3 replication configuration (an SCP cannot see a replication rule's destination bucket or
 * region, so it denies the call; the pack's replication-target check covers what meridian
 * itself configures), and nobody but the guardrails deployer may detach, delete or update
 * an organisation policy.
 */
export function residencyProtectDocument(spec: AwsGuardrailSpec): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "DenyMultiRegionKeys", Effect: "Deny", Action: "kms:CreateKey", Resource: "*", Condition: { Bool: { "kms:MultiRegion": "true" } } },
      { Sid: "DenyKeyReplication", Effect: "Deny", Action: ["kms:ReplicateKey", "kms:UpdatePrimaryRegion"], Resource: "*" },
      {
        Sid: "DenyS3ReplicationConfiguration",
        Effect: "Deny",
        Action: "s3:PutReplicationConfiguration",
        Resource: "*",
        ...(spec.exemptions.length > 0 ? { Condition: principalsExcept(spec.exemptions.map((e) => e.principal)) } : {}),
      },
      {
        Sid: "DenyGuardrailChanges",
        Effect: "Deny",
        Action: ["organizations:DetachPolicy", "organizations:DeletePolicy", "organizations:UpdatePolicy"],
        Resource: "*",
        Condition: principalsExcept([spec.deployerRoleArn]),
      },
    ],
  };
}

/** Both SCPs, serialised without whitespace (the 5,120-character limit counts every character). */
export function scpDocuments(domain: Domain, spec: AwsGuardrailSpec): ScpDocument[] {
  return [
    {
      key: "region-deny",
      name: `meridian-${domain}-region-deny`,
      description: `meridian ${domain}: deny every action outside ${spec.regions.join(", ")}, except documented global services`,
      content: JSON.stringify(regionDenyDocument(spec)),
    },
    {
      key: "residency-protect",
      name: `meridian-${domain}-residency-protect`,
      description: `meridian ${domain}: no multi-region keys, no replication out, guardrails changed only by their deployer`,
      content: JSON.stringify(residencyProtectDocument(spec)),
    },
  ];
}

/** Short, stable id of an exempt principal; principals may contain `*`, which tags cannot. */
export function exemptionTagId(principal: string): string {
  return createHash("sha256").update(principal).digest("hex").slice(0, 8);
}

/**
 * Exemption metadata as tags on the SCP that carries the exemption, so the policy pack can
 * check that every principal exception has a reason, an owner and an expiry.
 */
export function exemptionTags(deployerRoleArn: string, exemptions: readonly AwsExemption[]): Record<string, string> {
  const tags: Record<string, string> = { "meridian-guardrails-deployer": deployerRoleArn };
  for (const e of exemptions) {
    const id = exemptionTagId(e.principal);
    tags[`meridian-exemption:${id}:reason`] = e.reason;
    tags[`meridian-exemption:${id}:owner`] = e.owner;
    tags[`meridian-exemption:${id}:expires`] = e.expires;
  }
  return tags;
}

/** AWS Organizations: the two SCPs, each attached to every target OU or account of the domain. */
export function createAwsGuardrails(
  name: string,
  domain: Domain,
  spec: AwsGuardrailSpec,
  tags: Readonly<Record<string, string>>,
  opts: { parent: pulumi.Resource; protect: boolean },
): pulumi.Output<string>[] {
  const recorded = { ...tags, ...exemptionTags(spec.deployerRoleArn, spec.exemptions) };
  return scpDocuments(domain, spec).map((doc) => {
    const policy = new aws.organizations.Policy(
      `${name}-${doc.key}`,
      { name: doc.name, description: doc.description, type: "SERVICE_CONTROL_POLICY", content: doc.content, tags: recorded },
      opts,
    );
    for (const target of spec.targets) {
      new aws.organizations.PolicyAttachment(`${name}-${doc.key}-${target}`, { policyId: policy.id, targetId: target }, opts);
    }
    return policy.id;
  });
}
