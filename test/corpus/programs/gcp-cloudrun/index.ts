// Re-write (our code) after pulumi/examples gcp-ts-cloudrun: a Cloud Run service from
// Google's public sample image, invocable by everyone.
import * as gcp from "@pulumi/gcp";

const location = gcp.config.region ?? "europe-west1";
const enableCloudRun = new gcp.projects.Service("EnableCloudRun", { service: "run.googleapis.com" });

const hello = new gcp.cloudrun.Service(
  "hello",
  {
    location,
    template: { spec: { containers: [{ image: "gcr.io/cloudrun/hello", resources: { limits: { memory: "1Gi" } } }], containerConcurrency: 50 } },
  },
  { dependsOn: enableCloudRun },
);

new gcp.cloudrun.IamMember("hello-everyone", { service: hello.name, location, role: "roles/run.invoker", member: "allUsers" });

export const helloUrl = hello.statuses[0].url;
