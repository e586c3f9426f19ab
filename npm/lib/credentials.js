'use strict';
// The public credential classes: the reference's names and constructor signatures, each a thin
// shell over one core credential (see driver.js).

const { Driven } = require('./driver');

class DefaultAzureCredential {
  /**
   * @param {object} [options] DefaultAzureCredentialOptions
   */
  constructor(options) {
    this._driven = new Driven('DefaultAzureCredential', options);
  }

  getToken(scopes, options) {
    return this._driven.getToken(scopes, options);
  }

  /** azcred's own: each credential of the chain, whether it will be tried, and why not. */
  explain() {
    return this._driven.explain();
  }
}

class ManagedIdentityCredential {
  /**
   * `new ManagedIdentityCredential(clientId, options?)` or `new ManagedIdentityCredential(options?)`
   * with at most one of `clientId`, `resourceId`, `objectId`.
   */
  constructor(clientIdOrOptions, options) {
    const opts =
      typeof clientIdOrOptions === 'string'
        ? { ...(options || {}), clientId: clientIdOrOptions }
        : { ...(clientIdOrOptions || {}) };
    this._driven = new Driven('ManagedIdentityCredential', opts);
  }

  getToken(scopes, options) {
    return this._driven.getToken(scopes, options);
  }

  /** azcred's own: the detected managed identity source. */
  explain() {
    return this._driven.explain();
  }
}

class ChainedTokenCredential {
  /**
   * @param {...import('@azure/core-auth').TokenCredential} sources tried in order
   */
  constructor(...sources) {
    this._driven = new Driven('ChainedTokenCredential', {}, sources);
  }

  getToken(scopes, options) {
    return this._driven.getToken(scopes, options);
  }
}

class AzureCliCredential {
  /**
   * Tokens from the Azure CLI (`az account get-access-token`); sign in with `az login`.
   * @param {object} [options] AzureCliCredentialOptions: tenantId, additionallyAllowedTenants,
   *   processTimeoutInMs, subscription
   */
  constructor(options) {
    this._driven = new Driven('AzureCliCredential', options);
  }

  getToken(scopes, options) {
    return this._driven.getToken(scopes, options);
  }
}

class AzureDeveloperCliCredential {
  /**
   * Tokens from the Azure Developer CLI (`azd auth token`); sign in with `azd auth login`.
   * @param {object} [options] AzureDeveloperCliCredentialOptions: tenantId,
   *   additionallyAllowedTenants, processTimeoutInMs
   */
  constructor(options) {
    this._driven = new Driven('AzureDeveloperCliCredential', options);
  }

  getToken(scopes, options) {
    return this._driven.getToken(scopes, options);
  }
}

class AzurePowerShellCredential {
  /**
   * Tokens from Azure PowerShell (`Get-AzAccessToken`); sign in with `Connect-AzAccount`.
   * @param {object} [options] AzurePowerShellCredentialOptions: tenantId,
   *   additionallyAllowedTenants, processTimeoutInMs
   */
  constructor(options) {
    this._driven = new Driven('AzurePowerShellCredential', options);
  }

  getToken(scopes, options) {
    return this._driven.getToken(scopes, options);
  }
}

class EnvironmentCredential {
  /**
   * A service principal from AZURE_TENANT_ID and AZURE_CLIENT_ID with AZURE_CLIENT_SECRET, else
   * AZURE_CLIENT_CERTIFICATE_PATH (and AZURE_CLIENT_CERTIFICATE_PASSWORD), else AZURE_USERNAME and
   * AZURE_PASSWORD, read now.
   * @param {object} [options] EnvironmentCredentialOptions
   */
  constructor(options) {
    this._driven = new Driven('EnvironmentCredential', options);
  }

  getToken(scopes, options) {
    return this._driven.getToken(scopes, options);
  }
}

class WorkloadIdentityCredential {
  /**
   * A federated token from a file (Kubernetes workload identity) exchanged at Entra ID.
   * @param {object} [options] tenantId, clientId, tokenFilePath (AZURE_TENANT_ID, AZURE_CLIENT_ID,
   *   AZURE_FEDERATED_TOKEN_FILE by default)
   */
  constructor(options) {
    this._driven = new Driven('WorkloadIdentityCredential', options);
  }

  getToken(scopes, options) {
    return this._driven.getToken(scopes, options);
  }
}

class ClientSecretCredential {
  /**
   * @param {string} tenantId
   * @param {string} clientId
   * @param {string} clientSecret
   * @param {object} [options] ClientSecretCredentialOptions
   */
  constructor(tenantId, clientId, clientSecret, options) {
    this._driven = new Driven('ClientSecretCredential', { ...(options || {}), tenantId, clientId, clientSecret });
  }

  getToken(scopes, options) {
    return this._driven.getToken(scopes, options);
  }
}

class ClientCertificateCredential {
  /**
   * @param {string} tenantId
   * @param {string} clientId
   * @param {string | {certificatePath?: string, certificate?: string, certificatePassword?: string}}
   *   certificatePathOrConfiguration a PEM file's path, or the PEM text or path with its password
   * @param {object} [options] ClientCertificateCredentialOptions (sendCertificateChain, ...)
   */
  constructor(tenantId, clientId, certificatePathOrConfiguration, options) {
    const configuration =
      typeof certificatePathOrConfiguration === 'string'
        ? { certificatePath: certificatePathOrConfiguration }
        : { ...(certificatePathOrConfiguration || {}) };
    this._driven = new Driven('ClientCertificateCredential', {
      ...(options || {}),
      tenantId,
      clientId,
      certificate: configuration.certificate,
      certificatePath: configuration.certificatePath,
      certificatePassword: configuration.certificatePassword,
    });
  }

  getToken(scopes, options) {
    return this._driven.getToken(scopes, options);
  }
}

class ClientAssertionCredential {
  /**
   * @param {string} tenantId
   * @param {string} clientId
   * @param {(options: {clientId: string, tokenEndpoint: string}) => Promise<string>} getAssertion
   *   called once for each token request sent to Entra ID (not for cached tokens)
   * @param {object} [options] ClientAssertionCredentialOptions
   */
  constructor(tenantId, clientId, getAssertion, options) {
    this._driven = new Driven(
      'ClientAssertionCredential',
      { ...(options || {}), tenantId, clientId, assertionCallback: Boolean(getAssertion) },
      undefined,
      { getAssertion },
    );
  }

  getToken(scopes, options) {
    return this._driven.getToken(scopes, options);
  }
}

/**
 * Returns a function that resolves to a bearer token for `scopes`, as @azure/identity's
 * getBearerTokenProvider does.
 */
function getBearerTokenProvider(credential, scopes, options) {
  const { abortSignal, tracingOptions } = options || {};
  return async function getAccessToken() {
    const token = await credential.getToken(scopes, { abortSignal, tracingOptions });
    if (!token || !token.token) throw new Error('Failed to get access token');
    return token.token;
  };
}

module.exports = {
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
  getBearerTokenProvider,
};
