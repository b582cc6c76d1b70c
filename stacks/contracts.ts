/**
 * What each role exports, as schemas. A stack validates what it reads from an upstream
 * stack against these at the edge, so a missing or renamed output fails with the
 * upstream stack's name and the key — not as `undefined` deep inside a component.
 */
import { z } from "zod";
import { CLOUDS, DOMAINS } from "../components/residency/catalogue";

const header = { domain: z.enum(DOMAINS), stack: z.string() };

const keyExport = z.discriminatedUnion("cloud", [
  z.object({ cloud: z.literal("aws"), region: z.string(), arn: z.string() }),
  z.object({
    cloud: z.literal("azure"),
    region: z.string(),
    vaultId: z.string(),
    vaultUri: z.string(),
    keyName: z.string(),
    keyUri: z.string(),
    keyUriWithVersion: z.string(),
    resourceGroupName: z.string(),
  }),
  z.object({ cloud: z.literal("gcp"), region: z.string(), cryptoKeyId: z.string() }),
]);

/** The domain's image-signing key on this cloud (components/signing-key). */
const signingExport = z.discriminatedUnion("cloud", [
  z.object({ cloud: z.literal("aws"), region: z.string(), kmsUri: z.string(), arn: z.string(), publicKeyPem: z.string() }),
  z.object({ cloud: z.literal("azure"), region: z.string(), kmsUri: z.string(), vaultId: z.string(), vaultUri: z.string(), keyName: z.string() }),
  z.object({ cloud: z.literal("gcp"), region: z.string(), kmsUri: z.string(), cryptoKeyId: z.string(), cryptoKeyVersionId: z.string(), publicKeyPem: z.string() }),
]);

export const foundationExports = z.object({
  ...header,
  role: z.literal("foundation"),
  cloud: z.enum(CLOUDS),
  region: z.string(),
  key: keyExport,
  /** `registryId`: Azure only, the ACR resource id (AcrPull for AKS kubelets). */
  registry: z.object({ imagePrefixes: z.array(z.string()), registryId: z.string().optional() }),
  /** Optional so foundations deployed before it still read; the supply-chain service requires it. */
  signing: signingExport.optional(),
  network: z.object({
    networkId: z.string(),
    privateSubnetIds: z.array(z.string()),
    cidr: z.string(),
    resourceGroupName: z.string().optional(),
    gatewaySubnetId: z.string().optional(),
    /** AWS: private route tables, for routes to interconnects. */
    routeTableIds: z.array(z.string()).optional(),
    /** AWS: the security group admitting the domain's peer networks. */
    peerSecurityGroupId: z.string().optional(),
  }),
});
export type FoundationExports = z.infer<typeof foundationExports>;

export const pkiExports = z.object({
  ...header,
  role: z.literal("pki"),
  rootCertPem: z.string(),
  /** The roots to trust, current first, then retiring ones during an overlap (absent on older pki stacks). */
  trustRoots: z.array(z.string()).optional(),
  /** Intermediate CAs by purpose; `privateKeyPem` is a secret output. */
  intermediates: z.record(z.string(), z.object({ certPem: z.string(), privateKeyPem: z.string(), /** During a rotation's issue phase: the intermediate as certified by the incoming root (`certPem` is the cross-signed one to serve). */ incomingCertPem: z.string().optional() })),
});
export type PkiExports = z.infer<typeof pkiExports>;

/** Management and workload stacks export the same cluster shape. */
export const clusterExports = z.object({
  ...header,
  role: z.enum(["management", "workload"]),
  cloud: z.enum(CLOUDS),
  region: z.string(),
  cluster: z.looseObject({
    name: z.string(),
    podCidr: z.string(),
    serviceCidr: z.string(),
    /** The minor the control plane runs, from the cloud's data source (absent on stacks deployed before it was exported). */
    runningVersion: z.string().optional(),
  }),
});
export type ClusterExports = z.infer<typeof clusterExports>;

/**
 * A workload stack's public Gateway, by convention `services.exposure.externalAddress` (an IPv4
 * address or a load balancer host name; absent until the exposure service has one). The DNS
 * failover of the domain reads it.
 */
export const gatewayExports = z.object({
  ...header,
  role: z.literal("workload"),
  cloud: z.enum(CLOUDS),
  region: z.string(),
  services: z.looseObject({ exposure: z.looseObject({ externalAddress: z.string().min(1).nullish() }).optional() }).optional(),
});
export type GatewayExports = z.infer<typeof gatewayExports>;
/** What the management stack publishes for its domain's GitOps controller (`services.gitops`). */
export const gitopsControllerExport = z.object({
  namespace: z.string().min(1),
  oidcIssuer: z.string().url(),
  subjects: z.array(z.string().startsWith("system:serviceaccount:")).min(1),
  gcpAudience: z.string().min(1),
  awsRoleArn: z.string().startsWith("arn:").optional(),
  /** Exec-auth kubeconfig of the management cluster (a secret output; no static credential). */
  kubeconfig: z.string().min(1),
});

/** A management stack, as its workload stacks read it: the cluster shape plus the GitOps controller. */
export const managementExports = clusterExports.extend({
  role: z.literal("management"),
  services: z.looseObject({ gitops: gitopsControllerExport }),
});
export type ManagementExports = z.infer<typeof managementExports>;

/** A guardrails stack: what it allows and where (nothing reads it yet; the plan and audits show it). */
export const guardrailsExports = z.object({
  ...header,
  role: z.literal("guardrails"),
  cloud: z.enum(CLOUDS),
  allowedRegions: z.array(z.string()),
  scopes: z.array(z.string()),
  policyIds: z.array(z.string()),
});
export type GuardrailsExports = z.infer<typeof guardrailsExports>;
