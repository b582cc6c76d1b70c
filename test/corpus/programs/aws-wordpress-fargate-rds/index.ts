// Re-write (our code) after pulumi/examples aws-ts-wordpress-fargate-rds: WordPress from
// Docker Hub on Fargate behind an HTTP load balancer, MySQL on RDS without encryption.
import * as aws from "@pulumi/aws";
import * as random from "@pulumi/random";

const vpc = new aws.ec2.Vpc("wp-net", { cidrBlock: "10.0.0.0/16", enableDnsHostnames: true });
const subnets = ["a", "b"].map(
  (z, i) => new aws.ec2.Subnet(`wp-net-private-${z}`, { vpcId: vpc.id, cidrBlock: `10.0.${i}.0/24`, availabilityZone: `eu-central-1${z}` }),
);
const webSg = new aws.ec2.SecurityGroup("wp-web-sg", {
  vpcId: vpc.id,
  ingress: [{ protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: ["0.0.0.0/0"] }],
  egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
});
const dbSg = new aws.ec2.SecurityGroup("wp-db-sg", {
  vpcId: vpc.id,
  ingress: [{ protocol: "tcp", fromPort: 3306, toPort: 3306, securityGroups: [webSg.id] }],
});

const password = new random.RandomPassword("dbPassword", { length: 16, special: false });
const subnetGroup = new aws.rds.SubnetGroup("wp-db-sng", { subnetIds: subnets.map((s) => s.id) });
const db = new aws.rds.Instance("wp-db-rds", {
  dbName: "wordpress",
  username: "admin",
  password: password.result,
  engine: "mysql",
  engineVersion: "8.0",
  instanceClass: "db.t3.micro",
  allocatedStorage: 20,
  dbSubnetGroupName: subnetGroup.name,
  vpcSecurityGroupIds: [dbSg.id],
  skipFinalSnapshot: true,
  publiclyAccessible: false,
});

const lb = new aws.lb.LoadBalancer("wp-lb", { loadBalancerType: "application", securityGroups: [webSg.id], subnets: subnets.map((s) => s.id) });
const tg = new aws.lb.TargetGroup("wp-tg", { port: 80, protocol: "HTTP", targetType: "ip", vpcId: vpc.id });
new aws.lb.Listener("wp-listener", { loadBalancerArn: lb.arn, port: 80, protocol: "HTTP", defaultActions: [{ type: "forward", targetGroupArn: tg.arn }] });

const cluster = new aws.ecs.Cluster("wp-cluster");
const task = new aws.ecs.TaskDefinition("wp-task", {
  family: "wordpress",
  cpu: "256",
  memory: "512",
  networkMode: "awsvpc",
  requiresCompatibilities: ["FARGATE"],
  containerDefinitions: db.address.apply((host) =>
    JSON.stringify([
      {
        name: "wordpress",
        image: "wordpress",
        portMappings: [{ containerPort: 80 }],
        environment: [{ name: "WORDPRESS_DB_HOST", value: host }, { name: "WORDPRESS_DB_USER", value: "admin" }],
      },
    ]),
  ),
});
new aws.ecs.Service("wp-svc", {
  cluster: cluster.arn,
  taskDefinition: task.arn,
  desiredCount: 1,
  launchType: "FARGATE",
  networkConfiguration: { subnets: subnets.map((s) => s.id), securityGroups: [webSg.id] },
  loadBalancers: [{ targetGroupArn: tg.arn, containerName: "wordpress", containerPort: 80 }],
});

export const url = lb.dnsName;
