/**
 * Non-generic facades for multi-language use (Pulumi component providers: `pulumi package
 * add`, the SDK's `componentProviderHost`). A component package's schema has no type
 * parameters, so `ResidencyKey<D>`'s compile-time domain cannot cross it; the facade takes the
 * domain as an enum input, checks it at run time against the catalogue (an unknown domain is
 * refused with the property named), and builds the generic component inside. What a
 * TypeScript consumer gets from the generic class (an EU handle that cannot reach a US
 * resource) a Python or Go consumer cannot get from any schema: there the guarantee is the
 * run-time check plus the policy pack. docs/components/package.md.
 */
import * as pulumi from "@pulumi/pulumi";
import { ResidencyKey } from "../kms";
import { CLOUDS, DOMAINS, type Cloud, type Domain } from "../residency";

/**
 * The residency domain, as the schema's enum. A schema enum must be written out as literals
 * (the SDK's analyzer reads the source; `(typeof DOMAINS)[number]` is a bare union it
 * refuses), so test/package/multi-language.test.ts pins these values to `DOMAINS`.
 */
export const KeyDomain = { eu: "eu", us: "us" } as const;
export type KeyDomain = (typeof KeyDomain)[keyof typeof KeyDomain];
/** The cloud of the key, as the schema's enum (pinned to `CLOUDS` by the same test). */
export const KeyCloud = { aws: "aws", azure: "azure", gcp: "gcp" } as const;
export type KeyCloud = (typeof KeyCloud)[keyof typeof KeyCloud];
/**
 * Compile-time completeness: a domain or cloud added to the catalogue does not compile until
 * the enum has it. (Not `satisfies` on the literal: the analyzer only reads `{…} as const`.)
 */
export const ENUMS_COVER_CATALOGUE: { readonly domains: Readonly<Record<Domain, Domain>>; readonly clouds: Readonly<Record<Cloud, Cloud>> } = { domains: KeyDomain, clouds: KeyCloud };

export interface ResidencyKeyFacadeArgs {
  /** (Required) The residency domain; checked at run time against the catalogue. */
  domain: KeyDomain;
  /** (Required) The cloud to create the key on. */
  cloud: KeyCloud;
  /** (Required) Region (location) of the key. */
  region: string;
  /** (Optional) Rotation period in days (per cloud limits, see ResidencyKey). Defaults to 90. */
  rotationDays?: number;
}

/** `ResidencyKey` without the type parameter: one schema type for every domain. */
export class ResidencyKeyFacade extends pulumi.ComponentResource {
  /** AWS key ARN, Azure versionless key URI, or GCP crypto key id. */
  public readonly keyId: pulumi.Output<string>;
  /** The domain the key belongs to (the facade's stand-in for the generic handle). */
  public readonly domain: pulumi.Output<string>;
  /** The key's region. */
  public readonly region: pulumi.Output<string>;

  constructor(name: string, args: ResidencyKeyFacadeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("meridian:index:ResidencyKeyFacade", name, {}, opts);
    const problems = [
      ...(DOMAINS.includes(args.domain) ? [] : [{ propertyPath: "domain", reason: `must be one of ${DOMAINS.join(", ")}, got ${JSON.stringify(args.domain)}` }]),
      ...(CLOUDS.includes(args.cloud) ? [] : [{ propertyPath: "cloud", reason: `must be one of ${CLOUDS.join(", ")}, got ${JSON.stringify(args.cloud)}` }]),
    ];
    if (problems.length > 0) throw new pulumi.InputPropertiesError({ message: `ResidencyKeyFacade ${name}: invalid arguments`, errors: problems });
    const key = new ResidencyKey(name, { domain: args.domain, cloud: args.cloud, region: args.region, rotationDays: args.rotationDays }, { parent: this });
    this.keyId = key.keyId;
    this.domain = pulumi.output(key.handle.domain);
    this.region = pulumi.output(key.handle.region);
    this.registerOutputs({ keyId: this.keyId, domain: this.domain, region: this.region });
  }
}
