// Compiled with `tsc --noEmit` by the test suite: useIdentityPlugin takes the plugins published
// for @azure/identity as they are typed, and tokenCachePersistenceOptions goes where the
// reference's types put it.
import { cachePersistencePlugin } from '@azure/identity-cache-persistence';
import { nativeBrokerPlugin } from '@azure/identity-broker';
import {
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  CredentialPersistenceOptions,
  IdentityPlugin,
  TokenCachePersistenceOptions,
  useIdentityPlugin,
} from 'azcred';
import * as reference from '@azure/identity';

useIdentityPlugin(cachePersistencePlugin);
// Rejected at run time, but it type-checks as with the reference.
const broker: IdentityPlugin = nativeBrokerPlugin;
void broker;

const cache: TokenCachePersistenceOptions = { enabled: true, name: 'app', unsafeAllowUnencryptedStorage: true };
const persistence: CredentialPersistenceOptions = { tokenCachePersistenceOptions: cache };
new ClientSecretCredential('t', 'c', 's', persistence);
new ClientCertificateCredential('t', 'c', '/cert.pem', { tokenCachePersistenceOptions: { enabled: true } });
new ClientAssertionCredential('t', 'c', async () => 'a', { tokenCachePersistenceOptions: { enabled: false } });

// The same types as the reference's, both ways.
const ours: typeof useIdentityPlugin = reference.useIdentityPlugin;
const theirs: typeof reference.useIdentityPlugin = useIdentityPlugin;
const fromReference: TokenCachePersistenceOptions = {} as reference.TokenCachePersistenceOptions;
const toReference: reference.TokenCachePersistenceOptions = cache;
void [ours, theirs, fromReference, toReference];

// @ts-expect-error enabled is required, as in the reference
const missing: TokenCachePersistenceOptions = { name: 'x' };
void missing;
