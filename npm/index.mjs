// ESM entry: the same objects as the CommonJS entry.
import azcred from './index.js';
import logging from './lib/logger.js';

// An ESM app's `import { setLogLevel } from '@azure/logger'` gets that package's ESM instance,
// not the CommonJS one: log through the same instance the app configures.
await logging.useEsm();

export const {
  DefaultAzureCredential,
  ManagedIdentityCredential,
  ChainedTokenCredential,
  EnvironmentCredential,
  WorkloadIdentityCredential,
  ClientSecretCredential,
  ClientCertificateCredential,
  ClientAssertionCredential,
  InteractiveBrowserCredential,
  AzurePipelinesCredential,
  OnBehalfOfCredential,
  AzureCliCredential,
  AzureDeveloperCliCredential,
  AzurePowerShellCredential,
  VisualStudioCodeCredential,
  DeviceCodeCredential,
  UsernamePasswordCredential,
  AuthorizationCodeCredential,
  serializeAuthenticationRecord,
  deserializeAuthenticationRecord,
  getBearerTokenProvider,
  getDefaultAzureCredential,
  useIdentityPlugin,
  CredentialUnavailableError,
  CredentialUnavailableErrorName,
  AuthenticationError,
  AuthenticationErrorName,
  AuthenticationRequiredError,
  AggregateAuthenticationError,
  AggregateAuthenticationErrorName,
  AzureAuthorityHosts,
  getBackend,
} = azcred;

/** The `azure:identity` client logger (the app's @azure/logger one when it has that package). */
export const logger = logging.logger;

/** Which backend is in use: 'native' or 'wasm' (importing this module loads it). */
export const backend = azcred.backend;

export default azcred;
