// Re-write (our code) after pulumi/examples azure-ts-static-website: a storage account
// serving a static website, fronted by an Azure CDN endpoint.
import * as cdn from "@pulumi/azure-native/cdn";
import * as resources from "@pulumi/azure-native/resources";
import * as storage from "@pulumi/azure-native/storage";

const rg = new resources.ResourceGroup("resourceGroup");
const account = new storage.StorageAccount("storageaccount", {
  resourceGroupName: rg.name,
  kind: storage.Kind.StorageV2,
  sku: { name: storage.SkuName.Standard_LRS },
});
new storage.StorageAccountStaticWebsite("staticWebsite", { accountName: account.name, resourceGroupName: rg.name, indexDocument: "index.html", error404Document: "404.html" });
new storage.Blob("index.html", { accountName: account.name, resourceGroupName: rg.name, containerName: "$web", contentType: "text/html", source: undefined });

const profile = new cdn.Profile("profile", { resourceGroupName: rg.name, location: "global", sku: { name: cdn.SkuName.Standard_Microsoft } });
const host = account.primaryEndpoints.apply((e) => e.web.replace("https://", "").replace("/", ""));
const endpoint = new cdn.Endpoint("endpoint", {
  resourceGroupName: rg.name,
  profileName: profile.name,
  location: "global",
  isHttpAllowed: false,
  isHttpsAllowed: true,
  originHostHeader: host,
  origins: [{ name: "origin", hostName: host }],
});

export const staticEndpoint = account.primaryEndpoints.web;
export const cdnEndpoint = endpoint.hostName;
