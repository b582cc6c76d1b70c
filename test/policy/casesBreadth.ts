/**
 * Passing and failing inputs for the estate-wide policies (issue 13): one pair per policy
 * and per resource type, merged into CASES (cases.ts) so the coverage test enforces them.
 */
import type { PlannedResource } from "../../policy-pack/evaluate";
import type { Case } from "./cases";
import { awsEu, awsUs, azureEu, gcpEu, k8sEu, res, urnOf } from "./harness";

const KEY = "arn:aws:kms:eu-central-1:123456789012:key/0f0e0d0c-aaaa-bbbb-cccc-000000000001";
const GKEY = "projects/p-eu/locations/europe-west1/keyRings/eu/cryptoKeys/data";
const AZKEY = "https://eu-kv.vault.azure.net/keys/data/0123";
const DIGEST = "@sha256:" + "a".repeat(64);
const IMG = "123456789012.dkr.ecr.eu-central-1.amazonaws.com/app" + DIGEST;
const HUB = "nginx:1.27";

type Props = Record<string, unknown>;
const providerFor = (type: string) => (type.startsWith("aws:") ? awsEu : type.startsWith("gcp:") ? gcpEu : type.startsWith("azure-native:") ? azureEu : k8sEu);
const one = (type: string, props: Props, name = "r") => res(type, name, props, { provider: providerFor(type) });

/** A pass/fail pair on a single resource of `type`. */
function pair(type: string, pass: Props, fail: Props, expect: string): Case {
  return { type, pass: [one(type, pass)], fail: [one(type, fail)], expect };
}

// ------------------------------------------------------------------------------------------
// Data services with customer-managed keys.

const AWS_CMK: Case[] = [
  pair("aws:rds/instance:Instance", { storageEncrypted: true, kmsKeyId: KEY }, { storageEncrypted: true }, "kmsKeyId must name a customer-managed key"),
  pair("aws:rds/cluster:Cluster", { storageEncrypted: true, kmsKeyId: KEY }, { kmsKeyId: KEY }, "storageEncrypted must be true"),
  (() => {
    const good = one("aws:rds/cluster:Cluster", { storageEncrypted: true, kmsKeyId: KEY }, "aurora");
    const bad = one("aws:rds/cluster:Cluster", { storageEncrypted: false }, "aurora");
    const inst = (c: PlannedResource) => res("aws:rds/clusterInstance:ClusterInstance", "aurora-1", { clusterIdentifier: "aurora" }, { provider: awsEu, propertyDependencies: { clusterIdentifier: [c.urn] } });
    return { type: "aws:rds/clusterInstance:ClusterInstance", pass: [good, inst(good)], fail: [bad, inst(bad)], expect: "Aurora cluster instance 'aurora-1': inherits the encryption of 'aurora'" };
  })(),
  (() => {
    const good = one("aws:rds/cluster:Cluster", { storageEncrypted: true, kmsKeyId: KEY }, "aurora");
    const bad = one("aws:rds/cluster:Cluster", { storageEncrypted: true, kmsKeyId: "alias/aws/rds" }, "aurora");
    const snap = (c: PlannedResource) => res("aws:rds/clusterSnapshot:ClusterSnapshot", "snap", { dbClusterIdentifier: "aurora" }, { provider: awsEu, propertyDependencies: { dbClusterIdentifier: [c.urn] } });
    return { type: "aws:rds/clusterSnapshot:ClusterSnapshot", pass: [good, snap(good)], fail: [bad, snap(bad)], expect: "'alias/aws/rds' is an AWS-managed key" };
  })(),
  (() => {
    const good = one("aws:rds/instance:Instance", { storageEncrypted: true, kmsKeyId: KEY }, "db");
    const bad = one("aws:rds/instance:Instance", {}, "db");
    const snap = (c: PlannedResource) => res("aws:rds/snapshot:Snapshot", "snap", { dbInstanceIdentifier: "db" }, { provider: awsEu, propertyDependencies: { dbInstanceIdentifier: [c.urn] } });
    return { type: "aws:rds/snapshot:Snapshot", pass: [good, snap(good)], fail: [bad, snap(bad)], expect: "RDS snapshot 'snap': inherits the encryption of 'db'" };
  })(),
  pair("aws:rds/snapshotCopy:SnapshotCopy", { kmsKeyId: KEY }, {}, "kmsKeyId must name"),
  pair(
    "aws:dynamodb/table:Table",
    { serverSideEncryption: { enabled: true, kmsKeyArn: KEY }, replicas: [{ regionName: "eu-west-1", kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/1" }] },
    { serverSideEncryption: { enabled: true, kmsKeyArn: KEY }, replicas: [{ regionName: "eu-west-1" }] },
    "replicas[0].kmsKeyArn must name",
  ),
  pair("aws:sqs/queue:Queue", { kmsMasterKeyId: KEY }, { sqsManagedSseEnabled: true }, "kmsMasterKeyId must name a customer-managed key"),
  pair("aws:sns/topic:Topic", { kmsMasterKeyId: KEY }, { kmsMasterKeyId: "alias/aws/sns" }, "AWS-managed key"),
  pair("aws:kinesis/stream:Stream", { encryptionType: "KMS", kmsKeyId: KEY }, { encryptionType: "NONE" }, "encryptionType must be \"KMS\""),
  pair(
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
    { destination: "extended_s3", serverSideEncryption: { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn: KEY } },
    { destination: "extended_s3", serverSideEncryption: { enabled: true, keyType: "AWS_OWNED_CMK" } },
    "keyType: \"CUSTOMER_MANAGED_CMK\"",
  ),
  {
    // Reading from a Kinesis stream, the delivery stream's data at rest is the stream's.
    type: "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
    pass: [one("aws:kinesis/stream:Stream", { encryptionType: "KMS", kmsKeyId: KEY }, "in"), res("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "fh", { destination: "extended_s3", kinesisSourceConfiguration: { kinesisStreamArn: "arn" } }, { provider: awsEu, propertyDependencies: { kinesisSourceConfiguration: [urnOf("aws:kinesis/stream:Stream", "in")] } })],
    fail: [one("aws:kinesis/stream:Stream", { shardCount: 1 }, "in"), res("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "fh", { destination: "extended_s3", kinesisSourceConfiguration: { kinesisStreamArn: "arn" } }, { provider: awsEu, propertyDependencies: { kinesisSourceConfiguration: [urnOf("aws:kinesis/stream:Stream", "in")] } })],
    expect: "Firehose delivery stream 'fh': inherits the encryption of 'in'",
  },
  pair("aws:secretsmanager/secret:Secret", { kmsKeyId: KEY }, { name: "db-password" }, "Secrets Manager secret 'r': kmsKeyId must name"),
  pair("aws:ssm/parameter:Parameter", { type: "SecureString", keyId: KEY, value: "x" }, { type: "SecureString", value: "x" }, "keyId must name"),
  pair("aws:efs/fileSystem:FileSystem", { encrypted: true, kmsKeyId: KEY }, { encrypted: false }, "encrypted must be true"),
  pair("aws:ebs/volume:Volume", { encrypted: true, kmsKeyId: KEY, availabilityZone: "eu-central-1a" }, { availabilityZone: "eu-central-1a" }, "EBS volume 'r': encrypted must be true"),
  pair("aws:ebs/encryptionByDefault:EncryptionByDefault", { enabled: true }, { enabled: false }, "enabled must be true"),
  pair("aws:ebs/defaultKmsKey:DefaultKmsKey", { keyArn: KEY }, { keyArn: "" }, "keyArn must name"),
  pair("aws:opensearch/domain:Domain", { encryptAtRest: { enabled: true, kmsKeyId: KEY } }, { encryptAtRest: { enabled: false } }, "encryptAtRest.enabled must be true"),
  pair("aws:elasticsearch/domain:Domain", { encryptAtRest: { enabled: true, kmsKeyId: KEY } }, { encryptAtRest: { enabled: true } }, "encryptAtRest.kmsKeyId must name"),
  pair("aws:elasticache/replicationGroup:ReplicationGroup", { atRestEncryptionEnabled: true, kmsKeyId: KEY }, { atRestEncryptionEnabled: false }, "atRestEncryptionEnabled must be true"),
  pair("aws:elasticache/serverlessCache:ServerlessCache", { engine: "valkey", kmsKeyId: KEY }, { engine: "valkey" }, "kmsKeyId must name"),
  pair("aws:msk/cluster:Cluster", { encryptionInfo: { encryptionAtRestKmsKeyArn: KEY } }, { clusterName: "kafka" }, "encryptionInfo.encryptionAtRestKmsKeyArn must name"),
  pair("aws:backup/vault:Vault", { kmsKeyArn: KEY }, { name: "vault" }, "kmsKeyArn must name"),
  pair("aws:ec2/instance:Instance", { instanceType: "t3.micro", rootBlockDevice: { encrypted: true, kmsKeyId: KEY } }, { instanceType: "t3.micro" }, "EC2 instance root volume 'r': rootBlockDevice.encrypted must be true"),
  pair("aws:ec2/instance:Instance", { instanceType: "t3.micro", rootBlockDevice: { encrypted: true, kmsKeyId: KEY }, ebsBlockDevices: [{ deviceName: "/dev/sdf", encrypted: true, kmsKeyId: KEY }] }, { instanceType: "t3.micro", rootBlockDevice: { encrypted: true, kmsKeyId: KEY }, ebsBlockDevices: [{ deviceName: "/dev/sdf" }] }, "ebsBlockDevices[0] must be encrypted"),
  pair("aws:lambda/function:Function", { environment: { variables: { DB: "x" } }, kmsKeyArn: KEY }, { environment: { variables: { DB: "x" } } }, "Lambda function environment 'r': kmsKeyArn must name"),
];

const AZURE_CMK: Case[] = [
  pair("azure-native:sql:Server", { location: "westeurope", keyId: AZKEY }, { location: "westeurope" }, "keyId must name a customer-managed key"),
  pair("azure-native:dbforpostgresql:Server", { location: "westeurope", dataEncryption: { type: "AzureKeyVault", primaryKeyURI: AZKEY } }, { location: "westeurope", dataEncryption: { type: "SystemManaged" } }, "dataEncryption.type must be \"AzureKeyVault\""),
  pair("azure-native:dbformysql:Server", { location: "westeurope", dataEncryption: { type: "AzureKeyVault", primaryKeyURI: AZKEY } }, { location: "westeurope" }, "dataEncryption.primaryKeyURI must name"),
  pair("azure-native:cosmosdb:DatabaseAccount", { location: "westeurope", keyVaultKeyUri: AZKEY, locations: [{ locationName: "westeurope" }] }, { location: "westeurope", locations: [{ locationName: "westeurope" }] }, "keyVaultKeyUri must name"),
  pair(
    "azure-native:servicebus:Namespace",
    { location: "westeurope", encryption: { keySource: "Microsoft.KeyVault", keyVaultProperties: [{ keyName: "data", keyVaultUri: "https://eu-kv.vault.azure.net" }] } },
    { location: "westeurope", sku: { name: "Standard" } },
    "encryption.keySource must be \"Microsoft.KeyVault\"",
  ),
  pair(
    "azure-native:eventhub:Namespace",
    { location: "westeurope", encryption: { keySource: "Microsoft.KeyVault", keyVaultProperties: [{ keyName: "data", keyVaultUri: "https://eu-kv.vault.azure.net" }] } },
    { location: "westeurope", encryption: { keySource: "Microsoft.KeyVault" } },
    "encryption.keyVaultProperties.0.keyVaultUri must name",
  ),
  pair(
    "azure-native:compute:Disk",
    { location: "westeurope", encryption: { type: "EncryptionAtRestWithCustomerKey", diskEncryptionSetId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/diskEncryptionSets/des" } },
    { location: "westeurope", encryption: { type: "EncryptionAtRestWithPlatformKey" } },
    "encryption.type must be",
  ),
  pair(
    "azure-native:compute:VirtualMachine",
    { location: "westeurope", storageProfile: { osDisk: { createOption: "FromImage", managedDisk: { diskEncryptionSet: { id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/diskEncryptionSets/des" } } } } },
    { location: "westeurope", storageProfile: { osDisk: { createOption: "FromImage", name: "os" } } },
    "virtual machine 'r': storageProfile.osDisk.managedDisk.diskEncryptionSet.id must name",
  ),
  pair(
    "azure-native:compute:VirtualMachine",
    { location: "westeurope", storageProfile: { osDisk: { createOption: "Attach", managedDisk: { id: "d" } }, dataDisks: [{ lun: 0, createOption: "Attach", managedDisk: { id: "d2" } }] } },
    { location: "westeurope", storageProfile: { osDisk: { createOption: "Attach", managedDisk: { id: "d" } }, dataDisks: [{ lun: 0, createOption: "Empty", diskSizeGB: 64 }] } },
    "storageProfile.dataDisks[0].managedDisk.diskEncryptionSet.id must name",
  ),
];

const GCP_CMK: Case[] = [
  pair("gcp:sql/databaseInstance:DatabaseInstance", { region: "europe-west1", encryptionKeyName: GKEY }, { region: "europe-west1" }, "encryptionKeyName must name"),
  pair("gcp:bigquery/dataset:Dataset", { location: "europe-west1", defaultEncryptionConfiguration: { kmsKeyName: GKEY } }, { location: "europe-west1" }, "defaultEncryptionConfiguration.kmsKeyName must name"),
  (() => {
    const good = one("gcp:bigquery/dataset:Dataset", { location: "EU", defaultEncryptionConfiguration: { kmsKeyName: GKEY } }, "ds");
    const bad = one("gcp:bigquery/dataset:Dataset", { location: "EU" }, "ds");
    const table = (d: PlannedResource) => res("gcp:bigquery/table:Table", "events", { datasetId: "ds", tableId: "events" }, { provider: gcpEu, propertyDependencies: { datasetId: [d.urn] } });
    return { type: "gcp:bigquery/table:Table", pass: [good, table(good)], fail: [bad, table(bad)], expect: "BigQuery table 'events': inherits the encryption of 'ds'" };
  })(),
  pair("gcp:pubsub/topic:Topic", { kmsKeyName: GKEY }, { kmsKeyName: "my-key" }, "not a Cloud KMS crypto key name"),
  pair("gcp:cloudfunctions/function:Function", { region: "europe-west1", kmsKeyName: GKEY }, { region: "europe-west1" }, "kmsKeyName must name"),
  pair("gcp:cloudfunctionsv2/function:Function", { location: "europe-west1", kmsKeyName: GKEY }, { location: "europe-west1" }, "kmsKeyName must name"),
  pair("gcp:cloudrunv2/service:Service", { location: "europe-west1", template: { encryptionKey: GKEY, containers: [{ image: IMG }] } }, { location: "europe-west1", template: { containers: [{ image: IMG }] } }, "template.encryptionKey must name"),
  pair("gcp:cloudrunv2/job:Job", { location: "europe-west1", template: { template: { encryptionKey: GKEY } } }, { location: "europe-west1", template: { template: {} } }, "template.template.encryptionKey must name"),
  pair(
    "gcp:cloudrun/service:Service",
    { location: "europe-west1", template: { metadata: { annotations: { "run.googleapis.com/encryption-key": GKEY } } } },
    { location: "europe-west1", template: { metadata: { annotations: {} } } },
    "run.googleapis.com/encryption-key",
  ),
  pair("gcp:spanner/database:Database", { instance: "i", encryptionConfig: { kmsKeyName: GKEY } }, { instance: "i" }, "encryptionConfig.kmsKeyName or encryptionConfig.kmsKeyNames.0 must name"),
  pair("gcp:filestore/instance:Instance", { location: "europe-west1-b", kmsKeyName: GKEY }, { location: "europe-west1-b" }, "kmsKeyName must name"),
  pair("gcp:firestore/database:Database", { locationId: "europe-west1", cmekConfig: { kmsKeyName: GKEY } }, { locationId: "europe-west1" }, "cmekConfig.kmsKeyName must name"),
  pair("gcp:dataproc/cluster:Cluster", { region: "europe-west1", clusterConfig: { encryptionConfig: { kmsKeyName: GKEY } } }, { region: "europe-west1", clusterConfig: {} }, "clusterConfig.encryptionConfig.kmsKeyName must name"),
  pair("gcp:composer/environment:Environment", { region: "europe-west1", config: { encryptionConfig: { kmsKeyName: GKEY } } }, { region: "europe-west1" }, "config.encryptionConfig.kmsKeyName must name"),
  pair("gcp:redis/instance:Instance", { region: "europe-west1", customerManagedKey: GKEY, transitEncryptionMode: "SERVER_AUTHENTICATION" }, { region: "europe-west1" }, "customerManagedKey must name"),
  pair("gcp:compute/disk:Disk", { zone: "europe-west1-b", diskEncryptionKey: { kmsKeySelfLink: GKEY } }, { zone: "europe-west1-b" }, "diskEncryptionKey.kmsKeySelfLink must name"),
];

// ------------------------------------------------------------------------------------------
// Placement.

const MULTI_REGION: Case[] = [
  pair("aws:dynamodb/table:Table", { replicas: [{ regionName: "eu-west-1" }] }, { replicas: [{ regionName: "eu-west-1" }, { regionName: "us-east-1" }] }, "global table replica replicas[1].regionName 'us-east-1' (domain us)"),
  pair("aws:dynamodb/globalTable:GlobalTable", { replicas: [{ regionName: "eu-central-1" }] }, { replicas: [{ regionName: "eu-west-2" }] }, "'eu-west-2' (in no domain's allowlist)"),
  pair("azure-native:cosmosdb:DatabaseAccount", { location: "westeurope", locations: [{ locationName: "westeurope" }, { locationName: "North Europe" }] }, { location: "westeurope", locations: [{ locationName: "westeurope" }, { locationName: "eastus" }] }, "Cosmos DB region locations[1].locationName 'eastus'"),
  pair("gcp:spanner/instance:Instance", { config: "regional-europe-west1", displayName: "x" }, { config: "nam-eur-asia1", displayName: "x" }, "not wholly inside the eu domain"),
  { ...pair("gcp:spanner/instance:Instance", { config: "projects/p/instanceConfigs/eur3", displayName: "x" }, { config: "regional-us-central1", displayName: "x" }, "'us-central1' (domain us)") },
  pair("gcp:cloudrunv2/service:Service", { location: "europe-west1", multiRegionSettings: { regions: ["europe-west1", "europe-west4"] } }, { location: "europe-west1", multiRegionSettings: { regions: ["europe-west1", "us-central1"] } }, "Cloud Run region multiRegionSettings.regions[1]"),
  pair("gcp:bigquery/dataset:Dataset", { location: "EU", datasetId: "d" }, { datasetId: "d" }, "US multi-region"),
];

const s3Origin = (region: string) => ({ origins: [{ originId: "s3", domainName: `site.s3.${region}.amazonaws.com` }] });
const EDGE: Case[] = [
  { type: "aws:cloudfront/distribution:Distribution", pass: [], fail: [one("aws:cloudfront/distribution:Distribution", s3Origin("eu-central-1"), "cdn")], expect: "CloudFront caches responses at edge locations" },
  { type: "aws:cloudfront/distribution:Distribution", pass: [], fail: [one("aws:cloudfront/distribution:Distribution", s3Origin("us-east-1"), "cdn")], expect: "CloudFront origin site.s3.us-east-1.amazonaws.com is in 'us-east-1' (domain us)" },
  { type: "azure-native:cdn:Profile", pass: [], fail: [one("azure-native:cdn:Profile", { location: "Global", sku: { name: "Standard_AzureFrontDoor" } }, "fd")], expect: "Azure Front Door / CDN profiles cache" },
  { type: "azure-native:frontdoor:FrontDoor", pass: [], fail: [one("azure-native:frontdoor:FrontDoor", { location: "Global", backendPools: [] }, "fd")], expect: "Front Door (classic)" },
  (() => {
    const app = (loc: string) => res("azure-native:web:WebApp", "app", { location: loc }, { provider: azureEu });
    const origin = (a: PlannedResource) => res("azure-native:cdn:AFDOrigin", "origin", { hostName: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" }, { provider: azureEu, propertyDependencies: { hostName: [a.urn] } });
    const eu = app("westeurope");
    const us = app("eastus");
    return { type: "azure-native:cdn:AFDOrigin", pass: [eu, origin(eu)], fail: [us, origin(us)], expect: "Front Door origin 'app' is in 'eastus' (domain us)" };
  })(),
  pair("azure-native:cdn:Endpoint", { location: "Global", origins: [{ name: "o", hostName: "app.westeurope.cloudapp.azure.com" }] }, { location: "Global", origins: [{ name: "o", hostName: "app.eastus.cloudapp.azure.com" }] }, "CDN endpoint origin app.eastus.cloudapp.azure.com"),
  pair("azure-native:trafficmanager:Profile", { location: "global", endpoints: [{ endpointLocation: "West Europe", target: "a.example" }] }, { location: "global", endpoints: [{ endpointLocation: "East US", target: "a.example" }] }, "Traffic Manager endpoints[0] endpointLocation is in 'East US' (domain us)"),
  pair("azure-native:trafficmanager:Endpoint", { endpointLocation: "northeurope", profileName: "p" }, { endpointLocation: "westus2", profileName: "p" }, "'westus2' (domain us)"),
  pair(
    "gcp:compute/backendService:BackendService",
    { backends: [{ group: "https://www.googleapis.com/compute/v1/projects/p/zones/europe-west1-b/instanceGroups/web" }] },
    { backends: [{ group: "https://www.googleapis.com/compute/v1/projects/p/zones/us-central1-a/instanceGroups/web" }] },
    "backends[0].group is in 'us-central1' (domain us)",
  ),
  (() => {
    const bucket = res("gcp:storage/bucket:Bucket", "site", { location: "EU" }, { provider: gcpEu });
    const bb = (cdn: boolean) => res("gcp:compute/backendBucket:BackendBucket", "bb", { bucketName: "site", enableCdn: cdn }, { provider: gcpEu, propertyDependencies: { bucketName: [bucket.urn] } });
    return { type: "gcp:compute/backendBucket:BackendBucket", pass: [bucket, bb(false)], fail: [bucket, bb(true)], expect: "enableCdn caches responses at Google's global edge" };
  })(),
  pair("aws:globalaccelerator/endpointGroup:EndpointGroup", { listenerArn: "l", endpointGroupRegion: "eu-west-1" }, { listenerArn: "l", endpointGroupRegion: "us-west-2" }, "Global Accelerator endpoint group is in 'us-west-2' (domain us)"),
];

const LOG_EXPORTS: Case[] = [
  pair("gcp:logging/organizationSink:OrganizationSink", { orgId: "1", destination: "logging.googleapis.com/projects/p/locations/europe-west1/buckets/audit" }, { orgId: "1", destination: "logging.googleapis.com/projects/p/locations/us-central1/buckets/audit" }, "log sink destination bucket 'us-central1'"),
  pair("gcp:logging/folderSink:FolderSink", { folder: "f", destination: "logging.googleapis.com/projects/p/locations/europe-west4/buckets/audit" }, { folder: "f", destination: "logging.googleapis.com/projects/p/locations/global/buckets/_Default" }, "log sink destination bucket is in global"),
  (() => {
    const ds = (loc: string) => res("gcp:bigquery/dataset:Dataset", "logs", { location: loc }, { provider: gcpEu });
    const sink = (d: PlannedResource) => res("gcp:logging/billingAccountSink:BillingAccountSink", "sink", { billingAccount: "b", destination: "bigquery.googleapis.com/projects/p/datasets/logs" }, { provider: gcpEu, propertyDependencies: { destination: [d.urn] } });
    const eu = ds("EU");
    const us = ds("US");
    return { type: "gcp:logging/billingAccountSink:BillingAccountSink", pass: [eu, sink(eu)], fail: [us, sink(us)], expect: "log sink destination 'US' (domain us)" };
  })(),
  pair("aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter", { logGroup: "lg", destinationArn: "arn:aws:firehose:eu-west-1:123456789012:deliverystream/x" }, { logGroup: "lg", destinationArn: "arn:aws:kinesis:us-west-2:123456789012:stream/x" }, "log subscription destination 'us-west-2'"),
  (() => {
    const bucket = (p: typeof awsEu) => res("aws:s3/bucketV2:BucketV2", "trail-logs", {}, { provider: p });
    const trail = (b: PlannedResource) => res("aws:cloudtrail/trail:Trail", "trail", { s3BucketName: "trail-logs" }, { provider: awsEu, propertyDependencies: { s3BucketName: [b.urn] } });
    const eu = bucket(awsEu);
    const us = bucket(awsUs);
    return { type: "aws:cloudtrail/trail:Trail", pass: [eu, trail(eu)], fail: [us, trail(us)], expect: "CloudTrail log bucket 'us-east-1'" };
  })(),
  ...["aws:s3/bucketLoggingV2:BucketLoggingV2", "aws:s3/bucketLogging:BucketLogging"].map((type) => {
    const target = (p: typeof awsEu) => res("aws:s3/bucketV2:BucketV2", "access-logs", {}, { provider: p });
    const logging = (b: PlannedResource) => res(type, "logging", { bucket: "data", targetBucket: "access-logs", targetPrefix: "data/" }, { provider: awsEu, propertyDependencies: { targetBucket: [b.urn] } });
    const eu = target(awsEu);
    const us = target(awsUs);
    return { type, pass: [eu, logging(eu)], fail: [us, logging(us)], expect: "S3 access log target bucket 'us-east-1'" };
  }),
];

// ------------------------------------------------------------------------------------------
// Transit and exposure.

const httpsRedirect = [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }];
const forward = [{ type: "forward", targetGroupArn: "arn:aws:elasticloadbalancing:eu-central-1:1:targetgroup/x/y" }];
const urlMap = (redirect: boolean) => res("gcp:compute/uRLMap:URLMap", "map", redirect ? { defaultUrlRedirect: { httpsRedirect: true } } : { defaultService: "svc" }, { provider: gcpEu });
const httpProxy = (m: PlannedResource) => res("gcp:compute/targetHttpProxy:TargetHttpProxy", "proxy", { urlMap: "map" }, { provider: gcpEu, propertyDependencies: { urlMap: [m.urn] } });
const appGw = (redirect: boolean) => ({
  location: "westeurope",
  httpListeners: [{ name: "http", protocol: "Http" }, { name: "https", protocol: "Https" }],
  requestRoutingRules: [
    { name: "r80", httpListener: { id: "/subscriptions/s/.../applicationGateways/gw/httpListeners/http" }, ...(redirect ? { redirectConfiguration: { id: "/x/redirectConfigurations/to-https" } } : { backendAddressPool: { id: "/x/pool" } }) },
  ],
  sslPolicy: { policyType: "Predefined", policyName: "AppGwSslPolicy20220101" },
});

const HTTP_REDIRECT: Case[] = [
  pair("aws:lb/listener:Listener", { port: 80, protocol: "HTTP", defaultActions: httpsRedirect }, { port: 80, protocol: "HTTP", defaultActions: forward }, "serves HTTP (port 80) without redirecting"),
  pair("aws:alb/listener:Listener", { port: 443, protocol: "HTTPS", certificateArn: "arn:aws:acm:eu-central-1:1:certificate/c", defaultActions: forward }, { port: 8080, defaultActions: forward }, "serves HTTP (port 8080)"),
  (() => {
    // Plain TCP on an internet-facing NLB only as TLS passthrough on 443; an internal NLB may carry any port.
    const nlb = (internal: boolean) => one("aws:lb/loadBalancer:LoadBalancer", { loadBalancerType: "network", internal }, "nlb");
    const tcp = (port: number) =>
      res("aws:lb/listener:Listener", "cache", { port, protocol: "TCP", defaultActions: forward }, { provider: awsEu, propertyDependencies: { loadBalancerArn: [urnOf("aws:lb/loadBalancer:LoadBalancer", "nlb")] } });
    return { type: "aws:lb/listener:Listener", pass: [nlb(false), tcp(443)], fail: [nlb(false), tcp(6379)], expect: "listener 'cache' forwards plain TCP on port 6379 from the internet" };
  })(),
  (() => {
    const nlb = one("aws:lb/loadBalancer:LoadBalancer", { loadBalancerType: "network", internal: true }, "nlb");
    const tcp = res("aws:lb/listener:Listener", "cache", { port: 6379, protocol: "TCP", defaultActions: forward }, { provider: awsEu, propertyDependencies: { loadBalancerArn: [nlb.urn] } });
    const publicNlb = one("aws:lb/loadBalancer:LoadBalancer", { loadBalancerType: "network" }, "nlb");
    return { type: "aws:lb/listener:Listener", pass: [nlb, tcp], fail: [publicNlb, tcp], expect: "is internet-facing" };
  })(),
  pair("azure-native:network:ApplicationGateway", appGw(true), appGw(false), "HTTP listener 'http' has no routing rule that redirects"),
  { type: "gcp:compute/targetHttpProxy:TargetHttpProxy", pass: [urlMap(true), httpProxy(urlMap(true))], fail: [urlMap(false), httpProxy(urlMap(false))], expect: "does not redirect to HTTPS" },
  { type: "gcp:compute/uRLMap:URLMap", pass: [urlMap(true), httpProxy(urlMap(true))], fail: [urlMap(false), httpProxy(urlMap(false))], expect: "URL map 'map'" },
];

const TLS: Case[] = [
  pair("aws:lb/listener:Listener", { protocol: "HTTPS", sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" }, { protocol: "HTTPS" }, "ELBSecurityPolicy-2016-08, accepts TLS 1.0"),
  pair("aws:alb/listener:Listener", { protocol: "TLS", sslPolicy: "ELBSecurityPolicy-TLS13-1-3-2021-06" }, { protocol: "TLS", sslPolicy: "ELBSecurityPolicy-TLS-1-1-2017-01" }, "sslPolicy must be a TLS 1.2+ policy"),
  pair("aws:apigateway/domainName:DomainName", { domainName: "api.example", securityPolicy: "TLS_1_2" }, { domainName: "api.example", securityPolicy: "TLS_1_0" }, "securityPolicy must be TLS_1_2"),
  pair(
    "aws:opensearch/domain:Domain",
    { domainEndpointOptions: { enforceHttps: true, tlsSecurityPolicy: "Policy-Min-TLS-1-2-2019-07" }, nodeToNodeEncryption: { enabled: true } },
    { domainEndpointOptions: { enforceHttps: true, tlsSecurityPolicy: "Policy-Min-TLS-1-0-2019-07" }, nodeToNodeEncryption: { enabled: true } },
    "tlsSecurityPolicy must be Policy-Min-TLS-1-2",
  ),
  pair("aws:elasticsearch/domain:Domain", { domainEndpointOptions: { enforceHttps: true, tlsSecurityPolicy: "Policy-Min-TLS-1-2-2019-07" }, nodeToNodeEncryption: { enabled: true } }, { nodeToNodeEncryption: { enabled: true } }, "enforceHttps must be true"),
  pair("aws:elasticache/replicationGroup:ReplicationGroup", { transitEncryptionEnabled: true }, { transitEncryptionEnabled: false }, "transitEncryptionEnabled must be true"),
  pair("aws:msk/cluster:Cluster", { encryptionInfo: { encryptionInTransit: { clientBroker: "TLS" } } }, { encryptionInfo: { encryptionInTransit: { clientBroker: "TLS_PLAINTEXT" } } }, "clientBroker must be \"TLS\""),
  pair("aws:rds/parameterGroup:ParameterGroup", { family: "postgres16", parameters: [{ name: "rds.force_ssl", value: "1" }] }, { family: "postgres16", parameters: [{ name: "rds.force_ssl", value: "0" }] }, "rds.force_ssl=0"),
  pair("aws:rds/clusterParameterGroup:ClusterParameterGroup", { family: "aurora-mysql8.0", parameters: [{ name: "require_secure_transport", value: "ON" }] }, { family: "aurora-mysql8.0", parameters: [{ name: "require_secure_transport", value: "OFF" }] }, "require_secure_transport=OFF"),
  pair("azure-native:network:ApplicationGateway", appGw(true), { ...appGw(true), sslPolicy: { policyType: "Predefined", policyName: "AppGwSslPolicy20150501" } }, "sslPolicy must set minProtocolVersion TLSv1_2"),
  pair("azure-native:sql:Server", { location: "westeurope", minimalTlsVersion: "1.2" }, { location: "westeurope", minimalTlsVersion: "1.0" }, "minimalTlsVersion must be \"1.2\""),
  pair("azure-native:cosmosdb:DatabaseAccount", { location: "westeurope", minimalTlsVersion: "Tls12" }, { location: "westeurope", minimalTlsVersion: "Tls" }, "minimalTlsVersion must be \"Tls12\""),
  pair("azure-native:servicebus:Namespace", { location: "westeurope", minimumTlsVersion: "1.2" }, { location: "westeurope", minimumTlsVersion: "1.0" }, "minimumTlsVersion must be \"1.2\""),
  pair("azure-native:eventhub:Namespace", { location: "westeurope" }, { location: "westeurope", minimumTlsVersion: "1.1" }, "minimumTlsVersion must be \"1.2\""),
  pair("azure-native:redis:Redis", { location: "westeurope", minimumTlsVersion: "1.2", enableNonSslPort: false }, { location: "westeurope", minimumTlsVersion: "1.2", enableNonSslPort: true }, "enableNonSslPort must be false"),
  pair("azure-native:web:WebApp", { location: "westeurope", httpsOnly: true, siteConfig: { minTlsVersion: "1.2" } }, { location: "westeurope", siteConfig: { minTlsVersion: "1.2" } }, "httpsOnly must be true"),
  pair("azure-native:dbforpostgresql:Configuration", { configurationName: "require_secure_transport", value: "on" }, { configurationName: "require_secure_transport", value: "off" }, "require_secure_transport=off"),
  pair("azure-native:dbformysql:Configuration", { configurationName: "require_secure_transport", value: "ON" }, { configurationName: "require_secure_transport", value: "OFF" }, "require_secure_transport=off"),
  pair("gcp:compute/sSLPolicy:SSLPolicy", { minTlsVersion: "TLS_1_2", profile: "MODERN" }, { profile: "COMPATIBLE" }, "minTlsVersion must be \"TLS_1_2\""),
  pair("gcp:compute/targetHttpsProxy:TargetHttpsProxy", { urlMap: "m", sslPolicy: "projects/p/global/sslPolicies/tls12" }, { urlMap: "m" }, "sslPolicy must name an SSL policy"),
  pair("gcp:sql/databaseInstance:DatabaseInstance", { region: "europe-west1", settings: { ipConfiguration: { sslMode: "ENCRYPTED_ONLY" } } }, { region: "europe-west1", settings: { ipConfiguration: { sslMode: "ALLOW_UNENCRYPTED_AND_ENCRYPTED" } } }, "sslMode must be \"ENCRYPTED_ONLY\""),
  pair("gcp:redis/instance:Instance", { region: "europe-west1", transitEncryptionMode: "SERVER_AUTHENTICATION" }, { region: "europe-west1", transitEncryptionMode: "DISABLED" }, "transitEncryptionMode must be \"SERVER_AUTHENTICATION\""),
];

const publicPolicy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "PublicRead", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::site/*" }] });
const narrowedPolicy = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: ["sqs:SendMessage"], Resource: "*", Condition: { ArnEquals: { "aws:SourceArn": "arn:aws:sns:eu-central-1:123456789012:topic" } } }],
};
const weakCondition = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: ["*"] }, Action: "kms:Decrypt", Resource: "*", Condition: { StringLikeIfExists: { "aws:SourceAccount": "*" } } }] };

const PUBLIC: Case[] = [
  pair("aws:s3/bucketPolicy:BucketPolicy", { bucket: "site", policy: JSON.stringify(narrowedPolicy) }, { bucket: "site", policy: publicPolicy }, "Statement[0] (PublicRead) allows s3:GetObject to Principal \"*\""),
  pair("aws:s3/bucket:Bucket", { policy: narrowedPolicy }, { policy: publicPolicy }, "Principal \"*\""),
  pair("aws:s3/bucketV2:BucketV2", { bucket: "b" }, { policy: "{not json" }, "policy: the policy is not valid JSON"),
  pair("aws:ecr/repositoryPolicy:RepositoryPolicy", { repository: "r", policy: narrowedPolicy }, { repository: "r", policy: { Statement: { Effect: "Allow", Principal: "*", Action: "ecr:*" } } }, "allows ecr:* to Principal"),
  pair("aws:sqs/queuePolicy:QueuePolicy", { queueUrl: "q", policy: narrowedPolicy }, { queueUrl: "q", policy: weakCondition }, "without a narrowing condition"),
  pair("aws:sqs/queue:Queue", { kmsMasterKeyId: KEY }, { kmsMasterKeyId: KEY, policy: publicPolicy }, "Principal \"*\""),
  pair("aws:sns/topicPolicy:TopicPolicy", { arn: "a", policy: narrowedPolicy }, { arn: "a", policy: publicPolicy }, "Principal \"*\""),
  pair("aws:sns/topic:Topic", { kmsMasterKeyId: KEY }, { kmsMasterKeyId: KEY, policy: publicPolicy }, "Principal \"*\""),
  pair("aws:secretsmanager/secretPolicy:SecretPolicy", { secretArn: "s", policy: narrowedPolicy }, { secretArn: "s", policy: publicPolicy }, "Principal \"*\""),
  pair("aws:kms/key:Key", { enableKeyRotation: true, policy: narrowedPolicy }, { enableKeyRotation: true, policy: weakCondition }, "allows kms:Decrypt"),
  pair("aws:lambda/permission:Permission", { function: "f", action: "lambda:InvokeFunction", principal: "*", sourceArn: "arn:aws:execute-api:eu-central-1:1:api/*" }, { function: "f", action: "lambda:InvokeFunctionUrl", principal: "*", functionUrlAuthType: "NONE" }, "unauthenticated function URL"),
  pair("gcp:storage/bucketIAMMember:BucketIAMMember", { bucket: "b", role: "roles/storage.objectViewer", member: "group:team@example.com" }, { bucket: "b", role: "roles/storage.objectViewer", member: "allUsers" }, "allUsers is granted roles/storage.objectViewer"),
  pair("gcp:storage/bucketIAMBinding:BucketIAMBinding", { bucket: "b", role: "roles/storage.objectViewer", members: ["group:team@example.com"] }, { bucket: "b", role: "roles/storage.objectViewer", members: ["allAuthenticatedUsers"] }, "allAuthenticatedUsers"),
  pair("gcp:artifactregistry/repositoryIamMember:RepositoryIamMember", { repository: "r", role: "roles/artifactregistry.reader", member: "serviceAccount:x@p.iam.gserviceaccount.com" }, { repository: "r", role: "roles/artifactregistry.reader", member: "allUsers" }, "allUsers"),
  pair("gcp:artifactregistry/repositoryIamBinding:RepositoryIamBinding", { repository: "r", role: "roles/artifactregistry.reader", members: ["group:g@example.com"] }, { repository: "r", role: "roles/artifactregistry.reader", members: ["allUsers"] }, "allUsers"),
  ...(
    [
      ["gcp:cloudrun/iamMember:IamMember", "gcp:cloudrun/iamBinding:IamBinding", { service: "s", location: "europe-west1" }, "roles/run.invoker"],
      ["gcp:cloudrunv2/serviceIamMember:ServiceIamMember", "gcp:cloudrunv2/serviceIamBinding:ServiceIamBinding", { name: "s", location: "europe-west1" }, "roles/run.invoker"],
      ["gcp:cloudrunv2/jobIamMember:JobIamMember", "gcp:cloudrunv2/jobIamBinding:JobIamBinding", { name: "j", location: "europe-west1" }, "roles/run.invoker"],
      ["gcp:cloudfunctions/functionIamMember:FunctionIamMember", "gcp:cloudfunctions/functionIamBinding:FunctionIamBinding", { cloudFunction: "f", region: "europe-west1" }, "roles/cloudfunctions.invoker"],
      ["gcp:cloudfunctionsv2/functionIamMember:FunctionIamMember", "gcp:cloudfunctionsv2/functionIamBinding:FunctionIamBinding", { cloudFunction: "f", location: "europe-west1" }, "roles/cloudfunctions.invoker"],
    ] as const
  ).flatMap(([member, binding, target, role]) => [
    pair(member, { ...target, role, member: "serviceAccount:caller@p.iam.gserviceaccount.com" }, { ...target, role, member: "allUsers" }, `allUsers is granted ${role}`),
    pair(binding, { ...target, role, members: ["group:team@example.com"] }, { ...target, role, members: ["allAuthenticatedUsers"] }, `allAuthenticatedUsers is granted ${role}`),
  ]),
  pair("gcp:storage/bucketAccessControl:BucketAccessControl", { bucket: "b", entity: "group-team@example.com", role: "READER" }, { bucket: "b", entity: "allUsers", role: "READER" }, "entity allUsers makes the bucket public"),
  pair("azure-native:storage:StorageAccount", { location: "westeurope", allowBlobPublicAccess: false }, { location: "westeurope", allowBlobPublicAccess: true }, "allowBlobPublicAccess must be false"),
  pair("azure-native:storage:BlobContainer", { accountName: "sa", publicAccess: "None" }, { accountName: "sa", publicAccess: "Blob" }, "publicAccess must be \"None\""),
];

const allBlocked = { bucket: "b", blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true };
const PAB: Case[] = [
  pair("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", allBlocked, { ...allBlocked, blockPublicPolicy: false }, "blockPublicPolicy must be true"),
  pair("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock", allBlocked, { blockPublicAcls: true }, "restrictPublicBuckets must be true"),
  pair("aws:s3/bucketAclV2:BucketAclV2", { bucket: "b", acl: "private" }, { bucket: "b", acl: "public-read" }, "acl must not be public-read"),
  pair("aws:s3/bucketAcl:BucketAcl", { bucket: "b" }, { bucket: "b", acl: "public-read-write" }, "acl must not be"),
  pair("aws:s3/bucket:Bucket", { acl: "private" }, { acl: "public-read" }, "acl must not be"),
  pair("aws:s3/bucketV2:BucketV2", {}, { acl: "authenticated-read" }, "acl must not be"),
];

const WEBSITE: Case[] = [
  { type: "aws:s3/bucketWebsiteConfigurationV2:BucketWebsiteConfigurationV2", pass: [], fail: [one("aws:s3/bucketWebsiteConfigurationV2:BucketWebsiteConfigurationV2", { bucket: "b", indexDocument: { suffix: "index.html" } })], expect: "a website endpoint serves the storage to anyone" },
  { type: "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration", pass: [], fail: [one("aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration", { bucket: "b", indexDocument: { suffix: "index.html" } })], expect: "website endpoint" },
  pair("aws:s3/bucket:Bucket", {}, { website: { indexDocument: "index.html" } }, "website must not be set"),
  pair("gcp:storage/bucket:Bucket", { location: "EU" }, { location: "EU", website: { mainPageSuffix: "index.html" } }, "website must not be set"),
  { type: "azure-native:storage:StorageAccountStaticWebsite", pass: [], fail: [one("azure-native:storage:StorageAccountStaticWebsite", { accountName: "sa", indexDocument: "index.html" })], expect: "website endpoint" },
];

const sg = (ingress: unknown[]) => ({ vpcId: "vpc", ingress });
const INGRESS: Case[] = [
  pair("aws:ec2/securityGroup:SecurityGroup", sg([{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }, { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["10.0.0.0/8"] }]), sg([{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }]), "ingress[0] opens 22 to the internet"),
  { ...pair("aws:ec2/securityGroup:SecurityGroup", sg([{ protocol: "tcp", fromPort: 443, toPort: 443, ipv6CidrBlocks: ["::/0"] }]), sg([{ protocol: "-1", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["::/0"] }]), "all ports (protocol all)") },
  // Port 80 only in front of a load balancer (whose listeners must redirect), never to bare instances.
  ...["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"].map((lbType) => {
    const web = one("aws:ec2/securityGroup:SecurityGroup", sg([{ protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: ["0.0.0.0/0"] }]), "web");
    const lb = (deps: PlannedResource[]) => res(lbType, "alb", { loadBalancerType: "application" }, { provider: awsEu, propertyDependencies: { securityGroups: deps.map((d) => d.urn) } });
    const other = one("aws:ec2/securityGroup:SecurityGroup", sg([]), "other");
    return { type: lbType, pass: [web, lb([web])], fail: [web, other, lb([other])], expect: "'web': ingress[0] opens 80 to the internet; allowed public ports: 443 (80 only in front of a load balancer" };
  }),
  (() => {
    // The group of a load balancer that is also the tasks' group: 0.0.0.0/0 reaches the tasks on 80 directly.
    const web = one("aws:ec2/securityGroup:SecurityGroup", sg([{ protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: ["0.0.0.0/0"] }]), "web");
    const alb = res("aws:lb/loadBalancer:LoadBalancer", "alb", { loadBalancerType: "application" }, { provider: awsEu, propertyDependencies: { securityGroups: [web.urn] } });
    const svc = res("aws:ecs/service:Service", "svc", { networkConfiguration: { subnets: ["s"] } }, { provider: awsEu, propertyDependencies: { networkConfiguration: [web.urn] } });
    return { type: "aws:ec2/securityGroup:SecurityGroup", pass: [web, alb], fail: [web, alb, svc], expect: "'web': ingress[0] opens 80 to the internet" };
  })(),
  pair(
    "gcp:sql/databaseInstance:DatabaseInstance",
    { region: "europe-west1", settings: { ipConfiguration: { ipv4Enabled: true, authorizedNetworks: [{ name: "office", value: "203.0.113.0/24" }] } } },
    { region: "europe-west1", settings: { ipConfiguration: { ipv4Enabled: true, authorizedNetworks: [{ name: "all", value: "0.0.0.0/0" }] } } },
    "'r': settings.ipConfiguration.authorizedNetworks[0] authorizes 0.0.0.0/0",
  ),
  pair("aws:ec2/securityGroupRule:SecurityGroupRule", { type: "ingress", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"], securityGroupId: "sg" }, { type: "ingress", protocol: "tcp", fromPort: 3306, toPort: 3306, cidrBlocks: ["0.0.0.0/0"], securityGroupId: "sg" }, "opens 3306"),
  pair("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", { ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", securityGroupId: "sg" }, { ipProtocol: "tcp", fromPort: 0, toPort: 65535, cidrIpv4: "0.0.0.0/0", securityGroupId: "sg" }, "(all or many ports)"),
  pair(
    "azure-native:network:NetworkSecurityGroup",
    { location: "westeurope", securityRules: [{ name: "https", direction: "Inbound", access: "Allow", protocol: "Tcp", sourceAddressPrefix: "*", destinationPortRange: "443", priority: 100 }, { name: "deny", direction: "Inbound", access: "Deny", protocol: "*", sourceAddressPrefix: "Internet", destinationPortRange: "*", priority: 4000 }] },
    { location: "westeurope", securityRules: [{ name: "rdp", direction: "Inbound", access: "Allow", protocol: "Tcp", sourceAddressPrefix: "Internet", destinationPortRange: "3389", priority: 100 }] },
    "securityRules[0] 'rdp' opens 3389",
  ),
  pair("azure-native:network:SecurityRule", { name: "web", direction: "Inbound", access: "Allow", protocol: "Tcp", sourceAddressPrefix: "*", destinationPortRanges: ["80", "443"], priority: 100 }, { name: "ssh", direction: "Inbound", access: "Allow", protocol: "Tcp", sourceAddressPrefix: "0.0.0.0/0", destinationPortRange: "22", priority: 100 }, "opens 22"),
  pair("gcp:compute/firewall:Firewall", { network: "n", sourceRanges: ["0.0.0.0/0"], allows: [{ protocol: "tcp", ports: ["443"] }] }, { network: "n", sourceRanges: ["0.0.0.0/0"], allows: [{ protocol: "tcp", ports: ["22", "8000-8080"] }] }, "allows[0] opens 22"),
  pair("gcp:compute/firewall:Firewall", { network: "n", sourceRanges: ["130.211.0.0/22", "35.191.0.0/16"], allows: [{ protocol: "tcp", ports: ["80"] }] }, { network: "n", sourceRanges: ["0.0.0.0/0"], allows: [{ protocol: "tcp", ports: ["80"] }] }, "allows[0] opens 80 to the internet"),
];

const PUBLIC_IP: Case[] = [
  pair("aws:ec2/instance:Instance", { ami: "ami-1", associatePublicIpAddress: false }, { ami: "ami-1", associatePublicIpAddress: true }, "associatePublicIpAddress must be false"),
  pair("aws:ec2/instance:Instance", { ami: "ami-1", subnetId: "subnet-private" }, { ami: "ami-1", instanceType: "t3.micro" }, "lands in the default VPC"),
  pair("aws:ec2/launchTemplate:LaunchTemplate", { networkInterfaces: [{ associatePublicIpAddress: "false" }] }, { networkInterfaces: [{ associatePublicIpAddress: "true" }] }, "networkInterfaces[0].associatePublicIpAddress must be false"),
  pair("aws:ecs/service:Service", { launchType: "FARGATE", networkConfiguration: { subnets: ["subnet-private"], assignPublicIp: false } }, { launchType: "FARGATE", networkConfiguration: { subnets: ["subnet-public"], assignPublicIp: true } }, "networkConfiguration.assignPublicIp must be false"),
  pair(
    "azure-native:containerinstance:ContainerGroup",
    { location: "westeurope", osType: "Linux", ipAddress: { type: "Private", ports: [{ port: 443 }] }, subnetIds: [{ id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/aci" }] },
    { location: "westeurope", osType: "Linux", ipAddress: { type: "Public", ports: [{ port: 80, protocol: "Tcp" }] } },
    "ipAddress.type \"Public\" puts the container group on the internet (ports 80)",
  ),
  pair("azure-native:containerservice:ManagedCluster", { location: "westeurope", agentPoolProfiles: [{ name: "sys" }] }, { location: "westeurope", agentPoolProfiles: [{ name: "sys", enableNodePublicIP: true }] }, "agentPoolProfiles[0].enableNodePublicIP must be false"),
  pair("azure-native:containerservice:AgentPool", { enableNodePublicIP: false }, { enableNodePublicIP: true }, "enableNodePublicIP must be false"),
  pair("azure-native:network:NetworkInterface", { location: "westeurope", ipConfigurations: [{ name: "ip", subnet: { id: "s" } }] }, { location: "westeurope", ipConfigurations: [{ name: "ip", publicIPAddress: { id: "/x/publicIPAddresses/pip" } }] }, "publicIPAddress gives the interface a public IP"),
  pair("gcp:compute/instance:Instance", { zone: "europe-west1-b", networkInterfaces: [{ network: "default" }] }, { zone: "europe-west1-b", networkInterfaces: [{ network: "default", accessConfigs: [{}] }] }, "accessConfigs gives the instance an external IP"),
  pair("gcp:compute/instanceTemplate:InstanceTemplate", { networkInterfaces: [{ network: "default", accessConfigs: [] }] }, { networkInterfaces: [{ network: "default", accessConfigs: [{ networkTier: "PREMIUM" }] }] }, "external IP"),
  pair("gcp:container/nodePool:NodePool", { location: "europe-west1", networkConfig: { enablePrivateNodes: true } }, { location: "europe-west1", networkConfig: { enablePrivateNodes: false } }, "enablePrivateNodes must not be false"),
];

const GKE_SA: Case[] = [
  pair("gcp:container/cluster:Cluster", { location: "europe-west1", removeDefaultNodePool: true }, { location: "europe-west1", nodeConfig: { oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"] } }, "is not set, so nodes run as the Compute Engine default service account with the cloud-platform scope"),
  { ...pair("gcp:container/cluster:Cluster", { location: "europe-west1", enableAutopilot: true, clusterAutoscaling: { autoProvisioningDefaults: { serviceAccount: "nodes@p.iam.gserviceaccount.com" } } }, { location: "europe-west1", enableAutopilot: true }, "clusterAutoscaling.autoProvisioningDefaults.serviceAccount") },
  pair("gcp:container/nodePool:NodePool", { location: "europe-west1", nodeConfig: { serviceAccount: "nodes@p.iam.gserviceaccount.com", oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"] } }, { location: "europe-west1", nodeConfig: { serviceAccount: "123456789-compute@developer.gserviceaccount.com" } }, "'123456789-compute@developer.gserviceaccount.com' is the Compute Engine default"),
];

// ------------------------------------------------------------------------------------------
// Images outside Kubernetes.

const IMAGES: Case[] = [
  pair("aws:ecs/taskDefinition:TaskDefinition", { family: "web", containerDefinitions: JSON.stringify([{ name: "web", image: IMG }]) }, { family: "web", containerDefinitions: JSON.stringify([{ name: "web", image: IMG }, { name: "sidecar", image: HUB }]) }, "containerDefinitions[1].image 'nginx:1.27' is not from a eu registry"),
  pair("aws:batch/jobDefinition:JobDefinition", { type: "container", containerProperties: JSON.stringify({ image: IMG }) }, { type: "container", containerProperties: JSON.stringify({ image: "busybox" }) }, "containerProperties[0].image 'busybox'"),
  pair("aws:lambda/function:Function", { packageType: "Image", imageUri: IMG }, { packageType: "Image", imageUri: "123456789012.dkr.ecr.eu-central-1.amazonaws.com/app:latest" }, "imageUri '123456789012.dkr.ecr.eu-central-1.amazonaws.com/app:latest' is not pinned by @sha256 digest"),
  pair("gcp:cloudrunv2/service:Service", { location: "europe-west1", template: { containers: [{ image: IMG }] } }, { location: "europe-west1", template: { containers: [{ image: "us-docker.pkg.dev/cloudrun/container/hello" }] } }, "template.containers[0].image 'us-docker.pkg.dev/cloudrun/container/hello'"),
  pair("gcp:cloudrunv2/job:Job", { location: "europe-west1", template: { template: { containers: [{ image: IMG }] } } }, { location: "europe-west1", template: { template: { containers: [{ image: HUB }] } } }, "template.template.containers[0].image"),
  pair("gcp:cloudrun/service:Service", { location: "europe-west1", template: { spec: { containers: [{ image: IMG }] } } }, { location: "europe-west1", template: { spec: { containers: [{ image: "gcr.io/cloudrun/hello" }] } } }, "template.spec.containers[0].image 'gcr.io/cloudrun/hello'"),
  pair("azure-native:app:ContainerApp", { location: "westeurope", template: { containers: [{ name: "a", image: IMG }] } }, { location: "westeurope", template: { containers: [{ name: "a", image: IMG }], initContainers: [{ name: "i", image: "mcr.microsoft.com/k8se/quickstart:latest" }] } }, "template.initContainers[0].image"),
  pair("azure-native:app:Job", { location: "westeurope", template: { containers: [{ name: "a", image: IMG }] } }, { location: "westeurope", template: { containers: [{ name: "a", image: HUB }] } }, "template.containers[0].image 'nginx:1.27'"),
  pair("azure-native:containerinstance:ContainerGroup", { location: "westeurope", osType: "Linux", containers: [{ name: "a", image: IMG }] }, { location: "westeurope", osType: "Linux", containers: [{ name: "a", image: "mcr.microsoft.com/azuredocs/aci-helloworld" }] }, "containers[0].image"),
];

// ------------------------------------------------------------------------------------------
// Kubernetes: pod security, LoadBalancer TLS, cluster identity.

const restrictedPod = { securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } } };
const restrictedContainer = { name: "c", image: IMG, securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true } };
const rootContainer = { name: "c", image: IMG, securityContext: { runAsUser: 0, allowPrivilegeEscalation: true } };
const POD_TYPES: Record<string, (pod: Props) => Props> = {
  "kubernetes:core/v1:Pod": (pod) => ({ spec: pod }),
  "kubernetes:apps/v1:Deployment": (pod) => ({ spec: { template: { spec: pod } } }),
  "kubernetes:apps/v1:StatefulSet": (pod) => ({ spec: { template: { spec: pod } } }),
  "kubernetes:apps/v1:DaemonSet": (pod) => ({ spec: { template: { spec: pod } } }),
  "kubernetes:apps/v1:ReplicaSet": (pod) => ({ spec: { template: { spec: pod } } }),
  "kubernetes:batch/v1:Job": (pod) => ({ spec: { template: { spec: pod } } }),
  "kubernetes:batch/v1:CronJob": (pod) => ({ spec: { jobTemplate: { spec: { template: { spec: pod } } } } }),
};
// In a namespace the stack does not create ("default"), which is the point of the rule.
const workload = (type: string, pod: Props) => ({ metadata: { namespace: "default" }, ...POD_TYPES[type]!(pod) });

const POD_SECURITY: Case[] = Object.keys(POD_TYPES).map((type) =>
  pair(type, workload(type, { ...restrictedPod, containers: [restrictedContainer] }), workload(type, { containers: [rootContainer] }), "runAsNonRoot must be true"),
);
const ROOTFS: Case[] = Object.keys(POD_TYPES).map((type) =>
  pair(type, workload(type, { ...restrictedPod, containers: [restrictedContainer] }), workload(type, { ...restrictedPod, containers: [{ ...restrictedContainer, securityContext: { allowPrivilegeEscalation: false } }] }), "readOnlyRootFilesystem is not true"),
);

const svc = (annotations: Record<string, string>, ports: unknown[]) => ({ metadata: { name: "web", annotations }, spec: { type: "LoadBalancer", ports } });
const LB_TLS: Case[] = [
  pair("kubernetes:core/v1:Service", svc({}, [{ name: "https", port: 443 }]), svc({}, [{ name: "http", port: 80 }]), "public LoadBalancer Service exposes port 80 without TLS"),
  pair(
    "kubernetes:core/v1:Service",
    svc({ "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": "arn:aws:acm:eu-central-1:1:certificate/c", "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "https" }, [{ name: "https", port: 8443 }]),
    svc({ "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": "arn:aws:acm:eu-central-1:1:certificate/c", "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "https" }, [{ name: "https", port: 8443 }, { name: "http", port: 80 }]),
    "exposes port 80",
  ),
  pair("kubernetes:core/v1:Service", svc({ "service.beta.kubernetes.io/azure-load-balancer-internal": "true" }, [{ port: 80 }]), svc({ "service.beta.kubernetes.io/azure-load-balancer-internal": "false" }, [{ port: 80 }]), "exposes port 80"),
];

/** A kubeconfig as kubectl reads it (pulumi-eks names its context `aws`). */
export function kubeconfig(server: string, context = "aws"): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    "current-context": context,
    contexts: [{ name: context, context: { cluster: "c", user: "u" } }],
    clusters: [{ name: "c", cluster: { server, "certificate-authority-data": "LS0t" } }],
    users: [{ name: "u", user: { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: "aws" } } }],
  });
}
const EKS_EU = "https://0123456789ABCDEF.gr7.eu-central-1.eks.amazonaws.com";
const EKS_US = "https://0123456789ABCDEF.yl4.us-east-1.eks.amazonaws.com";
const K8S = "pulumi:providers:kubernetes";
const k8sProvider = (props: Props, deps: Record<string, PlannedResource[]> = {}, name = "k8s") =>
  res(K8S, name, props, { propertyDependencies: Object.fromEntries(Object.entries(deps).map(([k, v]) => [k, v.map((d) => d.urn)])) });

const clusterOf = (type: string, props: Props, p: typeof awsEu) => res(type, "cluster", props, { provider: p });
const gkeIp = "https://34.76.1.2";
const PROVIDER_DOMAIN: Case[] = [
  pair(K8S, { kubeconfig: kubeconfig(EKS_EU) }, { kubeconfig: kubeconfig(EKS_US, "meridian-eu-workload") }, "API server 0123456789abcdef.yl4.us-east-1.eks.amazonaws.com (aws us-east-1, domain us) is not in the eu domain"),
  {
    type: "aws:eks/cluster:Cluster",
    pass: (() => {
      const c = clusterOf("aws:eks/cluster:Cluster", {}, awsEu);
      return [c, k8sProvider({ kubeconfig: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" }, { kubeconfig: [c] })];
    })(),
    fail: (() => {
      const c = clusterOf("aws:eks/cluster:Cluster", {}, awsUs);
      return [c, k8sProvider({ kubeconfig: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" }, { kubeconfig: [c] })];
    })(),
    expect: "cluster resource 'cluster' in 'us-east-1' (domain us) is not in the eu domain",
  },
  {
    type: "gcp:container/cluster:Cluster",
    pass: (() => {
      const c = clusterOf("gcp:container/cluster:Cluster", { location: "europe-west1" }, gcpEu);
      return [c, k8sProvider({ kubeconfig: kubeconfig(gkeIp, "gke_p_europe-west1_eu") }, { kubeconfig: [c] })];
    })(),
    fail: (() => {
      const c = clusterOf("gcp:container/cluster:Cluster", { location: "us-central1" }, gcpEu);
      return [c, k8sProvider({ kubeconfig: kubeconfig(gkeIp, "gke_p_europe-west1_eu") }, { kubeconfig: [c] })];
    })(),
    expect: "'us-central1' (domain us)",
  },
  {
    type: "azure-native:containerservice:ManagedCluster",
    pass: (() => {
      const c = clusterOf("azure-native:containerservice:ManagedCluster", { location: "westeurope" }, azureEu);
      return [c, k8sProvider({ kubeconfig: kubeconfig("https://aks-1a2b.hcp.westeurope.azmk8s.io:443") }, { kubeconfig: [c] })];
    })(),
    fail: (() => {
      const c = clusterOf("azure-native:containerservice:ManagedCluster", { location: "westeurope" }, azureEu);
      return [c, k8sProvider({ kubeconfig: kubeconfig("https://aks-1a2b.hcp.eastus.azmk8s.io:443") }, { kubeconfig: [c] })];
    })(),
    expect: "(azure eastus, domain us)",
  },
  {
    type: "pulumi:pulumi:StackReference",
    pass: (() => {
      const ref = res("pulumi:pulumi:StackReference", "cluster-stack", { name: "organization/meridian/eu-foundation-aws" });
      return [ref, k8sProvider({ kubeconfig: kubeconfig(gkeIp) }, { kubeconfig: [ref] })];
    })(),
    fail: (() => {
      const ref = res("pulumi:pulumi:StackReference", "cluster-stack", { name: "organization/meridian/us-foundation-aws" });
      return [ref, k8sProvider({ kubeconfig: kubeconfig(gkeIp) }, { kubeconfig: [ref] })];
    })(),
    expect: "the kubeconfig of stack 'organization/meridian/us-foundation-aws' (domain us) is not in the eu domain",
  },
];

export const BREADTH_CASES: Record<string, Case[]> = {
  "meridian-aws-datastore-cmk-require": AWS_CMK,
  "meridian-azure-datastore-cmk-require": AZURE_CMK,
  "meridian-gcp-datastore-cmk-require": GCP_CMK,
  "meridian-residency-multiregion-replica-refuse": MULTI_REGION,
  "meridian-residency-global-edge-target-domain": EDGE,
  "meridian-baseline-http-listener-redirect": HTTP_REDIRECT,
  "meridian-baseline-transit-tls-require": TLS,
  "meridian-baseline-resource-policy-public-refuse": PUBLIC,
  "meridian-aws-s3-public-access-block": PAB,
  "meridian-baseline-website-endpoint-refuse": WEBSITE,
  "meridian-baseline-ingress-open-restrict": INGRESS,
  "meridian-baseline-node-public-ip-refuse": PUBLIC_IP,
  "meridian-gcp-gke-node-serviceaccount-restrict": GKE_SA,
  "meridian-baseline-container-image-pin": IMAGES,
  "meridian-kubernetes-workload-securitycontext-restrict": POD_SECURITY,
  "meridian-kubernetes-service-loadbalancer-tls": LB_TLS,
  "meridian-kubernetes-provider-cluster-domain": PROVIDER_DOMAIN,
};

/** Advisory policies: their fail case reports at their own (advisory) level. */
export const ADVISORY_CASES: Record<string, Case[]> = {
  "meridian-kubernetes-workload-rootfs-readonly": ROOTFS,
};

/** Extra cases for existing policies (new types they now cover). */
export const LOG_EXPORT_CASES = LOG_EXPORTS;
