// @azure/keyvault-secrets with azcred's developer-tool credentials.
import { SecretClient } from '@azure/keyvault-secrets';
import { AzureCliCredential, AzureDeveloperCliCredential, AzurePowerShellCredential, ChainedTokenCredential } from 'azcred';

export async function main(): Promise<void> {
  const client = new SecretClient('https://vault.vault.azure.net', new AzureCliCredential({ subscription: 's' }));
  const chained = new SecretClient(
    'https://vault.vault.azure.net',
    new ChainedTokenCredential(new AzureDeveloperCliCredential(), new AzurePowerShellCredential()),
  );
  const secret = await client.getSecret('name');
  console.log(secret.value, chained.vaultUrl);
}
