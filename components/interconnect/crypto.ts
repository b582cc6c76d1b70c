/**
 * The one crypto profile every tunnel uses, spelled in each provider's vocabulary, and
 * the pre-shared keys. Explicit everywhere — never a provider default — so policies
 * AWS-07, AZ-07 and GCP-06 see exactly what runs:
 *
 * | | IKE | phase 1 | phase 2 (ESP) | DH / PFS |
 * |---|---|---|---|---|
 * | all | IKEv2 only | AES-256-CBC + HMAC-SHA2-256, PRF SHA2-256 | AES-256-GCM-16 (AEAD) | group 20 (ECP-384) both phases |
 *
 * One suite, not a list: each side proposes exactly what the other accepts, so a
 * downgrade has nothing to negotiate to.
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { pskEpoch } from "./allocate";

/** IKE SA lifetime, seconds (AWS default 28800; stated so it is never implicit). */
export const PHASE1_LIFETIME_SECONDS = 28800;
/** IPsec SA lifetime, seconds. */
export const PHASE2_LIFETIME_SECONDS = 3600;

/** AWS `aws.ec2.VpnConnection` tunnel options, without the `tunnelN` prefix. */
export const AWS_TUNNEL_CRYPTO = {
  IkeVersions: ["ikev2"],
  Phase1EncryptionAlgorithms: ["AES256"],
  Phase1IntegrityAlgorithms: ["SHA2-256"],
  Phase1DhGroupNumbers: [20],
  Phase1LifetimeSeconds: PHASE1_LIFETIME_SECONDS,
  Phase2EncryptionAlgorithms: ["AES256-GCM-16"],
  Phase2IntegrityAlgorithms: ["SHA2-256"],
  Phase2DhGroupNumbers: [20],
  Phase2LifetimeSeconds: PHASE2_LIFETIME_SECONDS,
  // Both ends initiate, and a dead peer restarts the tunnel instead of clearing it.
  StartupAction: "start",
  DpdTimeoutAction: "restart",
  DpdTimeoutSeconds: 30,
} as const;

/** Spread `AWS_TUNNEL_CRYPTO` onto `tunnel1…`/`tunnel2…` input names. */
export function awsTunnelCrypto(n: 1 | 2): Record<string, unknown> {
  return Object.fromEntries(Object.entries(AWS_TUNNEL_CRYPTO).map(([k, v]) => [`tunnel${n}${k}`, v]));
}

/** GCP `gcp.compute.VPNTunnel` `ikeVersion` + `cipherSuite`. */
export const GCP_TUNNEL_CRYPTO = {
  ikeVersion: 2,
  cipherSuite: {
    phase1: {
      encryptions: ["AES-CBC-256"],
      integrities: ["HMAC-SHA2-256-128"],
      prves: ["PRF-HMAC-SHA2-256"],
      dhs: ["Group-20"],
    },
    // AES-GCM is AEAD: no separate integrity algorithm is proposed.
    phase2: { encryptions: ["AES-GCM-16-256"], pfs: ["Group-20"] },
  },
};

/** Azure `VirtualNetworkGatewayConnection` `connectionProtocol` + one `ipsecPolicies` entry. */
export const AZURE_CONNECTION_CRYPTO = {
  connectionProtocol: "IKEv2",
  usePolicyBasedTrafficSelectors: false,
  dpdTimeoutSeconds: 30,
  ipsecPolicies: [
    {
      ikeEncryption: "AES256",
      ikeIntegrity: "SHA256",
      dhGroup: "ECP384",
      ipsecEncryption: "GCMAES256",
      ipsecIntegrity: "GCMAES256",
      pfsGroup: "ECP384",
      saLifeTimeSeconds: PHASE2_LIFETIME_SECONDS,
      saDataSizeKilobytes: 102400000,
    },
  ],
};

/** Characters a PSK may use under every provider's rules (AWS is the strictest). */
export const PSK_ALPHABET = /^[A-Za-z0-9._]+$/;
export const PSK_LENGTH = 48;

/** AWS: 8–64 chars of letters, digits, `.` and `_`, not starting with `0`. */
export function isValidPsk(psk: string): boolean {
  return psk.length >= 8 && psk.length <= 64 && PSK_ALPHABET.test(psk) && !psk.startsWith("0");
}

/** A valid PSK from any random string over the alphabet: a leading `0` becomes `Z`. */
export function normalizePsk(raw: string): string {
  return raw.startsWith("0") ? `Z${raw.slice(1)}` : raw;
}

/**
 * The PSK of one tunnel: a RandomPassword keyed on the tunnel's rotation epoch (see
 * {@link pskEpoch}), wrapped as a Pulumi secret so it is never a plain output.
 */
export function createPsk(
  name: string,
  tunnel: number,
  generation: number,
  parent: pulumi.Resource,
  provider: random.Provider,
): pulumi.Output<string> {
  const password = new random.RandomPassword(
    `${name}-psk-${tunnel}`,
    {
      length: PSK_LENGTH,
      upper: true,
      lower: true,
      numeric: true,
      special: true,
      overrideSpecial: "._",
      minUpper: 2,
      minLower: 2,
      minNumeric: 2,
      keepers: { epoch: String(pskEpoch(generation, tunnel)) },
    },
    { parent, provider },
  );
  return pulumi.secret(password.result.apply(normalizePsk));
}
