// Re-write (our code) after pulumi/examples aws-ts-static-website: content bucket with a
// website configuration behind CloudFront, with the viewer certificate requested through a
// second provider pinned to us-east-1 (which CloudFront requires).
import * as aws from "@pulumi/aws";

const contentBucket = new aws.s3.Bucket("contentBucket");
new aws.s3.BucketWebsiteConfiguration("contentBucketWebsite", {
  bucket: contentBucket.id,
  indexDocument: { suffix: "index.html" },
  errorDocument: { key: "404.html" },
});

const east = new aws.Provider("east", { region: "us-east-1" });
const certificate = new aws.acm.Certificate("certificate", { domainName: "www.example.com", validationMethod: "DNS" }, { provider: east });

const oai = new aws.cloudfront.OriginAccessIdentity("originAccessIdentity", { comment: "site" });

const cdn = new aws.cloudfront.Distribution("cdn", {
  enabled: true,
  aliases: ["www.example.com"],
  defaultRootObject: "index.html",
  origins: [{ originId: contentBucket.arn, domainName: contentBucket.bucketRegionalDomainName, s3OriginConfig: { originAccessIdentity: oai.cloudfrontAccessIdentityPath } }],
  defaultCacheBehavior: {
    targetOriginId: contentBucket.arn,
    viewerProtocolPolicy: "redirect-to-https",
    allowedMethods: ["GET", "HEAD", "OPTIONS"],
    cachedMethods: ["GET", "HEAD", "OPTIONS"],
    forwardedValues: { cookies: { forward: "none" }, queryString: false },
    minTtl: 0,
    defaultTtl: 600,
    maxTtl: 600,
  },
  priceClass: "PriceClass_100",
  restrictions: { geoRestriction: { restrictionType: "none" } },
  viewerCertificate: { acmCertificateArn: certificate.arn, sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" },
});

export const cdnDomain = cdn.domainName;
