/**
 * The cloud side of registering a workload cluster with its domain's Argo CD: an identity of
 * the workload's cloud that trusts only the domain controller, and how Argo CD obtains a
 * short-lived token for it. One function per cloud; no secret is created on any of them.
 */
import * as aws from "../../sdk/aws";
import * as azure from "../../sdk/azure";
import * as gcp from "../../sdk/gcp";
import * as k8s from "../../sdk/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Domain, GitOpsControllerHandle } from "../../residency";
import { TOKEN_AUDIENCES, gcpCredentialConfig, gcpCredentialConfigMap, gitopsRolePath, type RegistrationAuth } from "../spec";

/** The Kubernetes group the AWS access entry maps the controller to (bound per tenant namespace). */
export const GITOPS_GROUP = "meridian:gitops";

export interface AdapterArgs {
  readonly domain: Domain;
  readonly stack: string;
  readonly controller: GitOpsControllerHandle<Domain>;
  readonly clusterName: pulumi.Input<string>;
  readonly region: string;
  readonly tags: Readonly<Record<string, string>>;
  /** The management cluster's provider (GCP writes the credential configuration there). */
  readonly management: k8s.Provider;
  /** GCP: the workload cluster's project. */
  readonly gcpProject?: string;
  /** Azure: the resource group of the identity (the cluster's). */
  readonly resourceGroupName?: pulumi.Input<string>;
}

export interface RegistrationTarget {
  readonly auth: pulumi.Output<RegistrationAuth>;
  /** Who the controller is inside the workload cluster, for the namespace RoleBindings. */
  readonly subject: { readonly kind: "Group" | "User"; readonly name: pulumi.Input<string> };
}

const hostOf = (issuer: string) => issuer.replace(/^https:\/\//, "").replace(/\/+$/, "");

/**
 * EKS: a role on the domain's GitOps path with no IAM permissions, an access entry mapping it to
 * {@link GITOPS_GROUP}, trusted by the controller's Pod Identity role (management on EKS) or by
 * the management cluster's OIDC issuer for exactly the controller's ServiceAccounts.
 */
export function registerAws(name: string, a: AdapterArgs, parent: pulumi.Resource): RegistrationTarget {
  const o = { parent };
  const controllerRole = a.controller.awsRoleArn;
  let trust: pulumi.Input<string>;
  if (controllerRole !== undefined) {
    trust = pulumi.jsonStringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { AWS: controllerRole }, Action: "sts:AssumeRole" }],
    });
  } else {
    const oidc = new aws.iam.OpenIdConnectProvider(`${name}-oidc`, { url: a.controller.oidcIssuer, clientIdLists: [TOKEN_AUDIENCES.aws(a.domain)], tags: { ...a.tags } }, o);
    trust = pulumi.all([oidc.arn, a.controller.oidcIssuer]).apply(([arn, issuer]) =>
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Federated: arn },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: { StringEquals: { [`${hostOf(issuer)}:aud`]: TOKEN_AUDIENCES.aws(a.domain), [`${hostOf(issuer)}:sub`]: [...a.controller.subjects] } },
          },
        ],
      }),
    );
  }
  const role = new aws.iam.Role(
    `${name}-role`,
    { path: gitopsRolePath(a.domain), description: `Argo CD of ${a.controller.stack} on ${a.stack}`, assumeRolePolicy: trust, maxSessionDuration: 3600, tags: { ...a.tags } },
    o,
  );
  new aws.eks.AccessEntry(`${name}-access`, { clusterName: a.clusterName, principalArn: role.arn, kubernetesGroups: [GITOPS_GROUP], type: "STANDARD", tags: { ...a.tags } }, o);
  const auth = pulumi.all([a.clusterName, role.arn]).apply(([clusterName, roleArn]): RegistrationAuth =>
    controllerRole !== undefined ? { kind: "aws-role", clusterName, roleArn } : { kind: "aws-web-identity", clusterName, roleArn, region: a.region },
  );
  return { auth, subject: { kind: "Group", name: GITOPS_GROUP } };
}

/** AKS: a user-assigned identity with one federated credential per controller ServiceAccount; Kubernetes RBAC binds its object id. */
export function registerAzure(name: string, a: AdapterArgs, parent: pulumi.Resource): RegistrationTarget {
  if (a.resourceGroupName === undefined) throw new Error(`ClusterRegistration ${name}: azure needs the cluster's resource group`);
  const identity = new azure.managedidentity.UserAssignedIdentity(`${name}-identity`, { resourceGroupName: a.resourceGroupName, location: a.region, tags: { ...a.tags } }, { parent });
  // Azure refuses concurrent writes of federated credentials on one identity: create them in sequence.
  let previous: pulumi.Resource = identity;
  a.controller.subjects.forEach((subject, i) => {
    previous = new azure.managedidentity.FederatedIdentityCredential(
      `${name}-federation-${i}`,
      {
        resourceGroupName: a.resourceGroupName!,
        resourceName: identity.name,
        issuer: a.controller.oidcIssuer,
        subject,
        audiences: [TOKEN_AUDIENCES.azure(a.domain)],
      },
      { parent, dependsOn: [previous] },
    );
  });
  const auth = pulumi.all([identity.clientId, identity.tenantId]).apply(([clientId, tenantId]): RegistrationAuth => ({ kind: "azure", clientId, tenantId }));
  return { auth, subject: { kind: "User", name: identity.principalId } };
}

/**
 * GKE: a Workload Identity pool whose OIDC provider trusts the management issuer for the
 * controller's ServiceAccounts only, a service account with `roles/container.clusterViewer`
 * (no object access: Kubernetes RBAC decides), impersonable only from that pool, and the
 * credential configuration (no key) as a ConfigMap the controller mounts.
 */
export function registerGcp(name: string, a: AdapterArgs, parent: pulumi.Resource): RegistrationTarget {
  if (a.gcpProject === undefined) throw new Error(`ClusterRegistration ${name}: gcp needs the cluster's project`);
  const o = { parent };
  const pool = new gcp.iam.WorkloadIdentityPool(`${name}-pool`, { workloadIdentityPoolId: `gitops-${a.domain}`, displayName: `Argo CD ${a.domain}`, description: `Argo CD of ${a.controller.stack}` }, o);
  const provider = new gcp.iam.WorkloadIdentityPoolProvider(
    `${name}-provider`,
    {
      workloadIdentityPoolId: pool.workloadIdentityPoolId,
      workloadIdentityPoolProviderId: "management",
      attributeMapping: { "google.subject": "assertion.sub" },
      attributeCondition: `assertion.sub in [${a.controller.subjects.map((s) => `'${s}'`).join(", ")}]`,
      oidc: { issuerUri: a.controller.oidcIssuer, allowedAudiences: [a.controller.gcpAudience] },
    },
    o,
  );
  const sa = new gcp.serviceaccount.Account(`${name}-sa`, { accountId: `gitops-${a.domain}`, displayName: `Argo CD of ${a.controller.stack}` }, o);
  a.controller.subjects.forEach(
    (subject, i) =>
      new gcp.serviceaccount.IAMMember(`${name}-wi-${i}`, { serviceAccountId: sa.name, role: "roles/iam.workloadIdentityUser", member: pulumi.interpolate`principal://iam.googleapis.com/${pool.name}/subject/${subject}` }, o),
  );
  new gcp.projects.IAMMember(`${name}-viewer`, { project: a.gcpProject, role: "roles/container.clusterViewer", member: sa.member }, o);
  new k8s.core.v1.ConfigMap(
    `${name}-credentials`,
    {
      metadata: { name: gcpCredentialConfigMap(a.stack), namespace: a.controller.namespace },
      data: { "credentials.json": pulumi.all([provider.name, sa.email]).apply(([p, email]) => JSON.stringify(gcpCredentialConfig(p, email))) },
    },
    { parent, provider: a.management },
  );
  return { auth: pulumi.output({ kind: "gcp" as const, stack: a.stack }), subject: { kind: "User", name: sa.email } };
}
