// Types of azcred/web: the credentials of the web build, with the Node build's declarations.
// Every credential here takes `env` besides its usual options: the variables to read (a Worker's
// bindings object), in place of `process.env` or `Deno.env`.
export {
  DefaultAzureCredential,
  ManagedIdentityCredential,
  ChainedTokenCredential,
  ClientSecretCredential,
  ClientCertificateCredential,
  ClientAssertionCredential,
  OnBehalfOfCredential,
  AuthorizationCodeCredential,
  DeviceCodeCredential,
  getBearerTokenProvider,
  getDefaultAzureCredential,
  serializeAuthenticationRecord,
  deserializeAuthenticationRecord,
  CredentialUnavailableError,
  CredentialUnavailableErrorName,
  AuthenticationError,
  AuthenticationErrorName,
  AuthenticationRequiredError,
  AggregateAuthenticationError,
  AggregateAuthenticationErrorName,
  AzureAuthorityHosts,
  logger,
} from '../index.js';
export type * from '../index.js';
/** The backend in use: always 'wasm' in the web build. */
export declare const backend: 'wasm';
