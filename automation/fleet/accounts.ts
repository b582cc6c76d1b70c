/**
 * Who owns what, per domain: fleet.yaml `accounts.<domain>`. A stack file may name an
 * owner (an AWS account, a GCP project, an Azure subscription) or a registry whose domain
 * its name does not prove (an ACR `*.azurecr.io`, a private registry host) only if it is
 * declared here for the stack's own domain. Nothing else is evidence: `meridian-eu-prod`
 * or `registry.eu.example.com` are names, not places.
 */
import { z } from "zod";
import { DOMAINS, type Domain } from "../../components/residency/catalogue";
import { FleetConfigError } from "./errors";

const registryHost = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(:\d{1,5})?$/, "a registry host such as meridianeu.azurecr.io");

/** (Optional) One domain's owners. Every list defaults to empty: nothing is the domain's until declared. */
export const domainAccountsSchema = z.strictObject({
  /** AWS account ids (12 digits). */
  aws: z.array(z.string().regex(/^\d{12}$/, "a 12-digit AWS account id")).default([]),
  /** GCP project ids. */
  gcp: z.array(z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, "a GCP project id")).default([]),
  /** Azure subscription ids. */
  azure: z.array(z.uuid("an Azure subscription id (a UUID)")).default([]),
  /** Registry hosts of this domain whose name carries no location (ACR, private registries). */
  registries: z.array(registryHost).default([]),
});

export const accountsSchema = z.partialRecord(z.enum(DOMAINS), domainAccountsSchema).default({});

export type DomainAccounts = z.infer<typeof domainAccountsSchema>;
export type FleetAccounts = Readonly<Record<Domain, DomainAccounts>>;

export const NO_ACCOUNTS: DomainAccounts = { aws: [], gcp: [], azure: [], registries: [] };

/** Every domain present (missing ones empty); an owner declared in two domains is refused. */
export function resolveAccounts(file: string, raw: z.infer<typeof accountsSchema>): FleetAccounts {
  const out = Object.fromEntries(DOMAINS.map((d) => [d, raw[d] ?? NO_ACCOUNTS])) as Record<Domain, DomainAccounts>;
  for (const kind of ["aws", "gcp", "azure", "registries"] as const) {
    const owner = new Map<string, Domain>();
    for (const d of DOMAINS) {
      for (const id of out[d][kind]) {
        const key = id.toLowerCase();
        const other = owner.get(key);
        if (other !== undefined && other !== d) {
          throw new FleetConfigError(file, `accounts.${d}.${kind}`, `"${id}" is also declared for domain ${other}; an owner belongs to one domain`);
        }
        owner.set(key, d);
      }
    }
  }
  return out;
}

/** The domain an owner id is declared for, if any. */
export function domainOfOwner(accounts: FleetAccounts, kind: keyof DomainAccounts, id: string): Domain | undefined {
  return DOMAINS.find((d) => accounts[d][kind].some((x) => x.toLowerCase() === id.toLowerCase()));
}
