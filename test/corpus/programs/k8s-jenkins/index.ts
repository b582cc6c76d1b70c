// Re-write (our code) after pulumi/examples kubernetes-ts-jenkins: Jenkins from Docker Hub
// with a persistent volume and its admin password in a Secret, exposed on a LoadBalancer
// Service over plain HTTP.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

const labels = { app: "jenkins" };
new k8s.core.v1.Secret("jenkins-secret", { stringData: { "jenkins-password": pulumi.secret("not-a-real-password") } });
const pvc = new k8s.core.v1.PersistentVolumeClaim("jenkins-pvc", { spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "8Gi" } } } });
new k8s.apps.v1.Deployment("jenkins", {
  spec: {
    selector: { matchLabels: labels },
    template: {
      metadata: { labels },
      spec: {
        volumes: [{ name: "jenkins-data", persistentVolumeClaim: { claimName: pvc.metadata.name } }],
        containers: [
          {
            name: "jenkins",
            image: "jenkins/jenkins:lts",
            ports: [{ name: "http", containerPort: 8080 }, { name: "agent", containerPort: 50000 }],
            volumeMounts: [{ name: "jenkins-data", mountPath: "/var/jenkins_home" }],
          },
        ],
      },
    },
  },
});
const service = new k8s.core.v1.Service("jenkins", { spec: { type: "LoadBalancer", ports: [{ name: "http", port: 80, targetPort: "http" }], selector: labels } });

export const ip = service.status.loadBalancer.ingress[0].ip;
