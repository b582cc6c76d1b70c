/**
 * Resource policies (S3 bucket policies, ECR repository policies, SQS/SNS/KMS/Secrets
 * Manager policies) as the providers take them: a JSON string, or an object when the
 * program passed one through `pulumi.jsonStringify`-less inputs. Finds the statements that
 * grant to everyone (`Principal: "*"` or `{ AWS: "*" }`) without a condition that really
 * narrows who can use them.
 */

/** Condition keys that tie an anonymous grant to one account, organisation, network or source. */
const RESTRICTING_KEYS = new Set(
  [
    "aws:SourceArn",
    "aws:SourceAccount",
    "aws:SourceOwner",
    "aws:SourceVpc",
    "aws:SourceVpce",
    "aws:SourceIp",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:userid",
    "aws:ResourceAccount",
    "kms:CallerAccount",
    "kms:ViaService",
  ].map((k) => k.toLowerCase()),
);

/** Operators whose match is narrowing (a `…IfExists` or a negation is not: absence matches). */
const NARROWING_OPERATOR = /^(StringEquals|StringLike|ArnEquals|ArnLike|IpAddress|ForAnyValue:StringEquals|ForAnyValue:StringLike|ForAllValues:StringEquals)$/i;

const isWildcard = (v: unknown): boolean => v === "*" || (Array.isArray(v) && v.includes("*"));

function grantsEveryone(principal: unknown): boolean {
  if (isWildcard(principal)) {
    return true;
  }
  if (principal !== null && typeof principal === "object") {
    return isWildcard((principal as Record<string, unknown>).AWS);
  }
  return false;
}

function restricted(condition: unknown): boolean {
  if (condition === null || typeof condition !== "object") {
    return false;
  }
  for (const [operator, clauses] of Object.entries(condition as Record<string, unknown>)) {
    if (!NARROWING_OPERATOR.test(operator) || clauses === null || typeof clauses !== "object") {
      continue;
    }
    for (const [key, value] of Object.entries(clauses as Record<string, unknown>)) {
      if (RESTRICTING_KEYS.has(key.toLowerCase()) && !isWildcard(value) && value !== "") {
        return true;
      }
    }
  }
  return false;
}

export type ParsedPolicy = { kind: "parsed"; statements: Record<string, unknown>[] } | { kind: "invalid"; reason: string } | { kind: "absent" };

export function parsePolicyDocument(policy: unknown): ParsedPolicy {
  if (policy === undefined || policy === null || policy === "") {
    return { kind: "absent" };
  }
  let doc: unknown = policy;
  if (typeof policy === "string") {
    try {
      doc = JSON.parse(policy);
    } catch {
      return { kind: "invalid", reason: "the policy is not valid JSON" };
    }
  }
  if (doc === null || typeof doc !== "object") {
    return { kind: "invalid", reason: "the policy is not a JSON object" };
  }
  const raw = (doc as { Statement?: unknown }).Statement;
  const statements = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter(
    (s): s is Record<string, unknown> => s !== null && typeof s === "object",
  );
  return { kind: "parsed", statements };
}

/** Statements (by index, with their Sid) that allow everyone without a narrowing condition. */
export function publicStatements(policy: unknown): Array<{ index: number; sid?: string; actions: string }> {
  const parsed = parsePolicyDocument(policy);
  if (parsed.kind !== "parsed") {
    return [];
  }
  const out: Array<{ index: number; sid?: string; actions: string }> = [];
  parsed.statements.forEach((s, index) => {
    if (String(s.Effect ?? "").toLowerCase() !== "allow" || !grantsEveryone(s.Principal) || restricted(s.Condition)) {
      return;
    }
    const actions = Array.isArray(s.Action) ? s.Action.join(", ") : String(s.Action ?? "?");
    out.push({ index, ...(typeof s.Sid === "string" ? { sid: s.Sid } : {}), actions });
  });
  return out;
}
