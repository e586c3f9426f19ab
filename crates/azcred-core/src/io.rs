//! The sans-IO boundary: what the core asks for ([`Action`]), what the driver reports back
//! ([`Reply`]), and what the driver must do next ([`Step`]).

use std::fmt;

use crate::http::{HttpRequest, HttpResponse};
use crate::persist::CacheStore;
use crate::secret::Secret;
use crate::time::Timestamp;
use crate::token::AccessToken;

/// What the driver must do before calling `poll` again.
#[derive(Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "type", rename_all = "camelCase"))]
#[non_exhaustive]
pub enum Step {
    /// Carry out this action, then report back once with `handle`.
    Perform {
        /// The action.
        action: Action,
    },
    /// Nothing to do until this time (retry back-off); poll again then.
    Wait {
        /// When to poll again.
        until: Timestamp,
    },
    /// No more IO is needed; pass the flow to `Credential::finish`.
    Finished,
}

/// One piece of IO, described as data. The driver performs it; the core never does.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "type", rename_all = "camelCase"))]
#[non_exhaustive]
pub enum Action {
    /// Send this request. Give up at `deadline` (reply `Failed` with [`IoFailureKind::TimedOut`]),
    /// and when `connect_deadline` is set, give up if the TCP connection is not established by
    /// then ([`IoFailureKind::ConnectTimedOut`]).
    #[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
    Http {
        /// The request.
        request: HttpRequest,
        /// When to give up on the whole exchange.
        deadline: Timestamp,
        /// When to give up if the connection is not yet established.
        #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
        connect_deadline: Option<Timestamp>,
        /// Give up (reply `Failed` with [`IoFailureKind::TooLarge`]) once the body is longer.
        max_body_bytes: u64,
    },
    /// Run a program without a shell and capture its output; kill it at `deadline`.
    #[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
    Run {
        /// The program, resolved through `PATH` by the driver.
        program: String,
        /// The arguments, passed as they are.
        args: Vec<String>,
        /// Variables to set on top of the inherited environment.
        env: Vec<(String, String)>,
        /// Variables to remove from the inherited environment (compared case-insensitively).
        env_remove: Vec<String>,
        /// The working directory, or the driver's own when `None`.
        #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
        cwd: Option<String>,
        /// When to kill the process.
        deadline: Timestamp,
        /// Kill it (reply `Failed` with [`IoFailureKind::TooLarge`]) once stdout and stderr
        /// together are longer.
        max_output_bytes: u64,
        /// Kill the whole process tree, not only the program: run it as the leader of its own
        /// process group (POSIX) and kill the group, or `taskkill /T` (Windows), at the
        /// deadline, on abort, on too much output, and once the program exits (so nothing it
        /// started outlives the call).
        kill_tree: bool,
    },
    /// Read a whole file as UTF-8; reply `Failed` with [`IoFailureKind::TooLarge`] beyond
    /// `max_bytes`.
    #[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
    ReadFile {
        /// The path.
        path: String,
        /// The size cap.
        max_bytes: u64,
        /// When to give up (reply `Failed` with [`IoFailureKind::TimedOut`]).
        deadline: Timestamp,
    },
    /// Sign `data` with the private key in the PEM text `key` (decrypted with `passphrase` when
    /// given) and reply [`Reply::Signed`] with the base64url signature. `algorithm` is `"PS256"`:
    /// RSA-PSS with SHA-256 and a salt as long as the digest. The key is never parsed by the core;
    /// a key that cannot be read or used is a `Failed` reply whose message holds no key material.
    #[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
    Sign {
        /// The JWS algorithm, `"PS256"`.
        algorithm: String,
        /// The PEM text holding the private key (it may also hold certificates).
        key: Secret,
        /// The password of an encrypted key.
        #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
        passphrase: Option<Secret>,
        /// The bytes to sign, as text (a JWS signing input).
        data: String,
    },
    /// Call the `getAssertion` callback of a `ClientAssertionCredential` with
    /// `{clientId, tokenEndpoint}` and reply [`Reply::Assertion`] with the string it resolves to.
    #[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
    GetAssertion {
        /// The app's client id.
        client_id: String,
        /// The token endpoint the assertion will be sent to.
        token_endpoint: String,
    },
    /// Show the user how to sign in with a device code: call `DeviceCodeCredential`'s
    /// `userPromptCallback` (by default `console.log(message)`) with the reference's
    /// `DeviceCodeInfo` `{userCode, verificationUri, message}`, without waiting for what it
    /// returns, and reply [`Reply::Prompted`] (or `Failed` when it throws). The device code
    /// itself is not given: it is a secret the core alone sends.
    #[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
    PromptDeviceCode {
        /// The code the user enters.
        user_code: String,
        /// The page where the user enters it.
        verification_uri: String,
        /// Entra's instructions for the user, naming both.
        message: String,
    },
    /// Ask the `index`th member of a `ChainedTokenCredential` (a credential object the core does
    /// not own) for a token.
    #[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
    Delegate {
        /// The member's position in the chain.
        index: usize,
        /// The scopes to ask for.
        scopes: Vec<String>,
        /// `GetTokenOptions.claims`.
        #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
        claims: Option<String>,
        /// `GetTokenOptions.tenantId`.
        #[cfg_attr(feature = "serde", serde(skip_serializing_if = "Option::is_none"))]
        tenant_id: Option<String>,
        /// `GetTokenOptions.enableCae`.
        enable_cae: bool,
    },
    /// Read the persisted token cache `store` through the persistence plugin registered with
    /// `useIdentityPlugin` (its MSAL `ICachePlugin`, made once per credential and store from
    /// the factory the plugin gave, called with `store`): `beforeCacheAccess(ctx)` then
    /// `afterCacheAccess(ctx)` with `ctx.cacheHasChanged` false, and reply
    /// [`Reply::CacheLoaded`] with the text the plugin last passed to
    /// `ctx.tokenCache.deserialize` for this store (none if it never did). Consumed by the
    /// Node driver (`npm/lib/persistence.js`); give up at `deadline`.
    #[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
    LoadCache {
        /// Which store, and the options for the plugin's factory.
        store: CacheStore,
        /// When to give up (reply `Failed` with [`IoFailureKind::TimedOut`]).
        deadline: Timestamp,
    },
    /// Write `contents` to the persisted token cache `store` through the same plugin:
    /// `beforeCacheAccess(ctx)` then `afterCacheAccess(ctx)` with `ctx.cacheHasChanged` true and
    /// `ctx.tokenCache.serialize()` returning `contents`, or, when the plugin passed the store's
    /// text to `ctx.tokenCache.deserialize` on the way (another process wrote it since), the
    /// core's merge of the two (`wire::merge_cache`); reply [`Reply::CacheStored`]. The driver
    /// never writes the text anywhere else. Consumed by the Node driver; give up at `deadline`.
    #[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
    StoreCache {
        /// Which store.
        store: CacheStore,
        /// The text to store (azcred's format, decided by the core): a secret.
        contents: Secret,
        /// When to give up (reply `Failed` with [`IoFailureKind::TimedOut`]).
        deadline: Timestamp,
    },
    /// Start a program that is meant to outlive the call (the opener of a browser: `xdg-open`,
    /// `open`, `rundll32`), without a shell: no pipes (its standard streams are not connected,
    /// so a browser it starts holds nothing of the driver's), in a session of its own, never
    /// killed. Reply [`Reply::Ran`] with its exit code when it exits before `deadline`, else
    /// `Failed` with [`IoFailureKind::TimedOut`] (it goes on running). Consumed by
    /// `InteractiveBrowserCredential`.
    #[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
    Launch {
        /// The program, resolved through `PATH` by the driver.
        program: String,
        /// The arguments, passed as they are.
        args: Vec<String>,
        /// When to stop waiting for it to exit.
        deadline: Timestamp,
    },
    /// Open a listener for one sign-in's redirect on this loopback address (`127.0.0.1` or
    /// `::1`; never another) and `port` (0: any free port), and reply [`Reply::Listening`] with
    /// the port it got. The driver keeps at most one listener per flow and closes it when the
    /// flow ends, whatever the outcome (success, error, deadline, abort, an exception of its
    /// own); [`Action::CloseListener`] closes it earlier. Requests that arrive before an
    /// [`Action::Accept`] asks for them wait in a queue of at most `max_pending` (later ones are
    /// dropped, their connection closed); a request whose body is longer than `max_body_bytes`
    /// is dropped likewise. Consumed by `InteractiveBrowserCredential`.
    #[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
    Listen {
        /// The loopback address to bind.
        host: String,
        /// The port to bind, 0 for any free one.
        port: u16,
        /// How many unanswered requests the driver holds at most.
        max_pending: u32,
        /// The longest request body the driver reads.
        max_body_bytes: u64,
    },
    /// Reply [`Reply::Received`] with the next request that reached the listener (the oldest
    /// one queued, or the next to arrive), or `Failed` with [`IoFailureKind::TimedOut`] when none
    /// has by `deadline`. The request stays open until an [`Action::Respond`] answers it.
    /// Consumed by `InteractiveBrowserCredential`.
    #[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
    Accept {
        /// When to stop waiting.
        deadline: Timestamp,
    },
    /// Answer the request last received with this status, headers and body, then reply
    /// [`Reply::Responded`] (or `Failed` if the browser went away, or at `deadline`).
    /// Consumed by `InteractiveBrowserCredential`.
    #[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
    Respond {
        /// The status code.
        status: u16,
        /// The response headers.
        headers: Vec<(String, String)>,
        /// The body (a page for the browser); bytes for the bindings.
        #[cfg_attr(
            feature = "serde",
            serde(serialize_with = "crate::http::serialize_text_bytes")
        )]
        body: String,
        /// When to give up writing it.
        deadline: Timestamp,
    },
    /// Close the listener and every connection to it, and reply [`Reply::Closed`].
    /// Consumed by `InteractiveBrowserCredential`.
    CloseListener,
}

/// A request that reached a listener opened with [`Action::Listen`] (a redirect from the
/// sign-in page, or anything else a browser or another local program sends there).
#[derive(Clone)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct LoopbackRequest {
    /// The method, as sent (`GET`, `POST`, ...).
    pub method: String,
    /// The request target, as sent (`/`, `/?code=...`, `/favicon.ico`): it may hold a code.
    pub target: Secret,
    /// The `Content-Type` header, when there is one.
    #[cfg_attr(feature = "serde", serde(default))]
    pub content_type: Option<String>,
    /// The body (a form with the authorization code): a secret.
    #[cfg_attr(feature = "serde", serde(default))]
    pub body: Secret,
}

impl fmt::Debug for LoopbackRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoopbackRequest")
            .field("method", &self.method)
            .field("target_len", &self.target.expose().len())
            .field("content_type", &self.content_type)
            .field("body_len", &self.body.expose().len())
            .finish()
    }
}

/// The driver's report on the most recent [`Action`].
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(tag = "type", rename_all = "camelCase"))]
#[non_exhaustive]
pub enum Reply {
    /// The response to an [`Action::Http`], whatever its status.
    Http(HttpResponse),
    /// The output of an [`Action::Run`] that started (even if it exited non-zero), or the exit
    /// code of an [`Action::Launch`] (with no output).
    Ran(ProcessOutput),
    /// The contents of an [`Action::ReadFile`].
    File {
        /// The file's text.
        contents: Secret,
    },
    /// The outcome of an [`Action::Delegate`].
    Delegated(DelegateOutcome),
    /// The signature made for an [`Action::Sign`].
    Signed {
        /// The signature, base64url without padding.
        signature: String,
    },
    /// The assertion returned by the callback of an [`Action::GetAssertion`].
    Assertion {
        /// The assertion (a JWT): a secret.
        value: Secret,
    },
    /// The text an [`Action::LoadCache`] read (none: the store is empty).
    CacheLoaded {
        /// The stored text: a secret.
        #[cfg_attr(feature = "serde", serde(default))]
        contents: Option<Secret>,
    },
    /// An [`Action::StoreCache`] was carried out.
    CacheStored,
    /// The listener of an [`Action::Listen`] is open on this port.
    Listening {
        /// The port it got.
        port: u16,
    },
    /// The request an [`Action::Accept`] waited for.
    Received(LoopbackRequest),
    /// The response of an [`Action::Respond`] was written.
    Responded,
    /// The listener of an [`Action::CloseListener`] is closed.
    Closed,
    /// The prompt of an [`Action::PromptDeviceCode`] was shown (its callback returned).
    Prompted,
    /// The action could not be carried out.
    Failed(IoFailure),
}

impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Http(r) => f.debug_tuple("Http").field(r).finish(),
            Self::Ran(o) => f.debug_tuple("Ran").field(o).finish(),
            Self::File { contents } => f.debug_struct("File").field("contents", contents).finish(),
            Self::Delegated(o) => f.debug_tuple("Delegated").field(o).finish(),
            Self::Signed { signature } => f
                .debug_struct("Signed")
                .field("signature_len", &signature.len())
                .finish(),
            Self::Assertion { value } => f.debug_struct("Assertion").field("value", value).finish(),
            Self::CacheLoaded { contents } => f
                .debug_struct("CacheLoaded")
                .field("contents", contents)
                .finish(),
            Self::CacheStored => f.write_str("CacheStored"),
            Self::Listening { port } => f.debug_struct("Listening").field("port", port).finish(),
            Self::Received(r) => f.debug_tuple("Received").field(r).finish(),
            Self::Responded => f.write_str("Responded"),
            Self::Closed => f.write_str("Closed"),
            Self::Prompted => f.write_str("Prompted"),
            Self::Failed(e) => f.debug_tuple("Failed").field(e).finish(),
        }
    }
}

/// What a finished process printed.
#[derive(Clone, Default)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct ProcessOutput {
    /// The exit code, or `None` when it was killed by a signal.
    #[cfg_attr(feature = "serde", serde(default))]
    pub exit_code: Option<i32>,
    /// Standard output (may hold a token).
    #[cfg_attr(feature = "serde", serde(default))]
    pub stdout: Secret,
    /// Standard error.
    #[cfg_attr(feature = "serde", serde(default))]
    pub stderr: String,
}

impl fmt::Debug for ProcessOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProcessOutput")
            .field("exit_code", &self.exit_code)
            .field("stdout_len", &self.stdout.expose().len())
            .field("stderr_len", &self.stderr.len())
            .finish()
    }
}

/// The result of asking a foreign chain member for a token.
#[derive(Debug)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct DelegateOutcome {
    /// The token, or `None` when the member resolved `null`.
    #[cfg_attr(feature = "serde", serde(default))]
    pub token: Option<AccessToken>,
    /// The error's `name` and `message` when the member threw.
    #[cfg_attr(feature = "serde", serde(default))]
    pub error: Option<ForeignError>,
}

/// An error thrown by a foreign chain member.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
pub struct ForeignError {
    /// The error's `name` (decides whether the chain moves on).
    pub name: String,
    /// The error's `message`.
    pub message: String,
}

/// Why an action could not be carried out.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
pub struct IoFailure {
    /// The kind of failure (drives retry and classification).
    pub kind: IoFailureKind,
    /// A description for messages; never a secret.
    #[cfg_attr(feature = "serde", serde(default))]
    pub message: String,
}

impl IoFailure {
    /// Builds a failure.
    pub fn new(kind: IoFailureKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
}

/// The kinds of IO failure the core distinguishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
#[non_exhaustive]
pub enum IoFailureKind {
    /// The whole deadline passed.
    TimedOut,
    /// The connection was not established before `connect_deadline`.
    ConnectTimedOut,
    /// The connection was refused (`ECONNREFUSED`).
    Refused,
    /// The connection was reset (`ECONNRESET`, `EPIPE`).
    Reset,
    /// No route to the host or network (`EHOSTUNREACH`, `ENETUNREACH`).
    Unreachable,
    /// A host name did not resolve (`ENOTFOUND`, `EAI_AGAIN`).
    DnsFailed,
    /// A file or program does not exist (`ENOENT`).
    NotFound,
    /// Permission denied (`EACCES`, `EPERM`).
    PermissionDenied,
    /// A file is larger than allowed, or a response body exceeded the driver's cap.
    TooLarge,
    /// TLS failed (certificate not trusted, thumbprint mismatch, handshake error).
    Tls,
    /// The caller's `abortSignal` fired.
    Aborted,
    /// This runtime cannot perform the action (no processes or files in a browser).
    Unsupported,
    /// Anything else.
    Other,
}
