// Re-write (our code) after pulumi/examples aws-ts-voting-app: a Redis cache from Docker Hub
// and a frontend, each a Fargate service behind its own plain-HTTP load balancer.
import * as aws from "@pulumi/aws";

const vpc = aws.ec2.getVpc({ default: true });
const subnetIds = vpc.then((v) => aws.ec2.getSubnets({ filters: [{ name: "vpc-id", values: [v.id] }] })).then((s) => s.ids);
const cluster = new aws.ecs.Cluster("voting-app-cluster");
const repo = new aws.ecr.Repository("repo", { imageScanningConfiguration: { scanOnPush: true }, imageTagMutability: "IMMUTABLE" });

function service(name: string, image: aws.ecs.TaskDefinitionArgs["containerDefinitions"], port: number, protocol: string) {
  const sg = new aws.ec2.SecurityGroup(`${name}-sg`, {
    vpcId: vpc.then((v) => v.id),
    ingress: [{ protocol: "tcp", fromPort: port, toPort: port, cidrBlocks: ["0.0.0.0/0"] }],
  });
  const lb = new aws.lb.LoadBalancer(name, { loadBalancerType: protocol === "HTTP" ? "application" : "network", subnets: subnetIds, securityGroups: [sg.id] });
  const tg = new aws.lb.TargetGroup(`${name}-tg`, { port, protocol, targetType: "ip", vpcId: vpc.then((v) => v.id) });
  new aws.lb.Listener(`${name}-listener`, { loadBalancerArn: lb.arn, port, protocol, defaultActions: [{ type: "forward", targetGroupArn: tg.arn }] });
  const task = new aws.ecs.TaskDefinition(`${name}-task`, { family: name, cpu: "256", memory: "512", networkMode: "awsvpc", requiresCompatibilities: ["FARGATE"], containerDefinitions: image });
  new aws.ecs.Service(`${name}-svc`, { cluster: cluster.arn, taskDefinition: task.arn, launchType: "FARGATE", desiredCount: 1, networkConfiguration: { subnets: subnetIds, securityGroups: [sg.id] } });
  return lb;
}

service("voting-app-cache", JSON.stringify([{ name: "redis", image: "redis:alpine", portMappings: [{ containerPort: 6379 }] }]), 6379, "TCP");
const frontend = service(
  "voting-app-frontend",
  repo.repositoryUrl.apply((url) => JSON.stringify([{ name: "frontend", image: `${url}:v1`, portMappings: [{ containerPort: 80 }] }])),
  80,
  "HTTP",
);

export const url = frontend.dnsName;
