'use strict';
// azcred: DefaultAzureCredential for Node, decided by a Rust core (native addon, or wasm).
// Requiring this file loads no backend; the first credential constructed does.

const credentials = require('./lib/credentials');
const errors = require('./lib/errors');

exports.DefaultAzureCredential = credentials.DefaultAzureCredential;
exports.ManagedIdentityCredential = credentials.ManagedIdentityCredential;
exports.ChainedTokenCredential = credentials.ChainedTokenCredential;
exports.EnvironmentCredential = credentials.EnvironmentCredential;
exports.WorkloadIdentityCredential = credentials.WorkloadIdentityCredential;
exports.ClientSecretCredential = credentials.ClientSecretCredential;
exports.ClientCertificateCredential = credentials.ClientCertificateCredential;
exports.ClientAssertionCredential = credentials.ClientAssertionCredential;
exports.InteractiveBrowserCredential = credentials.InteractiveBrowserCredential;
exports.AzurePipelinesCredential = credentials.AzurePipelinesCredential;
exports.OnBehalfOfCredential = credentials.OnBehalfOfCredential;
exports.AzureCliCredential = credentials.AzureCliCredential;
exports.AzureDeveloperCliCredential = credentials.AzureDeveloperCliCredential;
exports.AzurePowerShellCredential = credentials.AzurePowerShellCredential;
exports.VisualStudioCodeCredential = credentials.VisualStudioCodeCredential;
exports.DeviceCodeCredential = credentials.DeviceCodeCredential;
exports.UsernamePasswordCredential = credentials.UsernamePasswordCredential;
exports.AuthorizationCodeCredential = credentials.AuthorizationCodeCredential;
exports.serializeAuthenticationRecord = credentials.serializeAuthenticationRecord;
exports.deserializeAuthenticationRecord = credentials.deserializeAuthenticationRecord;
exports.getBearerTokenProvider = credentials.getBearerTokenProvider;
exports.getDefaultAzureCredential = credentials.getDefaultAzureCredential;
exports.useIdentityPlugin = require('./lib/plugins').useIdentityPlugin;
exports.CredentialUnavailableErrorName = errors.CredentialUnavailableErrorName;
exports.AuthenticationErrorName = errors.AuthenticationErrorName;
exports.AggregateAuthenticationErrorName = errors.AggregateAuthenticationErrorName;
exports.CredentialUnavailableError = errors.CredentialUnavailableError;
exports.AuthenticationError = errors.AuthenticationError;
exports.AuthenticationRequiredError = errors.AuthenticationRequiredError;
exports.AggregateAuthenticationError = errors.AggregateAuthenticationError;
exports.AzureAuthorityHosts = require('./lib/constants').AzureAuthorityHosts;
/** The `azure:identity` client logger: the app's @azure/logger one when it has that package. */
Object.defineProperty(exports, 'logger', {
  enumerable: true,
  get() {
    return require('./lib/logger').logger;
  },
});
/** Which backend is in use: 'native' or 'wasm' (loads it on first read). */
Object.defineProperty(exports, 'backend', {
  enumerable: true,
  get() {
    return require('./lib/backend').load().name;
  },
});
/** Which backend is in use (a function, for ESM callers). */
exports.getBackend = () => require('./lib/backend').load().name;
