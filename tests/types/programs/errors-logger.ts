// Errors, their name constants, the logger, getDefaultAzureCredential and the class hierarchy.
import { AzureLogger, setLogLevel, type AzureLogger as AzureLoggerType, type Debugger } from '@azure/logger';
import {
  AggregateAuthenticationError,
  AggregateAuthenticationErrorName,
  AuthenticationError,
  AuthenticationErrorName,
  AuthenticationRequiredError,
  ChainedTokenCredential,
  CredentialUnavailableError,
  CredentialUnavailableErrorName,
  DefaultAzureCredential,
  getDefaultAzureCredential,
  logger,
  type AuthenticationRequiredErrorOptions,
  type CredentialReport,
  type ErrorResponse,
  type TokenCredential,
} from 'azcred';

export async function main(): Promise<void> {
  const names: ['CredentialUnavailableError', 'AuthenticationError', 'AggregateAuthenticationError'] = [
    CredentialUnavailableErrorName,
    AuthenticationErrorName,
    AggregateAuthenticationErrorName,
  ];
  const chain: ChainedTokenCredential = new DefaultAzureCredential();
  const cred: TokenCredential = getDefaultAzureCredential();
  try {
    await chain.getToken('s');
  } catch (e) {
    if (e instanceof AggregateAuthenticationError) console.log(e.errors.length);
    if (e instanceof AuthenticationError) {
      const r: ErrorResponse = e.errorResponse;
      console.log(e.statusCode, r.error, r.correlationId, r.traceId, r.errorCodes);
    }
    if (e instanceof CredentialUnavailableError && e.name === CredentialUnavailableErrorName) console.log(e.message);
    if (e instanceof AuthenticationRequiredError) console.log(e.scopes, e.getTokenOptions?.claims);
  }
  const opts: AuthenticationRequiredErrorOptions = { scopes: ['s'], message: 'm', cause: new Error('c') };
  new AuthenticationRequiredError(opts);
  new CredentialUnavailableError('m', { cause: 1 });
  new AuthenticationError(400, { error: 'e' }, { cause: 1 });
  new AggregateAuthenticationError([new Error('x')], 'm');

  // azcred's logger is an @azure/logger client logger.
  const asAzure: AzureLoggerType = logger;
  const d: Debugger = logger.info;
  const child: Debugger = logger.verbose.extend('child');
  logger.warning('w %s', 1);
  logger.error.log = (...args: unknown[]) => console.error(...args);
  console.log(asAzure, d.enabled, d.namespace, child.destroy(), logger.verbose.enabled);
  setLogLevel('info');
  AzureLogger.log = (...args: unknown[]) => console.log(...args);

  // explain() on every credential (azcred's own).
  const reports: CredentialReport[] = [...chain.explain(), ...new ChainedTokenCredential(cred).explain()];
  console.log(reports.map((r) => `${r.name} ${r.available} ${r.selected} ${r.detail}`));
}
