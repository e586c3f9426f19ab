// azcred's types against @azure/identity 4.14.1's, name by name: a value typed with the
// reference's type is accepted where azcred's is expected ("ref to azcred"), and the reverse
// ("azcred to ref"), so code written for either compiles with the other.
import type * as Ref from '@azure/identity';
import type * as Az from 'azcred';

type Assignable<A, B> = [A] extends [B] ? true : false;
type Both<A, B> = [Assignable<A, B>, Assignable<B, A>];

export const checks: {
  AccessToken: Both<Ref.AccessToken, Az.AccessToken>;
  AuthenticationRecord: Both<Ref.AuthenticationRecord, Az.AuthenticationRecord>;
  AuthenticationRequiredErrorOptions: Both<Ref.AuthenticationRequiredErrorOptions, Az.AuthenticationRequiredErrorOptions>;
  AuthorityValidationOptions: Both<Ref.AuthorityValidationOptions, Az.AuthorityValidationOptions>;
  AuthorizationCodeCredentialOptions: Both<Ref.AuthorizationCodeCredentialOptions, Az.AuthorizationCodeCredentialOptions>;
  AzureCliCredentialOptions: Both<Ref.AzureCliCredentialOptions, Az.AzureCliCredentialOptions>;
  AzureDeveloperCliCredentialOptions: Both<Ref.AzureDeveloperCliCredentialOptions, Az.AzureDeveloperCliCredentialOptions>;
  AzurePipelinesCredentialOptions: Both<Ref.AzurePipelinesCredentialOptions, Az.AzurePipelinesCredentialOptions>;
  AzurePowerShellCredentialOptions: Both<Ref.AzurePowerShellCredentialOptions, Az.AzurePowerShellCredentialOptions>;
  BrokerAuthOptions: Both<Ref.BrokerAuthOptions, Az.BrokerAuthOptions>;
  BrokerDisabledOptions: Both<Ref.BrokerDisabledOptions, Az.BrokerDisabledOptions>;
  BrokerEnabledOptions: Both<Ref.BrokerEnabledOptions, Az.BrokerEnabledOptions>;
  BrokerOptions: Both<Ref.BrokerOptions, Az.BrokerOptions>;
  BrowserCustomizationOptions: Both<Ref.BrowserCustomizationOptions, Az.BrowserCustomizationOptions>;
  BrowserLoginStyle: Both<Ref.BrowserLoginStyle, Az.BrowserLoginStyle>;
  ClientAssertionCredentialOptions: Both<Ref.ClientAssertionCredentialOptions, Az.ClientAssertionCredentialOptions>;
  ClientCertificateCredentialOptions: Both<Ref.ClientCertificateCredentialOptions, Az.ClientCertificateCredentialOptions>;
  ClientCertificateCredentialPEMConfiguration: Both<Ref.ClientCertificateCredentialPEMConfiguration, Az.ClientCertificateCredentialPEMConfiguration>;
  ClientCertificatePEMCertificate: Both<Ref.ClientCertificatePEMCertificate, Az.ClientCertificatePEMCertificate>;
  ClientCertificatePEMCertificatePath: Both<Ref.ClientCertificatePEMCertificatePath, Az.ClientCertificatePEMCertificatePath>;
  ClientSecretCredentialOptions: Both<Ref.ClientSecretCredentialOptions, Az.ClientSecretCredentialOptions>;
  CredentialPersistenceOptions: Both<Ref.CredentialPersistenceOptions, Az.CredentialPersistenceOptions>;
  DefaultAzureCredentialClientIdOptions: Both<Ref.DefaultAzureCredentialClientIdOptions, Az.DefaultAzureCredentialClientIdOptions>;
  DefaultAzureCredentialEnvVars: Both<Ref.DefaultAzureCredentialEnvVars, Az.DefaultAzureCredentialEnvVars>;
  DefaultAzureCredentialOptions: Both<Ref.DefaultAzureCredentialOptions, Az.DefaultAzureCredentialOptions>;
  DefaultAzureCredentialResourceIdOptions: Both<Ref.DefaultAzureCredentialResourceIdOptions, Az.DefaultAzureCredentialResourceIdOptions>;
  DeviceCodeCredentialOptions: Both<Ref.DeviceCodeCredentialOptions, Az.DeviceCodeCredentialOptions>;
  DeviceCodeInfo: Both<Ref.DeviceCodeInfo, Az.DeviceCodeInfo>;
  DeviceCodePromptCallback: Both<Ref.DeviceCodePromptCallback, Az.DeviceCodePromptCallback>;
  EnvironmentCredentialOptions: Both<Ref.EnvironmentCredentialOptions, Az.EnvironmentCredentialOptions>;
  ErrorResponse: Both<Ref.ErrorResponse, Az.ErrorResponse>;
  GetBearerTokenProviderOptions: Both<Ref.GetBearerTokenProviderOptions, Az.GetBearerTokenProviderOptions>;
  GetTokenOptions: Both<Ref.GetTokenOptions, Az.GetTokenOptions>;
  IdentityPlugin: Both<Ref.IdentityPlugin, Az.IdentityPlugin>;
  InteractiveBrowserCredentialInBrowserOptions: Both<Ref.InteractiveBrowserCredentialInBrowserOptions, Az.InteractiveBrowserCredentialInBrowserOptions>;
  InteractiveBrowserCredentialNodeOptions: Both<Ref.InteractiveBrowserCredentialNodeOptions, Az.InteractiveBrowserCredentialNodeOptions>;
  InteractiveCredentialOptions: Both<Ref.InteractiveCredentialOptions, Az.InteractiveCredentialOptions>;
  ManagedIdentityCredentialClientIdOptions: Both<Ref.ManagedIdentityCredentialClientIdOptions, Az.ManagedIdentityCredentialClientIdOptions>;
  ManagedIdentityCredentialObjectIdOptions: Both<Ref.ManagedIdentityCredentialObjectIdOptions, Az.ManagedIdentityCredentialObjectIdOptions>;
  ManagedIdentityCredentialResourceIdOptions: Both<Ref.ManagedIdentityCredentialResourceIdOptions, Az.ManagedIdentityCredentialResourceIdOptions>;
  MultiTenantTokenCredentialOptions: Both<Ref.MultiTenantTokenCredentialOptions, Az.MultiTenantTokenCredentialOptions>;
  OnBehalfOfCredentialAssertionOptions: Both<Ref.OnBehalfOfCredentialAssertionOptions, Az.OnBehalfOfCredentialAssertionOptions>;
  OnBehalfOfCredentialCertificateOptions: Both<Ref.OnBehalfOfCredentialCertificateOptions, Az.OnBehalfOfCredentialCertificateOptions>;
  OnBehalfOfCredentialOptions: Both<Ref.OnBehalfOfCredentialOptions, Az.OnBehalfOfCredentialOptions>;
  OnBehalfOfCredentialSecretOptions: Both<Ref.OnBehalfOfCredentialSecretOptions, Az.OnBehalfOfCredentialSecretOptions>;
  TokenCachePersistenceOptions: Both<Ref.TokenCachePersistenceOptions, Az.TokenCachePersistenceOptions>;
  TokenCredential: Both<Ref.TokenCredential, Az.TokenCredential>;
  TokenCredentialOptions: Both<Ref.TokenCredentialOptions, Az.TokenCredentialOptions>;
  UsernamePasswordCredentialOptions: Both<Ref.UsernamePasswordCredentialOptions, Az.UsernamePasswordCredentialOptions>;
  VisualStudioCodeCredentialOptions: Both<Ref.VisualStudioCodeCredentialOptions, Az.VisualStudioCodeCredentialOptions>;
  WorkloadIdentityCredentialOptions: Both<Ref.WorkloadIdentityCredentialOptions, Az.WorkloadIdentityCredentialOptions>;
  AzureAuthorityHosts: Both<`${Ref.AzureAuthorityHosts}`, `${Az.AzureAuthorityHosts}`>;
  CredentialUnavailableErrorName: Both<typeof Ref.CredentialUnavailableErrorName, typeof Az.CredentialUnavailableErrorName>;
  AuthenticationErrorName: Both<typeof Ref.AuthenticationErrorName, typeof Az.AuthenticationErrorName>;
  AggregateAuthenticationErrorName: Both<typeof Ref.AggregateAuthenticationErrorName, typeof Az.AggregateAuthenticationErrorName>;
  logger: Both<typeof Ref.logger, typeof Az.logger>;
  getBearerTokenProvider: Both<typeof Ref.getBearerTokenProvider, typeof Az.getBearerTokenProvider>;
  getDefaultAzureCredential: Both<typeof Ref.getDefaultAzureCredential, typeof Az.getDefaultAzureCredential>;
  serializeAuthenticationRecord: Both<typeof Ref.serializeAuthenticationRecord, typeof Az.serializeAuthenticationRecord>;
  deserializeAuthenticationRecord: Both<typeof Ref.deserializeAuthenticationRecord, typeof Az.deserializeAuthenticationRecord>;
  // The user credentials take the reference's arguments and authenticate() answers its record.
  userCredentials: [
    Both<ConstructorParameters<typeof Ref.DeviceCodeCredential>, ConstructorParameters<typeof Az.DeviceCodeCredential>>,
    Both<ReturnType<Ref.DeviceCodeCredential['authenticate']>, ReturnType<Az.DeviceCodeCredential['authenticate']>>,
    Both<ConstructorParameters<typeof Ref.UsernamePasswordCredential>, ConstructorParameters<typeof Az.UsernamePasswordCredential>>,
    Assignable<Az.DeviceCodeCredential, Ref.TokenCredential>,
    Assignable<Az.AuthorizationCodeCredential, Ref.TokenCredential>,
  ];
  // Errors are plain classes without private members: the same shape both ways.
  AuthenticationError: Both<Ref.AuthenticationError, Az.AuthenticationError>;
  AggregateAuthenticationError: Both<Ref.AggregateAuthenticationError, Az.AggregateAuthenticationError>;
  AuthenticationRequiredError: Both<Ref.AuthenticationRequiredError, Az.AuthenticationRequiredError>;
  CredentialUnavailableError: Both<Ref.CredentialUnavailableError, Az.CredentialUnavailableError>;
  // A reference credential is an azcred TokenCredential (and goes into azcred's chain).
  credentials: [
    Assignable<Ref.DefaultAzureCredential, Az.TokenCredential>,
    Assignable<Az.DefaultAzureCredential, Ref.TokenCredential>,
    Assignable<Ref.ChainedTokenCredential, ConstructorParameters<typeof Az.ChainedTokenCredential>[0]>,
    Assignable<Az.ManagedIdentityCredential, ConstructorParameters<typeof Ref.ChainedTokenCredential>[0]>,
  ];
} = {
  AccessToken: [true, true],
  AuthenticationRecord: [true, true],
  AuthenticationRequiredErrorOptions: [true, true],
  AuthorityValidationOptions: [true, true],
  AuthorizationCodeCredentialOptions: [true, true],
  AzureCliCredentialOptions: [true, true],
  AzureDeveloperCliCredentialOptions: [true, true],
  AzurePipelinesCredentialOptions: [true, true],
  AzurePowerShellCredentialOptions: [true, true],
  BrokerAuthOptions: [true, true],
  BrokerDisabledOptions: [true, true],
  BrokerEnabledOptions: [true, true],
  BrokerOptions: [true, true],
  BrowserCustomizationOptions: [true, true],
  BrowserLoginStyle: [true, true],
  ClientAssertionCredentialOptions: [true, true],
  ClientCertificateCredentialOptions: [true, true],
  ClientCertificateCredentialPEMConfiguration: [true, true],
  ClientCertificatePEMCertificate: [true, true],
  ClientCertificatePEMCertificatePath: [true, true],
  ClientSecretCredentialOptions: [true, true],
  CredentialPersistenceOptions: [true, true],
  DefaultAzureCredentialClientIdOptions: [true, true],
  DefaultAzureCredentialEnvVars: [true, true],
  DefaultAzureCredentialOptions: [true, true],
  DefaultAzureCredentialResourceIdOptions: [true, true],
  DeviceCodeCredentialOptions: [true, true],
  DeviceCodeInfo: [true, true],
  DeviceCodePromptCallback: [true, true],
  EnvironmentCredentialOptions: [true, true],
  ErrorResponse: [true, true],
  GetBearerTokenProviderOptions: [true, true],
  GetTokenOptions: [true, true],
  IdentityPlugin: [true, true],
  InteractiveBrowserCredentialInBrowserOptions: [true, true],
  InteractiveBrowserCredentialNodeOptions: [true, true],
  InteractiveCredentialOptions: [true, true],
  ManagedIdentityCredentialClientIdOptions: [true, true],
  ManagedIdentityCredentialObjectIdOptions: [true, true],
  ManagedIdentityCredentialResourceIdOptions: [true, true],
  MultiTenantTokenCredentialOptions: [true, true],
  OnBehalfOfCredentialAssertionOptions: [true, true],
  OnBehalfOfCredentialCertificateOptions: [true, true],
  // azcred also takes the certificate as PEM text (OnBehalfOfCredentialPemCertificateOptions),
  // which @azure/identity's union does not have: ref-typed options work with azcred, not every
  // azcred-typed one with the reference.
  OnBehalfOfCredentialOptions: [true, false],
  OnBehalfOfCredentialSecretOptions: [true, true],
  TokenCachePersistenceOptions: [true, true],
  TokenCredential: [true, true],
  TokenCredentialOptions: [true, true],
  UsernamePasswordCredentialOptions: [true, true],
  VisualStudioCodeCredentialOptions: [true, true],
  WorkloadIdentityCredentialOptions: [true, true],
  AzureAuthorityHosts: [true, true],
  CredentialUnavailableErrorName: [true, true],
  AuthenticationErrorName: [true, true],
  AggregateAuthenticationErrorName: [true, true],
  logger: [true, true],
  getBearerTokenProvider: [true, true],
  getDefaultAzureCredential: [true, true],
  serializeAuthenticationRecord: [true, true],
  deserializeAuthenticationRecord: [true, true],
  userCredentials: [[true, true], [true, true], [true, true], true, true],
  AuthenticationError: [true, true],
  AggregateAuthenticationError: [true, true],
  AuthenticationRequiredError: [true, true],
  CredentialUnavailableError: [true, true],
  credentials: [true, true, true, true],
};
