// What the types must reject, as @azure/identity's do (each line must be an error).
import {
  AzureAuthorityHosts,
  ChainedTokenCredential,
  ClientSecretCredential,
  DefaultAzureCredential,
  ManagedIdentityCredential,
  WorkloadIdentityCredential,
  getBearerTokenProvider,
  logger,
  type AccessToken,
  type DefaultAzureCredentialEnvVars,
  type TokenCredential,
  type TokenCachePersistenceOptions,
} from 'azcred';

export async function main(): Promise<void> {
  // @ts-expect-error only one of clientId, resourceId, objectId
  new ManagedIdentityCredential({ clientId: 'c', resourceId: '/subscriptions/x' });
  // @ts-expect-error only one of clientId, resourceId, objectId
  new ManagedIdentityCredential({ objectId: 'o', resourceId: '/subscriptions/x' });
  // @ts-expect-error only one of managedIdentityClientId and managedIdentityResourceId
  new DefaultAzureCredential({ managedIdentityClientId: 'c', managedIdentityResourceId: '/subscriptions/x' });
  // @ts-expect-error not an environment variable DefaultAzureCredential knows
  const v: DefaultAzureCredentialEnvVars = 'AZURE_SECRET';
  // @ts-expect-error a string is not an AzureAuthorityHosts
  const h: AzureAuthorityHosts = 'https://login.microsoftonline.com';
  // @ts-expect-error authorityHost is a string
  new ClientSecretCredential('t', 'c', 's', { authorityHost: 1 });
  // @ts-expect-error retryOptions.maxRetries is a number
  new ClientSecretCredential('t', 'c', 's', { retryOptions: { maxRetries: '3' } });
  // @ts-expect-error httpClient needs sendRequest
  new ClientSecretCredential('t', 'c', 's', { httpClient: {} });
  // @ts-expect-error proxyOptions needs host and port
  new ManagedIdentityCredential({ proxyOptions: { host: 'http://proxy' } });
  // @ts-expect-error userAgentPrefix is a string
  new WorkloadIdentityCredential({ userAgentOptions: { userAgentPrefix: 1 } });
  // @ts-expect-error allowLoggingAccountIdentifiers is a boolean
  new DefaultAzureCredential({ loggingOptions: { allowLoggingAccountIdentifiers: 'yes' } });
  // @ts-expect-error enabled is required
  const cache: TokenCachePersistenceOptions = { name: 'x' };
  // @ts-expect-error sources are TokenCredentials
  new ChainedTokenCredential({ getToken: 5 });
  // @ts-expect-error getToken resolves to an AccessToken, not a string
  const bad: TokenCredential = { getToken: async () => 'token' };
  // @ts-expect-error an AccessToken has a token and an expiry
  const t: AccessToken = { token: 't' };
  // @ts-expect-error abortSignal is an AbortSignalLike
  await new DefaultAzureCredential().getToken('s', { abortSignal: true });
  // @ts-expect-error resourceRequestMethod is an HTTP method
  await new DefaultAzureCredential().getToken('s', { proofOfPossessionOptions: { nonce: 'n', resourceRequestMethod: 'FETCH', resourceRequestUrl: 'u' } });
  // @ts-expect-error getBearerTokenProvider needs a credential
  getBearerTokenProvider({}, 's');
  // @ts-expect-error the logger has no "debug" level
  logger.debug('x');
  console.log(v, h, cache, bad, t);
}
