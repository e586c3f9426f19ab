// @azure/data-tables with an azcred ClientSecretCredential.
import { TableClient, TableServiceClient } from '@azure/data-tables';
import { ClientSecretCredential, AzureAuthorityHosts } from 'azcred';

export async function main(): Promise<void> {
  const credential = new ClientSecretCredential('tenant', 'client', 'secret', {
    authorityHost: AzureAuthorityHosts.AzureGovernment,
    additionallyAllowedTenants: ['*'],
  });
  const table = new TableClient('https://account.table.core.windows.net', 'orders', credential);
  const service = new TableServiceClient('https://account.table.core.windows.net', credential);
  await table.createEntity({ partitionKey: 'p', rowKey: 'r', amount: 1 });
  console.log(service.url);
}
