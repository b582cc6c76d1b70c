/**
 * ResidencyPki: the domain's root CA and one intermediate CA per purpose (mesh mTLS,
 * VPN, ...), with validity and renewal overlap from config. Private keys exist only as
 * Pulumi secrets; the root key never leaves this stack.
 *
 * Root rotation without a hard cut-over (`rotation`, docs/runbooks.md):
 *   1. `introduce`: root g+1 is created beside root g; both are in `trustRootPems`, the
 *      intermediates are still issued by root g. Wait until every consumer has the bundle.
 *   2. `issue`: the intermediates get new keys, certified by root g+1 and cross-signed by
 *      root g (same subject and key). Consumers are handed the cross-signed certificate
 *      (`certPem`), so the chain they serve ends at g, which every client still trusts; new
 *      leaves are signed by the new key. OpenSSL does not backtrack among untrusted
 *      certificates, so serving both certificates of the key would break old-root-only
 *      OpenSSL clients (test/unit/pki/rotation.test.ts): one certificate at a time.
 *   3. retire: `generation: g+1`, no `rotation`: root g leaves this stack, `certPem` becomes
 *      the g+1-certified intermediate (same key: no leaf changes). Carry g's PEM in
 *      `retiringRoots` while leaves issued before step 2 are still served.
 * Each generation's resources are named `<name>-g<N>-…`, so a phase change never replaces a
 * key it keeps. Bumping `generation` without a rotation still works (new keys at once: the
 * hard cut-over this sequence avoids).
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
  /** (Optional) A root rotation in progress: the next generation (`generation + 1`) and its phase. Defaults to none. */
  readonly rotation?: PkiRotationArgs;
}

export interface PkiRotationArgs {
  /** (Required) The incoming generation; must be `generation + 1`. */
  readonly to: number;
  /** (Required) `introduce` (new root trusted, old one still issues) or `issue` (new intermediates, cross-signed by the old root). */
  readonly phase: "introduce" | "issue";
}

export const ROOT_USES = ["cert_signing", "crl_signing"] as const;
export const INTERMEDIATE_USES = ["cert_signing", "crl_signing", "digital_signature"] as const;

/** The subject every domain CA carries: one template for the component and the rotation test. */
export function caSubject(a: { domain: Domain; organization: string; generation: number; serialHex: string; purpose?: string }): { commonName: string; organization: string; organizationalUnit: string } {
  const what = a.purpose === undefined ? "root" : a.purpose;
  return { commonName: `meridian ${a.domain} ${what} CA g${a.generation}-${a.serialHex}`, organization: a.organization, organizationalUnit: `residency-${a.domain}` };
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
  if (args.rotation !== undefined) {
    const next = (args.generation ?? 1) + 1;
    if (args.rotation.to !== next) problems.push({ propertyPath: "rotation.to", reason: `must be generation + 1 (${next}), got ${args.rotation.to}; rotate one generation at a time` });
    if (args.rotation.phase !== "introduce" && args.rotation.phase !== "issue") problems.push({ propertyPath: "rotation.phase", reason: `introduce or issue, got ${String(args.rotation.phase)}` });
  }
  return problems;
}

type Root = { readonly serial: random.RandomId; readonly key: tls.PrivateKey; readonly cert: tls.SelfSignedCert };

export class ResidencyPki<D extends Domain> extends pulumi.ComponentResource {
  /**
   * The root the served intermediates chain to: generation `generation` (during a rotation
   * the outgoing root, since `issue` serves the cross-signed intermediates).
   */
  readonly rootCertPem: pulumi.Output<string>;
  /**
   * The roots to trust: `rootCertPem` first (consumers append it to the intermediate to form
   * the chain they serve), then the incoming root of a rotation, then `retiringRoots`.
   */
  readonly trustRootPems: pulumi.Output<string[]>;
  /** Intermediate CAs by purpose, as resident handles (private keys are secrets). */
  readonly intermediates: Readonly<Record<string, CaHandle<D>>>;
  /**
   * In the `issue` phase: each intermediate as certified by the incoming root, served from the
   * retire step on (the handles' `certPem` is the cross-signed one meanwhile). Otherwise empty.
   */
  readonly incoming: Readonly<Record<string, pulumi.Output<string>>>;

  constructor(name: string, args: ResidencyPkiArgs<D>, opts?: pulumi.ComponentResourceOptions) {
    super("meridian:pki:ResidencyPki", name, {}, opts);
    const problems = validateResidencyPkiArgs(args);
    if (problems.length > 0) {
      throw new pulumi.InputPropertiesError({ message: `ResidencyPki ${name}: invalid arguments`, errors: problems });
    }
    const organization = args.organization ?? "meridian";
    const current = args.generation ?? 1;
    const early = args.earlyRenewalHours ?? 720;
    const issuing = args.rotation?.phase === "issue" ? args.rotation.to : current;
    // The current generation also answers to the names used before generations were named,
    // so a stack deployed with them keeps its keys.
    const legacy = (g: number, old: string) => (g === current ? { aliases: [{ name: old }] } : {});

    const root = (g: number): Root => {
      // A generation's serial is keyed on it; its keys are replaced only if the serial is.
      const serial = new random.RandomId(`${name}-g${g}-serial`, { byteLength: 4, keepers: { generation: String(g) } }, { parent: this, ...legacy(g, `${name}-generation`) });
      const key = new tls.PrivateKey(`${name}-g${g}-root-key`, { algorithm: "ECDSA", ecdsaCurve: "P384" }, { parent: this, replacementTrigger: serial.hex, ...legacy(g, `${name}-root-key`) });
      const cert = new tls.SelfSignedCert(
        `${name}-g${g}-root`,
        {
          privateKeyPem: key.privateKeyPem,
          isCaCertificate: true,
          validityPeriodHours: args.rootValidityHours ?? 87600,
          earlyRenewalHours: early,
          allowedUses: [...ROOT_USES],
          subject: serial.hex.apply((serialHex) => caSubject({ domain: args.domain, organization, generation: g, serialHex })),
        },
        { parent: this, ...legacy(g, `${name}-root`) },
      );
      return { serial, key, cert };
    };
    const roots = new Map<number, Root>([[current, root(current)]]);
    if (args.rotation !== undefined) roots.set(args.rotation.to, root(args.rotation.to));
    const issuer = roots.get(issuing)!;
    const outgoing = args.rotation?.phase === "issue" ? roots.get(current) : undefined;

    this.rootCertPem = roots.get(current)!.cert.certPem;
    const retiring = (args.retiringRoots ?? []).map((r) => `${r.trim()}\n`);
    this.trustRootPems = pulumi.all([...roots.values()].map((r) => r.cert.certPem)).apply((pems) => {
      const byContent = new Map<string, string>();
      for (const pem of [...pems, ...retiring]) if (!byContent.has(pem.trim())) byContent.set(pem.trim(), pem);
      return [...byContent.values()];
    });

    const intermediates: Record<string, CaHandle<D>> = {};
    const incoming: Record<string, pulumi.Output<string>> = {};
    for (const purpose of args.intermediates ?? ["mesh", "vpn"]) {
      const g = issuing;
      const key = new tls.PrivateKey(`${name}-g${g}-${purpose}-key`, { algorithm: "ECDSA", ecdsaCurve: "P384" }, { parent: this, replacementTrigger: issuer.serial.hex, ...legacy(g, `${name}-${purpose}-key`) });
      const csr = new tls.CertRequest(
        `${name}-g${g}-${purpose}-csr`,
        { privateKeyPem: key.privateKeyPem, subject: issuer.serial.hex.apply((serialHex) => caSubject({ domain: args.domain, organization, generation: g, serialHex, purpose })) },
        { parent: this, ...legacy(g, `${name}-${purpose}-csr`) },
      );
      const signedBy = (by: Root, resourceName: string, o: pulumi.CustomResourceOptions) =>
        new tls.LocallySignedCert(
          resourceName,
          {
            certRequestPem: csr.certRequestPem,
            caPrivateKeyPem: by.key.privateKeyPem,
            caCertPem: by.cert.certPem,
            isCaCertificate: true,
            validityPeriodHours: args.intermediateValidityHours ?? 8760,
            earlyRenewalHours: early,
            allowedUses: [...INTERMEDIATE_USES],
          },
          { parent: this, ...o },
        );
      const cert = signedBy(issuer, `${name}-g${g}-${purpose}`, legacy(g, `${name}-${purpose}`));
      // Same subject and key, certified by the outgoing root: what consumers serve during the
      // overlap, so every client (new bundle or not) builds a chain to a root it trusts.
      const cross = outgoing !== undefined ? signedBy(outgoing, `${name}-g${g}-${purpose}-cross`, {}) : undefined;
      if (cross !== undefined) incoming[purpose] = cert.certPem;
      intermediates[purpose] = claimResident(args.domain, {
        purpose,
        certPem: (cross ?? cert).certPem,
        privateKeyPem: pulumi.secret(key.privateKeyPem),
      });
    }
    this.intermediates = intermediates;
    this.incoming = incoming;
    this.registerOutputs({ rootCertPem: this.rootCertPem, trustRootPems: this.trustRootPems });
  }
}
