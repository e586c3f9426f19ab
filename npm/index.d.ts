// Public types of azcred. Structurally compatible with @azure/core-auth's TokenCredential, so
// credentials can be passed to any Azure SDK client; no dependency on @azure packages.

/** A bearer token, as @azure/core-auth's AccessToken. */
export interface AccessToken {
  /** The token. */
  token: string;
  /** When it expires, in milliseconds since the Unix epoch. */
  expiresOnTimestamp: number;
  /** When a refresh should start, in milliseconds since the Unix epoch. */
  refreshAfterTimestamp?: number;
  /** Always "Bearer" here. */
  tokenType?: 'Bearer' | 'pop';
}

/** Options of getToken, as @azure/core-auth's GetTokenOptions. */
export interface GetTokenOptions {
  /** Cancels the wait; the acquisition's IO is cancelled once no caller waits for it. */
  abortSignal?: AbortSignal;
  /** `timeout` is the IMDS probe's deadline in ms (default 1000), as in @azure/identity. */
  requestOptions?: { timeout?: number };
  /** Accepted and ignored (no tracing). */
  tracingOptions?: { tracingContext?: unknown };
  /** Extra claims, e.g. from a CAE challenge. */
  claims?: string;
  /** Ask for a CAE-capable token. */
  enableCae?: boolean;
  /** Tenant for this request, where the credential allows it. */
  tenantId?: string;
}

/** Anything that supplies tokens, as @azure/core-auth's TokenCredential. */
export interface TokenCredential {
  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null>;
}

/** Retry settings (managed identity and Entra ID requests). */
export interface RetryOptions {
  /** Retries after the first attempt. */
  maxRetries?: number;
  /** Base delay of the exponential back-off, in ms. */
  retryDelayInMs?: number;
  /** Largest single delay, in ms. */
  maxRetryDelayInMs?: number;
}

/** Options every credential accepts. Pipeline options of @azure/identity (httpClient,
 * proxyOptions, userAgentOptions, loggingOptions) are accepted and ignored. */
export interface TokenCredentialOptions {
  /** Entra authority host. @default "https://login.microsoftonline.com" */
  authorityHost?: string;
  /** Retry settings. */
  retryOptions?: RetryOptions;
  /** Accepted for compatibility; ignored. */
  httpClient?: unknown;
  /** Accepted for compatibility; ignored. */
  proxyOptions?: unknown;
  /** Accepted for compatibility; ignored. */
  userAgentOptions?: unknown;
  /** Accepted for compatibility; ignored. */
  loggingOptions?: unknown;
  /** Accepted for compatibility; ignored. */
  additionalPolicies?: unknown;
}

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
export interface DefaultAzureCredentialOptions extends TokenCredentialOptions {
  /** Tenant for the developer tools and workload identity. */
  tenantId?: string;
  /** Client id of a user-assigned managed identity. @default process.env.AZURE_CLIENT_ID */
  managedIdentityClientId?: string;
  /** Resource id of a user-assigned managed identity; wins over any client id. */
  managedIdentityResourceId?: string;
  /** Client id for workload identity. */
  workloadIdentityClientId?: string;
  /** Tenants, besides the configured one, that getToken may ask for ("*" for any). */
  additionallyAllowedTenants?: string[];
  /** Deadline for developer-tool processes, in ms. */
  processTimeoutInMs?: number;
  /** Environment variables that must be set and not empty, checked by the constructor. */
  requiredEnvVars?: DefaultAzureCredentialEnvVars | DefaultAzureCredentialEnvVars[];
}

/** Options of ManagedIdentityCredential: at most one of clientId, resourceId, objectId. */
export interface ManagedIdentityCredentialOptions extends TokenCredentialOptions {
  /** Client id of a user-assigned identity. */
  clientId?: string;
  /** Resource id of a user-assigned identity. */
  resourceId?: string;
  /** Object id of a user-assigned identity. */
  objectId?: string;
}

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

/** The chain of @azure/identity's DefaultAzureCredential, decided by azcred's core. */
export class DefaultAzureCredential implements TokenCredential {
  constructor(options?: DefaultAzureCredentialOptions);
  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken>;
  /** Each credential of the chain, whether it will be tried and why not (azcred's own). */
  explain(): CredentialReport[];
}

/** Tokens from the host's managed identity. */
export class ManagedIdentityCredential implements TokenCredential {
  constructor(clientId: string, options?: TokenCredentialOptions);
  constructor(options?: ManagedIdentityCredentialOptions);
  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken>;
  /** The detected managed identity source (azcred's own). */
  explain(): CredentialReport[];
}

/** Tries each credential in order, as @azure/identity's ChainedTokenCredential. */
export class ChainedTokenCredential implements TokenCredential {
  constructor(...sources: TokenCredential[]);
  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken>;
}

/** Options of the credentials that call Entra ID. */
export interface MultiTenantTokenCredentialOptions extends TokenCredentialOptions {
  /** Tenants, besides the configured one, that getToken may ask for ("*" for any). */
  additionallyAllowedTenants?: string[];
  /** Accepted for compatibility; azcred never sends discovery requests. */
  disableInstanceDiscovery?: boolean;
}

/** Options of EnvironmentCredential. */
export interface EnvironmentCredentialOptions extends MultiTenantTokenCredentialOptions {}

/** Service principal from AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET, else
 * AZURE_CLIENT_CERTIFICATE_PATH (+ AZURE_CLIENT_CERTIFICATE_PASSWORD), else AZURE_USERNAME and
 * AZURE_PASSWORD. Any failure once configured is an AuthenticationError(400). */
export class EnvironmentCredential implements TokenCredential {
  constructor(options?: EnvironmentCredentialOptions);
  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken>;
}

/** Options of WorkloadIdentityCredential. */
export interface WorkloadIdentityCredentialOptions extends MultiTenantTokenCredentialOptions {
  /** Tenant of the app. @default process.env.AZURE_TENANT_ID */
  tenantId?: string;
  /** Client id of the app. @default process.env.AZURE_CLIENT_ID */
  clientId?: string;
  /** File with the federated token. @default process.env.AZURE_FEDERATED_TOKEN_FILE */
  tokenFilePath?: string;
  /** Accepted for compatibility; the AKS token proxy is not supported (requests go to Entra ID). */
  enableAzureProxy?: boolean;
}

/** A federated token file (Kubernetes workload identity) exchanged at Entra ID. */
export class WorkloadIdentityCredential implements TokenCredential {
  constructor(options?: WorkloadIdentityCredentialOptions);
  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken>;
}

/** Options of ClientSecretCredential. */
export interface ClientSecretCredentialOptions extends MultiTenantTokenCredentialOptions {}

/** An app registration's client secret. */
export class ClientSecretCredential implements TokenCredential {
  constructor(tenantId: string, clientId: string, clientSecret: string, options?: ClientSecretCredentialOptions);
  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken>;
}

/** Options of ClientCertificateCredential. */
export interface ClientCertificateCredentialOptions extends MultiTenantTokenCredentialOptions {
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
  | ClientCertificatePEMCertificatePath
  | ClientCertificatePEMCertificate;

/** An app registration's certificate: each token request is authenticated with an RSA-PSS (PS256) signed
 * assertion; the private key stays in Node's crypto. */
export class ClientCertificateCredential implements TokenCredential {
  constructor(tenantId: string, clientId: string, certificatePath: string, options?: ClientCertificateCredentialOptions);
  constructor(
    tenantId: string,
    clientId: string,
    configuration: ClientCertificateCredentialPEMConfiguration,
    options?: ClientCertificateCredentialOptions,
  );
  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken>;
}

/** Options of ClientAssertionCredential. */
export interface ClientAssertionCredentialOptions extends MultiTenantTokenCredentialOptions {}

/** What getAssertion is called with. */
export interface GetAssertionOptions {
  /** The app's client id. */
  clientId: string;
  /** The token endpoint the assertion is for (its audience). */
  tokenEndpoint: string;
}

/** A client assertion (a signed JWT) from your own callback, called once per token request. */
export class ClientAssertionCredential implements TokenCredential {
  constructor(
    tenantId: string,
    clientId: string,
    getAssertion: (options: GetAssertionOptions) => Promise<string>,
    options?: ClientAssertionCredentialOptions,
  );
  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken>;
}

/** Options of the developer-tool credentials. */
export interface DeveloperToolCredentialOptions extends TokenCredentialOptions {
  /** Tenant to get tokens from, instead of the tool's default. Checked by the constructor. */
  tenantId?: string;
  /** Tenants, besides `tenantId`, that getToken may ask for ("*" for any). */
  additionallyAllowedTenants?: string[];
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

/** As @azure/identity's VisualStudioCodeCredential without its plugin: always unavailable
 * (azcred does not load @azure/identity-vscode). */
export class VisualStudioCodeCredential implements TokenCredential {
  constructor(options?: TokenCredentialOptions & { tenantId?: string; additionallyAllowedTenants?: string[] });
  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken>;
}

/** Options of AzurePowerShellCredential. */
export interface AzurePowerShellCredentialOptions extends DeveloperToolCredentialOptions {}

/** Tokens from the Azure CLI (`az account get-access-token`); sign in with `az login`. */
export class AzureCliCredential implements TokenCredential {
  constructor(options?: AzureCliCredentialOptions);
  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken>;
}

/** Tokens from the Azure Developer CLI (`azd auth token`); sign in with `azd auth login`. */
export class AzureDeveloperCliCredential implements TokenCredential {
  constructor(options?: AzureDeveloperCliCredentialOptions);
  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken>;
}

/** Tokens from Azure PowerShell (`Get-AzAccessToken`); sign in with `Connect-AzAccount`. */
export class AzurePowerShellCredential implements TokenCredential {
  constructor(options?: AzurePowerShellCredentialOptions);
  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken>;
}

/** Options of getBearerTokenProvider. */
export interface GetBearerTokenProviderOptions {
  /** Cancels a token request. */
  abortSignal?: AbortSignal;
  /** Accepted and ignored. */
  tracingOptions?: { tracingContext?: unknown };
}

/** Returns a function that resolves to a bearer token for `scopes`. */
export function getBearerTokenProvider(
  credential: TokenCredential,
  scopes: string | string[],
  options?: GetBearerTokenProviderOptions,
): () => Promise<string>;

/** The credential cannot be used here; chains move on. */
export class CredentialUnavailableError extends Error {
  constructor(message?: string, options?: { cause?: unknown });
}

/** The OAuth error body of an AuthenticationError. */
export interface ErrorResponse {
  error: string;
  errorDescription: string;
  errorCodes?: number[];
  timestamp?: string;
  traceId?: string;
  correlationId?: string;
}

/** The service refused the credential; chains stop. */
export class AuthenticationError extends Error {
  readonly statusCode: number;
  readonly errorResponse: ErrorResponse;
  constructor(statusCode: number, errorBody: object | string | undefined | null, options?: { cause?: unknown });
}

/** Options of AuthenticationRequiredError. */
export interface AuthenticationRequiredErrorOptions {
  scopes: string[];
  getTokenOptions?: GetTokenOptions;
  message?: string;
  cause?: unknown;
}

/** More input is required; chains move on. */
export class AuthenticationRequiredError extends Error {
  scopes: string[];
  getTokenOptions?: GetTokenOptions;
  constructor(options: AuthenticationRequiredErrorOptions);
}

/** Every credential of a chain failed; `errors` holds each one's error, in order. */
export class AggregateAuthenticationError extends Error {
  errors: any[];
  constructor(errors: any[], errorMessage?: string);
}

/** Well-known Entra authority hosts. */
export declare const AzureAuthorityHosts: {
  readonly AzureChina: 'https://login.chinacloudapi.cn';
  readonly AzureGermany: 'https://login.microsoftonline.de';
  readonly AzureGovernment: 'https://login.microsoftonline.us';
  readonly AzurePublicCloud: 'https://login.microsoftonline.com';
};

/** The backend in use: the native addon, or the wasm module when the addon does not load. */
export declare const backend: 'native' | 'wasm';

/** The backend in use (ESM callers; loads it). */
export function getBackend(): 'native' | 'wasm';
