// The binding boundary, written once: what the native addon and the wasm module take and give
// (plain objects, in the shapes the core's serde types have). Both bindings' generated
// declarations name these types, and tests/types/programs/boundary.ts checks that each binding
// is assignable to `BindingModule`. The driver (lib/driver.js) is the only consumer.

/** A log level, the least to the most verbose. */
export type LogLevel = 'error' | 'warning' | 'info' | 'verbose';

/** One line the core decided to log. */
export interface LogRecord {
  level: LogLevel;
  message: string;
}

/** What `explain()` reports for one member of a credential. */
export interface MemberReport {
  name: string;
  available: boolean;
  detail: string;
  selected: boolean;
}

/** A token as the core hands it out (times in ms since the epoch). */
export interface AccessTokenValue {
  token: string;
  expiresOnTimestamp: number;
  refreshAfterTimestamp?: number;
  tokenType: string;
}

/** A token as a foreign `TokenCredential` answered it; the core decides whether it is usable. */
export interface ForeignToken {
  token: unknown;
  expiresOnTimestamp: unknown;
  refreshAfterTimestamp?: unknown;
  tokenType?: unknown;
}

/** Why a token could not be acquired; `errors` for a chain, in order. */
export interface TokenErrorValue {
  kind: string;
  code: string;
  name: string;
  message: string;
  credential?: string;
  statusCode?: number;
  errorResponse?: { error: string; errorDescription: string };
  errors?: TokenErrorValue[];
  delegateIndex?: number;
}

/** An HTTP request to send. */
export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers: Record<string, string>;
  body?: Uint8Array;
  allowProxy: boolean;
  proxy?: string;
  pinnedThumbprint?: string;
}

/** A persisted token cache's store: the options the driver passes to the persistence plugin's
 * factory (its `name` is the file the plugin writes). */
export interface CacheStore {
  name: string;
  unsafeAllowUnencryptedStorage: boolean;
}

/** One piece of IO the core asks for. */
export type Action =
  | { type: 'http'; request: HttpRequest; deadline: number; connectDeadline?: number; maxBodyBytes: number }
  | {
      type: 'run';
      program: string;
      args: string[];
      env: [string, string][];
      envRemove: string[];
      cwd?: string;
      deadline: number;
      maxOutputBytes: number;
      killTree: boolean;
    }
  | { type: 'readFile'; path: string; maxBytes: number; deadline: number }
  | { type: 'sign'; algorithm: string; key: string; passphrase?: string; data: string }
  | { type: 'getAssertion'; clientId: string; tokenEndpoint: string }
  | { type: 'launch'; program: string; args: string[]; deadline: number }
  | { type: 'listen'; host: string; port: number; maxPending: number; maxBodyBytes: number }
  | { type: 'accept'; deadline: number }
  | { type: 'respond'; status: number; headers: [string, string][]; body: Uint8Array; deadline: number }
  | { type: 'closeListener' }
  | { type: 'promptDeviceCode'; userCode: string; verificationUri: string; message: string }
  | {
      type: 'delegate';
      index: number;
      scopes: string[];
      claims?: string;
      tenantId?: string;
      enableCae: boolean;
    }
  | { type: 'loadCache'; store: CacheStore; deadline: number }
  | { type: 'storeCache'; store: CacheStore; contents: string; deadline: number };

/** What the driver does next. */
export type Step = { type: 'perform'; action: Action } | { type: 'wait'; until: number } | { type: 'finished' };

/** Why an action could not be carried out. */
export type IoFailureKind =
  | 'timedOut'
  | 'connectTimedOut'
  | 'refused'
  | 'reset'
  | 'unreachable'
  | 'dnsFailed'
  | 'notFound'
  | 'permissionDenied'
  | 'tooLarge'
  | 'tls'
  | 'aborted'
  | 'unsupported'
  | 'other';

/** The driver's answer to the outstanding action. */
export type Reply =
  | { type: 'http'; status: number; headers?: Record<string, string | string[] | undefined>; body?: Uint8Array }
  | { type: 'ran'; exitCode?: number | null; stdout?: string; stderr?: string }
  | { type: 'file'; contents: string }
  | { type: 'delegated'; token?: ForeignToken; error?: { name: string; message: string } }
  | { type: 'signed'; signature: string }
  | { type: 'assertion'; value: string }
  | { type: 'cacheLoaded'; contents?: string | null }
  | { type: 'cacheStored' }
  | { type: 'listening'; port: number }
  | { type: 'received'; method: string; target: string; contentType?: string; body?: Uint8Array }
  | { type: 'responded' }
  | { type: 'closed' }
  | { type: 'prompted' }
  | { type: 'failed'; kind: IoFailureKind; message?: string };

/** `getToken(scopes, options)` as the core reads it. */
export interface TokenRequest {
  scopes: string[];
  claims?: string;
  tenantId?: string;
  enableCae?: boolean;
  timeoutMs?: number;
  authenticate?: boolean;
}

/** The reference's `AuthenticationRecord`, as the core writes it. */
export interface AuthenticationRecordValue {
  authority: string;
  homeAccountId: string;
  clientId: string;
  tenantId: string;
  username: string;
  version: string;
}

/** The environment and host facts the core may read. */
export interface EnvSnapshot {
  vars?: Record<string, string | undefined>;
  platform?: string;
  tzOffsetMinutes?: number;
  host?: { runtime: string; version: string; os: string; arch: string };
  logLevel?: LogLevel | null;
}

/** Constructor options: the camelCase union of every credential class's options. */
export type CoreOptions = Record<string, unknown>;

/** One acquisition. */
export interface BindingFlow {
  readonly id: number;
  poll(now: number): Step;
  handle(reply: Reply, now: number): void;
  /** The error for a caller who gives up on this flow now. */
  abortError(): TokenErrorValue;
  takeLog(): LogRecord[];
}

/** What `begin` answers; a `start` answer comes with its flow. */
export type Begin =
  | { type: 'cached'; token: AccessTokenValue; until?: number; dropLeases?: boolean; account?: AuthenticationRecordValue }
  | { type: 'join'; id: number }
  | { type: 'start'; id: number; background: boolean; token?: AccessTokenValue; flow: BindingFlow };

/** What `finish` answers. */
export type Finish =
  | { ok: true; token: AccessTokenValue; account?: AuthenticationRecordValue }
  | { ok: false; error: TokenErrorValue };

/** A configured core credential. */
export interface BindingCredential {
  explain(): MemberReport[];
  begin(request: TokenRequest, now: number): Begin;
  finish(flow: BindingFlow, now: number): Finish;
  setLogLevel(level: LogLevel | null): void;
  takeLog(): LogRecord[];
}

/** What the native addon and the wasm module export. `Store` is the module's own token store
 * class (managed-identity tokens shared by the credentials built with one store; the driver
 * makes one per process). */
export interface BindingModule<Store> {
  TokenStore: new () => Store;
  /** Throws (code `InvalidConfig`, a message naming the plugin) unless azcred takes what a
   * plugin passes to `control` of its useIdentityPlugin context. */
  pluginControl(control: string): void;
  /** The text to store for a `storeCache` action whose store the plugin read again under its
   * lock (`current`): the core's merge of it with the action's `contents` (`ours`). */
  mergeCache(current: string | null | undefined, ours: string, now: number): string;
  Credential: new (
    kind: string,
    options: CoreOptions,
    environment: EnvSnapshot,
    seed: number,
    store: Store,
  ) => BindingCredential;
  checkAuthenticationRecord(record: unknown): void;
}
