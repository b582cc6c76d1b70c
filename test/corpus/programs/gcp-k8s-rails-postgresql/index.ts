// Re-write (our code) after pulumi/examples gcp-ts-k8s-ruby-on-rails-postgresql: a GKE
// cluster with default nodes, a Cloud SQL PostgreSQL open to any address, and a Rails app
// image from Docker Hub behind a LoadBalancer Service.
import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

const db = new gcp.sql.DatabaseInstance("web-db", {
  databaseVersion: "POSTGRES_15",
  region: "europe-west1",
  deletionProtection: false,
  settings: { tier: "db-f1-micro", ipConfiguration: { ipv4Enabled: true, authorizedNetworks: [{ name: "all", value: "0.0.0.0/0" }] } },
});
new gcp.sql.User("web-db-user", { instance: db.name, name: "rails", password: pulumi.secret("not-a-real-password") });

const cluster = new gcp.container.Cluster("rails-cluster", {
  location: "europe-west1-b",
  initialNodeCount: 2,
  deletionProtection: false,
  nodeConfig: { machineType: "n1-standard-1", oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"] },
});

// The kubeconfig is built from the cluster's endpoint, as the original's cluster.ts does.
const kubeconfig = pulumi.all([cluster.name, cluster.endpoint, cluster.masterAuth]).apply(([name, endpoint, auth]) =>
  JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name, cluster: { server: `https://${endpoint}`, "certificate-authority-data": auth.clusterCaCertificate } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    "current-context": name,
    users: [{ name, user: { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: "gke-gcloud-auth-plugin" } } }],
  }),
);
const provider = new k8s.Provider("gke", { kubeconfig });

const labels = { app: "rails-app" };
const app = new k8s.apps.v1.Deployment(
  "rails-deployment",
  {
    spec: {
      selector: { matchLabels: labels },
      replicas: 1,
      template: {
        metadata: { labels },
        spec: { containers: [{ name: "rails-app", image: "example/rails-app:latest", env: [{ name: "DB_HOST", value: db.firstIpAddress }], ports: [{ containerPort: 3000 }] }] },
      },
    },
  },
  { provider },
);
const service = new k8s.core.v1.Service(
  "rails-service",
  { metadata: { labels: app.metadata.labels }, spec: { type: "LoadBalancer", ports: [{ port: 3000, targetPort: 3000 }], selector: labels } },
  { provider },
);

export const appIp = service.status.loadBalancer.ingress[0].ip;
