// Re-write (our code) after pulumi/examples aws-ts-s3-folder: a bucket served as a public
// website, its public access block loosened and a bucket policy granting everyone reads.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const site = new aws.s3.Bucket("s3-website-bucket");

const website = new aws.s3.BucketWebsiteConfiguration("s3-website-bucket-config", {
  bucket: site.id,
  indexDocument: { suffix: "index.html" },
});

const access = new aws.s3.BucketPublicAccessBlock("public-access-block", {
  bucket: site.id,
  blockPublicAcls: false,
  blockPublicPolicy: false,
});

new aws.s3.BucketObject("index.html", {
  bucket: site.id,
  content: "<html><body>hello</body></html>",
  contentType: "text/html",
});

new aws.s3.BucketPolicy(
  "bucketPolicy",
  {
    bucket: site.id,
    policy: pulumi.jsonStringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: "*", Action: ["s3:GetObject"], Resource: [pulumi.interpolate`${site.arn}/*`] }],
    }),
  },
  { dependsOn: access },
);

export const bucketName = site.bucket;
export const websiteUrl = website.websiteEndpoint;
