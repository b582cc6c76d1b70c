/**
 * Test harness for the meridian pack: builds resources the way the plan (and the engine)
 * presents them — URNs, explicit or default providers with their props, values unknown at
 * preview, secrets in Pulumi's wire form — and runs policies through `evaluateStack`,
 * which builds `ResourceValidationArgs` / `StackValidationArgs` like the analyzer server.
 * `resourceArgs` builds the args directly for tests that call a policy by hand.
 */
import type { ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { evaluateStack, type PackConfig, type PlannedResource, type PolicyViolation } from "../../policy-pack/evaluate";
import { allPolicies } from "../../policy-pack/policies";
import { unknownCheckingProxy } from "../../policy-pack/lib/values";
import { EU_CONTROL_PLANE } from "./controlPlaneConfig";

export const STACK = "eu-workload-aws";
/** The engine's sentinel for a string unknown at preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
export const UNKNOWN_ARRAY = "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2";

export function secret<T>(value: T): Record<string, unknown> {
  return { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value };
}

export function urnOf(type: string, name: string, stack = STACK): string {
  return `urn:pulumi:${stack}::meridian::${type}::${name}`;
}

export type Provider = NonNullable<PlannedResource["provider"]>;

export function provider(pkg: "aws" | "gcp" | "azure-native" | "kubernetes", name: string, props: Record<string, unknown>): Provider {
  const type = `pulumi:providers:${pkg}`;
  return { type, urn: urnOf(type, name), props };
}

export const awsEu = provider("aws", "aws-eu", { region: "eu-central-1" });
export const awsUs = provider("aws", "aws-us", { region: "us-east-1" });
export const gcpEu = provider("gcp", "gcp-eu", { project: "p-eu", region: "europe-west1" });
export const azureEu = provider("azure-native", "azure-eu", { location: "westeurope" });
export const k8sEu = provider("kubernetes", "k8s-eu", { context: "eu-workload-aws" });
export const k8sUs = provider("kubernetes", "k8s-us", { context: "us-workload-aws" });

export interface ResOptions {
  provider?: Provider;
  parent?: string;
  dependencies?: string[];
  propertyDependencies?: Record<string, string[]>;
  stack?: string;
}

export function res(type: string, name: string, props: Record<string, unknown>, o: ResOptions = {}): PlannedResource {
  const deps = o.dependencies ?? Object.values(o.propertyDependencies ?? {}).flat();
  return {
    urn: urnOf(type, name, o.stack),
    type,
    name,
    props,
    ...(o.parent ? { parent: o.parent } : {}),
    ...(o.provider ? { provider: o.provider } : {}),
    dependencies: deps,
    propertyDependencies: o.propertyDependencies ?? {},
  };
}

/** The stack resource the engine always has. */
export const stackResource = res("pulumi:pulumi:Stack", `meridian-${STACK}`, {});

export const EU: PackConfig = {
  domain: "eu",
  registries: { eu: ["123456789012.dkr.ecr.eu-central-1.amazonaws.com/"], us: ["123456789012.dkr.ecr.us-east-1.amazonaws.com/"] },
  stackDomains: { "eu-foundation-aws": "eu", "us-foundation-aws": "us" },
  controlPlane: EU_CONTROL_PLANE,
};

export function policy(name: string): ResourceValidationPolicy | StackValidationPolicy {
  const p = allPolicies.find((x) => x.name === name);
  if (!p) {
    throw new Error(`no policy ${name}`);
  }
  return p;
}

/** Run one policy (by name) over a stack of resources; the stack resource is added. */
export function run(name: string, resources: PlannedResource[], config: PackConfig = EU): PolicyViolation[] {
  return evaluateStack(STACK, [stackResource, ...resources], config, { policies: [policy(name)] });
}

export function mandatory(vs: PolicyViolation[]): PolicyViolation[] {
  return vs.filter((v) => v.level === "mandatory");
}
export function advisory(vs: PolicyViolation[]): PolicyViolation[] {
  return vs.filter((v) => v.level === "advisory");
}

/** Run the whole pack. */
export function runAll(resources: PlannedResource[], config: PackConfig = EU): PolicyViolation[] {
  return evaluateStack(STACK, [stackResource, ...resources], config);
}

/** `ResourceValidationArgs` exactly as the analyzer server builds them (props and provider proxied). */
export function resourceArgs(r: PlannedResource, config: object): ResourceValidationArgs {
  const props = unknownCheckingProxy(r.props);
  return {
    type: r.type,
    props,
    urn: r.urn,
    name: r.name,
    opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
    ...(r.provider ? { provider: { type: r.provider.type, urn: r.provider.urn, name: r.provider.urn.split("::").pop()!, props: unknownCheckingProxy(r.provider.props) } } : {}),
    stackTags: new Map(),
    isType: () => false,
    asType: (() => undefined) as ResourceValidationArgs["asType"],
    getConfig: <T extends object>() => config as T,
    notApplicable: (reason?: string): never => {
      throw Object.assign(new Error(reason ?? "not applicable"), { notApplicable: true });
    },
  };
}

/** Call a resource policy directly with engine-built args; collects the reported messages. */
export function callResource(name: string, r: PlannedResource, config: object = EU): string[] {
  const p = policy(name) as ResourceValidationPolicy;
  const messages: string[] = [];
  const report: ReportViolation = (m) => messages.push(m);
  const v = p.validateResource!;
  (Array.isArray(v) ? v : [v]).forEach((fn) => fn(resourceArgs(r, config), report));
  return messages;
}
