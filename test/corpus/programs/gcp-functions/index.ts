// Re-write (our code) after pulumi/examples gcp-ts-functions: an HTTP Cloud Function whose
// source lives in a bucket, invocable by everyone. (The original's HttpCallbackFunction
// creates the same bucket, object, function and IAM member.)
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

const bucket = new gcp.storage.Bucket("greeting-bucket", { location: "EUROPE-WEST1" });
const source = new gcp.storage.BucketObject("greeting-source", { bucket: bucket.name, source: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset("exports.handler = (req, res) => res.send('Greetings from Google Cloud Functions!');") }) });

const greeting = new gcp.cloudfunctions.Function("greeting", {
  runtime: "nodejs20",
  entryPoint: "handler",
  triggerHttp: true,
  region: "europe-west1",
  sourceArchiveBucket: bucket.name,
  sourceArchiveObject: source.name,
});

new gcp.cloudfunctions.FunctionIamMember("invoker", { cloudFunction: greeting.name, region: "europe-west1", role: "roles/cloudfunctions.invoker", member: "allUsers" });

export const url = greeting.httpsTriggerUrl;
