// Re-write (our code) after pulumi/examples aws-ts-appsync: a GraphQL API over a DynamoDB
// table of tenants, with API-key access.
import * as aws from "@pulumi/aws";
import * as random from "@pulumi/random";

const table = new aws.dynamodb.Table("tenants", { hashKey: "id", attributes: [{ name: "id", type: "S" }], readCapacity: 1, writeCapacity: 1 });
const role = new aws.iam.Role("iam-role", {
  assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Action: "sts:AssumeRole", Principal: { Service: "appsync.amazonaws.com" }, Effect: "Allow" }] }),
});
const api = new aws.appsync.GraphQLApi("api", {
  authenticationType: "API_KEY",
  schema: "type Query { getTenantById(id: ID!): Tenant } type Tenant { id: ID! name: String } schema { query: Query }",
});
new aws.appsync.ApiKey("key", { apiId: api.id });
const dsName = new random.RandomString("random-datasource-name", { length: 15, special: false, number: false });
const ds = new aws.appsync.DataSource("tenants-ds", { name: dsName.result, apiId: api.id, type: "AMAZON_DYNAMODB", dynamodbConfig: { tableName: table.name }, serviceRoleArn: role.arn });
new aws.appsync.Resolver("get-resolver", {
  apiId: api.id,
  dataSource: ds.name,
  type: "Query",
  field: "getTenantById",
  requestTemplate: '{ "version": "2017-02-28", "operation": "GetItem", "key": { "id": $util.dynamodb.toDynamoDBJson($ctx.args.id) } }',
  responseTemplate: "$util.toJson($ctx.result)",
});

export const endpoint = api.uris;
