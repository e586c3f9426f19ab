'use strict';
// The public credential classes: the reference's names and constructor signatures, each a thin
// shell over one core credential (see driver.js).

const { Driven, checkAuthenticationRecord } = require('./driver');

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** What every credential shares: `getToken` runs its core credential through the driver. */
class DrivenCredential {
  /** The driver (its token leases, transport and callbacks) is not an enumerable property: set
   * by each constructor, it becomes a hidden one. */
  set _driven(driven) {
    Object.defineProperty(this, '_driven', { value: driven, writable: true, configurable: true, enumerable: false });
  }

  get _driven() {
    return undefined;
  }

  /** `util.inspect` and `console.log` show the class only: a credential holds tokens. */
  [INSPECT]() {
    return `${this.constructor.name} {}`;
  }

  /** JSON shows the class only. */
  toJSON() {
    return { credential: this.constructor.name };
  }

  /**
   * @param {string | string[]} scopes
   * @param {object} [options] GetTokenOptions
   */
  getToken(scopes, options) {
    return this._driven.getToken(scopes, options);
  }

  /** azcred's own: each credential it holds, whether it will be tried and why not, and which
   * one supplied the last token. */
  explain() {
    return this._driven.explain();
  }
}


class ManagedIdentityCredential extends DrivenCredential {
  /**
   * `new ManagedIdentityCredential(clientId, options?)` or `new ManagedIdentityCredential(options?)`
   * with at most one of `clientId`, `resourceId`, `objectId`.
   */
  constructor(clientIdOrOptions, options) {
    super();
    const opts =
      typeof clientIdOrOptions === 'string'
        ? { ...(options || {}), clientId: clientIdOrOptions }
        : { ...(clientIdOrOptions || {}) };
    this._driven = new Driven('ManagedIdentityCredential', opts);
  }

}

/** Passed by DefaultAzureCredential to ChainedTokenCredential's constructor: the subclass
 * builds its own core credential. */
const SUBCLASS = Symbol('azcred.subclass');

class ChainedTokenCredential extends DrivenCredential {
  /**
   * @param {...import('@azure/core-auth').TokenCredential} sources tried in order
   */
  constructor(...sources) {
    super();
    if (sources.length === 1 && sources[0] === SUBCLASS) return;
    this._driven = new Driven('ChainedTokenCredential', {}, sources);
  }
}

/** The reference's chain; like the reference's, a ChainedTokenCredential. */
class DefaultAzureCredential extends ChainedTokenCredential {
  /**
   * @param {object} [options] DefaultAzureCredentialOptions
   */
  constructor(options) {
    super(SUBCLASS);
    this._driven = new Driven('DefaultAzureCredential', options);
  }
}

/** A DefaultAzureCredential with no options, as the reference's getDefaultAzureCredential. */
function getDefaultAzureCredential() {
  return new DefaultAzureCredential();
}

class AzureCliCredential extends DrivenCredential {
  /**
   * Tokens from the Azure CLI (`az account get-access-token`); sign in with `az login`.
   * @param {object} [options] AzureCliCredentialOptions: tenantId, additionallyAllowedTenants,
   *   processTimeoutInMs, subscription
   */
  constructor(options) {
    super();
    this._driven = new Driven('AzureCliCredential', options);
  }

}

class AzureDeveloperCliCredential extends DrivenCredential {
  /**
   * Tokens from the Azure Developer CLI (`azd auth token`); sign in with `azd auth login`.
   * @param {object} [options] AzureDeveloperCliCredentialOptions: tenantId,
   *   additionallyAllowedTenants, processTimeoutInMs
   */
  constructor(options) {
    super();
    this._driven = new Driven('AzureDeveloperCliCredential', options);
  }

}

class AzurePowerShellCredential extends DrivenCredential {
  /**
   * Tokens from Azure PowerShell (`Get-AzAccessToken`); sign in with `Connect-AzAccount`.
   * @param {object} [options] AzurePowerShellCredentialOptions: tenantId,
   *   additionallyAllowedTenants, processTimeoutInMs
   */
  constructor(options) {
    super();
    this._driven = new Driven('AzurePowerShellCredential', options);
  }

}

class EnvironmentCredential extends DrivenCredential {
  /**
   * A service principal from AZURE_TENANT_ID and AZURE_CLIENT_ID with AZURE_CLIENT_SECRET, else
   * AZURE_CLIENT_CERTIFICATE_PATH (and AZURE_CLIENT_CERTIFICATE_PASSWORD), else AZURE_USERNAME and
   * AZURE_PASSWORD, read now.
   * @param {object} [options] EnvironmentCredentialOptions
   */
  constructor(options) {
    super();
    this._driven = new Driven('EnvironmentCredential', options);
  }

}

class WorkloadIdentityCredential extends DrivenCredential {
  /**
   * A federated token from a file (Kubernetes workload identity) exchanged at Entra ID.
   * @param {object} [options] tenantId, clientId, tokenFilePath (AZURE_TENANT_ID, AZURE_CLIENT_ID,
   *   AZURE_FEDERATED_TOKEN_FILE by default)
   */
  constructor(options) {
    super();
    this._driven = new Driven('WorkloadIdentityCredential', options);
  }

}

class ClientSecretCredential extends DrivenCredential {
  /**
   * @param {string} tenantId
   * @param {string} clientId
   * @param {string} clientSecret
   * @param {object} [options] ClientSecretCredentialOptions
   */
  constructor(tenantId, clientId, clientSecret, options) {
    super();
    this._driven = new Driven('ClientSecretCredential', { ...(options || {}), tenantId, clientId, clientSecret });
  }

}

class ClientCertificateCredential extends DrivenCredential {
  /**
   * @param {string} tenantId
   * @param {string} clientId
   * @param {string | {certificatePath?: string, certificate?: string, certificatePassword?: string}}
   *   certificatePathOrConfiguration a PEM file's path, or the PEM text or path with its password
   * @param {object} [options] ClientCertificateCredentialOptions (sendCertificateChain, ...)
   */
  constructor(tenantId, clientId, certificatePathOrConfiguration, options) {
    super();
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

}

class ClientAssertionCredential extends DrivenCredential {
  /**
   * @param {string} tenantId
   * @param {string} clientId
   * @param {(options: {clientId: string, tokenEndpoint: string}) => Promise<string>} getAssertion
   *   called once for each token request sent to Entra ID (not for cached tokens)
   * @param {object} [options] ClientAssertionCredentialOptions
   */
  constructor(tenantId, clientId, getAssertion, options) {
    super();
    this._driven = new Driven(
      'ClientAssertionCredential',
      { ...(options || {}), tenantId, clientId, assertionCallback: Boolean(getAssertion) },
      undefined,
      { getAssertion },
    );
  }

}

class AzurePipelinesCredential extends DrivenCredential {
  /**
   * Workload identity federation in an Azure DevOps pipeline: an OIDC token for the service
   * connection, from SYSTEM_OIDCREQUESTURI (read now), exchanged at Entra ID.
   * @param {string} tenantId
   * @param {string} clientId
   * @param {string} serviceConnectionId
   * @param {string} systemAccessToken the pipeline's System.AccessToken
   * @param {object} [options] AzurePipelinesCredentialOptions
   */
  constructor(tenantId, clientId, serviceConnectionId, systemAccessToken, options) {
    super();
    this._driven = new Driven('AzurePipelinesCredential', {
      ...(options || {}),
      tenantId,
      clientId,
      serviceConnectionId,
      systemAccessToken,
    });
  }
}

class OnBehalfOfCredential extends DrivenCredential {
  /**
   * A token for a downstream API on behalf of the user whose token (userAssertionToken) this app
   * received; the app proves itself with certificatePath (or the PEM text in certificate),
   * clientSecret, or a getAssertion callback.
   * @param {object} options OnBehalfOfCredentialOptions
   */
  constructor(options) {
    super();
    const opts = { ...(options || {}) };
    const { getAssertion } = opts;
    delete opts.getAssertion;
    if (typeof getAssertion === 'function') opts.assertionCallback = true;
    this._driven = new Driven('OnBehalfOfCredential', opts, undefined, { getAssertion });
  }
}

class VisualStudioCodeCredential extends DrivenCredential {
  /**
   * As @azure/identity's without its @azure/identity-vscode plugin, which azcred does not load:
   * always unavailable.
   * @param {object} [options]
   */
  constructor(options) {
    super();
    this._driven = new Driven('VisualStudioCodeCredential', options);
  }
}

/** What the user sign-in credentials share: `authenticate()` signs the user in (silently when
 * the credential still has a usable refresh token) and resolves to the account's
 * AuthenticationRecord. */
class UserCredential extends DrivenCredential {
  /**
   * @param {string | string[]} scopes
   * @param {object} [options] GetTokenOptions
   * @returns {Promise<object | undefined>} the AuthenticationRecord
   */
  authenticate(scopes, options) {
    return this._driven.authenticate(scopes, options);
  }
}

/** The reference's default prompt: the message, on the console. */
function defaultDeviceCodePromptCallback(deviceCodeInfo) {
  console.log(deviceCodeInfo.message);
}

class DeviceCodeCredential extends UserCredential {
  /**
   * The user signs in on another device with a code, shown by `userPromptCallback` (by default
   * printed with console.log).
   * @param {object} [options] DeviceCodeCredentialOptions: tenantId, clientId,
   *   userPromptCallback, authenticationRecord, disableAutomaticAuthentication,
   *   additionallyAllowedTenants, authorityHost, disableInstanceDiscovery
   */
  constructor(options) {
    super();
    const userPromptCallback = (options && options.userPromptCallback) ?? defaultDeviceCodePromptCallback;
    this._driven = new Driven('DeviceCodeCredential', options, undefined, { userPromptCallback });
  }
}

class InteractiveBrowserCredential extends UserCredential {
  /**
   * Signs the user in through their default browser (the authorization-code flow with PKCE): the
   * core listens on a loopback port, opens the browser with the sign-in page and redeems the
   * code the page redirects back with. The account's refresh token then serves other scopes
   * and renewals; `authenticate()` signs in up front and returns the AuthenticationRecord.
   * @param {object} [options] InteractiveBrowserCredentialNodeOptions: tenantId, clientId,
   *   redirectUri (a loopback http URL: its host and port are listened on), loginHint,
   *   browserCustomizationOptions, additionallyAllowedTenants, authorityHost,
   *   authenticationRecord, disableAutomaticAuthentication, and azcred's own
   *   signInTimeoutInMs (default 5 minutes)
   */
  constructor(options) {
    super();
    const opts = { ...(options || {}) };
    // A function value crosses as the URI it gives.
    if (typeof opts.redirectUri === 'function') opts.redirectUri = opts.redirectUri();
    this._driven = new Driven('InteractiveBrowserCredential', opts);
  }
}

class UsernamePasswordCredential extends DrivenCredential {
  /**
   * The resource-owner password grant (deprecated in the reference: it does not work with
   * multifactor authentication).
   * @param {string} tenantId
   * @param {string} clientId
   * @param {string} username
   * @param {string} password
   * @param {object} [options] UsernamePasswordCredentialOptions
   */
  constructor(tenantId, clientId, username, password, options) {
    super();
    this._driven = new Driven('UsernamePasswordCredential', { ...(options || {}), tenantId, clientId, username, password });
  }
}

class AuthorizationCodeCredential extends DrivenCredential {
  /**
   * `(tenantId, clientId, clientSecret, authorizationCode, redirectUri, options?)` or
   * `(tenantId, clientId, authorizationCode, redirectUri, options?)`: the code is redeemed once,
   * later tokens come from its refresh token.
   */
  constructor(tenantId, clientId, clientSecretOrAuthorizationCode, authorizationCodeOrRedirectUri, redirectUriOrOptions, options) {
    super();
    let clientSecret;
    let authorizationCode;
    let redirectUri;
    if (typeof redirectUriOrOptions === 'string') {
      clientSecret = clientSecretOrAuthorizationCode;
      authorizationCode = authorizationCodeOrRedirectUri;
      redirectUri = redirectUriOrOptions;
    } else {
      authorizationCode = clientSecretOrAuthorizationCode;
      redirectUri = authorizationCodeOrRedirectUri;
      options = redirectUriOrOptions;
    }
    this._driven = new Driven('AuthorizationCodeCredential', {
      ...(options || {}),
      tenantId,
      clientId,
      clientSecret,
      authorizationCode,
      redirectUri,
    });
  }
}

/** The reference's `serializeAuthenticationRecord`: the record as JSON. */
function serializeAuthenticationRecord(record) {
  return JSON.stringify(record);
}

/** The reference's `deserializeAuthenticationRecord`: the JSON parsed (a SyntaxError when it is
 * not JSON), refused when it names a version azcred does not write. */
function deserializeAuthenticationRecord(serializedRecord) {
  const parsed = JSON.parse(serializedRecord);
  checkAuthenticationRecord(parsed);
  return parsed;
}

/**
 * Returns a function that resolves to a bearer token for `scopes`, as @azure/identity's
 * getBearerTokenProvider does: through core-rest-pipeline's bearer-token rules (decided by the
 * core), so repeated calls reuse the token while it is fresh, a refresh starts in the background
 * in its last two minutes, and `credential.getToken` is called with the scopes as an array and
 * `enableCae: true`.
 * @param {import('@azure/core-auth').TokenCredential} credential
 * @param {string | string[]} scopes
 * @param {{abortSignal?: AbortSignal, tracingOptions?: object}} [options]
 */
function getBearerTokenProvider(credential, scopes, options) {
  const { abortSignal, tracingOptions } = options || {};
  const list = Array.isArray(scopes) ? scopes : [scopes];
  const driven = new Driven('BearerTokenProvider', {}, [credential]);
  return async function getAccessToken() {
    const token = await driven.getToken(list, { abortSignal, tracingOptions, enableCae: true });
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
  UserCredential,
  getBearerTokenProvider,
  getDefaultAzureCredential,
  serializeAuthenticationRecord,
  deserializeAuthenticationRecord,
};
