/**
 * A credential-free stand-in for the clouds, used by the fleet plan and by every
 * component unit test through `pulumi.runtime.setMocks`.
 *
 * Outputs look like the real providers': ARNs and resource IDs carry the region of the
 * provider that created them and a fake account, subscription or project, so the policy
 * pack's residency checks (which parse ARNs and IDs) see what they would see for real.
 * Invokes (data sources) are answered strictly: an unknown token fails the stack with one
 * line naming it. A generic answer (an empty object, made-up strings) would flow into the
 * inputs the policy pack judges — a key ARN, a region, a policy document — and could turn a
 * violation into a pass; a plan that stops and names the data source it cannot answer is
 * honest, and adding the answer here is a few lines.
 */
import type * as pulumi from "@pulumi/pulumi";
import { awsOutputs, awsInvokes } from "./aws";
import { azureOutputs, azureInvokes } from "./azure";
import { gcpOutputs, gcpInvokes } from "./gcp";
import { gatewayShapers, kubernetesOutputs } from "./kubernetes";
import { localOutputs } from "./local";
import { aksUserCredentials, clusterShapers, clusterVersionInvokes } from "./clusters";
import { interconnectShapers } from "./interconnect";
import { stableHash, type MockContext, type ProviderState } from "./shared";

export { stableHash, FAKE_AWS_ACCOUNT, FAKE_AZURE_SUBSCRIPTION, FAKE_AZURE_TENANT } from "./shared";
export type { MockContext } from "./shared";

/** Stack outputs by stack name, to answer StackReferences (`org/project/stack` or `stack`). */
export type StackOutputs = ReadonlyMap<string, Readonly<Record<string, unknown>>>;

export interface MockCloudOptions {
  /** Outputs of upstream stacks, to answer `pulumi:pulumi:StackReference`. */
  readonly stackOutputs?: StackOutputs;
  /** Names of secret outputs per upstream stack. */
  readonly secretOutputNames?: ReadonlyMap<string, readonly string[]>;
}

export interface MockResourceArgs extends pulumi.runtime.MockResourceArgs {
  /** Set by the plan's recording monitor; derived from `provider` otherwise. */
  readonly providerState?: ProviderState;
}

/** What a test can assert on: every resource the program asked for, in order. */
export interface MockRecord {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  /** The explicit provider's type and inputs, when one was passed (or inherited). */
  readonly provider: ProviderState | undefined;
  /** The provider reference as the engine passes it (`urn::id`). */
  readonly providerRef: string | undefined;
  readonly state: Record<string, unknown>;
}

/** Type-specific output shapers contributed by component areas (clusters, interconnect). */
const EXTRA_SHAPERS: Record<string, (ctx: MockContext) => Record<string, unknown>> = { ...clusterShapers, ...interconnectShapers, ...gatewayShapers };

/** Invokes contributed by component areas. */
const EXTRA_INVOKES: Record<string, (inputs: Record<string, unknown>, provider: ProviderState | undefined) => Record<string, unknown>> = {
  "azure-native:containerservice:listManagedClusterUserCredentials": (inputs) => aksUserCredentials(inputs),
};

export class MockCloud implements pulumi.runtime.Mocks {
  /** Explicit providers seen so far, by id, so a resource can be placed in its provider's region. */
  private readonly providers = new Map<string, ProviderState>();
  /** Every resource registered, in order (providers and stack references included). */
  readonly records: MockRecord[] = [];

  constructor(private readonly options: MockCloudOptions = {}) {}

  newResource(args: MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
    const result = this.shape(args);
    this.records.push({
      type: args.type,
      name: args.name,
      inputs: args.inputs,
      provider: args.providerState ?? this.providerOf(args.provider),
      providerRef: args.provider,
      state: result.state,
    });
    return result;
  }

  private shape(args: MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
    if (args.type.startsWith("pulumi:providers:")) {
      const id = `${args.name}-${stableHash(args.type + args.name)}`;
      this.providers.set(id, { type: args.type, inputs: args.inputs });
      return { id, state: { ...args.inputs } };
    }
    if (args.type === "pulumi:pulumi:StackReference") {
      return this.stackReference(args);
    }
    const provider = args.providerState ?? this.providerOf(args.provider);
    const ctx: MockContext = { type: args.type, name: args.name, inputs: args.inputs, provider };
    const pkg = args.type.slice(0, args.type.indexOf(":"));
    const shaped =
      pkg === "aws"
        ? awsOutputs(ctx)
        : pkg === "azure-native"
          ? azureOutputs(ctx)
          : pkg === "gcp"
            ? gcpOutputs(ctx)
            : pkg === "kubernetes"
              ? kubernetesOutputs(ctx)
              : localOutputs(ctx);
    Object.assign(shaped, EXTRA_SHAPERS[args.type]?.(ctx) ?? {});
    const id = (shaped.id as string | undefined) ?? `${args.name}-${stableHash(args.type + args.name)}`;
    return { id: args.custom === false ? undefined : id, state: { ...args.inputs, ...shaped, id } };
  }

  call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
    const provider = this.providerOf(args.provider);
    const fromRecords = clusterVersionInvokes[args.token];
    if (fromRecords !== undefined) return fromRecords(args.inputs, this.records);
    const answer = awsInvokes[args.token] ?? azureInvokes[args.token] ?? gcpInvokes[args.token] ?? EXTRA_INVOKES[args.token];
    if (answer === undefined) {
      throw new Error(`the offline plan has no answer for data source ${args.token}; add one in automation/plan/mock-cloud/ (see docs/plan.md)`);
    }
    return answer(args.inputs, provider);
  }

  /** A provider reference is `urn::id`; the id is what we keyed the provider by. */
  private providerOf(ref: string | undefined): ProviderState | undefined {
    if (!ref) return undefined;
    const id = ref.slice(ref.lastIndexOf("::") + 2);
    return this.providers.get(id);
  }

  private stackReference(args: MockResourceArgs): { id: string; state: Record<string, unknown> } {
    const fullName = String(args.inputs.name);
    const stack = fullName.slice(fullName.lastIndexOf("/") + 1);
    const outputs = this.options.stackOutputs?.get(stack);
    if (outputs === undefined) {
      throw new Error(`mock cloud: stack reference to "${fullName}" but no outputs are known for stack "${stack}"`);
    }
    return {
      id: fullName,
      state: { name: fullName, outputs, secretOutputNames: this.options.secretOutputNames?.get(stack) ?? [] },
    };
  }
}
