// @azure/keyvault-keys (KeyClient, CryptographyClient) with an azcred WorkloadIdentityCredential.
import { KeyClient, CryptographyClient } from '@azure/keyvault-keys';
import { WorkloadIdentityCredential, ClientCertificateCredential } from 'azcred';

export async function main(): Promise<void> {
  const credential = new WorkloadIdentityCredential({ tenantId: 't', clientId: 'c', tokenFilePath: '/var/run/token' });
  const keys = new KeyClient('https://vault.vault.azure.net', credential);
  const key = await keys.getKey('k');
  const crypto = new CryptographyClient(key.id ?? 'https://vault.vault.azure.net/keys/k', new ClientCertificateCredential('t', 'c', '/c.pem'));
  const signed = await crypto.sign('RS256', new Uint8Array(32));
  console.log(signed.result.length);
}
