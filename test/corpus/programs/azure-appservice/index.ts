// Re-write (our code) after pulumi/examples azure-ts-appservice: a web app on an App Service
// plan, its package in a blob, and an Azure SQL server and database it connects to.
import * as resources from "@pulumi/azure-native/resources";
import * as sql from "@pulumi/azure-native/sql";
import * as storage from "@pulumi/azure-native/storage";
import * as web from "@pulumi/azure-native/web";
import * as pulumi from "@pulumi/pulumi";

const rg = new resources.ResourceGroup("appservice-rg");
const sa = new storage.StorageAccount("sa", { resourceGroupName: rg.name, kind: storage.Kind.StorageV2, sku: { name: storage.SkuName.Standard_LRS } });
const container = new storage.BlobContainer("container", { accountName: sa.name, resourceGroupName: rg.name, publicAccess: storage.PublicAccess.None });
new storage.Blob("blob", { accountName: sa.name, resourceGroupName: rg.name, containerName: container.name, source: new pulumi.asset.StringAsset("app") });

const plan = new web.AppServicePlan("asp", { resourceGroupName: rg.name, kind: "App", sku: { name: "B1", tier: "Basic" } });

const config = new pulumi.Config();
const sqlServer = new sql.Server("sqlserver", {
  resourceGroupName: rg.name,
  administratorLogin: "pulumi",
  administratorLoginPassword: config.getSecret("sqlPassword") ?? pulumi.secret("not-a-real-password-1!"),
  version: "12.0",
});
const db = new sql.Database("db", { resourceGroupName: rg.name, serverName: sqlServer.name, sku: { name: "S0" } });

const app = new web.WebApp("webapp", {
  resourceGroupName: rg.name,
  serverFarmId: plan.id,
  siteConfig: {
    appSettings: [{ name: "WEBSITE_RUN_FROM_PACKAGE", value: "1" }],
    connectionStrings: [{ name: "db", type: web.ConnectionStringType.SQLAzure, connectionString: pulumi.interpolate`Server=tcp:${sqlServer.name}.database.windows.net;initial catalog=${db.name};` }],
  },
});

export const endpoint = pulumi.interpolate`https://${app.defaultHostName}`;
