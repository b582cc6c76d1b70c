// Re-write (our code) after pulumi/examples aws-ts-stepfunctions: two Lambda functions
// chained by a Step Functions state machine. Nothing here stores data or listens publicly.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const assume = (service: string) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Action: "sts:AssumeRole", Principal: { Service: service }, Effect: "Allow" }] });
const lambdaRole = new aws.iam.Role("lambdaRole", { assumeRolePolicy: assume("lambda.amazonaws.com") });
new aws.iam.RolePolicyAttachment("lambdaBasic", { role: lambdaRole.name, policyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" });
const sfnRole = new aws.iam.Role("sfnRole", { assumeRolePolicy: assume("states.amazonaws.com") });

const code = (body: string) => new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(`exports.handler = async (e) => ${body};`) });
const hello = new aws.lambda.Function("helloFunction", { runtime: "nodejs20.x", handler: "index.handler", role: lambdaRole.arn, code: code('"Hello"') });
const world = new aws.lambda.Function("worldFunction", { runtime: "nodejs20.x", handler: "index.handler", role: lambdaRole.arn, code: code('e + ", World!"') });

new aws.iam.RolePolicy("sfnRolePolicy", {
  role: sfnRole.id,
  policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: [hello.arn, world.arn] }] }),
});

const machine = new aws.sfn.StateMachine("stateMachine", {
  roleArn: sfnRole.arn,
  definition: pulumi.jsonStringify({
    Comment: "hello world",
    StartAt: "Hello",
    States: { Hello: { Type: "Task", Resource: hello.arn, Next: "World" }, World: { Type: "Task", Resource: world.arn, End: true } },
  }),
});

export const stateMachineArn = machine.id;
