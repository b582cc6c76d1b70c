/**
 * Run the pack without the engine: what the fleet plan and the tests call.
 *
 * It reproduces what `@pulumi/policy`'s analyzer server does for `pulumi preview`:
 *   - resource policies once per resource (Analyze), stack policies once (AnalyzeStack);
 *   - args built like the server's: props deserialized (secrets unwrapped) and wrapped in
 *     `unknownCheckingProxy`, `urn`, `name`, `opts`, `provider` (also proxied),
 *     `stackTags` empty (DIY backends have none), `getConfig`, `notApplicable`;
 *   - parent / dependencies / propertyDependencies resolved to resource objects;
 *   - enforcement: config `enforcement.<policy>` over `enforcement.all` over the policy's
 *     default; `disabled` skips, `remediate` reports as mandatory;
 *   - an `UnknownValueError` becomes an advisory "cannot verify" line, never a pass;
 *   - any other exception in a policy becomes a mandatory violation (the engine would
 *     fail the preview).
 * Secret values are unwrapped for evaluation and redacted from every message.
 */
import type {
  EnforcementLevel,
  PolicyResource,
  PolicyResourceOptions,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { splitPackConfig, type PackConfig } from "./lib/config";
import { policyMetadata, resetExemptionLedger } from "./lib/define";
import { setPhase, type Phase } from "./lib/phase";
import { UNKNOWN_STRING, UnknownValueError, unknownCheckingProxy } from "./lib/values";
import { allPolicies, type MeridianPolicy } from "./policies";

export type { PackConfig } from "./lib/config";
export type { Phase } from "./lib/phase";

export interface PlannedResource {
  urn: string;
  type: string;
  name: string;
  props: Record<string, unknown>;
  parent?: string;
  provider?: { urn: string; type: string; props: Record<string, unknown> };
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  protect?: boolean;
  ignoreChanges?: string[];
}

export interface PolicyViolation {
  stack: string;
  policy: string;
  level: "mandatory" | "advisory";
  urn?: string;
  message: string;
}

export interface EvaluateOptions {
  /** The policies to run; defaults to the whole pack. */
  readonly policies?: readonly MeridianPolicy[];
  /**
   * Preview (the default: the fleet plan stands in for `pulumi preview`) or update (e.g.
   * judging a stack's exported state): unproven evidence is advisory at preview and
   * mandatory at update (lib/phase.ts).
   */
  readonly phase?: Phase;
}

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";

/** Does anything under `v` carry a wire signature (secret, output, resource reference)? */
function hasSignature(v: unknown): boolean {
  if (v === null || typeof v !== "object") {
    return false;
  }
  if (Array.isArray(v)) {
    for (const e of v) {
      if (hasSignature(e)) {
        return true;
      }
    }
    return false;
  }
  for (const k in v as Record<string, unknown>) {
    if (k === SIG_KEY || hasSignature((v as Record<string, unknown>)[k])) {
      return true;
    }
  }
  return false;
}

/** Plain JSON needs no copy: policies never mutate their input. */
function deserializeTop(v: Record<string, unknown>, secrets: Set<string>): Record<string, unknown> {
  return hasSignature(v) ? (deserialize(v, secrets) as Record<string, unknown>) : v;
}

/** Deserialize like the server (secrets unwrapped), collecting secret leaf strings. */
function deserialize(v: unknown, secrets: Set<string>, inSecret = false): unknown {
  if (v === null || v === undefined || typeof v !== "object") {
    if (inSecret && (typeof v === "string" || typeof v === "number") && String(v).length >= 4) {
      secrets.add(String(v));
    }
    return v;
  }
  if (Array.isArray(v)) {
    return v.map((e) => deserialize(e, secrets, inSecret));
  }
  const o = v as Record<string, unknown>;
  switch (o[SIG_KEY]) {
    case SECRET_SIG:
      return deserialize(o.value, secrets, true);
    case OUTPUT_SIG:
      return "value" in o ? deserialize(o.value, secrets, inSecret || o.secret === true) : UNKNOWN_STRING;
    case RESOURCE_SIG:
      return (o.id as string | undefined) ?? (o.urn as string | undefined);
    default:
  }
  const out: Record<string, unknown> = {};
  for (const [k, e] of Object.entries(o)) {
    if (e !== undefined) {
      out[k] = deserialize(e, secrets, inSecret);
    }
  }
  return out;
}

function redact(message: string, secrets: ReadonlySet<string>): string {
  let m = message;
  for (const s of secrets) {
    if (m.includes(s)) {
      m = m.split(s).join("[secret]");
    }
  }
  return m;
}

const EMPTY_TAGS: ReadonlyMap<string, string> = new Map();

class NotApplicable extends Error {}
const notApplicable = (reason?: string): never => {
  throw new NotApplicable(reason);
};

function isTypeOf(type: string, cls: unknown): boolean {
  return (cls as { __pulumiType?: string }).__pulumiType === type;
}

function isResourcePolicy(p: MeridianPolicy): p is ResourceValidationPolicy {
  return (p as ResourceValidationPolicy).validateResource !== undefined;
}

function levelOf(p: MeridianPolicy, enforcement: Record<string, EnforcementLevel>): EnforcementLevel {
  return enforcement[p.name] ?? enforcement.all ?? p.enforcementLevel ?? "advisory";
}

interface Prepared {
  readonly r: PlannedResource;
  readonly props: Record<string, unknown>;
  readonly opts: PolicyResourceOptions;
  readonly provider?: { type: string; props: Record<string, unknown>; urn: string; name: string };
}

function nameOfUrn(urn: string): string {
  const i = urn.lastIndexOf("::");
  return i < 0 ? urn : urn.slice(i + 2);
}

/** Index resource policies by the types their metadata declares (`*` = every type). */
function indexByType(policies: readonly ResourceValidationPolicy[]) {
  const byType = new Map<string, ResourceValidationPolicy[]>();
  const any: ResourceValidationPolicy[] = [];
  for (const p of policies) {
    const types = policyMetadata.get(p.name)?.types ?? ["*"];
    if (types.includes("*")) {
      any.push(p);
      continue;
    }
    for (const t of types) {
      const list = byType.get(t) ?? [];
      list.push(p);
      byType.set(t, list);
    }
  }
  const memo = new Map<string, ResourceValidationPolicy[]>();
  return (type: string): ResourceValidationPolicy[] => {
    let list = memo.get(type);
    if (!list) {
      const typed = byType.get(type);
      list = typed ? [...any, ...typed].sort((a, b) => order.get(a)! - order.get(b)!) : any;
      memo.set(type, list);
    }
    return list;
  };
}
const order = new Map<MeridianPolicy, number>(allPolicies.map((p, i) => [p, i]));

export function evaluateStack(stack: string, resources: PlannedResource[], config: PackConfig, options: EvaluateOptions = {}): PolicyViolation[] {
  setPhase(options.phase ?? "preview");
  try {
    return evaluate(stack, resources, config, options);
  } finally {
    setPhase(undefined);
  }
}

function evaluate(stack: string, resources: PlannedResource[], config: PackConfig, options: EvaluateOptions): PolicyViolation[] {
  const policies = options.policies ?? allPolicies;
  policies.forEach((p, i) => order.has(p) || order.set(p, allPolicies.length + i));
  const { shared, enforcement } = splitPackConfig(config);
  const getConfig = <T extends object>(): T => shared as T;
  const secrets = new Set<string>();
  const violations: PolicyViolation[] = [];
  const seen = new Set<string>();
  const push = (policy: string, level: "mandatory" | "advisory", message: string, urn?: string) => {
    const key = `${policy}|${level}|${urn ?? ""}|${message}`;
    if (seen.has(key)) {
      return;
    }
    seen.add(key);
    violations.push({ stack, policy, level, ...(urn !== undefined ? { urn } : {}), message: redact(message, secrets) });
  };
  const run = (p: MeridianPolicy, level: "mandatory" | "advisory", urn: string | undefined, fn: () => unknown) => {
    try {
      const result = fn();
      if (result !== undefined && typeof (result as Promise<void>).then === "function") {
        throw new Error("asynchronous policies are not supported by evaluateStack");
      }
    } catch (e) {
      if (e instanceof NotApplicable) {
        return;
      }
      if (e instanceof UnknownValueError) {
        const m = (e as Error).message;
        push(p.name, "advisory", m.startsWith("cannot verify") ? m : `cannot verify during preview: ${m}`, urn);
        return;
      }
      push(p.name, level, `policy failed to evaluate: ${e instanceof Error ? e.message : String(e)}`, urn);
    }
  };

  resetExemptionLedger();
  const active = policies
    .map((p) => ({ p, level: levelOf(p, enforcement) }))
    .filter(({ level }) => level !== "disabled")
    .map(({ p, level }) => ({ p, level: (level === "advisory" ? "advisory" : "mandatory") as "mandatory" | "advisory" }));
  const levels = new Map(active.map(({ p, level }) => [p, level]));
  const resourcePolicies = active.map(({ p }) => p).filter(isResourcePolicy);
  const stackPolicies = active.map(({ p }) => p).filter((p): p is StackValidationPolicy => !isResourcePolicy(p));
  const policiesFor = indexByType(resourcePolicies);

  // A provider's props (a kubeconfig, say) come with every resource it manages, as one shared
  // object: deserialize and wrap them once per stack, not once per resource.
  const providerProps = new Map<Record<string, unknown>, Record<string, unknown>>();
  const propsOfProvider = (raw: Record<string, unknown>) => {
    let props = providerProps.get(raw);
    if (props === undefined) providerProps.set(raw, (props = unknownCheckingProxy(deserializeTop(raw, secrets))));
    return props;
  };
  const prepared: Prepared[] = resources.map((r) => {
    const props = unknownCheckingProxy(deserializeTop(r.props, secrets));
    const opts: PolicyResourceOptions = {
      protect: r.protect ?? false,
      ignoreChanges: r.ignoreChanges ?? [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
      ...(r.parent ? { parent: r.parent } : {}),
    };
    const provider = r.provider
      ? {
          type: r.provider.type,
          props: propsOfProvider(r.provider.props),
          urn: r.provider.urn,
          name: nameOfUrn(r.provider.urn),
        }
      : undefined;
    return { r, props, opts, ...(provider ? { provider } : {}) };
  });

  // Names are public: the stack's and each resource's name are in every URN the plan prints. A
  // secret that merely holds one as a leaf (an Argo CD cluster Secret holds the cluster's name)
  // must not turn it into "[secret]" in every message that names the resource.
  secrets.delete(stack);
  for (const { r } of prepared) secrets.delete(r.name);

  // Analyze: every resource policy for every resource.
  for (const { r, props, opts, provider } of prepared) {
    const args: ResourceValidationArgs = {
      type: r.type,
      props,
      urn: r.urn,
      name: r.name,
      opts,
      ...(provider ? { provider } : {}),
      stackTags: EMPTY_TAGS,
      isType: (cls) => isTypeOf(r.type, cls),
      asType: ((cls: unknown) => (isTypeOf(r.type, cls) ? props : undefined)) as ResourceValidationArgs["asType"],
      getConfig,
      notApplicable,
    };
    for (const p of policiesFor(r.type)) {
      const level = levels.get(p)!;
      const validations = Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource!];
      for (const validate of validations) {
        run(p, level, r.urn, () => validate(args, (message) => push(p.name, level, message, r.urn)));
      }
    }
  }

  // AnalyzeStack: every stack policy once, over all resources.
  const policyResources = new Map<string, PolicyResource>();
  for (const { r, props, opts, provider } of prepared) {
    policyResources.set(r.urn, {
      type: r.type,
      props,
      urn: r.urn,
      name: r.name,
      opts,
      ...(provider ? { provider } : {}),
      dependencies: [],
      propertyDependencies: {},
      isType: (cls) => isTypeOf(r.type, cls),
      asType: ((cls: unknown) => (isTypeOf(r.type, cls) ? props : undefined)) as PolicyResource["asType"],
    });
  }
  for (const { r } of prepared) {
    const pr = policyResources.get(r.urn)!;
    const parent = r.parent ? policyResources.get(r.parent) : undefined;
    if (parent) {
      pr.parent = parent;
    }
    pr.dependencies = r.dependencies.map((d) => policyResources.get(d)).filter((d): d is PolicyResource => d !== undefined);
    for (const [k, urns] of Object.entries(r.propertyDependencies)) {
      pr.propertyDependencies[k] = urns.map((d) => policyResources.get(d)).filter((d): d is PolicyResource => d !== undefined);
    }
  }
  const stackArgs: StackValidationArgs = {
    resources: [...policyResources.values()],
    stackTags: EMPTY_TAGS,
    getConfig,
    notApplicable,
  };
  for (const p of stackPolicies) {
    const level = levels.get(p)!;
    run(p, level, undefined, () => p.validateStack(stackArgs, (message, urn) => push(p.name, level, message, urn)));
  }
  return violations;
}

/** True when any violation blocks (the plan's exit code). */
export function hasMandatory(violations: readonly PolicyViolation[]): boolean {
  return violations.some((v) => v.level === "mandatory");
}

export { allPolicies, policyNames, allPolicyMetadata } from "./policies";
export { toEngineConfig, parseConfig } from "./lib/config";
