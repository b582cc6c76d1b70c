/** EKS carries the network's peers security group: the domain's peer networks reach its private API endpoint and nodes. */
import * as aws from "@pulumi/aws";
import { findAll, findOne, installMocks, settle } from "../../support/mocks";

const cloud = installMocks({ stack: "eu-workload-aws" });

import { WorkloadCluster } from "../../../components/cluster";
import { claimResident, type NetworkHandle } from "../../../components/residency";
import { EU_AWS_KEY, EU_AWS_NETWORK } from "./fixtures";

const network: NetworkHandle<"eu"> = claimResident("eu", { ...EU_AWS_NETWORK, peerSecurityGroupId: "sg-peers" });
new WorkloadCluster(
  "wl",
  { domain: "eu", cloud: "aws", clusterName: "eu-workload-aws", region: "eu-central-1", kubernetesVersion: "1.33", network, key: EU_AWS_KEY, podCidr: "100.64.0.0/18", serviceCidr: "172.16.0.0/22" },
  { providers: [new aws.Provider("p", { region: "eu-central-1" })] },
);

beforeAll(settle);

it("attaches the peers group to the control plane and, beside the cluster group, to every node", () => {
  const eks = findOne(cloud, "aws:eks/cluster:Cluster");
  expect((eks.inputs.vpcConfig as { securityGroupIds: string[] }).securityGroupIds).toEqual(["sg-peers"]);
  const clusterSg = (eks.state.vpcConfig as { clusterSecurityGroupId: string }).clusterSecurityGroupId;
  const templates = findAll(cloud, "aws:ec2/launchTemplate:LaunchTemplate");
  expect(templates.length).toBeGreaterThan(0);
  for (const lt of templates) expect(lt.inputs.vpcSecurityGroupIds).toEqual([clusterSg, "sg-peers"]);
});
