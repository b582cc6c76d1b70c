/**
 * The live one-minor rule: when the cluster's data source reports a minor more than one behind
 * the configured version, the cluster fails (at preview, once the cluster exists) whatever the
 * `runningVersion` config says. The mock cloud answers the data source with 1.31 here, as if
 * the cluster had never been upgraded past it.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { installMocks, settle } from "../../support/mocks";

const cloud = installMocks({ stack: "eu-stale" });
const call = cloud.call.bind(cloud);
cloud.call = (a: pulumi.runtime.MockCallArgs) => (a.token === "aws:eks/getCluster:getCluster" ? { ...call(a), version: "1.31" } : call(a));

import { WorkloadCluster } from "../../../components/cluster";
import { EU_AWS_KEY, EU_AWS_NETWORK } from "./fixtures";

const cluster = new WorkloadCluster(
  "stale",
  {
    domain: "eu",
    cloud: "aws",
    clusterName: "eu-stale",
    region: "eu-central-1",
    kubernetesVersion: "1.33",
    network: EU_AWS_NETWORK,
    key: EU_AWS_KEY,
    podCidr: "100.64.0.0/18",
    serviceCidr: "172.16.0.0/22",
  },
  { providers: [new aws.Provider("eu-stale-aws", { region: "eu-central-1" })] },
);

it("refuses a configured version two minors past what the cluster runs, naming both", async () => {
  // The stack exports this output (cluster.runningVersion); its rejection is what fails the preview.
  // An Output carries its value and its known-ness as separate promises; both reject.
  const output = cluster.runningVersion as unknown as { promise(): Promise<string>; isKnown: Promise<boolean>; isSecret: Promise<boolean> };
  void output.isKnown.catch(() => undefined);
  void output.isSecret.catch(() => undefined);
  await expect(output.promise()).rejects.toThrow("stale: kubernetesVersion: upgrading 1.31 → 1.33 skips a minor; upgrade one minor at a time (next: 1.32) (version read from the cluster)");
  await settle();
});
