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
  AzureCliCredential,
  AzureDeveloperCliCredential,
  AzurePowerShellCredential,
  getBearerTokenProvider,
};
