// Re-write (our code) after pulumi/examples aws-ts-secrets-manager: a secret and its value,
// encrypted with the account's default key rather than one of the domain.
import * as aws from "@pulumi/aws";

const secret = new aws.secretsmanager.Secret("secret");
new aws.secretsmanager.SecretVersion("secretVersion", { secretId: secret.id, secretString: "mysecret" });

export const secretName = secret.name;
