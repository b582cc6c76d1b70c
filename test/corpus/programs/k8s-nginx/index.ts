// Re-write (our code) after pulumi/examples kubernetes-ts-nginx: an nginx Deployment from
// Docker Hub by tag, with no securityContext.
import * as k8s from "@pulumi/kubernetes";

const labels = { app: "nginx" };
const nginx = new k8s.apps.v1.Deployment("nginx", {
  spec: {
    selector: { matchLabels: labels },
    replicas: 2,
    template: { metadata: { labels }, spec: { containers: [{ name: "nginx", image: "nginx:1.25", ports: [{ containerPort: 80 }] }] } },
  },
});

export const name = nginx.metadata.name;
