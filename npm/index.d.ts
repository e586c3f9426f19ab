// Public types of azcred: the classes, options, types and errors of @azure/identity 4.14.1, under
// the same names and with compatible shapes, plus azcred's own additions (explain(), backend,
// getBackend()). No dependency on any @azure package: the shapes azcred shares with
// @azure/core-auth, @azure/core-tracing, @azure/core-rest-pipeline, @azure/core-client and
// @azure/logger are declared here, structurally identical to theirs, so an azcred credential is a
// core-auth TokenCredential (and the reverse), and the pipeline objects users already have (a
// core-rest-pipeline HttpClient, ProxySettings, TlsSettings...) are accepted as they are.
//
// Every runtime and type-level name of @azure/identity 4.14.1 is declared.

// ---------------------------------------------------------------------------------------------
// Shapes shared with @azure/abort-controller, @azure/core-util and @azure/core-tracing

/** The Node `Buffer` type when the program has Node's types, else `Uint8Array` (no dependency on @types/node). */
type NodeBufferLike = typeof globalThis extends { Buffer: { isBuffer(obj: any): obj is infer B } } ? B : Uint8Array;

/** The global `AbortSignal` type when the program has one (DOM or Node types), else {@link AbortSignalLike}. */
type GlobalAbortSignal = typeof globalThis extends { AbortSignal: { prototype: infer S } } ? S : AbortSignalLike;

/**
 * Allows the request to be aborted upon firing of the "abort" event, as @azure/abort-controller's
 * AbortSignalLike. Compatible with the built-in AbortSignal and common polyfills.
 */
export interface AbortSignalLike {
  /** Indicates if the signal has already been aborted. */
  readonly aborted: boolean;
  /** Add new "abort" event listener, only support "abort" event. */
  addEventListener(type: 'abort', listener: (this: AbortSignalLike, ev: any) => any, options?: any): void;
  /** Remove "abort" event listener, only support "abort" event. */
  removeEventListener(type: 'abort', listener: (this: AbortSignalLike, ev: any) => any, options?: any): void;
}

/** The HTTP methods, as @azure/core-util's HttpMethods. */
export type HttpMethods = 'GET' | 'PUT' | 'POST' | 'DELETE' | 'PATCH' | 'HEAD' | 'OPTIONS' | 'TRACE';

/** An immutable context bag of tracing values, as @azure/core-auth's (and core-tracing's) TracingContext; structurally compatible with OpenTelemetry. */
export interface TracingContext {
  /** Get a value from the context. */
  getValue(key: symbol): unknown;
  /** Create a new context which inherits from this context and has the given key set to the given value. */
  setValue(key: symbol, value: unknown): TracingContext;
  /** Return a new context which inherits from this context but does not contain a value for the given key. */
  deleteValue(key: symbol): TracingContext;
}

/** Tracing options of an operation, as @azure/core-tracing's OperationTracingOptions. */
export interface OperationTracingOptions {
  /** The context to use for created tracing spans. azcred creates no spans. */
  tracingContext?: TracingContext;
}

// ---------------------------------------------------------------------------------------------
// @azure/core-auth

/** A bearer token, as @azure/core-auth's AccessToken. */
export interface AccessToken {
  /** The token. */
  token: string;
  /** When it expires, in milliseconds since the Unix epoch. */
  expiresOnTimestamp: number;
  /** When a refresh should start, in milliseconds since the Unix epoch. */
  refreshAfterTimestamp?: number;
  /** Type of token: azcred's credentials always return "Bearer". */
  tokenType?: 'Bearer' | 'pop';
}

/** Options of getToken, as @azure/core-auth's GetTokenOptions. */
export interface GetTokenOptions {
  /** Cancels the wait; the acquisition's IO is cancelled once no caller waits for it. */
  abortSignal?: AbortSignalLike;
  /** Options of the HTTP requests of this operation. */
  requestOptions?: {
    /** The IMDS probe's deadline in ms (default 1000), as in @azure/identity. */
    timeout?: number;
  };
  /** Accepted and ignored: azcred creates no tracing spans. */
  tracingOptions?: {
    /** Tracing context of the current request. */
    tracingContext?: TracingContext;
  };
  /** Extra claims, e.g. from a CAE challenge. */
  claims?: string;
  /** Ask for a CAE-capable token. */
  enableCae?: boolean;
  /** Tenant for this request, where the credential allows it. */
  tenantId?: string;
  /** Options of Proof of Possession token requests. azcred's credentials do not issue PoP tokens. */
  proofOfPossessionOptions?: {
    /** The nonce of the PoP token, typically from the WWW-Authenticate header of a 401 challenge. */
    nonce: string;
    /** The HTTP method of the request the token is for. */
    resourceRequestMethod: HttpMethods;
    /** The URL of the request the token is for. */
    resourceRequestUrl: string;
  };
}

/** Anything that supplies tokens, as @azure/core-auth's TokenCredential. */
export interface TokenCredential {
  /**
   * Gets a token for `scopes`. Called by Azure SDK clients, which cache and refresh the token;
   * callers of their own must do that themselves (or use {@link getBearerTokenProvider}).
   */
  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null>;
}

// ---------------------------------------------------------------------------------------------
// @azure/core-rest-pipeline and @azure/core-client: what TokenCredentialOptions accepts

/** HTTP headers as a plain object, as core-rest-pipeline's RawHttpHeaders. */
export type RawHttpHeaders = { [headerName: string]: string };

/** A case-insensitive set of HTTP headers, as core-rest-pipeline's HttpHeaders. */
export interface HttpHeaders extends Iterable<[string, string]> {
  /** The value of a header, or undefined when it is not set. */
  get(name: string): string | undefined;
  /** Whether a header is set. */
  has(name: string): boolean;
  /** Sets a header. */
  set(name: string, value: string | number | boolean): void;
  /** Removes a header. */
  delete(name: string): void;
  /** The headers as a plain object. */
  toJSON(options?: { preserveCase?: boolean }): RawHttpHeaders;
}

/** Upload or download progress, as core-rest-pipeline's TransferProgressEvent. */
export type TransferProgressEvent = {
  /** The number of bytes loaded so far. */
  loadedBytes: number;
};

/** A proxy for outgoing requests, as core-rest-pipeline's ProxySettings. */
export interface ProxySettings {
  /** The proxy's address, with its protocol (e.g. `http://proxy.contoso.com`). */
  host: string;
  /** The proxy's port. */
  port: number;
  /** The user name to authenticate with the proxy, if required. */
  username?: string;
  /** The password to authenticate with the proxy, if required. */
  password?: string;
}

/** A private key in PEM format with its passphrase, as core-rest-pipeline's KeyObject (Node's tls.KeyObject). */
export interface KeyObject {
  /** Private keys in PEM format. */
  pem: string | NodeBufferLike;
  /** Optional passphrase. */
  passphrase?: string | undefined;
}

/** A PFX/PKCS#12 blob with its passphrase, as core-rest-pipeline's PxfObject (Node's tls.PxfObject). */
export interface PxfObject {
  /** PFX or PKCS12 encoded private key and certificate chain. */
  buf: string | NodeBufferLike;
  /** Optional passphrase. */
  passphrase?: string | undefined;
}

/** TLS settings, as core-rest-pipeline's TlsSettings (the options of Node's `tls.connect`). */
export interface TlsSettings {
  /** Trusted CA certificates; replaces the default ones when given. */
  ca?: string | NodeBufferLike | Array<string | NodeBufferLike> | undefined;
  /** Client certificate chains in PEM format. */
  cert?: string | NodeBufferLike | Array<string | NodeBufferLike> | undefined;
  /** Client private keys in PEM format. */
  key?: string | NodeBufferLike | Array<NodeBufferLike | KeyObject> | undefined;
  /** Passphrase of the private key or PFX. */
  passphrase?: string | undefined;
  /** PFX or PKCS12 encoded private key and certificate chain. */
  pfx?: string | NodeBufferLike | Array<string | NodeBufferLike | PxfObject> | undefined;
}

/** An object shaped like Node's `http.Agent`, as core-rest-pipeline's Agent. */
export interface Agent {
  /** Destroy any sockets that are currently in use by the agent. */
  destroy(): void;
  /** For agents with keepAlive enabled, the maximum number of free sockets left open. */
  maxFreeSockets: number;
  /** How many concurrent sockets the agent can have open per origin. */
  maxSockets: number;
  /** Queues of requests that have not yet been assigned to sockets. */
  requests: unknown;
  /** Sockets currently in use by the agent. */
  sockets: unknown;
}

/**
 * An HTTP request, as core-rest-pipeline's PipelineRequest (the fields azcred uses; the others a
 * real PipelineRequest has are allowed). azcred's requests are GETs without a body or POSTs with
 * an `application/x-www-form-urlencoded` string body.
 */
export interface PipelineRequest {
  /** The URL. */
  url: string;
  /** The method. */
  method: HttpMethods;
  /** The headers. */
  headers: HttpHeaders;
  /** Deadline in ms (0: none). */
  timeout: number;
  /** Whether to send cookies cross-origin (browsers only). */
  withCredentials: boolean;
  /** A unique id of the request, for logging and tracing. */
  requestId: string;
  /** The body: a string for azcred's requests (typed `any` to match every body core-rest-pipeline allows). */
  body?: any;
  /** Status codes whose response body should be a stream; azcred never sets it. */
  streamResponseStatusCodes?: Set<number>;
  /** Proxy of this request. */
  proxySettings?: ProxySettings;
  /** If the connection should not be reused. */
  disableKeepAlive?: boolean;
  /** Cancels the request. */
  abortSignal?: AbortSignalLike;
  /** Tracing options. */
  tracingOptions?: OperationTracingOptions;
  /** Upload progress callback. */
  onUploadProgress?: (progress: TransferProgressEvent) => void;
  /** Download progress callback. */
  onDownloadProgress?: (progress: TransferProgressEvent) => void;
  /** Set to true if the request is sent over HTTP instead of HTTPS. */
  allowInsecureConnection?: boolean;
  /** A custom `http.Agent`/`https.Agent` (Node only). */
  agent?: Agent;
  /** Browser streams (browsers only). */
  enableBrowserStreams?: boolean;
  /** TLS settings of this request. */
  tlsSettings?: TlsSettings;
  /** Options to set on the underlying request, overriding the others. */
  requestOverrides?: Record<string, unknown>;
}

/** An HTTP response, as core-rest-pipeline's PipelineResponse (azcred reads `bodyAsText`). */
export interface PipelineResponse {
  /** The request that produced this response. */
  request: PipelineRequest;
  /** The HTTP status code. */
  status: number;
  /** The response headers. */
  headers: HttpHeaders;
  /** The body as text. */
  bodyAsText?: string | null;
}

/** Sends a request and resolves to its response, as core-rest-pipeline's SendRequest. */
export type SendRequest = (request: PipelineRequest) => Promise<PipelineResponse>;

/** What sends HTTP requests, as core-rest-pipeline's HttpClient (e.g. its `createDefaultHttpClient()`). */
export interface HttpClient {
  /** Sends a request and resolves to its response. */
  sendRequest: SendRequest;
}

/** A pipeline policy, as core-rest-pipeline's PipelinePolicy. */
export interface PipelinePolicy {
  /** The policy name, unique in a pipeline. */
  name: string;
  /** Handles the request, calling `next` to pass it on. */
  sendRequest(request: PipelineRequest, next: SendRequest): Promise<PipelineResponse>;
}

/** A policy added to the pipeline, as core-client's AdditionalPolicyConfig. */
export interface AdditionalPolicyConfig {
  /** The policy. */
  policy: PipelinePolicy;
  /** Before ("perCall") or inside ("perRetry") the retry logic. */
  position: 'perCall' | 'perRetry';
}

/** Retry settings, as core-rest-pipeline's PipelineRetryOptions. */
export interface PipelineRetryOptions {
  /** Retries after the first attempt. */
  maxRetries?: number;
  /** Base delay of the exponential back-off, in ms. */
  retryDelayInMs?: number;
  /** Largest single delay, in ms. */
  maxRetryDelayInMs?: number;
}

/** Retry settings (managed identity and Entra ID requests); the same as {@link PipelineRetryOptions}. */
export type RetryOptions = PipelineRetryOptions;

/** How redirect responses are handled, as core-rest-pipeline's RedirectPolicyOptions. */
export interface RedirectPolicyOptions {
  /** How many redirects to follow. */
  maxRetries?: number;
  /** Whether to follow redirects to another origin. */
  allowCrossOriginRedirects?: boolean;
}

/** The User-Agent of outgoing requests, as core-rest-pipeline's UserAgentPolicyOptions. */
export interface UserAgentPolicyOptions {
  /** Put in front of azcred's own User-Agent (`azcred/<version> Node/<version> (<os>; <arch>)`). */
  userAgentPrefix?: string;
}

/** Telemetry settings, as core-rest-pipeline's TelemetryOptions. */
export interface TelemetryOptions {
  /** The name of the header carrying the request id. */
  clientRequestIdHeaderName?: string;
}

/** Request/response logging, as core-rest-pipeline's LogPolicyOptions. */
export interface LogPolicyOptions {
  /** Header names whose values may be logged. */
  additionalAllowedHeaderNames?: string[];
  /** Query parameters whose values may be logged. */
  additionalAllowedQueryParameters?: string[];
  /** The logger to write to. */
  logger?: Debugger;
}

// ---------------------------------------------------------------------------------------------
// Logging, as @azure/logger

/** A log function that can be enabled and redirected, as @azure/logger's Debugger. */
export interface Debugger {
  /** Logs the given arguments through `log`. */
  (...args: any[]): void;
  /** Whether this logger is active. */
  enabled: boolean;
  /** Removes this logger. */
  destroy: () => boolean;
  /** The log method; replace it to redirect the output. */
  log: (...args: any[]) => void;
  /** The namespace, e.g. `azure:identity:info`. */
  namespace: string;
  /** A child logger with a `:`-separated sub-namespace. */
  extend: (namespace: string) => Debugger;
}

/** A client logger, as @azure/logger's AzureLogger: one {@link Debugger} per level. */
export interface AzureLogger {
  /** Failures the program is unlikely to recover from. */
  error: Debugger;
  /** A function failed to do its task; retries and fallbacks. */
  warning: Debugger;
  /** Normal operation: which credential supplied a token, why others were skipped. */
  info: Debugger;
  /** Detailed troubleshooting: each request and process run. */
  verbose: Debugger;
}

/**
 * azcred's logger (namespace `azure:identity`), as @azure/identity's `logger`. Turn it on with
 * `AZURE_LOG_LEVEL=verbose|info|warning|error`, or with @azure/logger's `setLogLevel()` when the
 * app has @azure/logger (azcred then logs through it, so `AzureLogger.log = ...` redirects it).
 * Nothing secret is ever logged.
 */
export declare const logger: AzureLogger;

// ---------------------------------------------------------------------------------------------
// Options

/**
 * Options every credential accepts, as @azure/identity's TokenCredentialOptions (core-client's
 * CommonClientOptions plus `authorityHost` and `loggingOptions`). azcred honours `authorityHost`,
 * `httpClient`, `proxyOptions`, `userAgentOptions`, `tlsOptions`, `allowInsecureConnection`,
 * `retryOptions` and `loggingOptions.allowLoggingAccountIdentifiers`; it does not honour
 * `additionalPolicies` (a warning is logged), `redirectOptions` (settings that would follow
 * redirects are rejected), `telemetryOptions`, `agent` and the other `loggingOptions` (see each).
 */
export interface TokenCredentialOptions {
  /**
   * The Entra authority host; see {@link AzureAuthorityHosts}.
   * @default "https://login.microsoftonline.com"
   */
  authorityHost?: string;
  /** Honoured: every HTTP request of the credential goes through this client's `sendRequest` (e.g. core-rest-pipeline's `createDefaultHttpClient()`). */
  httpClient?: HttpClient;
  /** Honoured: send Entra requests through this proxy, as `HTTPS_PROXY` would (managed-identity endpoints are never proxied). */
  proxyOptions?: ProxySettings;
  /** Honoured: `userAgentPrefix` is put in front of azcred's User-Agent. */
  userAgentOptions?: UserAgentPolicyOptions;
  /**
   * Honoured on the credential's https requests: `cert`, `key`, `pfx` and `passphrase` are
   * presented as the TLS client certificate, and `ca` replaces the trusted CAs, as Node's
   * `https.request` applies them; they stay in the driver and never reach the core.
   */
  tlsOptions?: TlsSettings;
  /**
   * Honoured as @azure/identity applies it, where it does not change a credential's requests
   * (Entra authority hosts must be https; managed-identity endpoints are used as they are).
   */
  allowInsecureConnection?: boolean;
  /** Honoured: retries of managed identity and Entra ID requests. */
  retryOptions?: PipelineRetryOptions;
  /** Not honoured: azcred has no HTTP pipeline to run policies in; the credential logs a warning saying how many it does not run. */
  additionalPolicies?: AdditionalPolicyConfig[];
  /** Not honoured: azcred never follows redirects; settings that would make it follow one are rejected with an error naming `redirectOptions`. */
  redirectOptions?: RedirectPolicyOptions;
  /** Not honoured: azcred sends its request ids under the reference's header names (accepted for compatibility). */
  telemetryOptions?: TelemetryOptions;
  /** Honoured: every HTTP request of the credential goes through this `http.Agent`/`https.Agent`; as in core-rest-pipeline, it wins over a proxy from the environment or `proxyOptions`. */
  agent?: Agent;
  /** Logging of the credential. */
  loggingOptions?: LogPolicyOptions & {
    /** Honoured: log the tenant, client id and object id of the account on success, as @azure/identity. */
    allowLoggingAccountIdentifiers?: boolean;
    /** Not honoured: azcred never logs personal or secret data (accepted for compatibility). */
    enableUnsafeSupportLogging?: boolean;
  };
}

/** Options of the credentials that may get tokens for other tenants. */
export interface MultiTenantTokenCredentialOptions extends TokenCredentialOptions {
  /** Tenants, besides the configured one, that getToken may ask for ("*" for any). */
  additionallyAllowedTenants?: string[];
}

/** Authority validation, as @azure/identity's AuthorityValidationOptions. */
export interface AuthorityValidationOptions {
  /** Accepted for compatibility; azcred never sends instance discovery requests. */
  disableInstanceDiscovery?: boolean;
}

/**
 * Persistent token cache settings, as @azure/identity's TokenCachePersistenceOptions. Needs the
 * @azure/identity-cache-persistence plugin registered with {@link useIdentityPlugin}; azcred stores
 * its own format under `<name>.azcred` through that plugin's persistence.
 */
export interface TokenCachePersistenceOptions {
  /** Enables persistent token caching for this credential. */
  enabled: boolean;
  /** Name of the persistent cache. */
  name?: string;
  /** Allow unencrypted storage when the OS offers no encryption. */
  unsafeAllowUnencryptedStorage?: boolean;
}

/** Options of the credentials that support a persistent token cache, as @azure/identity's. */
export interface CredentialPersistenceOptions {
  /** Options of the persistence layer (it needs the cache persistence plugin, see {@link useIdentityPlugin}). */
  tokenCachePersistenceOptions?: TokenCachePersistenceOptions;
}

/** The account a user credential signed in with, as @azure/identity's AuthenticationRecord. */
export interface AuthenticationRecord {
  /** The authority host that issued the token (e.g. login.microsoftonline.com). */
  authority: string;
  /** The home account id. */
  homeAccountId: string;
  /** The client id. */
  clientId: string;
  /** The tenant id. */
  tenantId: string;
  /** The user name. */
  username: string;
}

/** The type of an Azure Identity plugin, a function accepting a plugin context, as @azure/identity's. */
export type IdentityPlugin = (context: unknown) => void;

/**
 * Extends azcred with a plugin, as @azure/identity's useIdentityPlugin. `cachePersistencePlugin`
 * from @azure/identity-cache-persistence enables `tokenCachePersistenceOptions`; the broker and
 * VS Code plugins (@azure/identity-broker, @azure/identity-vscode) are rejected with an error
 * naming them (azcred does not use the WAM broker or VS Code's credentials).
 */
export declare function useIdentityPlugin(plugin: IdentityPlugin): void;

/** WAM broker authentication disabled. */
export interface BrokerDisabledOptions {
  /** Broker disabled. */
  enabled: false;
  /** Not used when the broker is disabled. */
  legacyEnableMsaPassthrough?: undefined;
  /** Not used when the broker is disabled. */
  parentWindowHandle: undefined;
}

/** WAM broker authentication enabled (Windows). */
export interface BrokerEnabledOptions {
  /** Broker enabled. */
  enabled: true;
  /** Pass MSA accounts through. */
  legacyEnableMsaPassthrough?: boolean;
  /** Handle of the parent window. */
  parentWindowHandle: Uint8Array;
  /** Try the default broker account before interactive authentication. @default false */
  useDefaultBrokerAccount?: boolean;
}

/** WAM broker authentication of InteractiveBrowserCredential. */
export type BrokerOptions = BrokerEnabledOptions | BrokerDisabledOptions;

/** Broker options of InteractiveBrowserCredential. */
export interface BrokerAuthOptions {
  /** Broker authentication settings. */
  brokerOptions?: BrokerOptions;
}

/**
 * Shared configuration options for browser customization
 */
export interface BrowserCustomizationOptions {
  /**
   * Shared configuration options for browser customization
   */
  browserCustomizationOptions?: {
    /**
     * Format for error messages for display in browser
     */
    errorMessage?: string;
    /**
     * Format for success messages for display in browser
     */
    successMessage?: string;
  };
}

/** Options of the credentials that need a user (DeviceCodeCredential, InteractiveBrowserCredential). */
export interface InteractiveCredentialOptions extends MultiTenantTokenCredentialOptions, AuthorityValidationOptions {
  /** A previous sign-in's account, to find its cached tokens. */
  authenticationRecord?: AuthenticationRecord;
  /** Make getToken throw when the user would have to sign in; call `authenticate()` instead. */
  disableAutomaticAuthentication?: boolean;
}

/** What DeviceCodeCredential shows the user. */
export interface DeviceCodeInfo {
  /** The code to enter. */
  userCode: string;
  /** Where to enter it. */
  verificationUri: string;
  /** An instruction with both. */
  message: string;
}

/** Shows {@link DeviceCodeInfo} to the user. */
export type DeviceCodePromptCallback = (deviceCodeInfo: DeviceCodeInfo) => void;

/** Options of DeviceCodeCredential. */
export interface DeviceCodeCredentialOptions extends InteractiveCredentialOptions, CredentialPersistenceOptions {
  /** The tenant. */
  tenantId?: string;
  /** The client id of the app users sign into. */
  clientId?: string;
  /** Shows the code to the user (default: printed to the console). */
  userPromptCallback?: DeviceCodePromptCallback;
}

/** How a browser app signs the user in: by redirecting or in a popup. */
export type BrowserLoginStyle = 'redirect' | 'popup';

/**
 * Defines the common options for the InteractiveBrowserCredential class (on Node).
 */
export interface InteractiveBrowserCredentialNodeOptions
  extends InteractiveCredentialOptions,
    CredentialPersistenceOptions,
    BrowserCustomizationOptions,
    BrokerAuthOptions {
  /**
   * Gets the redirect URI of the application. This should be same as the value
   * in the application registration portal.  Defaults to `window.location.href`.
   * This field is no longer required for Node.js.
   *
   * azcred: a loopback `http` URL (`http://localhost[:port][/path]`, `http://127.0.0.1...` or
   * `http://[::1]...`) whose host and port the credential listens on (no port: any free one);
   * any other URL is refused when the credential is built. Without it, `http://localhost` with a
   * free port, as @azure/identity (which ignores this option on Node).
   */
  redirectUri?: string | (() => string);
  /**
   * The Microsoft Entra tenant (directory) ID.
   */
  tenantId?: string;
  /**
   * The Client ID of the Microsoft Entra application that users will sign into.
   * It is recommended that developers register their applications and assign appropriate roles.
   * For more information, visit https://aka.ms/identity/AppRegistrationAndRoleAssignment.
   * If not specified, users will authenticate to an Azure development application,
   * which is not recommended for production scenarios.
   */
  clientId?: string;
  /**
   * loginHint allows a user name to be pre-selected for interactive logins.
   * Setting this option skips the account selection prompt and immediately attempts to login with the specified account.
   */
  loginHint?: string;
  /**
   * azcred's own: how long a sign-in may take, in ms, from the moment the credential listens for
   * the redirect; then getToken fails with an AuthenticationRequiredError. Default 300000 (5
   * minutes); @azure/identity waits forever.
   */
  signInTimeoutInMs?: number;
}

/** Options of @azure/identity's InteractiveBrowserCredential in browsers (azcred runs on Node: these are accepted by the type). */
export interface InteractiveBrowserCredentialInBrowserOptions extends InteractiveCredentialOptions {
  /** The redirect URI of the app. */
  redirectUri?: string | (() => string);
  /** The tenant. */
  tenantId?: string;
  /** The client id of the app users sign into. */
  clientId: string;
  /** Redirect or popup. @default "popup" */
  loginStyle?: BrowserLoginStyle;
  /** Pre-selects the account. */
  loginHint?: string;
}

/** Options of AuthorizationCodeCredential. */
export interface AuthorizationCodeCredentialOptions extends MultiTenantTokenCredentialOptions, AuthorityValidationOptions {}

/** Options of AzurePipelinesCredential. */
export interface AzurePipelinesCredentialOptions
  extends MultiTenantTokenCredentialOptions,
    CredentialPersistenceOptions,
    AuthorityValidationOptions {}

/**
 * Options of UsernamePasswordCredential.
 * @deprecated UsernamePasswordCredential is deprecated (no MFA); see https://aka.ms/azsdk/identity/mfa.
 */
export interface UsernamePasswordCredentialOptions
  extends MultiTenantTokenCredentialOptions,
    CredentialPersistenceOptions,
    AuthorityValidationOptions {}

/** On-behalf-of with a client secret. */
export interface OnBehalfOfCredentialSecretOptions {
  /** The tenant. */
  tenantId: string;
  /** The app's client id. */
  clientId: string;
  /** The app's client secret. */
  clientSecret: string;
  /** The user assertion. */
  userAssertionToken: string;
}

/** On-behalf-of with a certificate. */
export interface OnBehalfOfCredentialCertificateOptions {
  /** The tenant. */
  tenantId: string;
  /** The app's client id. */
  clientId: string;
  /** Path of a PEM file with the certificate and its private key (read for each token request). */
  certificatePath: string;
  /** The user assertion. */
  userAssertionToken: string;
  /** Send the certificate chain (x5c). */
  sendCertificateChain?: boolean;
}

/** On-behalf-of with a certificate given as PEM text (azcred's own; @azure/identity takes a path only). */
export interface OnBehalfOfCredentialPemCertificateOptions {
  /** The tenant. */
  tenantId: string;
  /** The app's client id. */
  clientId: string;
  /** The PEM text: the certificate and its private key. */
  certificate: string;
  /** The password of an encrypted private key. */
  certificatePassword?: string;
  /** The user assertion. */
  userAssertionToken: string;
  /** Send the certificate chain (x5c). */
  sendCertificateChain?: boolean;
}

/** On-behalf-of with a client assertion. */
export interface OnBehalfOfCredentialAssertionOptions {
  /** The tenant. */
  tenantId: string;
  /** The app's client id. */
  clientId: string;
  /** Returns the client assertion. */
  getAssertion: () => Promise<string>;
  /** The user assertion. */
  userAssertionToken: string;
}

/** Options of OnBehalfOfCredential. */
export type OnBehalfOfCredentialOptions = (
  | OnBehalfOfCredentialSecretOptions
  | OnBehalfOfCredentialCertificateOptions
  | OnBehalfOfCredentialPemCertificateOptions
  | OnBehalfOfCredentialAssertionOptions
) &
  MultiTenantTokenCredentialOptions &
  CredentialPersistenceOptions &
  AuthorityValidationOptions;

/** The environment variables requiredEnvVars may name. */
export type DefaultAzureCredentialEnvVars =
  | 'AZURE_TOKEN_CREDENTIALS'
  | 'AZURE_CLIENT_ID'
  | 'AZURE_TENANT_ID'
  | 'AZURE_CLIENT_SECRET'
  | 'AZURE_CLIENT_CERTIFICATE_PATH'
  | 'AZURE_CLIENT_CERTIFICATE_PASSWORD'
  | 'AZURE_ADDITIONALLY_ALLOWED_TENANTS'
  | 'AZURE_CLIENT_SEND_CERTIFICATE_CHAIN'
  | 'AZURE_FEDERATED_TOKEN_FILE';

/** Options of DefaultAzureCredential. */
export interface DefaultAzureCredentialOptions extends MultiTenantTokenCredentialOptions, AuthorityValidationOptions {
  /** Tenant for the developer tools and workload identity. */
  tenantId?: string;
  /** Deadline for developer-tool processes, in ms. */
  processTimeoutInMs?: number;
  /** Environment variables that must be set and not empty, checked by the constructor. */
  requiredEnvVars?: DefaultAzureCredentialEnvVars | DefaultAzureCredentialEnvVars[];
}

/** Options of DefaultAzureCredential with a user-assigned managed identity's client id. */
export interface DefaultAzureCredentialClientIdOptions extends DefaultAzureCredentialOptions {
  /** Client id of a user-assigned managed identity. @default process.env.AZURE_CLIENT_ID */
  managedIdentityClientId?: string;
  /** Client id for workload identity. @default process.env.AZURE_CLIENT_ID */
  workloadIdentityClientId?: string;
}

/** Options of DefaultAzureCredential with a user-assigned managed identity's resource id. */
export interface DefaultAzureCredentialResourceIdOptions extends DefaultAzureCredentialOptions {
  /** Resource id of a user-assigned managed identity. */
  managedIdentityResourceId: string;
}

/** Options of ManagedIdentityCredential with a user-assigned identity's client id. */
export interface ManagedIdentityCredentialClientIdOptions extends TokenCredentialOptions {
  /** Client id of a user-assigned identity (or app registration, with AKS pod identity). */
  clientId?: string;
}

/** Options of ManagedIdentityCredential with a user-assigned identity's resource id. */
export interface ManagedIdentityCredentialResourceIdOptions extends TokenCredentialOptions {
  /** Resource id of a user-assigned identity. */
  resourceId: string;
}

/** Options of ManagedIdentityCredential with a user-assigned identity's object id. */
export interface ManagedIdentityCredentialObjectIdOptions extends TokenCredentialOptions {
  /** Object id of a user-assigned identity. */
  objectId: string;
}

/**
 * Any options of ManagedIdentityCredential (azcred's own name; at most one of clientId,
 * resourceId, objectId). The constructor takes the three @azure/identity types, which reject
 * two ids at once.
 */
export type ManagedIdentityCredentialOptions =
  | ManagedIdentityCredentialClientIdOptions
  | ManagedIdentityCredentialResourceIdOptions
  | ManagedIdentityCredentialObjectIdOptions;

/** Options of EnvironmentCredential. */
export interface EnvironmentCredentialOptions extends MultiTenantTokenCredentialOptions, AuthorityValidationOptions {}

/** Options of WorkloadIdentityCredential. */
export interface WorkloadIdentityCredentialOptions extends MultiTenantTokenCredentialOptions, AuthorityValidationOptions {
  /** Tenant of the app. @default process.env.AZURE_TENANT_ID */
  tenantId?: string;
  /** Client id of the app. @default process.env.AZURE_CLIENT_ID */
  clientId?: string;
  /** File with the federated token. @default process.env.AZURE_FEDERATED_TOKEN_FILE */
  tokenFilePath?: string;
  /** Accepted for compatibility; the AKS token proxy is not supported (requests go to Entra ID). */
  enableAzureProxy?: boolean;
}

/** Options of ClientSecretCredential. */
export interface ClientSecretCredentialOptions
  extends MultiTenantTokenCredentialOptions,
    CredentialPersistenceOptions,
    AuthorityValidationOptions {}

/** Options of ClientCertificateCredential. */
export interface ClientCertificateCredentialOptions
  extends MultiTenantTokenCredentialOptions,
    CredentialPersistenceOptions,
    AuthorityValidationOptions {
  /** Send the certificate chain (x5c) with each assertion, for subject-name/issuer auth. @default false */
  sendCertificateChain?: boolean;
}

/** A PEM certificate (and its private key) given by path. */
export interface ClientCertificatePEMCertificatePath {
  /** Path of a PEM file holding the certificate(s) and the private key. */
  certificatePath: string;
  /** Password of an encrypted private key. */
  certificatePassword?: string;
}

/** A PEM certificate (and its private key) given as text. */
export interface ClientCertificatePEMCertificate {
  /** PEM text holding the certificate(s) and the private key. */
  certificate: string;
  /** Password of an encrypted private key. */
  certificatePassword?: string;
}

/** Where the certificate comes from. PEM only (PKCS#12 is not supported). */
export type ClientCertificateCredentialPEMConfiguration =
  | ClientCertificatePEMCertificate
  | ClientCertificatePEMCertificatePath;

/** Options of ClientAssertionCredential. */
export interface ClientAssertionCredentialOptions
  extends MultiTenantTokenCredentialOptions,
    CredentialPersistenceOptions,
    AuthorityValidationOptions {}

/** What getAssertion is called with (azcred's own; @azure/identity calls it without arguments). */
export interface GetAssertionOptions {
  /** The app's client id. */
  clientId: string;
  /** The token endpoint the assertion is for (its audience). */
  tokenEndpoint: string;
}

/** Options of the developer-tool credentials (azcred's own name for what they share). */
export interface DeveloperToolCredentialOptions extends MultiTenantTokenCredentialOptions {
  /** Tenant to get tokens from, instead of the tool's default. Checked by the constructor. */
  tenantId?: string;
  /**
   * How long the tool may run before it is killed, in ms. @azure/identity waits forever by
   * default; azcred stops the tool after 30 s.
   * @default 30000
   */
  processTimeoutInMs?: number;
}

/** Options of AzureCliCredential. */
export interface AzureCliCredentialOptions extends DeveloperToolCredentialOptions {
  /** Name or id of the subscription to get tokens for (`az ... --subscription`). */
  subscription?: string;
}

/** Options of AzureDeveloperCliCredential. */
export interface AzureDeveloperCliCredentialOptions extends DeveloperToolCredentialOptions {}

/** Options of AzurePowerShellCredential. */
export interface AzurePowerShellCredentialOptions extends DeveloperToolCredentialOptions {}

/** Options of VisualStudioCodeCredential. */
export interface VisualStudioCodeCredentialOptions extends MultiTenantTokenCredentialOptions {
  /** Tenant to use. */
  tenantId?: string;
}

/** Options of getBearerTokenProvider. */
export interface GetBearerTokenProviderOptions {
  /** Cancels a token request. */
  abortSignal?: GlobalAbortSignal;
  /** Accepted and ignored (no tracing). */
  tracingOptions?: {
    /** Tracing context of the token requests. */
    tracingContext?: TracingContext;
  };
}

// ---------------------------------------------------------------------------------------------
// Credentials

/** What explain() reports for one credential of a chain (azcred's own). */
export interface CredentialReport {
  /** The credential's class name. */
  name: string;
  /** Whether it will be tried. */
  available: boolean;
  /** What it will do, or why it is left out. */
  detail: string;
  /** Whether it supplied the last token (later calls go straight to it). */
  selected: boolean;
}

/**
 * Tries each credential in order, as @azure/identity's ChainedTokenCredential: the first token
 * wins; a CredentialUnavailableError moves on, any other error stops the chain.
 */
export declare class ChainedTokenCredential implements TokenCredential {
  /** @param sources - The credentials to try, in order (any core-auth TokenCredential). */
  constructor(...sources: TokenCredential[]);
  /** The first token of the chain; AggregateAuthenticationError when none gives one. */
  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken>;
  /** Each credential of the chain, whether it will be tried and why not (azcred's own). */
  explain(): CredentialReport[];
}

/**
 * The chain of @azure/identity's DefaultAzureCredential, decided by azcred's core:
 * EnvironmentCredential, WorkloadIdentityCredential, ManagedIdentityCredential,
 * VisualStudioCodeCredential, AzureCliCredential, AzurePowerShellCredential,
 * AzureDeveloperCliCredential (narrowed by `AZURE_TOKEN_CREDENTIALS`). A ChainedTokenCredential.
 */
export declare class DefaultAzureCredential extends ChainedTokenCredential {
  /** With a user-assigned managed identity's client id (or none). */
  constructor(options?: DefaultAzureCredentialClientIdOptions);
  /** With a user-assigned managed identity's resource id. */
  constructor(options?: DefaultAzureCredentialResourceIdOptions);
  /** Without a managed identity id. */
  constructor(options?: DefaultAzureCredentialOptions);
}

/** Tokens from the host's managed identity (IMDS, App Service, Functions, Arc, Cloud Shell, Service Fabric, AKS). */
export declare class ManagedIdentityCredential implements TokenCredential {
  /** A user-assigned identity by client id. */
  constructor(clientId: string, options?: TokenCredentialOptions);
  /** The system-assigned identity, or a user-assigned one by client id. */
  constructor(options?: ManagedIdentityCredentialClientIdOptions);
  /** A user-assigned identity by resource id. */
  constructor(options?: ManagedIdentityCredentialResourceIdOptions);
  /** A user-assigned identity by object id. */
  constructor(options?: ManagedIdentityCredentialObjectIdOptions);
  /** A token for `scopes` (one scope, as the reference). */
  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken>;
  /** The detected managed identity source (azcred's own). */
  explain(): CredentialReport[];
}

/**
 * Service principal from AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET, else
 * AZURE_CLIENT_CERTIFICATE_PATH (+ AZURE_CLIENT_CERTIFICATE_PASSWORD), else AZURE_USERNAME and
 * AZURE_PASSWORD. Any failure once configured is an AuthenticationError(400).
 */
export declare class EnvironmentCredential implements TokenCredential {
  constructor(options?: EnvironmentCredentialOptions);
  /** A token from Entra ID with the configured credential. */
  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken>;
  /** Which variables were found and what will be used (azcred's own). */
  explain(): CredentialReport[];
}

/** A federated token file (Kubernetes workload identity) exchanged at Entra ID. */
export declare class WorkloadIdentityCredential implements TokenCredential {
  constructor(options?: WorkloadIdentityCredentialOptions);
  /** A token from Entra ID for the federated token. */
  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken>;
  /** Whether tenant, client id and token file are known (azcred's own). */
  explain(): CredentialReport[];
}

/** An app registration's client secret. */
export declare class ClientSecretCredential implements TokenCredential {
  constructor(tenantId: string, clientId: string, clientSecret: string, options?: ClientSecretCredentialOptions);
  /** A token from Entra ID. */
  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken>;
  /** What the credential will do (azcred's own). */
  explain(): CredentialReport[];
}

/**
 * An app registration's certificate: each token request is authenticated with an RSA-PSS (PS256)
 * signed assertion; the private key stays in Node's crypto.
 */
export declare class ClientCertificateCredential implements TokenCredential {
  /** With the path of a PEM file holding the certificate and its private key. */
  constructor(tenantId: string, clientId: string, certificatePath: string, options?: ClientCertificateCredentialOptions);
  /** With a PEM file's path, or its text. */
  constructor(
    tenantId: string,
    clientId: string,
    configuration: ClientCertificateCredentialPEMConfiguration,
    options?: ClientCertificateCredentialOptions,
  );
  /** A token from Entra ID. */
  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken>;
  /** What the credential will do (azcred's own). */
  explain(): CredentialReport[];
}

/** A client assertion (a signed JWT) from your own callback, called once per token request. */
export declare class ClientAssertionCredential implements TokenCredential {
  /**
   * @param getAssertion - Returns the assertion; azcred passes it {@link GetAssertionOptions}
   * (a callback without parameters, as written for @azure/identity, works too).
   */
  constructor(
    tenantId: string,
    clientId: string,
    getAssertion: (options: GetAssertionOptions) => Promise<string>,
    options?: ClientAssertionCredentialOptions,
  );
  /** A token from Entra ID. */
  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken>;
  /** What the credential will do (azcred's own). */
  explain(): CredentialReport[];
}

/**
 * Workload identity federation in Azure Pipelines: an OIDC token for the service connection,
 * asked for at `SYSTEM_OIDCREQUESTURI` (read by the constructor) with the pipeline's
 * `System.AccessToken`, exchanged at Entra ID for each token request sent there.
 */
export declare class AzurePipelinesCredential implements TokenCredential {
  /**
   * @param tenantId - The tenant of the service connection.
   * @param clientId - The client id of the service connection's app registration.
   * @param serviceConnectionId - The service connection's id (the `resourceId` of its URL).
   * @param systemAccessToken - The pipeline's `System.AccessToken`.
   */
  constructor(
    tenantId: string,
    clientId: string,
    serviceConnectionId: string,
    systemAccessToken: string,
    options?: AzurePipelinesCredentialOptions,
  );
  /** A token from Entra ID. */
  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken>;
  /** What the credential will do (azcred's own). */
  explain(): CredentialReport[];
}

/**
 * The on-behalf-of flow: a token for a downstream API, for the user whose token
 * (`userAssertionToken`) this app received. Tokens are cached per credential, so per user
 * assertion.
 */
export declare class OnBehalfOfCredential implements TokenCredential {
  constructor(options: OnBehalfOfCredentialOptions);
  /** A token from Entra ID. */
  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken>;
  /** What the credential will do (azcred's own). */
  explain(): CredentialReport[];
}

/**
 * Enables authentication to Microsoft Entra ID inside of the web browser
 * using the interactive login flow.
 *
 * azcred (on Node): the authorization-code flow with PKCE. The credential listens on a loopback
 * address, opens the default browser with the sign-in page (`xdg-open` on Linux, `open` on
 * macOS, `rundll32 url.dll,FileProtocolHandler` on Windows; never a shell), answers the page's
 * redirect with `browserCustomizationOptions.successMessage` (or `errorMessage`), and redeems
 * the code. The account's refresh token then serves other scopes and renewals without a new
 * sign-in; a sign-in gives up after `signInTimeoutInMs`.
 */
export declare class InteractiveBrowserCredential implements TokenCredential {
  /**
   * Creates an instance of InteractiveBrowserCredential with the details needed.
   *
   * This credential uses the [Authorization Code Flow](https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow).
   * On Node.js, it will open a browser window while it listens for a redirect response from the authentication service.
   *
   * For Node.js, if a `clientId` is provided, the Microsoft Entra application will need to be configured to have a "Mobile and desktop applications" redirect endpoint.
   * Follow our guide on [setting up Redirect URIs for Desktop apps that calls to web APIs](https://learn.microsoft.com/entra/identity-platform/scenario-desktop-app-registration#redirect-uris).
   *
   * @param options - Options for configuring the client which makes the authentication requests.
   */
  constructor(options: InteractiveBrowserCredentialNodeOptions | InteractiveBrowserCredentialInBrowserOptions);
  /**
   * Authenticates with Microsoft Entra ID and returns an access token if successful.
   *
   * @param scopes - The list of scopes for which the token will have access.
   * @param options - The options used to configure any requests this
   *                TokenCredential implementation might make.
   */
  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken>;
  /** Signs the user in when the credential cannot get a token silently; resolves to the account. */
  authenticate(scopes: string | string[], options?: GetTokenOptions): Promise<AuthenticationRecord | undefined>;
  /** What the credential will do (azcred's own). */
  explain(): CredentialReport[];
}

/** Tokens from the Azure CLI (`az account get-access-token`); sign in with `az login`. */
export declare class AzureCliCredential implements TokenCredential {
  constructor(options?: AzureCliCredentialOptions);
  /** A token from the CLI (one scope). */
  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken>;
  /** Whether the tool will be run (azcred's own). */
  explain(): CredentialReport[];
}

/** Tokens from the Azure Developer CLI (`azd auth token`); sign in with `azd auth login`. */
export declare class AzureDeveloperCliCredential implements TokenCredential {
  constructor(options?: AzureDeveloperCliCredentialOptions);
  /** A token from azd. */
  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken>;
  /** Whether the tool will be run (azcred's own). */
  explain(): CredentialReport[];
}

/** Tokens from Azure PowerShell (`Get-AzAccessToken`); sign in with `Connect-AzAccount`. */
export declare class AzurePowerShellCredential implements TokenCredential {
  constructor(options?: AzurePowerShellCredentialOptions);
  /** A token from PowerShell (one scope). */
  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken>;
  /** Whether the tool will be run (azcred's own). */
  explain(): CredentialReport[];
}

/**
 * As @azure/identity's VisualStudioCodeCredential without its plugin: always unavailable
 * (azcred does not load @azure/identity-vscode).
 */
export declare class VisualStudioCodeCredential implements TokenCredential {
  constructor(options?: VisualStudioCodeCredentialOptions);
  /** Always rejects with CredentialUnavailableError. */
  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken>;
  /** Why it is unavailable (azcred's own). */
  explain(): CredentialReport[];
}

/** A new DefaultAzureCredential, as @azure/identity's getDefaultAzureCredential(). */
export declare function getDefaultAzureCredential(): TokenCredential;

/**
 * A user signs in on another device with a code the credential shows (by default printed with
 * `console.log`); later tokens, for any scope, come from the account's refresh token.
 */
export declare class DeviceCodeCredential implements TokenCredential {
  constructor(options?: DeviceCodeCredentialOptions);
  /** A token for the signed-in user; signs in first when needed (unless `disableAutomaticAuthentication`). */
  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken>;
  /** Signs the user in when the credential cannot get a token silently; resolves to the account. */
  authenticate(scopes: string | string[], options?: GetTokenOptions): Promise<AuthenticationRecord | undefined>;
  /** What the credential will do (azcred's own). */
  explain(): CredentialReport[];
}

/**
 * The resource-owner password grant.
 * @deprecated UsernamePasswordCredential is deprecated. Use a more secure credential. See https://aka.ms/azsdk/identity/mfa for details.
 */
export declare class UsernamePasswordCredential implements TokenCredential {
  constructor(
    tenantId: string,
    clientId: string,
    username: string,
    password: string,
    options?: UsernamePasswordCredentialOptions,
  );
  /** A token for the user; later scopes come from the refresh token. */
  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken>;
  /** What the credential will do (azcred's own). */
  explain(): CredentialReport[];
}

/**
 * An authorization code (from the authorize endpoint) redeemed once; later tokens come from its
 * refresh token.
 */
export declare class AuthorizationCodeCredential implements TokenCredential {
  /** A confidential client (with its client secret). */
  constructor(
    tenantId: string | "common",
    clientId: string,
    clientSecret: string,
    authorizationCode: string,
    redirectUri: string,
    options?: AuthorizationCodeCredentialOptions,
  );
  /** A public client. */
  constructor(
    tenantId: string | "common",
    clientId: string,
    authorizationCode: string,
    redirectUri: string,
    options?: AuthorizationCodeCredentialOptions,
  );
  /** A token for the user. */
  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken>;
  /** What the credential will do (azcred's own). */
  explain(): CredentialReport[];
}

/** An AuthenticationRecord as JSON, to store it and pass it back as `authenticationRecord` later. */
export declare function serializeAuthenticationRecord(record: AuthenticationRecord): string;

/** Reads a record written by {@link serializeAuthenticationRecord}; throws for a version it does not know. */
export declare function deserializeAuthenticationRecord(serializedRecord: string): AuthenticationRecord;

/**
 * Returns a function that resolves to a bearer token for `scopes`, as @azure/identity's: it asks
 * the credential once while the token is fresh (scopes as an array, `enableCae: true`) and
 * refreshes it before it expires.
 */
export declare function getBearerTokenProvider(
  credential: TokenCredential,
  scopes: string | string[],
  options?: GetBearerTokenProviderOptions,
): () => Promise<string>;

// ---------------------------------------------------------------------------------------------
// Errors

/** The `name` of a CredentialUnavailableError. */
export declare const CredentialUnavailableErrorName = 'CredentialUnavailableError';

/** The credential cannot be used here; chains move on. */
export declare class CredentialUnavailableError extends Error {
  constructor(message?: string, options?: { cause?: unknown });
}

/** The OAuth error body of an AuthenticationError. */
export interface ErrorResponse {
  /** The error code, e.g. "invalid_client". */
  error: string;
  /** The error's description. */
  errorDescription: string;
  /** Entra's numeric error codes. */
  errorCodes?: number[];
  /** When the error occurred. */
  timestamp?: string;
  /** Entra's trace id of the request. */
  traceId?: string;
  /** Entra's correlation id of the request. */
  correlationId?: string;
}

/** The `name` of an AuthenticationError. */
export declare const AuthenticationErrorName = 'AuthenticationError';

/** The service refused the credential; chains stop. */
export declare class AuthenticationError extends Error {
  /** The HTTP status of the refusal. */
  readonly statusCode: number;
  /** The parsed error body. */
  readonly errorResponse: ErrorResponse;
  constructor(statusCode: number, errorBody: object | string | undefined | null, options?: { cause?: unknown });
}

/** The `name` of an AggregateAuthenticationError. */
export declare const AggregateAuthenticationErrorName = 'AggregateAuthenticationError';

/** Every credential of a chain failed; `errors` holds each one's error, in order. */
export declare class AggregateAuthenticationError extends Error {
  /** Each credential's error, in chain order. */
  errors: any[];
  constructor(errors: any[], errorMessage?: string);
}

/** Options of AuthenticationRequiredError. */
export interface AuthenticationRequiredErrorOptions {
  /** The scopes of the token request. */
  scopes: string[];
  /** The options of the token request. */
  getTokenOptions?: GetTokenOptions;
  /** The message. */
  message?: string;
  /** The underlying cause. */
  cause?: unknown;
}

/** More input is required; chains move on. */
export declare class AuthenticationRequiredError extends Error {
  /** The scopes of the token request. */
  scopes: string[];
  /** The options of the token request. */
  getTokenOptions?: GetTokenOptions;
  constructor(options: AuthenticationRequiredErrorOptions);
}

// ---------------------------------------------------------------------------------------------
// Constants and azcred's own

/** Well-known Entra authority hosts (a value and a type, as @azure/identity's enum). */
export declare enum AzureAuthorityHosts {
  /** China-based Azure authority host. */
  AzureChina = 'https://login.chinacloudapi.cn',
  /**
   * Germany-based Azure authority host.
   * @deprecated Microsoft Cloud Germany was closed on October 29th, 2021.
   */
  AzureGermany = 'https://login.microsoftonline.de',
  /** US Government Azure authority host. */
  AzureGovernment = 'https://login.microsoftonline.us',
  /** Public cloud Azure authority host. */
  AzurePublicCloud = 'https://login.microsoftonline.com',
}

/** The backend in use: the native addon, or the wasm module when the addon does not load (azcred's own; reading it loads the backend). */
export declare const backend: 'native' | 'wasm';

/** The backend in use (azcred's own; loads it). */
export declare function getBackend(): 'native' | 'wasm';
