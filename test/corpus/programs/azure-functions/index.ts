// Re-write (our code) after pulumi/examples azure-ts-functions: a consumption function app
// running from a package blob in a storage account.
import * as resources from "@pulumi/azure-native/resources";
import * as storage from "@pulumi/azure-native/storage";
import * as web from "@pulumi/azure-native/web";
import * as pulumi from "@pulumi/pulumi";

const rg = new resources.ResourceGroup("functions-rg");
const sa = new storage.StorageAccount("sa", { resourceGroupName: rg.name, kind: storage.Kind.StorageV2, sku: { name: storage.SkuName.Standard_LRS } });
const zips = new storage.BlobContainer("zips", { accountName: sa.name, resourceGroupName: rg.name, publicAccess: storage.PublicAccess.None });
const zip = new storage.Blob("zip", { accountName: sa.name, resourceGroupName: rg.name, containerName: zips.name, source: new pulumi.asset.StringAsset("code") });
const plan = new web.AppServicePlan("plan", { resourceGroupName: rg.name, sku: { name: "Y1", tier: "Dynamic" } });

const app = new web.WebApp("fa", {
  resourceGroupName: rg.name,
  serverFarmId: plan.id,
  kind: "functionapp",
  siteConfig: {
    appSettings: [
      { name: "FUNCTIONS_EXTENSION_VERSION", value: "~4" },
      { name: "FUNCTIONS_WORKER_RUNTIME", value: "node" },
      { name: "WEBSITE_RUN_FROM_PACKAGE", value: pulumi.interpolate`https://${sa.name}.blob.core.windows.net/${zips.name}/${zip.name}` },
    ],
  },
});

export const endpoint = pulumi.interpolate`https://${app.defaultHostName}/api/HelloNode`;
