// Re-write (our code) after pulumi/examples kubernetes-ts-guestbook (simple): Redis leader
// and replica and the PHP frontend, images from Docker Hub by tag, no securityContext, the
// frontend on a LoadBalancer Service.
import * as k8s from "@pulumi/kubernetes";

function deployment(name: string, image: string, port: number, replicas = 1) {
  const labels = { app: name };
  return new k8s.apps.v1.Deployment(name, {
    spec: {
      selector: { matchLabels: labels },
      replicas,
      template: {
        metadata: { labels },
        spec: { containers: [{ name, image, resources: { requests: { cpu: "100m", memory: "100Mi" } }, ports: [{ containerPort: port }] }] },
      },
    },
  });
}

deployment("redis-leader", "redis", 6379);
new k8s.core.v1.Service("redis-leader", { metadata: { name: "redis-leader" }, spec: { ports: [{ port: 6379, targetPort: 6379 }], selector: { app: "redis-leader" } } });
deployment("redis-replica", "pulumi/guestbook-redis-replica", 6379);
new k8s.core.v1.Service("redis-replica", { metadata: { name: "redis-replica" }, spec: { ports: [{ port: 6379, targetPort: 6379 }], selector: { app: "redis-replica" } } });
deployment("frontend", "pulumi/guestbook-php-redis", 80, 3);
const frontend = new k8s.core.v1.Service("frontend", { metadata: { name: "frontend" }, spec: { type: "LoadBalancer", ports: [{ port: 80 }], selector: { app: "frontend" } } });

export const frontendIp = frontend.status.loadBalancer.ingress[0].ip;
