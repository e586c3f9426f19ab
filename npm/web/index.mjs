// The web build's entry (bundled by scripts/build-web.js, once per runtime): the wasm module that
// runtime's loader gives ('azcred:wasm'), then the classes of lib/credentials.js over
// web/driver.js. The names and types are the Node build's; the credentials are the ones that need
// no programs and no files.
import loaded from 'azcred:wasm';
import runtime from './runtime.js';
import credentials from '../lib/credentials.js';
import errors from '../lib/errors.js';
import constants from '../lib/constants.js';
import logging from './logger.js';

runtime.bind(loaded.module, loaded.runtime);

export const {
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
} = credentials;
export const {
  CredentialUnavailableError,
  CredentialUnavailableErrorName,
  AuthenticationError,
  AuthenticationErrorName,
  AuthenticationRequiredError,
  AggregateAuthenticationError,
  AggregateAuthenticationErrorName,
} = errors;
export const { AzureAuthorityHosts } = constants;
export const { logger } = logging;
/** The backend in use: always 'wasm' in the web build. */
export const backend = 'wasm';
