/**
 * `azcred/emulator`: a local managed-identity endpoint for an app's own tests.
 *
 * The emulator is an HTTP server on 127.0.0.1 that speaks the two managed-identity protocols
 * `DefaultAzureCredential` and `ManagedIdentityCredential` use (App Service's `IDENTITY_ENDPOINT`
 * + `IDENTITY_HEADER`, and IMDS with `Metadata: true`), so code written for managed identity gets
 * tokens in a test without Azure. Tokens are RS256 JWTs minted locally (with the usual `aud`,
 * `iss`, `tid`, `oid`, `exp` claims; Azurite's OAuth mode accepts them) or taken from the
 * developer's `az` login. Faults (latency, 429 with `Retry-After`, 5xx, malformed bodies) can be
 * queued per request count. Nothing it does logs a token or the `IDENTITY_HEADER` secret.
 *
 * ```js
 * const { start } = require('azcred/emulator');
 * const emu = await start({ protocol: 'imds' });
 * Object.assign(process.env, emu.env);      // or spawn(cmd, args, { env: { ...process.env, ...emu.env } })
 * // ... run the code under test ...
 * await emu.stop();
 * ```
 *
 * @packageDocumentation
 */

/**
 * How the app under test is pointed at the emulator. The server always answers both
 * protocols; the choice decides which variables {@link Emulator.env} holds.
 *
 * - `'appService'`: the App Service / Functions protocol (api-version 2019-08-01), through
 *   `IDENTITY_ENDPOINT` and `IDENTITY_HEADER`. azcred and `@azure/identity` both use it.
 * - `'imds'`: the IMDS protocol (api-version 2018-02-01), through `AZCRED_IMDS_ENDPOINT`,
 *   azcred's own replacement of `http://169.254.169.254`; `DefaultAzureCredential` probes the
 *   endpoint first, as on a virtual machine. Only azcred reads this variable.
 * - `'podIdentity'`: the IMDS protocol through `AZURE_POD_IDENTITY_AUTHORITY_HOST`, the IMDS
 *   address override `@azure/identity` reads (azcred reads it too); no probe is made.
 */
export type EmulatorProtocol = 'appService' | 'imds' | 'podIdentity';

/**
 * Where tokens come from.
 *
 * - `'mint'`: JWTs signed with an RSA key generated at start ({@link Emulator.publicKeyPem}).
 * - `'az'`: access tokens from the developer's own `az login`, for calling real Azure services:
 *   each is got by the package's own `AzureCliCredential` (one per emulator, whose cache serves
 *   repeated requests) for the scope `<resource>/.default`, so `az` (the one found on `PATH`)
 *   runs `account get-access-token --output json --resource <resource>`, with `--tenant` when
 *   {@link EmulatorOptions.tenantId} is given. A failure is answered with HTTP 500
 *   (`token_source_failed`, the credential's message).
 */
export type EmulatorTokenSource = 'mint' | 'az';

/**
 * A fault injected into answers on the two token paths (`/msi/token` and
 * `/metadata/identity/oauth2/token`), before any protocol check. Faults form a queue: the first
 * applies until its `count` is used up, then the next; only the last may omit `count`.
 */
export interface EmulatorFault {
  /** Delay in milliseconds before answering. Alone it only slows the normal answer down. */
  latencyMs?: number;
  /**
   * Answer with this HTTP status (100-599) instead of a token, e.g. 429, 500 or 503. The body is
   * a JSON error (`{"error":"emulated_fault",...}`) unless {@link EmulatorFault.body} is given.
   */
  status?: number;
  /** Value of a `Retry-After` header on the faulted answer (sent with `status` or `body` only). */
  retryAfter?: number | string;
  /**
   * Raw response body to send instead of the token answer, e.g. the malformed
   * `'{"access_token":'`. Sent as `application/json`; the status is 200 unless `status` is given.
   */
  body?: string;
  /**
   * How many requests the fault applies to; then it clears itself and the next queued fault
   * applies. Omitted: the fault applies until the queue is replaced or cleared. 0 drops it.
   */
  count?: number;
  /**
   * Also apply to (and count) the IMDS availability probe, a request on the IMDS path without a
   * query string. Default `false`, so that `count` counts token requests only.
   */
  probe?: boolean;
}

/**
 * A user-assigned identity the emulated resource has. At least one of the ids is required; the
 * others are derived from it (stable, UUID-shaped).
 */
export interface EmulatorIdentity {
  /** Client (application) id: matched against `client_id`, the token's `appid` claim. */
  clientId?: string;
  /** Object (principal) id: matched against `object_id`, the token's `oid` claim. */
  objectId?: string;
  /** ARM resource id: matched against `mi_res_id` / `msi_res_id`, the token's `xms_mirid` claim. */
  resourceId?: string;
}

/** Options of {@link start}. Every one is optional. */
export interface EmulatorOptions {
  /** Which protocol's variables {@link Emulator.env} holds. Default `'appService'`. */
  protocol?: EmulatorProtocol;
  /** Port on 127.0.0.1. Default 0: a free port chosen by the system. */
  port?: number;
  /** Lifetime of minted tokens in seconds. Default 86400 (24 h). */
  lifetimeSeconds?: number;
  /**
   * Tenant of the minted tokens (`tid` claim and issuer). Default {@link EMULATOR_DEFAULTS}`.tenantId`.
   * With `tokenSource: 'az'`, a tenant given here is passed to `AzureCliCredential` (`--tenant`);
   * the default is not.
   */
  tenantId?: string;
  /** Client id of the system-assigned identity. Default {@link EMULATOR_DEFAULTS}`.clientId`. */
  clientId?: string;
  /** Object id of the system-assigned identity. Default {@link EMULATOR_DEFAULTS}`.objectId`. */
  objectId?: string;
  /**
   * Whether the resource has a system-assigned identity. `false`: a token request without a
   * user-assigned id is refused with 400, as on a resource that only has user-assigned ones.
   * Default `true`.
   */
  systemAssigned?: boolean;
  /**
   * The user-assigned identities of the resource. Given: a request naming another id is refused
   * with the 400 the real endpoint gives, and tokens carry the configured ids. Omitted: any
   * user-assigned id is accepted and echoed, the other ids derived from it.
   */
  identities?: readonly EmulatorIdentity[];
  /** Initial fault queue (a single fault or a list). */
  faults?: EmulatorFault | readonly EmulatorFault[];
  /** Initial fault; the older, single-fault name of {@link EmulatorOptions.faults} (give one of the two). */
  fault?: EmulatorFault;
  /** Where tokens come from. Default `'mint'`. */
  tokenSource?: EmulatorTokenSource;
  /**
   * @deprecated Ignored, with a `DeprecationWarning` (code `AZCRED_EMULATOR_AZPATH`):
   * `tokenSource: 'az'` uses `AzureCliCredential`, which runs the `az` found on `PATH` and takes
   * no executable path. Put the directory of the `az` to use first on `PATH` instead.
   */
  azPath?: string;
  /**
   * Called once per answered request with a short line: method, path with query, status. Never
   * a token or the header secret.
   */
  log?: (line: string) => void;
  /** Keep every request in {@link Emulator.requests}. Default `true`; counters are kept either way. */
  recordRequests?: boolean;
}

/** One request the emulator received (see {@link Emulator.requests}). */
export interface EmulatorRequest {
  /** HTTP method. */
  readonly method: string;
  /** Path and query string as received. */
  readonly url: string;
  /**
   * Request headers, names lower-cased. They include `x-identity-header` as the client sent it
   * (the emulator's own secret, in memory only): do not print them.
   */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** `Date.now()` at arrival. */
  readonly time: number;
  /** A token request, the IMDS availability probe, or a request on another path. */
  readonly kind: 'token' | 'probe' | 'other';
  /** Whether a fault was applied to the request. */
  readonly faulted: boolean;
  /** Status of the answer once it has been sent; `undefined` while the request is pending. */
  readonly status: number | undefined;
}

/** Counters of what the emulator received since start or the last {@link Emulator.reset}. */
export interface EmulatorCounts {
  /** Every request, on any path. */
  readonly requests: number;
  /** Requests on a token path with a query string, answered with a token or not. */
  readonly tokenRequests: number;
  /** IMDS availability probes (the IMDS path without a query string). */
  readonly probes: number;
  /** Requests a fault was applied to. */
  readonly faulted: number;
  /** Tokens issued (200 answers carrying a token). Useful to assert an app's token caching. */
  readonly tokensIssued: number;
}

/** The environment variables of one protocol, as a plain, frozen object. */
export type EmulatorEnv = Readonly<Record<string, string>>;

/** A running emulator, as {@link start} resolves it. */
export interface Emulator {
  /** The protocol chosen at start; {@link Emulator.env} holds its variables. */
  readonly protocol: EmulatorProtocol;
  /** Base address, `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** The port listened on. */
  readonly port: number;
  /**
   * The token endpoint of the chosen protocol: `<url>/msi/token` for `'appService'`,
   * `<url>/metadata/identity/oauth2/token` for `'imds'` and `'podIdentity'`.
   */
  readonly endpoint: string;
  /**
   * Exactly the variables an app needs for the chosen protocol: `IDENTITY_ENDPOINT` and
   * `IDENTITY_HEADER` (`'appService'`), `AZCRED_IMDS_ENDPOINT` (`'imds'`) or
   * `AZURE_POD_IDENTITY_AUTHORITY_HOST` (`'podIdentity'`). Use it as
   * `Object.assign(process.env, emu.env)` before creating the credential, or as a child
   * process's `env: { ...process.env, ...emu.env }`. Variables of other managed-identity
   * sources already in the environment (`IDENTITY_ENDPOINT`, `MSI_ENDPOINT`,
   * `AZURE_POD_IDENTITY_AUTHORITY_HOST`, ...) take precedence over IMDS: remove them.
   */
  readonly env: EmulatorEnv;
  /** The `'appService'` variables, whatever the chosen protocol. */
  readonly appServiceEnv: EmulatorEnv;
  /** The `'imds'` variables, whatever the chosen protocol. */
  readonly imdsEnv: EmulatorEnv;
  /** The `'podIdentity'` variables, whatever the chosen protocol. */
  readonly podIdentityEnv: EmulatorEnv;
  /**
   * Every request received, oldest first (empty when `recordRequests` is `false`). The array
   * grows in place; {@link Emulator.reset} empties it.
   */
  readonly requests: readonly EmulatorRequest[];
  /** A snapshot of the counters. */
  readonly counts: EmulatorCounts;
  /** A copy of the faults still queued, the next to apply first, with their remaining `count`. */
  readonly faults: readonly EmulatorFault[];
  /** Tenant of the minted tokens. */
  readonly tenantId: string;
  /** Client id of the system-assigned identity. */
  readonly clientId: string;
  /** Object id of the system-assigned identity. */
  readonly objectId: string;
  /** PEM (SPKI) public key that verifies the minted tokens' RS256 signatures. */
  readonly publicKeyPem: string;
  /**
   * Replace the fault queue while running; applies from the next request. `null`, `undefined`
   * or `[]` clears it.
   */
  setFaults(faults?: EmulatorFault | readonly EmulatorFault[] | null): void;
  /** The older name of {@link Emulator.setFaults}. */
  setFault(fault?: EmulatorFault | readonly EmulatorFault[] | null): void;
  /** Clear the fault queue. */
  clearFaults(): void;
  /** Forget the recorded requests and zero the counters; faults stay queued. */
  reset(): void;
  /**
   * Stop listening and close every open connection (pending faulted answers are dropped).
   * Resolves when the port is free. Idempotent: later calls return the same promise.
   */
  stop(): Promise<void>;
  /** The older name of {@link Emulator.stop}. */
  close(): Promise<void>;
  /**
   * {@link Emulator.stop}, so that `await using emu = await start()` stops it at scope end
   * (present where Node defines `Symbol.asyncDispose`: 18.18+, 20.4+).
   */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Start an emulator on 127.0.0.1. Resolves once it listens; rejects when the port is taken or
 * an option is invalid (`TypeError` / `RangeError` naming it).
 */
export declare function start(options?: EmulatorOptions): Promise<Emulator>;

/** The same function as {@link start}, under the name azcred's own tests use. */
export declare function startEmulator(options?: EmulatorOptions): Promise<Emulator>;

/** The made-up identity minted tokens carry unless options override it (not real Entra ids). */
export declare const EMULATOR_DEFAULTS: Readonly<{
  /** Default `tenantId`. */
  tenantId: string;
  /** Default `clientId` of the system-assigned identity. */
  clientId: string;
  /** Default `objectId` of the system-assigned identity. */
  objectId: string;
  /** Default `lifetimeSeconds` (86400). */
  lifetimeSeconds: number;
}>;

/** Every {@link EmulatorProtocol} value, in documentation order. */
export declare const PROTOCOLS: readonly EmulatorProtocol[];

declare global {
  // Declared as TypeScript's lib.esnext.disposable and @types/node declare it, so that the
  // `Emulator` type compiles with older `lib` settings too.
  interface SymbolConstructor {
    /** The well-known symbol of `await using` (explicit resource management). */
    readonly asyncDispose: unique symbol;
  }
}
