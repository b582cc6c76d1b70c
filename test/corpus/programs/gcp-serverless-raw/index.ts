// Re-write (our code) after pulumi/examples gcp-ts-serverless-raw: Cloud Functions in two
// runtimes deployed from archives in one bucket, each invocable by everyone.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

const bucket = new gcp.storage.Bucket("bucket", { location: "europe-west1" });

for (const [name, runtime] of [["python-func", "python312"], ["go-func", "go122"]] as const) {
  const archive = new gcp.storage.BucketObject(`${name}-zip`, { bucket: bucket.name, source: new pulumi.asset.AssetArchive({ "main.txt": new pulumi.asset.StringAsset(name) }) });
  const fn = new gcp.cloudfunctions.Function(name, {
    sourceArchiveBucket: bucket.name,
    runtime,
    sourceArchiveObject: archive.name,
    entryPoint: "handler",
    triggerHttp: true,
    region: "europe-west1",
  });
  new gcp.cloudfunctions.FunctionIamMember(`${name}-invoker`, { cloudFunction: fn.name, region: "europe-west1", role: "roles/cloudfunctions.invoker", member: "allUsers" });
}
