// @azure/app-configuration with an azcred credential.
import { AppConfigurationClient } from '@azure/app-configuration';
import { DefaultAzureCredential, getDefaultAzureCredential } from 'azcred';

export async function main(): Promise<void> {
  const client = new AppConfigurationClient('https://config.azconfig.io', new DefaultAzureCredential({ managedIdentityClientId: 'c' }));
  const other = new AppConfigurationClient('https://config.azconfig.io', getDefaultAzureCredential());
  const setting = await client.getConfigurationSetting({ key: 'k' });
  console.log(setting.value, other);
}
