// Re-write (our code) after pulumi/examples aws-ts-serverless-raw: API Gateway in front of a
// Lambda counting hits in DynamoDB; neither the table nor the function's environment uses
// a customer-managed key.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const counterTable = new aws.dynamodb.Table("counterTable", {
  attributes: [{ name: "id", type: "S" }],
  hashKey: "id",
  billingMode: "PAY_PER_REQUEST",
});

const role = new aws.iam.Role("mylambda-role", {
  assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Action: "sts:AssumeRole", Principal: { Service: "lambda.amazonaws.com" }, Effect: "Allow" }] }),
});
new aws.iam.RolePolicy("mylambda-policy", {
  role: role.id,
  policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: [{ Action: ["dynamodb:UpdateItem", "dynamodb:GetItem"], Resource: counterTable.arn, Effect: "Allow" }] }),
});

const fn = new aws.lambda.Function("mylambda", {
  runtime: "nodejs20.x",
  handler: "index.handler",
  role: role.arn,
  code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset("exports.handler = async () => ({ statusCode: 200 });") }),
  environment: { variables: { COUNTER_TABLE: counterTable.name } },
});

const api = new aws.apigateway.RestApi("api", {
  body: fn.invokeArn.apply((arn) =>
    JSON.stringify({
      openapi: "3.0.1",
      info: { title: "api", version: "1.0" },
      paths: { "/{proxy+}": { "x-amazon-apigateway-any-method": { "x-amazon-apigateway-integration": { uri: arn, type: "aws_proxy", httpMethod: "POST" } } } },
    }),
  ),
});
const deployment = new aws.apigateway.Deployment("api-deployment", { restApi: api.id });
new aws.apigateway.Stage("api-stage", { restApi: api.id, deployment: deployment.id, stageName: "stage" });
new aws.lambda.Permission("api-lambda-permission", { action: "lambda:InvokeFunction", principal: "apigateway.amazonaws.com", function: fn.name, sourceArn: pulumi.interpolate`${api.executionArn}/*/*` });

export const endpoint = pulumi.interpolate`https://${api.id}.execute-api.eu-central-1.amazonaws.com/stage/`;
