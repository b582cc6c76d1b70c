/**
 * A resource monitor for the offline plan: answers registrations from the mock cloud,
 * like the SDK's MockMonitor, and also records what the engine would know about each
 * resource — URN, parent, provider, dependencies, property dependencies, protect — so
 * the policy pack sees the same arguments it gets from the real engine.
 */
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as pulumi from "@pulumi/pulumi";
import type { PlannedResource as PolicyResource } from "../../policy-pack/evaluate";
import type { MockCloud } from "./mock-cloud";
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
  getObject(): unknown;
  getProvider(): string;
  getProtect?(): boolean;
  // Register requests carry these; read requests (StackReference, `get`) do not.
  getDependenciesList?(): string[];
  getPropertydependenciesMap?(): { forEach(cb: (v: { getUrnsList(): string[] }, k: string) => void): void };
  getIgnorechangesList?(): string[];
  getImportid?(): string;
}

export class RecordingMonitor {
  readonly resources: PlannedResource[] = [];
  private readonly byUrn = new Map<string, PlannedResource>();

  constructor(private readonly cloud: MockCloud) {}

  private urnFor(parent: string, type: string, name: string): string {
    let qualified = type;
    if (parent) {
      const parentType = parent.split("::")[2].split("$").pop();
      qualified = `${parentType}$${type}`;
    }
    return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${qualified}::${name}`;
  }

  async invoke(req: { getTok(): string; getArgs(): unknown; getProvider(): string }, callback: Callback<unknown>): Promise<void> {
    try {
      const result = await this.cloud.call({ token: req.getTok(), inputs: rpc.deserializeProperties(req.getArgs()), provider: req.getProvider() });
      const resp = new provproto.InvokeResponse();
      resp.setReturn(structproto.Struct.fromJavaScript((await rpc.serializeProperties("", result)) as never));
      callback(null, resp);
    } catch (err) {
      callback(err as Error);
    }
  }

  async readResource(req: Request & { getId(): string; getProperties(): unknown }, callback: Callback<unknown>): Promise<void> {
    try {
      const inputs = rpc.deserializeProperties(req.getProperties());
      const urn = this.urnFor(req.getParent(), req.getType(), req.getName());
      const result = this.cloud.newResource({ type: req.getType(), name: req.getName(), inputs, provider: req.getProvider(), custom: true, id: req.getId() });
      this.record(req, urn, inputs, result.state);
      const state = await rpc.serializeProperties("", result.state);
      const resp = new resproto.ReadResourceResponse();
      resp.setUrn(urn);
      resp.setProperties(structproto.Struct.fromJavaScript(state as never));
      callback(null, resp);
    } catch (err) {
      callback(err as Error);
    }
  }

  async registerResource(req: Request, callback: Callback<unknown>): Promise<void> {
    try {
      const inputs = rpc.deserializeProperties(req.getObject());
      const urn = this.urnFor(req.getParent(), req.getType(), req.getName());
      const result = this.cloud.newResource({
        type: req.getType(),
        name: req.getName(),
        inputs,
        provider: req.getProvider(),
        custom: req.getCustom?.() ?? true,
        id: req.getImportid?.(),
      });
      this.record(req, urn, inputs, result.state);
      const state = await rpc.serializeProperties("", result.state);
      const resp = new resproto.RegisterResourceResponse();
      resp.setUrn(urn);
      resp.setId(result.id ?? "");
      resp.setObject(structproto.Struct.fromJavaScript(state as never));
      callback(null, resp);
    } catch (err) {
      callback(err as Error);
    }
  }

  registerResourceOutputs(_req: unknown, callback: Callback<unknown>): void {
    callback(null, {});
  }

  supportsFeature(req: { getId(): string }, callback: Callback<{ getHassupport(): boolean }>): void {
    const supported = req.getId() !== "outputValues";
    callback(null, { getHassupport: () => supported });
  }

  registerPackage(_req: unknown, callback: Callback<unknown>): void {
    const resp = new resproto.RegisterPackageResponse();
    resp.setRef("mock-package");
    callback(null, resp);
  }

  private record(req: Request, urn: string, inputs: Record<string, unknown>, state: Record<string, unknown>): void {
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap?.().forEach((v, k) => {
      propertyDependencies[k] = v.getUrnsList();
    });
    const providerRef = req.getProvider();
    const providerUrn = providerRef ? providerRef.slice(0, providerRef.lastIndexOf("::")) : undefined;
    const provider = providerUrn ? this.byUrn.get(providerUrn) : undefined;
    const resource: PlannedResource = {
      urn,
      type: req.getType(),
      name: req.getName(),
      // The engine shows policies the inputs; outputs the mock invents are kept where no input exists
      // (ids, ARNs), which is what a policy would see after the first apply.
      props: { ...state, ...inputs },
      parent: req.getParent() || undefined,
      provider: provider ? { urn: provider.urn, type: provider.type, props: provider.props } : undefined,
      custom: req.getCustom?.() ?? true,
      dependencies: req.getDependenciesList?.() ?? [],
      propertyDependencies,
      protect: req.getProtect?.() ?? false,
      ignoreChanges: req.getIgnorechangesList?.() ?? [],
    };
    this.resources.push(resource);
    this.byUrn.set(urn, resource);
  }
}
