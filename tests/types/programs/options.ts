// Every option type azcred exports, written as @azure/identity users write them, and
// AzureAuthorityHosts as a value and as a type.
import {
  AzureAuthorityHosts,
  AzureCliCredential,
  AzureDeveloperCliCredential,
  AzurePowerShellCredential,
  ClientAssertionCredential,
  AzurePipelinesCredential,
  OnBehalfOfCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  DefaultAzureCredential,
  EnvironmentCredential,
  ManagedIdentityCredential,
  VisualStudioCodeCredential,
  WorkloadIdentityCredential,
  getBearerTokenProvider,
  type AuthenticationRecord,
  type AuthorityValidationOptions,
  type AuthorizationCodeCredentialOptions,
  type AzureCliCredentialOptions,
  type AzureDeveloperCliCredentialOptions,
  type AzurePipelinesCredentialOptions,
  type AzurePowerShellCredentialOptions,
  type BrokerAuthOptions,
  type BrokerDisabledOptions,
  type BrokerEnabledOptions,
  type BrokerOptions,
  type BrowserCustomizationOptions,
  type BrowserLoginStyle,
  type ClientAssertionCredentialOptions,
  type ClientCertificateCredentialOptions,
  type ClientCertificateCredentialPEMConfiguration,
  type ClientCertificatePEMCertificate,
  type ClientCertificatePEMCertificatePath,
  type ClientSecretCredentialOptions,
  type CredentialPersistenceOptions,
  type DefaultAzureCredentialClientIdOptions,
  type DefaultAzureCredentialEnvVars,
  type DefaultAzureCredentialOptions,
  type DefaultAzureCredentialResourceIdOptions,
  type DeviceCodeCredentialOptions,
  type DeviceCodeInfo,
  type DeviceCodePromptCallback,
  type EnvironmentCredentialOptions,
  type GetBearerTokenProviderOptions,
  type IdentityPlugin,
  type InteractiveBrowserCredentialInBrowserOptions,
  type InteractiveBrowserCredentialNodeOptions,
  type InteractiveCredentialOptions,
  type ManagedIdentityCredentialClientIdOptions,
  type ManagedIdentityCredentialObjectIdOptions,
  type ManagedIdentityCredentialResourceIdOptions,
  type MultiTenantTokenCredentialOptions,
  type OnBehalfOfCredentialAssertionOptions,
  type OnBehalfOfCredentialCertificateOptions,
  type OnBehalfOfCredentialOptions,
  type OnBehalfOfCredentialSecretOptions,
  type TokenCachePersistenceOptions,
  type TokenCredentialOptions,
  type UsernamePasswordCredentialOptions,
  type VisualStudioCodeCredentialOptions,
  type WorkloadIdentityCredentialOptions,
} from 'azcred';

export function main(): void {
  let host: AzureAuthorityHosts = AzureAuthorityHosts.AzurePublicCloud;
  host = AzureAuthorityHosts.AzureChina;
  const hostString: string = host;
  const hosts: AzureAuthorityHosts[] = [AzureAuthorityHosts.AzureGovernment, AzureAuthorityHosts.AzureGermany];

  const base: TokenCredentialOptions = { authorityHost: host, retryOptions: { maxRetries: 1, retryDelayInMs: 10, maxRetryDelayInMs: 100 } };
  const multi: MultiTenantTokenCredentialOptions = { ...base, additionallyAllowedTenants: ['*'] };
  const authority: AuthorityValidationOptions = { disableInstanceDiscovery: true };
  const cache: TokenCachePersistenceOptions = { enabled: true, name: 'cache', unsafeAllowUnencryptedStorage: false };
  const persistence: CredentialPersistenceOptions = { tokenCachePersistenceOptions: cache };

  const envVars: DefaultAzureCredentialEnvVars[] = ['AZURE_CLIENT_ID', 'AZURE_TOKEN_CREDENTIALS'];
  const dacOptions: DefaultAzureCredentialOptions = { ...multi, ...authority, tenantId: 't', processTimeoutInMs: 1, requiredEnvVars: envVars };
  const dacClient: DefaultAzureCredentialClientIdOptions = { ...dacOptions, managedIdentityClientId: 'c', workloadIdentityClientId: 'w' };
  const dacResource: DefaultAzureCredentialResourceIdOptions = { ...dacOptions, managedIdentityResourceId: '/subscriptions/x' };
  new DefaultAzureCredential(dacOptions);
  new DefaultAzureCredential(dacClient);
  new DefaultAzureCredential(dacResource);
  new DefaultAzureCredential({ requiredEnvVars: 'AZURE_TENANT_ID' });

  const miClient: ManagedIdentityCredentialClientIdOptions = { ...base, clientId: 'c' };
  const miResource: ManagedIdentityCredentialResourceIdOptions = { resourceId: '/subscriptions/x' };
  const miObject: ManagedIdentityCredentialObjectIdOptions = { objectId: 'o' };
  new ManagedIdentityCredential(miClient);
  new ManagedIdentityCredential(miResource);
  new ManagedIdentityCredential(miObject);
  new ManagedIdentityCredential('client-id', base);
  new ManagedIdentityCredential();

  const env: EnvironmentCredentialOptions = { ...multi, ...authority };
  new EnvironmentCredential(env);
  const workload: WorkloadIdentityCredentialOptions = { ...multi, tenantId: 't', clientId: 'c', tokenFilePath: '/f', enableAzureProxy: false };
  new WorkloadIdentityCredential(workload);
  const secret: ClientSecretCredentialOptions = { ...multi, ...persistence, ...authority };
  new ClientSecretCredential('t', 'c', 's', secret);
  const certOptions: ClientCertificateCredentialOptions = { ...secret, sendCertificateChain: true };
  const byPath: ClientCertificatePEMCertificatePath = { certificatePath: '/c.pem', certificatePassword: 'p' };
  const byText: ClientCertificatePEMCertificate = { certificate: '-----BEGIN CERTIFICATE-----' };
  const config: ClientCertificateCredentialPEMConfiguration = Math.random() > 0.5 ? byPath : byText;
  new ClientCertificateCredential('t', 'c', byPath, certOptions);
  new ClientCertificateCredential('t', 'c', byText);
  new ClientCertificateCredential('t', 'c', config, certOptions);
  const assertion: ClientAssertionCredentialOptions = { ...secret };
  new ClientAssertionCredential('t', 'c', () => Promise.resolve('jwt'), assertion);

  const cli: AzureCliCredentialOptions = { ...multi, tenantId: 't', processTimeoutInMs: 1, subscription: 's' };
  const azd: AzureDeveloperCliCredentialOptions = { ...multi, tenantId: 't', processTimeoutInMs: 1 };
  const pwsh: AzurePowerShellCredentialOptions = { ...multi, tenantId: 't', processTimeoutInMs: 1 };
  const vscode: VisualStudioCodeCredentialOptions = { ...multi, tenantId: 't' };
  new AzureCliCredential(cli);
  new AzureDeveloperCliCredential(azd);
  new AzurePowerShellCredential(pwsh);
  new VisualStudioCodeCredential(vscode);

  const bearer: GetBearerTokenProviderOptions = { abortSignal: new AbortController().signal };
  getBearerTokenProvider(new AzureCliCredential(), 's', bearer);

  // The types of the credentials still to come in azcred.
  const record: AuthenticationRecord = { authority: 'a', homeAccountId: 'h', clientId: 'c', tenantId: 't', username: 'u' };
  const interactive: InteractiveCredentialOptions = { ...multi, ...authority, authenticationRecord: record, disableAutomaticAuthentication: true };
  const info: DeviceCodeInfo = { userCode: 'u', verificationUri: 'https://microsoft.com/devicelogin', message: 'm' };
  const prompt: DeviceCodePromptCallback = (i) => console.log(i.message);
  const device: DeviceCodeCredentialOptions = { ...interactive, ...persistence, tenantId: 't', clientId: 'c', userPromptCallback: prompt };
  const style: BrowserLoginStyle = 'popup';
  const custom: BrowserCustomizationOptions = { browserCustomizationOptions: { errorMessage: 'e', successMessage: 's' } };
  const enabled: BrokerEnabledOptions = { enabled: true, parentWindowHandle: new Uint8Array(8), legacyEnableMsaPassthrough: true, useDefaultBrokerAccount: true };
  const disabled: BrokerDisabledOptions = { enabled: false, parentWindowHandle: undefined };
  const broker: BrokerOptions = Math.random() > 0.5 ? enabled : disabled;
  const brokerAuth: BrokerAuthOptions = { brokerOptions: broker };
  const browserNode: InteractiveBrowserCredentialNodeOptions = {
    ...interactive, ...persistence, ...custom, ...brokerAuth, redirectUri: () => 'http://localhost', tenantId: 't', clientId: 'c', loginHint: 'u',
  };
  const browser: InteractiveBrowserCredentialInBrowserOptions = { ...interactive, clientId: 'c', loginStyle: style, redirectUri: 'https://app' };
  const code: AuthorizationCodeCredentialOptions = { ...multi, ...authority };
  const pipelines: AzurePipelinesCredentialOptions = { ...multi, ...persistence, ...authority };
  const username: UsernamePasswordCredentialOptions = { ...multi, ...persistence, ...authority };
  const oboSecret: OnBehalfOfCredentialSecretOptions = { tenantId: 't', clientId: 'c', clientSecret: 's', userAssertionToken: 'u' };
  const oboCert: OnBehalfOfCredentialCertificateOptions = { tenantId: 't', clientId: 'c', certificatePath: '/c.pem', userAssertionToken: 'u', sendCertificateChain: true };
  const oboAssertion: OnBehalfOfCredentialAssertionOptions = { tenantId: 't', clientId: 'c', getAssertion: async () => 'a', userAssertionToken: 'u' };
  const obo: OnBehalfOfCredentialOptions = { ...oboSecret, ...multi, ...persistence, ...authority };
  new AzurePipelinesCredential('t', 'c', 'connection', 'system-token', pipelines);
  new OnBehalfOfCredential(obo);
  new OnBehalfOfCredential(oboCert);
  new OnBehalfOfCredential(oboAssertion);
  new OnBehalfOfCredential({ tenantId: 't', clientId: 'c', certificate: '-----BEGIN', userAssertionToken: 'u' });
  // @ts-expect-error: an on-behalf-of credential needs the user's assertion.
  new OnBehalfOfCredential({ tenantId: 't', clientId: 'c', clientSecret: 's' });
  const plugin: IdentityPlugin = (context: unknown) => void context;
  console.log(hostString, hosts, device, browserNode, browser, code, pipelines, username, oboCert, oboAssertion, obo, plugin, info);
}
