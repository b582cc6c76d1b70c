/**
 * The pki role: the domain root CA and its intermediates. Exports match `pkiExports`;
 * intermediate private keys are exported as secrets for the stacks that sign with them.
 */
import type { RoleConfig } from "../../automation/fleet";
import { ResidencyPki } from "../../components/pki";
import type { Domain } from "../../components/residency";
import type { RoleContext } from "../context";

export async function pki<D extends Domain>(ctx: RoleContext<D>): Promise<Record<string, unknown>> {
  const config = (ctx.spec.config as RoleConfig<"pki">)["meridian:pki"];
  const ca = new ResidencyPki(
    `${ctx.stack}-pki`,
    { domain: ctx.domain, ...config },
    { providers: [ctx.local.tls, ctx.local.random] },
  );
  return {
    domain: ctx.domain,
    stack: ctx.stack,
    role: "pki",
    rootCertPem: ca.rootCertPem,
    trustRoots: ca.trustRootPems,
    intermediates: Object.fromEntries(
      Object.entries(ca.intermediates).map(([purpose, h]) => [
        purpose,
        { certPem: h.certPem, privateKeyPem: h.privateKeyPem, ...(ca.incoming[purpose] ? { incomingCertPem: ca.incoming[purpose] } : {}) },
      ]),
    ),
    rotation: config.rotation ? { from: config.generation, to: config.rotation.to, phase: config.rotation.phase } : null,
  };
}
