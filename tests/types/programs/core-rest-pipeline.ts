// @azure/core-rest-pipeline: bearerTokenAuthenticationPolicy with an azcred credential, and a real
// core-rest-pipeline HttpClient / pipeline options given to an azcred credential.
import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createEmptyPipeline,
  createHttpHeaders,
  createPipelineRequest,
  type HttpClient as CoreHttpClient,
  type PipelineRequest as CorePipelineRequest,
  type PipelineResponse as CorePipelineResponse,
  type PipelinePolicy as CorePipelinePolicy,
  type ProxySettings as CoreProxySettings,
  type PipelineRetryOptions,
  type TlsSettings,
} from '@azure/core-rest-pipeline';
import { ClientSecretCredential, DefaultAzureCredential, ManagedIdentityCredential, type TokenCredentialOptions } from 'azcred';

export async function main(): Promise<void> {
  const pipeline = createEmptyPipeline();
  pipeline.addPolicy(
    bearerTokenAuthenticationPolicy({ credential: new DefaultAzureCredential(), scopes: 'https://management.azure.com/.default' }),
  );
  pipeline.addPolicy(
    bearerTokenAuthenticationPolicy({ credential: new ManagedIdentityCredential(), scopes: ['https://vault.azure.net/.default'] }),
  );

  // A real HttpClient, proxy, TLS and retry settings as a core-client user would pass them.
  const httpClient: CoreHttpClient = createDefaultHttpClient();
  const proxyOptions: CoreProxySettings = { host: 'http://proxy', port: 8080, username: 'u', password: 'p' };
  const tlsOptions: TlsSettings = { ca: Buffer.from('PEM'), cert: 'PEM', key: Buffer.from('PEM'), passphrase: 'p' };
  const retryOptions: PipelineRetryOptions = { maxRetries: 1 };
  const policy: CorePipelinePolicy = { name: 'p', sendRequest: (req, next) => next(req) };
  const options: TokenCredentialOptions = {
    httpClient,
    proxyOptions,
    tlsOptions,
    retryOptions,
    allowInsecureConnection: false,
    userAgentOptions: { userAgentPrefix: 'my-app/1.0' },
    redirectOptions: { maxRetries: 0 },
    telemetryOptions: { clientRequestIdHeaderName: 'x-ms-client-request-id' },
    additionalPolicies: [{ policy, position: 'perCall' }],
    loggingOptions: { allowLoggingAccountIdentifiers: true, enableUnsafeSupportLogging: false, additionalAllowedHeaderNames: ['x'] },
  };
  const cred = new ClientSecretCredential('t', 'c', 's', options);

  // A user's own HttpClient typed with core-rest-pipeline's types.
  const custom: CoreHttpClient = {
    async sendRequest(request: CorePipelineRequest): Promise<CorePipelineResponse> {
      return { request, status: 200, headers: createHttpHeaders({ 'content-type': 'application/json' }), bodyAsText: '{}' };
    },
  };
  new ManagedIdentityCredential({ clientId: 'c', httpClient: custom });
  const response = await httpClient.sendRequest(createPipelineRequest({ url: 'https://example.com' }));
  console.log(response.status, cred);
}
