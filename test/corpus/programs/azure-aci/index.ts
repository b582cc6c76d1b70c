// Re-write (our code) after pulumi/examples azure-ts-aci: a container group from a public
// image on a public IP address, port 80.
import * as containerinstance from "@pulumi/azure-native/containerinstance";
import * as resources from "@pulumi/azure-native/resources";

const rg = new resources.ResourceGroup("aci-rg");
const group = new containerinstance.ContainerGroup("containerGroup", {
  resourceGroupName: rg.name,
  osType: "Linux",
  containers: [
    {
      name: "acilinuxpublicipcontainergroup",
      image: "mcr.microsoft.com/azuredocs/aci-helloworld",
      ports: [{ port: 80 }],
      resources: { requests: { cpu: 1, memoryInGB: 1.5 } },
    },
  ],
  ipAddress: { ports: [{ port: 80, protocol: "Tcp" }], type: "Public" },
  restartPolicy: "always",
});

export const containerIPv4Address = group.ipAddress.apply((ip) => ip?.ip);
