// Re-write (our code) after pulumi/examples aws-ts-webserver: an EC2 web server with a
// public address, serving plain HTTP to the whole internet.
import * as aws from "@pulumi/aws";

const ami = aws.ec2
  .getAmi({ filters: [{ name: "name", values: ["al2023-ami-*-x86_64"] }], owners: ["137112412989"], mostRecent: true })
  .then((a) => a.id);

const group = new aws.ec2.SecurityGroup("web-secgrp", {
  ingress: [{ protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: ["0.0.0.0/0"] }],
});

const server = new aws.ec2.Instance("web-server-www", {
  instanceType: "t3.micro",
  ami,
  vpcSecurityGroupIds: [group.id],
  associatePublicIpAddress: true,
  userData: "#!/bin/bash\necho 'Hello, World!' > index.html\nnohup python3 -m http.server 80 &",
  tags: { Name: "web-server-www" },
});

export const publicIp = server.publicIp;
