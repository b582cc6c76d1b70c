/**
 * Which owner each stack's cloud providers are pinned to: the AWS accounts
 * (`allowedAccountIds`), the Azure subscription (`subscriptionId`) and the GCP project
 * (`project`) that the stack's domain declares in fleet.yaml `accounts`. A provider
 * without a pin runs wherever the run's credentials happen to reach — an EU stack applied
 * with US credentials would create EU-named resources in a US account. With a pin the
 * provider refuses to start in any other account (AWS checks the caller identity; Azure
 * and GCP address every call to the pinned subscription/project).
 *
 * The AWS guardrails stack is the exception: Organizations policies can only be written
 * from the management account (or a delegated administrator), which holds both domains
 * and is no domain's. Its provider is pinned to the account of the declared
 * `guardrails.<domain>.aws.deployerRoleArn` instead.
 *
 * A stack may narrow the pin in its own file (`aws:allowedAccountIds`,
 * `azure-native:subscriptionId`, `gcp:project`); narrowing.ts has checked that what it
 * names is declared for its domain. Pure: the loader checks it, the stack context uses it.
 */
import type { Cloud, Domain } from "../../components/residency/catalogue";
import type { FleetAccounts } from "./accounts";
import { FleetConfigError } from "./errors";
import type { GuardrailSettings } from "./guardrails";

export interface ProviderPins {
  /** AWS account ids the provider may run in. */
  readonly aws?: readonly string[];
  /** The Azure subscription every call is made in. */
  readonly azure?: string;
  /** The GCP project every call is made in. */
  readonly gcp?: string;
}

export interface PinTarget {
  readonly file: string;
  readonly domain: Domain;
  readonly role: string;
  readonly clouds: readonly Cloud[];
  readonly rawConfig: Readonly<Record<string, unknown>>;
}

/** The pins of a stack's providers; throws a FleetConfigError (file and key) when a cloud it uses cannot be pinned. */
export function providerPins(stack: PinTarget, settings: { readonly accounts: FleetAccounts; readonly guardrails: GuardrailSettings }): ProviderPins {
  const declared = settings.accounts[stack.domain];
  const where = `fleet.yaml accounts.${stack.domain}`;
  const pins: { aws?: readonly string[]; azure?: string; gcp?: string } = {};
  for (const cloud of stack.clouds) {
    const deployer = settings.guardrails[stack.domain]?.aws?.deployerRoleArn;
    if (cloud === "aws" && stack.role === "guardrails" && deployer !== undefined) {
      // arn:aws:iam::<account>:role/<name>, validated by the guardrails schema.
      pins.aws = [deployer.split(":")[4]];
    } else if (cloud === "aws") {
      const own = stack.rawConfig["aws:allowedAccountIds"];
      const ids = Array.isArray(own) && own.length > 0 ? own.map(String) : declared.aws;
      if (ids.length === 0) {
        throw new FleetConfigError(stack.file, "aws:allowedAccountIds", `no AWS account to pin the provider to: declare domain ${stack.domain}'s under ${where}.aws`);
      }
      pins.aws = ids;
    } else if (cloud === "azure") {
      const own = stack.rawConfig["azure-native:subscriptionId"];
      if (typeof own === "string" && own !== "") pins.azure = own;
      else if (declared.azure.length === 1) pins.azure = declared.azure[0];
      else {
        throw new FleetConfigError(
          stack.file,
          "azure-native:subscriptionId",
          declared.azure.length === 0
            ? `no Azure subscription to pin the provider to: declare domain ${stack.domain}'s under ${where}.azure`
            : `domain ${stack.domain} declares ${declared.azure.length} subscriptions (${where}.azure); set the one this stack deploys into`,
        );
      }
    } else {
      const own = stack.rawConfig["gcp:project"];
      // gcp:project is required for GCP stacks and checked against the declared projects by the loader.
      if (typeof own !== "string" || own === "") throw new FleetConfigError(stack.file, "gcp:project", "required: the GCP project the provider is pinned to");
      pins.gcp = own;
    }
  }
  return pins;
}
