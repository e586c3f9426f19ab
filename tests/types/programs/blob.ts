// The README's example: an azcred credential given to @azure/storage-blob's BlobServiceClient.
import { BlobServiceClient, ContainerClient, BlobClient, BlockBlobClient } from '@azure/storage-blob';
import { DefaultAzureCredential, ManagedIdentityCredential, AzureCliCredential } from 'azcred';

export async function main(): Promise<void> {
  const service = new BlobServiceClient('https://account.blob.core.windows.net', new DefaultAzureCredential());
  const container = new ContainerClient('https://account.blob.core.windows.net/c', new ManagedIdentityCredential('id'));
  const blob = new BlobClient('https://account.blob.core.windows.net/c/b', new AzureCliCredential());
  const block = new BlockBlobClient('https://account.blob.core.windows.net/c/b', new DefaultAzureCredential({ tenantId: 't' }));
  const key = await service.getUserDelegationKey(new Date(), new Date(Date.now() + 3600_000));
  console.log(key.signedObjectId, container.containerName, blob.name, block.name);
}
