// Re-write (our code) after pulumi/examples azure-ts-cosmosdb-logicapp: a Cosmos DB account,
// database and container, and the storage account the Logic App uses.
import * as documentdb from "@pulumi/azure-native/cosmosdb";
import * as resources from "@pulumi/azure-native/resources";
import * as storage from "@pulumi/azure-native/storage";

const rg = new resources.ResourceGroup("logicappdemo-rg");
new storage.StorageAccount("logicappdemosa", { resourceGroupName: rg.name, kind: storage.Kind.StorageV2, sku: { name: storage.SkuName.Standard_LRS } });

const account = new documentdb.DatabaseAccount("logicappdemo-cdb", {
  resourceGroupName: rg.name,
  databaseAccountOfferType: documentdb.DatabaseAccountOfferType.Standard,
  locations: [{ locationName: "westeurope", failoverPriority: 0 }],
  consistencyPolicy: { defaultConsistencyLevel: documentdb.DefaultConsistencyLevel.Session },
});
const db = new documentdb.SqlResourceSqlDatabase("sqldb", { resourceGroupName: rg.name, accountName: account.name, resource: { id: "sqldb" } });
new documentdb.SqlResourceSqlContainer("container", {
  resourceGroupName: rg.name,
  accountName: account.name,
  databaseName: db.name,
  resource: { id: "container", partitionKey: { paths: ["/myPartitionKey"], kind: "Hash" } },
});

export const cosmosEndpoint = account.documentEndpoint;
