/**
 * ResidencyPki: the domain's root CA and one intermediate CA per purpose (mesh mTLS,
 * VPN, ...), with validity and renewal overlap from config. Private keys exist only as
 * Pulumi secrets; the root key never leaves this stack. Bumping `generation` rotates
 * every key: the random serial keyed on it forces new keys and certificates, and the
 * early-renewal window keeps old and new valid side by side.
 */
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import { claimResident, type CaHandle, type Domain } from "../residency";

export interface ResidencyPkiArgs<D extends Domain> {
  /** (Required) The residency domain; written into every subject (OU) and handle. */
  readonly domain: D;
  /** (Optional) Subject organization. Defaults to `meridian`. */
  readonly organization?: string;
  /** (Optional) Root CA validity in hours, at least 8760. Defaults to 87600 (10 years). */
  readonly rootValidityHours?: number;
  /** (Optional) Intermediate validity in hours, at least 720. Defaults to 8760 (1 year). */
  readonly intermediateValidityHours?: number;
  /** (Optional) Renew this many hours before expiry (the overlap). Defaults to 720 (30 days). */
  readonly earlyRenewalHours?: number;
  /** (Optional) Key generation; bump to rotate every key. Defaults to 1. */
  readonly generation?: number;
  /** (Optional) Intermediate CAs to issue. Defaults to `mesh`, `vpn`. */
  readonly intermediates?: readonly string[];
  /**
   * (Optional) Roots still trusted during a rotation overlap (public PEM certificates of earlier
   * generations, at most 2): they join the current root in `trustRootPems`, so clients keep
   * trusting certificates issued before the rotation. Defaults to none.
   */
  readonly retiringRoots?: readonly string[];
}

const PEM_CERTIFICATE = /^-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\s*$/;

export function validateResidencyPkiArgs(args: ResidencyPkiArgs<Domain>): pulumi.InputPropertyErrorDetails[] {
  const problems: pulumi.InputPropertyErrorDetails[] = [];
  const root = args.rootValidityHours ?? 87600;
  const inter = args.intermediateValidityHours ?? 8760;
  const early = args.earlyRenewalHours ?? 720;
  if (root < 8760) problems.push({ propertyPath: "rootValidityHours", reason: `at least 8760 (1 year), got ${root}` });
  if (inter < 720) problems.push({ propertyPath: "intermediateValidityHours", reason: `at least 720 (30 days), got ${inter}` });
  if (inter >= root) problems.push({ propertyPath: "intermediateValidityHours", reason: `must be shorter than the root's ${root}h, got ${inter}h` });
  if (early <= 0 || early >= inter / 2) {
    problems.push({ propertyPath: "earlyRenewalHours", reason: `must be positive and under half the intermediate validity (${inter / 2}h), got ${early}` });
  }
  const purposes = args.intermediates ?? ["mesh", "vpn"];
  if (purposes.length === 0 || new Set(purposes).size !== purposes.length) {
    problems.push({ propertyPath: "intermediates", reason: "one or more unique purposes" });
  }
  const retiring = args.retiringRoots ?? [];
  if (retiring.length > 2) problems.push({ propertyPath: "retiringRoots", reason: `at most 2 retiring roots (one overlap at a time), got ${retiring.length}` });
  retiring.forEach((pem, i) => {
    if (!PEM_CERTIFICATE.test(pem)) problems.push({ propertyPath: `retiringRoots[${i}]`, reason: "must be one PEM certificate (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)" });
  });
  if (new Set(retiring.map((r) => r.trim())).size !== retiring.length) problems.push({ propertyPath: "retiringRoots", reason: "a root is listed twice" });
  if (!Number.isInteger(args.generation ?? 1) || (args.generation ?? 1) < 1) {
    problems.push({ propertyPath: "generation", reason: `a whole number from 1, got ${args.generation}` });
  }
  return problems;
}

export class ResidencyPki<D extends Domain> extends pulumi.ComponentResource {
  readonly rootCertPem: pulumi.Output<string>;
  /** The roots to trust: the current root first, then `retiringRoots` (the rotation overlap). */
  readonly trustRootPems: pulumi.Output<string[]>;
  /** Intermediate CAs by purpose, as resident handles (private keys are secrets). */
  readonly intermediates: Readonly<Record<string, CaHandle<D>>>;

  constructor(name: string, args: ResidencyPkiArgs<D>, opts?: pulumi.ComponentResourceOptions) {
    super("meridian:pki:ResidencyPki", name, {}, opts);
    const problems = validateResidencyPkiArgs(args);
    if (problems.length > 0) {
      throw new pulumi.InputPropertiesError({ message: `ResidencyPki ${name}: invalid arguments`, errors: problems });
    }
    const organization = args.organization ?? "meridian";
    const generation = args.generation ?? 1;
    const early = args.earlyRenewalHours ?? 720;
    const subject = (cn: string) => ({ commonName: cn, organization, organizationalUnit: `residency-${args.domain}` });

    // A new generation changes the random serial (its keepers), which replaces every key
    // (replacementTrigger) and so every certificate signed with them.
    const serial = new random.RandomId(`${name}-generation`, { byteLength: 4, keepers: { generation: String(generation) } }, { parent: this });
    const rootKey = new tls.PrivateKey(`${name}-root-key`, { algorithm: "ECDSA", ecdsaCurve: "P384" }, { parent: this, replacementTrigger: serial.hex });
    const root = new tls.SelfSignedCert(
      `${name}-root`,
      {
        privateKeyPem: rootKey.privateKeyPem,
        isCaCertificate: true,
        validityPeriodHours: args.rootValidityHours ?? 87600,
        earlyRenewalHours: early,
        allowedUses: ["cert_signing", "crl_signing"],
        subject: serial.hex.apply((hex) => subject(`meridian ${args.domain} root CA g${generation}-${hex}`)),
      },
      { parent: this },
    );
    this.rootCertPem = root.certPem;
    const retiring = (args.retiringRoots ?? []).map((r) => `${r.trim()}\n`);
    this.trustRootPems = root.certPem.apply((current) => [current, ...retiring.filter((r) => r.trim() !== current.trim())]);

    const intermediates: Record<string, CaHandle<D>> = {};
    for (const purpose of args.intermediates ?? ["mesh", "vpn"]) {
      const key = new tls.PrivateKey(`${name}-${purpose}-key`, { algorithm: "ECDSA", ecdsaCurve: "P384" }, { parent: this, replacementTrigger: serial.hex });
      const csr = new tls.CertRequest(
        `${name}-${purpose}-csr`,
        { privateKeyPem: key.privateKeyPem, subject: serial.hex.apply((hex) => subject(`meridian ${args.domain} ${purpose} CA g${generation}-${hex}`)) },
        { parent: this },
      );
      const cert = new tls.LocallySignedCert(
        `${name}-${purpose}`,
        {
          certRequestPem: csr.certRequestPem,
          caPrivateKeyPem: rootKey.privateKeyPem,
          caCertPem: root.certPem,
          isCaCertificate: true,
          validityPeriodHours: args.intermediateValidityHours ?? 8760,
          earlyRenewalHours: early,
          allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
        },
        { parent: this },
      );
      intermediates[purpose] = claimResident(args.domain, {
        purpose,
        certPem: cert.certPem,
        privateKeyPem: pulumi.secret(key.privateKeyPem),
      });
    }
    this.intermediates = intermediates;
    this.registerOutputs({ rootCertPem: this.rootCertPem, trustRootPems: this.trustRootPems });
  }
}
