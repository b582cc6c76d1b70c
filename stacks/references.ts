/**
 * Typed, validated, residency-checked reads of upstream stacks. Every StackReference
 * the program makes goes through here, and only to stacks in `meridian:dependsOn` — so
 * the references and the orchestrator's graph are the same declaration.
 */
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import type { Fleet, StackSpec } from "../automation/fleet";
import { upstreamOf as requireUpstreamOf } from "../automation/fleet/graph";
import { formatZodIssue } from "../automation/fleet/zodErrors";
import {
  fromStackReference,
  type CaHandle,
  type GitOpsControllerHandle,
  type Cloud,
  type Domain,
  type GatewayTargetHandle,
  type KeyHandle,
  type NetworkHandle,
  type RegistryHandle,
  type SigningKeyHandle,
  type TrustRootsHandle,
} from "../components/residency";
import { clusterExports, foundationExports, gatewayExports, managementExports, pkiExports, type ClusterExports, type FoundationExports } from "./contracts";

export interface Foundation<D extends Domain> {
  readonly stack: string;
  readonly exports: FoundationExports;
  readonly key: KeyHandle<D>;
  readonly registry: RegistryHandle<D>;
  readonly network: NetworkHandle<D>;
  /** The domain's image-signing key on this cloud; absent on a foundation deployed before it existed. */
  readonly signing?: SigningKeyHandle<D>;
}

export interface Pki<D extends Domain> {
  readonly stack: string;
  readonly rootCertPem: string;
  intermediate(purpose: string): CaHandle<D>;
  /** The roots to trust (current, then retiring during a rotation overlap). */
  trustRoots(): TrustRootsHandle<D>;
}

export class UpstreamReader<D extends Domain> {
  private readonly refs = new Map<string, pulumi.StackReference>();

  constructor(
    readonly domain: D,
    private readonly fleet: Fleet,
    private readonly spec: StackSpec,
  ) {}

  /** The foundation stack of `cloud` this stack depends on. */
  async foundation(cloud: Cloud): Promise<Foundation<D>> {
    const stack = this.requireUpstream("foundation", cloud);
    const { values } = await this.read(stack, foundationExports);
    const d = this.domain;
    const key = fromStackReference(d, values.domain, stack, { ...values.key }) as KeyHandle<D>;
    const registry: RegistryHandle<D> = fromStackReference(d, values.domain, stack, {
      cloud: values.cloud,
      region: values.region,
      imagePrefixes: values.registry.imagePrefixes,
      ...(values.registry.registryId ? { registryId: values.registry.registryId } : {}),
    });
    const network: NetworkHandle<D> = fromStackReference(d, values.domain, stack, {
      cloud: values.cloud,
      region: values.region,
      ...values.network,
    });
    const signing = values.signing ? (fromStackReference(d, values.domain, stack, { ...values.signing }) as SigningKeyHandle<D>) : undefined;
    return { stack, exports: values, key, registry, network, ...(signing ? { signing } : {}) };
  }

  /** The domain PKI. Intermediate private keys stay Pulumi secrets. */
  async pki(): Promise<Pki<D>> {
    const stack = this.requireUpstream("pki");
    const { values } = await this.read(stack, pkiExports);
    const domain = this.domain;
    return {
      stack,
      rootCertPem: values.rootCertPem,
      intermediate: (purpose: string) => {
        const ca = values.intermediates[purpose];
        if (ca === undefined) {
          throw new Error(`stack ${stack} has no "${purpose}" intermediate CA (has: ${Object.keys(values.intermediates).join(", ")}); add it to meridian:pki.intermediates`);
        }
        return fromStackReference(domain, values.domain, stack, {
          purpose,
          certPem: ca.certPem,
          privateKeyPem: pulumi.secret(ca.privateKeyPem),
        });
      },
      trustRoots: () => fromStackReference(domain, values.domain, stack, { rootCertPems: values.trustRoots ?? [values.rootCertPem] }),
    };
  }

  /** A management or workload stack's cluster exports. */
  async cluster(stack: string): Promise<ClusterExports> {
    this.requireDeclared(stack);
    const { values } = await this.read(stack, clusterExports);
    fromStackReference(this.domain, values.domain, stack, {});
    return values;
  }

  /** A workload stack's public Gateway as a failover target of this domain; undefined while it exports no address. */
  async gateway(stack: string): Promise<GatewayTargetHandle<D> | undefined> {
    const { values } = await this.read(stack, gatewayExports);
    const address = values.services?.exposure?.externalAddress ?? undefined;
    if (address === undefined) return undefined;
    return fromStackReference(this.domain, values.domain, stack, { stack, cloud: values.cloud, region: values.region, address });
  }

  /** The domain's GitOps controller, from the management stack this workload stack depends on. */
  async gitopsController(): Promise<GitOpsControllerHandle<D>> {
    const stack = this.requireUpstream("management");
    const { values } = await this.read(stack, managementExports);
    const g = values.services.gitops;
    return fromStackReference(this.domain, values.domain, stack, {
      stack,
      namespace: g.namespace,
      oidcIssuer: g.oidcIssuer,
      subjects: g.subjects,
      gcpAudience: g.gcpAudience,
      ...(g.awsRoleArn !== undefined ? { awsRoleArn: g.awsRoleArn } : {}),
      // Derived from the StackReference output (not the awaited value) so the provider built from it
      // depends on the reference: the pack proves the management cluster's domain by that link.
      kubeconfig: pulumi.secret(this.ref(stack).getOutput("services").apply(() => g.kubeconfig)),
    });
  }

  private requireUpstream(role: "foundation" | "pki" | "management", cloud?: Cloud): string {
    const upstream = this.upstream();
    const stack = role === "pki" ? upstream.pki : role === "management" ? upstream.management : upstream.foundations[cloud!];
    if (stack === undefined) {
      throw new Error(`${this.spec.file}: meridian:dependsOn: no ${role}${cloud ? ` stack on ${cloud}` : " stack"} to read`);
    }
    return stack;
  }

  private upstream() {
    // Validated when the fleet loaded; recomputed here to keep the reader self-contained.
    return requireUpstreamOf(this.fleet, this.spec);
  }

  private requireDeclared(stack: string): void {
    if (!this.spec.dependsOn.includes(stack)) {
      throw new Error(`${this.spec.file}: meridian:dependsOn: reading stack "${stack}" requires declaring it in dependsOn`);
    }
  }

  private ref(stack: string): pulumi.StackReference {
    this.requireDeclared(stack);
    let ref = this.refs.get(stack);
    if (ref === undefined) {
      const org = pulumi.getOrganization() || "organization";
      ref = new pulumi.StackReference(`${this.spec.name}-ref-${stack}`, { name: `${org}/${pulumi.getProject()}/${stack}` });
      this.refs.set(stack, ref);
    }
    return ref;
  }

  /** Read every top-level key the schema names, validate, and return plain values. */
  private async read<S extends z.ZodObject>(stack: string, schema: S): Promise<{ values: z.infer<S> }> {
    const ref = this.ref(stack);
    const raw: Record<string, unknown> = {};
    for (const key of Object.keys(schema.shape)) {
      const details = await ref.getOutputDetails(key);
      raw[key] = details.value ?? details.secretValue;
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const { key, detail } = formatZodIssue(parsed.error.issues[0], raw);
      throw new Error(`stack ${stack} (read by ${this.spec.name}): output ${key}: ${detail}`);
    }
    return { values: parsed.data };
  }
}
