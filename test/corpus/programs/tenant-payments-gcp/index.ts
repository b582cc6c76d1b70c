// Tenant-style program (written for meridian): the payments team's data plane in the EU
// GCP project. Cloud SQL and the ledger bucket are done right (domain key, TLS, private);
// the events topic has no key, and the analytics dataset sits in the US multi-region.
import * as gcp from "@pulumi/gcp";

const ring = new gcp.kms.KeyRing("payments-ring", { location: "europe-west1" });
const key = new gcp.kms.CryptoKey("payments-key", { keyRing: ring.id, rotationPeriod: "7776000s" });

new gcp.sql.DatabaseInstance("payments-db", {
  databaseVersion: "POSTGRES_15",
  region: "europe-west1",
  encryptionKeyName: key.id,
  settings: {
    tier: "db-custom-2-7680",
    ipConfiguration: { ipv4Enabled: false, privateNetwork: "projects/meridian-eu-prod/global/networks/payments", sslMode: "TRUSTED_CLIENT_CERTIFICATE_REQUIRED" },
    backupConfiguration: { enabled: true, location: "europe-west1" },
  },
});

new gcp.storage.Bucket("payments-ledger", {
  location: "EUROPE-WEST1",
  uniformBucketLevelAccess: true,
  publicAccessPrevention: "enforced",
  encryption: { defaultKmsKeyName: key.id },
  versioning: { enabled: true },
});

new gcp.pubsub.Topic("payments-events", { messageRetentionDuration: "86400s" });

new gcp.bigquery.Dataset("payments_analytics", { datasetId: "payments_analytics", location: "US" });
