// Compiled with `tsc --noEmit` by the test suite: azcred/web as a Worker or a page uses it, with
// the Node build's types, and its credentials passed to an SDK client where a core-auth
// TokenCredential goes.
import type { TokenCredential } from '@azure/core-auth';
import { BlobServiceClient } from '@azure/storage-blob';
import {
  AuthenticationRequiredError,
  ClientCertificateCredential,
  ClientSecretCredential,
  DeviceCodeCredential,
  OnBehalfOfCredential,
  backend,
  getBearerTokenProvider,
  type AccessToken,
  type DeviceCodeInfo,
} from 'azcred/web';

export async function worker(env: { TENANT: string; CLIENT: string; SECRET: string; PEM: string }): Promise<string> {
  const secret = new ClientSecretCredential(env.TENANT, env.CLIENT, env.SECRET);
  const core: TokenCredential = secret;
  new BlobServiceClient('https://account.blob.core.windows.net', core);
  const cert = new ClientCertificateCredential(env.TENANT, env.CLIENT, { certificate: env.PEM });
  const obo = new OnBehalfOfCredential({ tenantId: env.TENANT, clientId: env.CLIENT, clientSecret: env.SECRET, userAssertionToken: 'u' });
  const device = new DeviceCodeCredential({ userPromptCallback: (info: DeviceCodeInfo) => console.log(info.message) });
  const token: AccessToken = await cert.getToken('https://storage.azure.com/.default');
  const provider = getBearerTokenProvider(obo, 'https://graph.microsoft.com/.default');
  const record = await device.authenticate('https://storage.azure.com/.default');
  const which: 'wasm' = backend;
  try {
    await secret.getToken('s');
  } catch (e) {
    if (e instanceof AuthenticationRequiredError) console.log(e.scopes);
  }
  return `${token.token}${await provider()}${record?.username}${which}`;
}
