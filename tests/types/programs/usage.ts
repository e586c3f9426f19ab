// Compiled with `tsc --noEmit` by the test suite: the public types accept what @azure/identity
// users write, and reject what they must not.
import {
  AccessToken,
  AggregateAuthenticationError,
  AuthenticationError,
  AzureCliCredential,
  AzureDeveloperCliCredential,
  AzurePowerShellCredential,
  ChainedTokenCredential,
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  CredentialUnavailableError,
  EnvironmentCredential,
  InteractiveBrowserCredential,
  WorkloadIdentityCredential,
  DefaultAzureCredential,
  ManagedIdentityCredential,
  TokenCredential,
  backend,
  getBearerTokenProvider,
} from 'azcred';

async function main(): Promise<void> {
  const dac = new DefaultAzureCredential({
    managedIdentityClientId: 'c',
    tenantId: 't',
    requiredEnvVars: ['AZURE_CLIENT_ID'],
    retryOptions: { maxRetries: 2 },
    processTimeoutInMs: 5000,
  });
  const mi1 = new ManagedIdentityCredential('client-id');
  const mi2 = new ManagedIdentityCredential({ resourceId: '/subscriptions/x' });
  const az = new AzureCliCredential({
    tenantId: 't',
    additionallyAllowedTenants: ['*'],
    processTimeoutInMs: 10000,
    subscription: 'My Subscription',
  });
  const azd: TokenCredential = new AzureDeveloperCliCredential({ tenantId: 't', processTimeoutInMs: 1 });
  const pwsh: TokenCredential = new AzurePowerShellCredential({ additionallyAllowedTenants: ['a'] });
  const tools: TokenCredential = new ChainedTokenCredential(az, azd, pwsh, new AzureCliCredential());
  const chain: TokenCredential = new ChainedTokenCredential(mi1, mi2, dac, tools);
  const t: AccessToken = await dac.getToken('https://storage.azure.com/.default', {
    abortSignal: new AbortController().signal,
    requestOptions: { timeout: 500 },
    enableCae: true,
    claims: '{}',
    tenantId: 't',
  });
  const n: number = t.expiresOnTimestamp;
  const provider: () => Promise<string> = getBearerTokenProvider(chain, ['s']);
  const b: 'native' | 'wasm' = backend;
  try {
    await chain.getToken('s');
  } catch (e) {
    if (e instanceof AggregateAuthenticationError) console.log(e.errors.length);
    if (e instanceof AuthenticationError) console.log(e.statusCode, e.errorResponse.errorDescription);
    if (e instanceof CredentialUnavailableError) console.log(e.message);
  }
  const entra: TokenCredential[] = [
    new EnvironmentCredential({ additionallyAllowedTenants: ['*'] }),
    new WorkloadIdentityCredential({ tenantId: 't', clientId: 'c', tokenFilePath: '/f' }),
    new ClientSecretCredential('t', 'c', 's', { authorityHost: 'https://login.microsoftonline.us' }),
    new ClientCertificateCredential('t', 'c', '/cert.pem'),
    new ClientCertificateCredential('t', 'c', { certificate: 'PEM', certificatePassword: 'p' }, { sendCertificateChain: true }),
    new ClientAssertionCredential('t', 'c', async ({ clientId, tokenEndpoint }) => `${clientId}${tokenEndpoint}`),
    new InteractiveBrowserCredential({
      tenantId: 't',
      clientId: 'c',
      redirectUri: () => 'http://localhost:8400',
      loginHint: 'user@contoso.com',
      browserCustomizationOptions: { successMessage: '<h1>ok</h1>', errorMessage: '<h1>no</h1>' },
      signInTimeoutInMs: 60000,
    }),
    new InteractiveBrowserCredential({ clientId: 'c', loginStyle: 'popup' }),
  ];
  console.log(entra.length);
  // @ts-expect-error a certificate configuration needs a path or the PEM text
  new ClientCertificateCredential('t', 'c', { certificatePassword: 'p' });
  // @ts-expect-error getAssertion returns a promise of a string
  new ClientAssertionCredential('t', 'c', () => 5);
  // @ts-expect-error the sign-in timeout is a number of ms
  new InteractiveBrowserCredential({ signInTimeoutInMs: '5m' });
  // @ts-expect-error getToken needs scopes
  await dac.getToken();
  // @ts-expect-error unknown option type
  new DefaultAzureCredential({ tenantId: 5 });
  // @ts-expect-error subscription is AzureCliCredential's only
  new AzureDeveloperCliCredential({ subscription: 's' });
  // @ts-expect-error processTimeoutInMs is a number
  new AzurePowerShellCredential({ processTimeoutInMs: '5s' });
  console.log(n, provider, b, dac.explain()[0].selected);
}
void main;
