// Re-write (our code) after pulumi/examples aws-ts-hello-fargate: an image pushed to a new
// ECR repository, run on Fargate with public IPs behind an HTTP load balancer. (The original
// uses awsx; this spells out the resources awsx creates.)
import * as aws from "@pulumi/aws";

const repo = new aws.ecr.Repository("repo", { forceDelete: true });

const vpc = aws.ec2.getVpc({ default: true });
const subnetIds = vpc.then((v) => aws.ec2.getSubnets({ filters: [{ name: "vpc-id", values: [v.id] }] })).then((s) => s.ids);

const sg = new aws.ec2.SecurityGroup("app-sg", {
  vpcId: vpc.then((v) => v.id),
  ingress: [{ protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: ["0.0.0.0/0"] }],
  egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
});
const lb = new aws.lb.LoadBalancer("app-lb", { loadBalancerType: "application", securityGroups: [sg.id], subnets: subnetIds });
const tg = new aws.lb.TargetGroup("app-tg", { port: 80, protocol: "HTTP", targetType: "ip", vpcId: vpc.then((v) => v.id) });
new aws.lb.Listener("app-listener", { loadBalancerArn: lb.arn, port: 80, protocol: "HTTP", defaultActions: [{ type: "forward", targetGroupArn: tg.arn }] });

const cluster = new aws.ecs.Cluster("cluster");
const task = new aws.ecs.TaskDefinition("app-task", {
  family: "app",
  cpu: "256",
  memory: "512",
  networkMode: "awsvpc",
  requiresCompatibilities: ["FARGATE"],
  containerDefinitions: repo.repositoryUrl.apply((url) => JSON.stringify([{ name: "app", image: `${url}:latest`, portMappings: [{ containerPort: 80 }] }])),
});
new aws.ecs.Service("app-svc", {
  cluster: cluster.arn,
  taskDefinition: task.arn,
  desiredCount: 2,
  launchType: "FARGATE",
  networkConfiguration: { subnets: subnetIds, securityGroups: [sg.id], assignPublicIp: true },
  loadBalancers: [{ targetGroupArn: tg.arn, containerName: "app", containerPort: 80 }],
});

export const url = lb.dnsName;
