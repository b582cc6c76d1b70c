/**
 * A resource monitor for the offline plan: answers the SDK's monitor calls the way the
 * engine does (registrations from the mock cloud, invokes, `pulumi:pulumi:getResource`,
 * default providers from the stack's config, deployment info), and records what the
 * engine would know about each resource — URN, parent, provider, dependencies, property
 * dependencies, protect — so the policy pack sees the arguments it gets from the engine.
 *
 * Every method of the SDK's `ResourceMonitorService` has an answer here (pinned by
 * test/plan/monitor-interface.test.ts against the SDK's own service definition): a newer
 * SDK that calls a method this class lacks would otherwise hang or crash the plan.
 */
import * as pulumi from "@pulumi/pulumi";
import type { PlannedResource as PolicyResource } from "../../policy-pack/evaluate";
import type { MockCloud } from "./mock-cloud";
import { STRUCT_CODECS, viaStruct, type StructCodec } from "./plainStruct";
import { rpc } from "./runtimeInternals";

/* eslint-disable @typescript-eslint/no-require-imports */
const resproto = require("@pulumi/pulumi/proto/resource_pb");
const provproto = require("@pulumi/pulumi/proto/provider_pb");
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * What the plan knows about one resource: the shape the policy pack evaluates (props are
 * inputs merged over the mock's outputs; secrets keep Pulumi's wrapper), plus whether it
 * is a custom resource (components and the stack are bookkeeping, not cloud resources).
 */
export interface PlannedResource extends PolicyResource {
  custom: boolean;
}

type Callback<T> = (err: Error | null, resp?: T) => void;

interface Request {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom?(): boolean;
  getObject(): { toJavaScript(): unknown };
  getProvider(): string;
  getVersion?(): string;
  getPackageref?(): string;
  getProtect?(): boolean;
  // Register requests carry these; read requests (StackReference, `get`) do not.
  getDependenciesList?(): string[];
  getPropertydependenciesMap?(): { forEach(cb: (v: { getUrnsList(): string[] }, k: string) => void): void };
  getIgnorechangesList?(): string[];
  getImportid?(): string;
  getRemote?(): boolean;
}

interface InvokeRequest {
  getTok(): string;
  getArgs(): { toJavaScript(): unknown };
  getProvider(): string;
  getVersion?(): string;
  getPackageref?(): string;
}

/** The engine's error for a method it does not implement (gRPC UNIMPLEMENTED). */
function unimplemented(method: string, why: string): Error & { code: number } {
  return Object.assign(new Error(`the offline plan does not support ${method}: ${why}`), { code: 12, details: why });
}

const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

/**
 * The engine shows policies (and the mock cloud) a resource reference as the resource's
 * ID, or its URN for a component — never a live object. Doing the same here also keeps
 * the SDK from constructing resources while we deserialize a request. What comes back is in
 * Struct round-trip form when `v` is (./plainStruct.ts); a subtree without references is
 * returned as it is, not copied.
 */
function flattenResourceReferences(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const x = flattenResourceReferences(v[i]);
      if (x !== v[i]) (out ??= v.slice())[i] = x;
    }
    return out ?? v;
  }
  const o = v as Record<string, unknown>;
  if (o[SIG_KEY] === RESOURCE_SIG) return typeof o.id === "string" && o.id !== "" ? o.id : viaStruct(o.urn);
  let out: Record<string, unknown> | undefined;
  for (const k of Object.keys(o)) {
    const x = flattenResourceReferences(o[k]);
    if (x !== o[k]) (out ??= { ...o })[k] = x;
  }
  return out ?? o;
}

/**
 * An error as a gRPC status: the SDK reports `details` for some calls (invokes) and
 * `message` for others, so both carry the one-line reason.
 */
function rpcError(err: unknown): Error {
  const e = err instanceof Error ? err : new Error(String(err));
  return Object.assign(e, { code: (e as { code?: unknown }).code ?? 2, details: (e as { details?: unknown }).details ?? e.message });
}

/** The stack's config as the engine hands it to a default provider: `aws:region` → `region`. */
export type StackConfig = Readonly<Record<string, string>>;

export function defaultProviderInputs(pkg: string, config: StackConfig, secretKeys: ReadonlySet<string>, version: string): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (!key.startsWith(`${pkg}:`)) continue;
    // The engine hands a default provider every `<pkg>:*` config value as a string (object
    // values as their JSON text) and the provider decodes what its schema types as objects.
    inputs[key.slice(pkg.length + 1)] = secretKeys.has(key) ? { [SIG_KEY]: "1b47061264138c4ac30d75fd1eb44270", value } : value;
  }
  if (version) inputs.version = version;
  return inputs;
}

/** The package of a type or invoke token: `aws:s3/bucket:Bucket` → `aws`; `pulumi:*` is the engine's own. */
function packageOf(token: string): string | undefined {
  const pkg = token.slice(0, token.indexOf(":"));
  return pkg === "" || pkg === "pulumi" ? undefined : pkg;
}

export class RecordingMonitor {
  readonly resources: PlannedResource[] = [];
  /**
   * Errors this monitor returned for registrations, reads and data sources. The engine fails
   * the deployment on the first failed registration even when the program never awaits it,
   * and a data source the plan cannot answer makes every later value a guess, so the plan
   * fails the stack on any of these, whatever the program did with the error.
   */
  readonly failures: Error[] = [];
  private readonly byUrn = new Map<string, PlannedResource>();
  /** What `pulumi:pulumi:getResource` answers: id and serialized state, by URN. */
  private readonly states = new Map<string, { id: string; state: Record<string, unknown> }>();
  /** Default provider references (`urn::id`) by package and version, created on first use. */
  private readonly defaultProviders = new Map<string, string>();
  /** Packages registered through `registerPackage` (parameterized providers), by the ref we returned. */
  private readonly packages = new Map<string, { name: string; version: string }>();

  constructor(
    private readonly cloud: MockCloud,
    private readonly config: StackConfig = {},
    private readonly secretKeys: ReadonlySet<string> = new Set(),
    /** `pulumi:disable-default-providers` (`*` or package names): the engine refuses those defaults. */
    private readonly disabledDefaults: ReadonlySet<string> = new Set(),
    /** How requests and responses cross the SDK's wire format (./plainStruct.ts); both give the same values. */
    private readonly structs: StructCodec = STRUCT_CODECS.plain,
  ) {}

  /**
   * A request's properties as the SDK's mocks read them: references flattened, through a
   * Struct (the engine's wire format), deserialized.
   */
  private deserialize(struct: { toJavaScript(): unknown } | undefined): Record<string, unknown> {
    if (!struct) return {};
    return rpc.deserializeProperties(this.structs.decode(struct, flattenResourceReferences));
  }

  private urnFor(parent: string, type: string, name: string): string {
    let qualified = type;
    if (parent) {
      const parentType = parent.split("::")[2].split("$").pop();
      qualified = `${parentType}$${type}`;
    }
    return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${qualified}::${name}`;
  }

  /**
   * The provider reference the engine would use: the explicit one, or the package's default
   * provider (`pulumi:providers:<pkg>::default_<version>`), configured from the stack's
   * `<pkg>:*` config exactly as the engine configures it, and registered once like any resource.
   */
  private providerRef(token: string, explicit: string, version: string, packageRef: string): string {
    if (explicit) return explicit;
    const registered = packageRef ? this.packages.get(packageRef) : undefined;
    const pkg = registered?.name ?? packageOf(token);
    if (pkg === undefined) return "";
    const v = registered?.version ?? version;
    const key = `${pkg}@${v}`;
    const known = this.defaultProviders.get(key);
    if (known) return known;
    if (this.disabledDefaults.has("*") || this.disabledDefaults.has(pkg)) {
      // The engine's own wording, so the plan fails where `pulumi preview` would.
      throw new Error(`Default provider for '${pkg}' disabled. '${token}' must use an explicit provider.`);
    }
    const type = `pulumi:providers:${pkg}`;
    const name = v ? `default_${v.replace(/[.+-]/g, "_")}` : "default";
    const urn = `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${type}::${name}`;
    const inputs = defaultProviderInputs(pkg, this.config, this.secretKeys, v);
    const result = this.cloud.newResource({ type, name, inputs, custom: true });
    const ref = `${urn}::${result.id}`;
    this.defaultProviders.set(key, ref);
    this.recordResource({ urn, type, name, inputs, state: result.state, id: result.id ?? "", custom: true, parent: "", providerRef: "" });
    return ref;
  }

  async invoke(req: InvokeRequest, callback: Callback<unknown>): Promise<void> {
    try {
      const token = req.getTok();
      const inputs = this.deserialize(req.getArgs());
      if (token === "pulumi:pulumi:getResource") {
        const known = this.states.get(String(inputs.urn));
        if (known === undefined) throw new Error(`pulumi:pulumi:getResource: no resource ${String(inputs.urn)} in this stack`);
        // The state is already serialized: answer it as the engine does, without re-serializing.
        callback(null, this.invokeResponse({ urn: inputs.urn, id: known.id, state: known.state }));
        return;
      }
      const provider = this.providerRef(token, req.getProvider(), req.getVersion?.() ?? "", req.getPackageref?.() ?? "");
      const result = await this.cloud.call({ token, inputs, provider });
      callback(null, this.invokeResponse(await rpc.serializeProperties("", result)));
    } catch (err) {
      callback(this.fail(err));
    }
  }

  private invokeResponse(serialized: Record<string, unknown>): unknown {
    // SDK 3.248 reads provider_pb.InvokeResponse; newer SDKs resource_pb.ResourceInvokeResponse.
    const Response = resproto.ResourceInvokeResponse ?? provproto.InvokeResponse;
    const resp = new Response();
    resp.setReturn(this.structs.encode(serialized));
    return resp;
  }

  /** Method calls on resources (`Call`): answered by the mock cloud's function table, strictly. */
  async call(req: InvokeRequest, callback: Callback<unknown>): Promise<void> {
    try {
      const token = req.getTok();
      const provider = this.providerRef(token, req.getProvider(), req.getVersion?.() ?? "", req.getPackageref?.() ?? "");
      const result = await this.cloud.call({ token, inputs: this.deserialize(req.getArgs()), provider });
      const resp = new provproto.CallResponse();
      resp.setReturn(this.structs.encode(await rpc.serializeProperties("", result)));
      callback(null, resp);
    } catch (err) {
      callback(this.fail(err));
    }
  }

  async readResource(req: Request & { getId(): string; getProperties(): { toJavaScript(): unknown } }, callback: Callback<unknown>): Promise<void> {
    try {
      const inputs = this.deserialize(req.getProperties());
      const urn = this.urnFor(req.getParent(), req.getType(), req.getName());
      const providerRef = this.providerRef(req.getType(), req.getProvider(), req.getVersion?.() ?? "", req.getPackageref?.() ?? "");
      const result = this.cloud.newResource({ type: req.getType(), name: req.getName(), inputs, provider: providerRef, custom: true, id: req.getId() });
      const state = await this.record(req, urn, inputs, result, providerRef);
      const resp = new resproto.ReadResourceResponse();
      resp.setUrn(urn);
      resp.setProperties(this.structs.encode(state));
      callback(null, resp);
    } catch (err) {
      callback(this.fail(err));
    }
  }

  async registerResource(req: Request, callback: Callback<unknown>): Promise<void> {
    try {
      const inputs = this.deserialize(req.getObject());
      const urn = this.urnFor(req.getParent(), req.getType(), req.getName());
      const custom = req.getCustom?.() ?? true;
      // Components (and the stack) have no provider; providers themselves are not provided.
      const providerRef =
        custom && !req.getType().startsWith("pulumi:providers:")
          ? this.providerRef(req.getType(), req.getProvider(), req.getVersion?.() ?? "", req.getPackageref?.() ?? "")
          : req.getProvider();
      const result = this.cloud.newResource({ type: req.getType(), name: req.getName(), inputs, provider: providerRef, custom, id: req.getImportid?.() });
      const state = await this.record(req, urn, inputs, result, providerRef);
      const resp = new resproto.RegisterResourceResponse();
      resp.setUrn(urn);
      resp.setId(result.id ?? "");
      resp.setObject(this.structs.encode(state));
      callback(null, resp);
    } catch (err) {
      callback(this.fail(err));
    }
  }

  registerResourceOutputs(_req: unknown, callback: Callback<unknown>): void {
    callback(null, {});
  }

  /** Legacy feature query (SDKs before GetDeploymentInfo, and the fallback of newer ones). */
  supportsFeature(req: { getId(): string }, callback: Callback<{ getHassupport(): boolean }>): void {
    const supported = SUPPORTED_FEATURES.has(req.getId());
    callback(null, { getHassupport: () => supported });
  }

  /** What newer SDKs ask first: the features of this "engine", as the feature enum. */
  getDeploymentInfo(_req: unknown, callback: Callback<unknown>): void {
    const features: Record<string, number> = resproto.ResourceMonitorFeature ?? {};
    const list = Object.entries(features)
      .filter(([name]) => SUPPORTED_FEATURE_ENUMS.has(name))
      .map(([, value]) => value);
    if (resproto.DeploymentInfo) {
      const info = new resproto.DeploymentInfo();
      info.setSupportedfeaturesList(list);
      callback(null, info);
    } else {
      callback(null, { getSupportedfeaturesList: () => list });
    }
  }

  registerPackage(req: { getName(): string; getVersion(): string }, callback: Callback<unknown>): void {
    const ref = `mock-package-${req.getName()}-${req.getVersion()}`;
    this.packages.set(ref, { name: req.getName(), version: req.getVersion() });
    const resp = new resproto.RegisterPackageResponse();
    resp.setRef(ref);
    callback(null, resp);
  }

  /** `get` of an existing resource by id: the plan has no existing cloud, so nothing exists but what the program made. */
  existsResource(req: { getType(): string; getId(): string }, callback: Callback<unknown>): void {
    const exists = this.resources.some((r) => r.type === req.getType() && this.states.get(r.urn)?.id === req.getId());
    const Response = resproto.ExistsResourceResponse;
    if (Response) {
      const resp = new Response();
      resp.setExists(exists);
      callback(null, resp);
    } else {
      callback(null, { getExists: () => exists });
    }
  }

  // Stack transforms need the SDK's callback server, which the plan does not run. The SDK
  // only calls these when the deployment info lists transforms, which ours never does, so a
  // program using `registerResourceTransform` fails with the SDK's own one-line error.
  registerStackTransform(_req: unknown, callback: Callback<unknown>): void {
    callback(unimplemented("stack transforms", "run `pulumi preview` for programs that register stack transforms"));
  }

  registerStackInvokeTransform(_req: unknown, callback: Callback<unknown>): void {
    callback(unimplemented("invoke transforms", "run `pulumi preview` for programs that register invoke transforms"));
  }

  // Resource and error hooks run around real create/update/delete operations; a plan is a
  // preview and performs none, so registering one is accepted and it never fires (as in
  // `pulumi preview`).
  registerResourceHook(_req: unknown, callback: Callback<unknown>): void {
    callback(null, {});
  }

  registerErrorHook(_req: unknown, callback: Callback<unknown>): void {
    callback(null, {});
  }

  signalAndWaitForShutdown(_req: unknown, callback: Callback<unknown>): void {
    callback(null, {});
  }

  private fail(err: unknown): Error {
    const e = rpcError(err);
    this.failures.push(e);
    return e;
  }

  private async record(
    req: Request,
    urn: string,
    inputs: Record<string, unknown>,
    result: { id: string | undefined; state: Record<string, unknown> },
    providerRef: string,
  ): Promise<Record<string, unknown>> {
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap?.().forEach((v, k) => {
      propertyDependencies[k] = v.getUrnsList();
    });
    return this.recordResource({
      urn,
      type: req.getType(),
      name: req.getName(),
      inputs,
      state: result.state,
      id: result.id ?? "",
      custom: req.getCustom?.() ?? true,
      parent: req.getParent(),
      providerRef,
      dependencies: req.getDependenciesList?.() ?? [],
      propertyDependencies,
      protect: req.getProtect?.() ?? false,
      ignoreChanges: req.getIgnorechangesList?.() ?? [],
    });
  }

  private async recordResource(r: {
    urn: string;
    type: string;
    name: string;
    inputs: Record<string, unknown>;
    state: Record<string, unknown>;
    id: string;
    custom: boolean;
    parent: string;
    providerRef: string;
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
    protect?: boolean;
    ignoreChanges?: string[];
  }): Promise<Record<string, unknown>> {
    const providerUrn = r.providerRef ? r.providerRef.slice(0, r.providerRef.lastIndexOf("::")) : undefined;
    const provider = providerUrn ? this.byUrn.get(providerUrn) : undefined;
    const resource: PlannedResource = {
      urn: r.urn,
      type: r.type,
      name: r.name,
      // The engine shows policies the inputs; outputs the mock invents are kept where no input exists
      // (ids, ARNs), which is what a policy would see after the first apply.
      props: { ...r.state, ...r.inputs },
      parent: r.parent || undefined,
      provider: provider ? { urn: provider.urn, type: provider.type, props: provider.props } : undefined,
      custom: r.custom,
      dependencies: r.dependencies ?? [],
      propertyDependencies: r.propertyDependencies ?? {},
      protect: r.protect ?? false,
      ignoreChanges: r.ignoreChanges ?? [],
    };
    this.resources.push(resource);
    this.byUrn.set(r.urn, resource);
    const serialized = await rpc.serializeProperties("", r.state);
    this.states.set(r.urn, { id: r.id, state: serialized });
    return serialized;
  }
}

/** Legacy `supportsFeature` ids the plan supports (output values stay off, as in the SDK's mocks). */
const SUPPORTED_FEATURES = new Set(["secrets", "resourceReferences", "aliasSpecs", "deletedWith", "replaceWith", "parameterization"]);
/** The same, as `ResourceMonitorFeature` enum names (GetDeploymentInfo). */
const SUPPORTED_FEATURE_ENUMS = new Set([
  "RESOURCE_MONITOR_FEATURE_SECRETS",
  "RESOURCE_MONITOR_FEATURE_RESOURCE_REFERENCES",
  "RESOURCE_MONITOR_FEATURE_ALIAS_SPECS",
  "RESOURCE_MONITOR_FEATURE_DELETED_WITH",
  "RESOURCE_MONITOR_FEATURE_REPLACE_WITH",
  "RESOURCE_MONITOR_FEATURE_PARAMETERIZATION",
]);
