// @azure/cosmos with an azcred DefaultAzureCredential as aadCredentials.
import { CosmosClient } from '@azure/cosmos';
import { DefaultAzureCredential, ClientAssertionCredential } from 'azcred';

export async function main(): Promise<void> {
  const client = new CosmosClient({ endpoint: 'https://account.documents.azure.com', aadCredentials: new DefaultAzureCredential() });
  const other = new CosmosClient({
    endpoint: 'https://account.documents.azure.com',
    aadCredentials: new ClientAssertionCredential('t', 'c', async () => 'jwt'),
  });
  const { resource } = await client.database('db').container('c').item('id', 'pk').read();
  console.log(resource, other);
}
