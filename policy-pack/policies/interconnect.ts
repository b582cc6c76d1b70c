/**
 * Site-to-site VPN crypto on all three clouds (AWS-07, AZ-07, GCP-06): IKEv2 only,
 * AES-256 (CBC or GCM), SHA-2 integrity, strong Diffie-Hellman groups and PFS. Every
 * parameter must be set explicitly: the clouds' defaults accept IKEv1, SHA-1 and DH 2.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { resourcePolicy } from "../lib/define";
import { arrayAt, at, UNKNOWN, type Reporter } from "../lib/values";

const SOC2_TRANSIT = ["SOC2 CC6.1", "SOC2 CC6.7"];

/** DH groups 14-21 (MODP ≥ 2048, ECP 256/384/521); 22-24 have small subgroups, 1/2/5 are broken. */
const AWS_DH = new Set([14, 15, 16, 17, 18, 19, 20, 21]);
const AWS_ENC = new Set(["AES256", "AES256-GCM-16"]);
const AWS_INTEGRITY = new Set(["SHA2-256", "SHA2-384", "SHA2-512"]);

/** Every element of a set-valued property is allowed, and it is set. */
function allIn(ctx: Reporter, obj: unknown, path: string, allowed: ReadonlySet<string | number>, what: string): void {
  const v = arrayAt(obj, path);
  if (v === UNKNOWN) {
    ctx.unknown(path);
    return;
  }
  if (v.length === 0) {
    ctx.report(`${path} must be set explicitly (${what}: ${[...allowed].join(", ")}); the default accepts weak values`);
    return;
  }
  const bad = v.filter((x) => !allowed.has(x as string | number));
  if (bad.length > 0) {
    ctx.report(`${path} has ${bad.map(String).join(", ")}; allowed ${what}: ${[...allowed].join(", ")}`);
  }
}

export const awsVpnCrypto: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-interconnect-aws-vpn-crypto",
    area: "interconnect",
    rules: ["AWS-07"],
    description: "AWS site-to-site VPN tunnels use IKEv2, AES-256, SHA-2 and strong DH groups in both phases.",
    why: "Inter-cloud traffic carries the domain's data across the internet; IKEv1, SHA-1 and DH group 2 are breakable.",
    remediation:
      "Set for tunnel1 and tunnel2: `IkeVersions: [\"ikev2\"]`, `Phase{1,2}EncryptionAlgorithms: [\"AES256-GCM-16\"]`, `Phase{1,2}IntegrityAlgorithms: [\"SHA2-256\"]`, `Phase{1,2}DhGroupNumbers: [20]`.",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: SOC2_TRANSIT,
    types: ["aws:ec2/vpnConnection:VpnConnection"],
  },
  (r, ctx) => {
    for (const t of ["tunnel1", "tunnel2"]) {
      allIn(ctx, r.props, `${t}IkeVersions`, new Set(["ikev2"]), "IKE versions");
      for (const phase of ["Phase1", "Phase2"]) {
        allIn(ctx, r.props, `${t}${phase}EncryptionAlgorithms`, AWS_ENC, "encryption");
        allIn(ctx, r.props, `${t}${phase}IntegrityAlgorithms`, AWS_INTEGRITY, "integrity");
        allIn(ctx, r.props, `${t}${phase}DhGroupNumbers`, AWS_DH, "DH groups");
      }
    }
  },
);

const AZ_ENC = new Set(["GCMAES256", "AES256"]);
const AZ_IKE_INTEGRITY = new Set(["SHA256", "SHA384", "GCMAES256"]);
const AZ_IPSEC_INTEGRITY = new Set(["GCMAES256", "SHA256"]);
const AZ_DH = new Set(["DHGroup14", "DHGroup2048", "ECP256", "ECP384"]);
const AZ_PFS = new Set(["PFS14", "PFS2048", "ECP256", "ECP384"]);

export const azureVpnCrypto: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-interconnect-azure-vpn-crypto",
    area: "interconnect",
    rules: ["AZ-07"],
    description: "Azure VPN gateway connections use IKEv2 and a custom IPsec policy with AES-256/GCM, SHA-2, strong DH and PFS.",
    why: "Without a custom ipsecPolicies entry Azure negotiates its default proposals, which include weak ones and no PFS.",
    remediation:
      "Set `connectionProtocol: \"IKEv2\"` and `ipsecPolicies: [{ ikeEncryption: \"GCMAES256\", ikeIntegrity: \"SHA384\", dhGroup: \"ECP384\", ipsecEncryption: \"GCMAES256\", ipsecIntegrity: \"GCMAES256\", pfsGroup: \"ECP384\", saLifeTimeSeconds: 3600, saDataSizeKilobytes: 102400000 }]`.",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: SOC2_TRANSIT,
    types: ["azure-native:network:VirtualNetworkGatewayConnection"],
  },
  (r, ctx) => {
    const proto = at(r.props, "connectionProtocol");
    if (proto === UNKNOWN) {
      ctx.unknown("connectionProtocol");
    } else if (proto !== "IKEv2") {
      ctx.report(`connectionProtocol must be "IKEv2"${typeof proto === "string" ? ` (is ${proto})` : " (unset defaults to IKEv2 but is not pinned)"}`);
    }
    const policies = arrayAt(r.props, "ipsecPolicies");
    if (policies === UNKNOWN) {
      ctx.unknown("ipsecPolicies");
      return;
    }
    if (policies.length === 0) {
      ctx.report("ipsecPolicies must declare a custom policy; the default proposals include weak ciphers and no PFS");
    }
    policies.forEach((p, i) => {
      const check = (key: string, allowed: ReadonlySet<string>) => {
        const v = at(p, key);
        if (v === UNKNOWN) {
          ctx.unknown(`ipsecPolicies[${i}].${key}`);
        } else if (typeof v !== "string" || !allowed.has(v)) {
          ctx.report(`ipsecPolicies[${i}].${key} is ${String(v)}; allowed: ${[...allowed].join(", ")}`);
        }
      };
      check("ikeEncryption", AZ_ENC);
      check("ipsecEncryption", AZ_ENC);
      check("ikeIntegrity", AZ_IKE_INTEGRITY);
      check("ipsecIntegrity", AZ_IPSEC_INTEGRITY);
      check("dhGroup", AZ_DH);
      check("pfsGroup", AZ_PFS);
    });
  },
);

const GCP_ENC = new Set(["AES-GCM-16-256", "AES-GCM-12-256", "AES-GCM-8-256", "AES-CBC-256"]);
const GCP_PFS = new Set(["Group-14", "Group-15", "Group-16", "Group-19", "Group-20", "Group-21"]);

export const gcpVpnCrypto: ResourceValidationPolicy = resourcePolicy(
  {
    name: "meridian-interconnect-gcp-vpn-crypto",
    area: "interconnect",
    rules: ["GCP-06"],
    description: "GCP VPN tunnels use IKEv2 with an explicit cipher suite: AES-256 in phase 1 and 2 and PFS in phase 2.",
    why: "Without `cipherSuite` Cloud VPN offers its whole default list, including AES-128 and SHA-1; IKEv1 has no PFS guarantee.",
    remediation:
      "Set `ikeVersion: 2` and `cipherSuite: { phase1: { encryptions: [\"AES-GCM-16-256\"], dh: [\"Group-20\"], prf: [...], integrities: [] }, phase2: { encryptions: [\"AES-GCM-16-256\"], pfs: [\"Group-20\"] } }`.",
    severity: "high",
    enforcementLevel: "mandatory",
    frameworks: SOC2_TRANSIT,
    types: ["gcp:compute/vPNTunnel:VPNTunnel"],
  },
  (r, ctx) => {
    const ike = at(r.props, "ikeVersion");
    if (ike === UNKNOWN) {
      ctx.unknown("ikeVersion");
    } else if (ike !== 2) {
      ctx.report(`ikeVersion must be 2${ike === undefined ? " (unset defaults to 2 but is not pinned)" : ` (is ${String(ike)})`}`);
    }
    allIn(ctx, r.props, "cipherSuite.phase1.encryptions", GCP_ENC, "phase 1 encryption");
    allIn(ctx, r.props, "cipherSuite.phase2.encryptions", GCP_ENC, "phase 2 encryption");
    allIn(ctx, r.props, "cipherSuite.phase2.pfs", GCP_PFS, "PFS groups");
  },
);

export const interconnectPolicies = [awsVpnCrypto, azureVpnCrypto, gcpVpnCrypto];
