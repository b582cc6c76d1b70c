// Re-write (our code) after pulumi/examples azure-ts-webserver: a Linux VM with a public IP
// address on its NIC, password login, and a platform-encrypted OS disk.
import * as compute from "@pulumi/azure-native/compute";
import * as network from "@pulumi/azure-native/network";
import * as resources from "@pulumi/azure-native/resources";
import * as pulumi from "@pulumi/pulumi";

const rg = new resources.ResourceGroup("server-rg");
const vnet = new network.VirtualNetwork("server-network", {
  resourceGroupName: rg.name,
  addressSpace: { addressPrefixes: ["10.0.0.0/16"] },
  subnets: [{ name: "default", addressPrefix: "10.0.1.0/24" }],
});
const ip = new network.PublicIPAddress("server-ip", { resourceGroupName: rg.name, publicIPAllocationMethod: network.IPAllocationMethod.Dynamic });
const nic = new network.NetworkInterface("server-nic", {
  resourceGroupName: rg.name,
  ipConfigurations: [
    { name: "webserveripcfg", subnet: { id: vnet.subnets.apply((s) => s![0].id!) }, privateIPAllocationMethod: network.IPAllocationMethod.Dynamic, publicIPAddress: { id: ip.id } },
  ],
});
new compute.VirtualMachine("server-vm", {
  resourceGroupName: rg.name,
  networkProfile: { networkInterfaces: [{ id: nic.id }] },
  hardwareProfile: { vmSize: compute.VirtualMachineSizeTypes.Standard_A0 },
  osProfile: { computerName: "hostname", adminUsername: "testadmin", adminPassword: pulumi.secret("Passw0rd-not-real"), linuxConfiguration: { disablePasswordAuthentication: false } },
  storageProfile: {
    osDisk: { createOption: compute.DiskCreateOptionTypes.FromImage, name: "myosdisk1" },
    imageReference: { publisher: "canonical", offer: "UbuntuServer", sku: "16.04-LTS", version: "latest" },
  },
});

export const publicIp = ip.ipAddress;
