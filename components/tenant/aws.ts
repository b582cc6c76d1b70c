import * as aws from "../sdk/aws";
import * as pulumi from "@pulumi/pulumi";
import type { KeyRef } from "../residency";
import { awsIrsaTrustStatement, awsPodIdentityTrust, awsWorkloadPolicy, repositoryPath, SECRET_PREFIX, workloadServiceAccount } from "./spec";
import type { CloudTenant, CloudTenantContext } from "./index";

/**
 * AWS: an ECR repository for the tenant under the domain prefix (domain key, immutable tags,
 * scan on push) and per namespace an IAM role assumed through EKS Pod Identity by that
 * namespace's `<tenant>-workload` ServiceAccount only, allowed to pull its repository and
 * read `secret:<tenant>/*` (decrypting through Secrets Manager with the domain key only). The
 * same role trusts IRSA for the same ServiceAccount (annotated with the role), so External
 * Secrets can act as the tenant; nothing else can assume it.
 */
export function createAwsTenant(ctx: CloudTenantContext, key: Extract<KeyRef, { cloud: "aws" }>, oidcIssuer: pulumi.Input<string>): CloudTenant {
  const o = { parent: ctx.parent };
  const account = aws.getCallerIdentityOutput({}, o).accountId;
  const repository = new aws.ecr.Repository(
    `${ctx.name}-repo`,
    {
      name: repositoryPath(ctx.domain, ctx.tenant.name),
      imageTagMutability: "IMMUTABLE",
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: key.arn }],
      forceDelete: false,
      tags: { ...ctx.tags },
    },
    o,
  );
  const sa = workloadServiceAccount(ctx.tenant.name);
  const principals: Record<string, pulumi.Output<string>> = {};
  for (const ns of ctx.tenant.namespaces) {
    const role = new aws.iam.Role(
      `${ctx.name}-${ns}-role`,
      {
        assumeRolePolicy: pulumi.all([account, ctx.clusterName, oidcIssuer]).apply(([accountId, clusterName, issuer]) => {
          const trust = awsPodIdentityTrust({ accountId, clusterName, namespace: ns, serviceAccount: sa }) as { Statement: unknown[] };
          return JSON.stringify({ ...trust, Statement: [...trust.Statement, awsIrsaTrustStatement({ accountId, oidcIssuer: issuer, namespace: ns, serviceAccount: sa })] });
        }),
        maxSessionDuration: 3600,
        tags: { ...ctx.tags, tenant: ctx.tenant.name, "kubernetes-namespace": ns },
      },
      o,
    );
    new aws.iam.RolePolicy(
      `${ctx.name}-${ns}-policy`,
      {
        role: role.id,
        policy: pulumi
          .all([repository.arn, account, pulumi.output(key.arn)])
          .apply(([repositoryArn, accountId, keyArn]) => JSON.stringify(awsWorkloadPolicy({ repositoryArn, region: ctx.region, accountId, tenant: ctx.tenant.name, keyArn }))),
      },
      o,
    );
    new aws.eks.PodIdentityAssociation(
      `${ctx.name}-${ns}-pod-identity`,
      { clusterName: ctx.clusterName, namespace: ns, serviceAccount: sa, roleArn: role.arn, tags: { ...ctx.tags } },
      o,
    );
    principals[ns] = role.arn;
  }
  return {
    repository: repository.repositoryUrl,
    principals,
    serviceAccountAnnotations: (ns: string) => (principals[ns] !== undefined ? principals[ns].apply((arn) => ({ "eks.amazonaws.com/role-arn": arn })) : {}),
    secretScope: pulumi.interpolate`arn:aws:secretsmanager:${ctx.region}:${account}:secret:${SECRET_PREFIX.aws(ctx.tenant.name)}`,
  };
}
