// ESM entry: the same objects as the CommonJS entry.
import azcred from './index.js';

export const {
  DefaultAzureCredential,
  ManagedIdentityCredential,
  ChainedTokenCredential,
  EnvironmentCredential,
  WorkloadIdentityCredential,
  ClientSecretCredential,
  ClientCertificateCredential,
  ClientAssertionCredential,
  AzureCliCredential,
  AzureDeveloperCliCredential,
  AzurePowerShellCredential,
  VisualStudioCodeCredential,
  getBearerTokenProvider,
  CredentialUnavailableError,
  AuthenticationError,
  AuthenticationRequiredError,
  AggregateAuthenticationError,
  AzureAuthorityHosts,
  getBackend,
} = azcred;

export default azcred;
