// azcred and @azure/core-auth are interchangeable: user classes implementing core-auth's
// TokenCredential go into azcred's ChainedTokenCredential, azcred credentials are core-auth
// TokenCredentials, and core-auth's GetTokenOptions / AccessToken flow both ways.
import type {
  AccessToken as CoreAccessToken,
  GetTokenOptions as CoreGetTokenOptions,
  TokenCredential as CoreTokenCredential,
  TracingContext as CoreTracingContext,
} from '@azure/core-auth';
import { isTokenCredential } from '@azure/core-auth';
import {
  ChainedTokenCredential,
  DefaultAzureCredential,
  ManagedIdentityCredential,
  type AccessToken,
  type GetTokenOptions,
  type TokenCredential,
} from 'azcred';

class StaticCredential implements CoreTokenCredential {
  async getToken(scopes: string | string[], options?: CoreGetTokenOptions): Promise<CoreAccessToken | null> {
    options?.abortSignal?.addEventListener('abort', () => undefined);
    return { token: String(scopes), expiresOnTimestamp: Date.now() + 60_000, tokenType: 'Bearer' };
  }
}

class AzcredTyped implements TokenCredential {
  async getToken(_scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    const pop = options?.proofOfPossessionOptions;
    return { token: pop ? `${pop.nonce}${pop.resourceRequestMethod}${pop.resourceRequestUrl}` : 't', expiresOnTimestamp: 0 };
  }
}

declare const tracingContext: CoreTracingContext;

export async function main(): Promise<void> {
  // core-auth implementations into azcred.
  const chain = new ChainedTokenCredential(new StaticCredential(), new AzcredTyped(), new ManagedIdentityCredential());
  // azcred credentials as core-auth TokenCredentials.
  const asCore: CoreTokenCredential = chain;
  const dac: CoreTokenCredential = new DefaultAzureCredential();
  const back: TokenCredential = asCore;
  const fromClass: CoreTokenCredential = new AzcredTyped();
  console.log(isTokenCredential(dac), back, fromClass);

  // core-auth GetTokenOptions into azcred, azcred GetTokenOptions into core-auth.
  const coreOptions: CoreGetTokenOptions = {
    abortSignal: new AbortController().signal,
    requestOptions: { timeout: 1000 },
    tracingOptions: { tracingContext },
    claims: '{}',
    enableCae: true,
    tenantId: 't',
    proofOfPossessionOptions: { nonce: 'n', resourceRequestMethod: 'POST', resourceRequestUrl: 'https://x' },
  };
  const token: AccessToken = await chain.getToken(['s'], coreOptions);
  const azOptions: GetTokenOptions = coreOptions;
  const backToCore: CoreGetTokenOptions = azOptions;
  const coreToken: CoreAccessToken = token;
  const azToken: AccessToken = coreToken;
  const fromCore: CoreAccessToken | null = await asCore.getToken('s', azOptions);
  console.log(backToCore, azToken, fromCore?.refreshAfterTimestamp);

  // The function types too: azcred's getToken is a core-auth getToken and the reverse.
  const f: CoreTokenCredential['getToken'] = chain.getToken.bind(chain);
  const g: TokenCredential['getToken'] = new StaticCredential().getToken;
  console.log(f, g);
}
