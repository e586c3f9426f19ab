// @azure/service-bus with an azcred ChainedTokenCredential and EnvironmentCredential.
import { ServiceBusClient, ServiceBusAdministrationClient } from '@azure/service-bus';
import { ChainedTokenCredential, EnvironmentCredential, ManagedIdentityCredential } from 'azcred';

export async function main(): Promise<void> {
  const credential = new ChainedTokenCredential(new EnvironmentCredential(), new ManagedIdentityCredential());
  const client = new ServiceBusClient('ns.servicebus.windows.net', credential);
  const admin = new ServiceBusAdministrationClient('ns.servicebus.windows.net', new EnvironmentCredential());
  const sender = client.createSender('queue');
  await sender.sendMessages({ body: 'hello' });
  await sender.close();
  console.log(typeof admin.getQueue);
  await client.close();
}
