// @azure/storage-queue with an azcred ManagedIdentityCredential.
import { QueueServiceClient, QueueClient } from '@azure/storage-queue';
import { ManagedIdentityCredential } from 'azcred';

export async function main(): Promise<void> {
  const credential = new ManagedIdentityCredential({ clientId: 'client-id' });
  const service = new QueueServiceClient('https://account.queue.core.windows.net', credential);
  const queue = new QueueClient('https://account.queue.core.windows.net/q', new ManagedIdentityCredential({ resourceId: '/subscriptions/x' }));
  await queue.sendMessage('hello');
  console.log(service.url);
}
