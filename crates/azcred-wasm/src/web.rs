//! The web build's driver (`--features web`): a credential whose `getToken` runs the core's loop
//! here, performing the IO the core asks for with what Workers, browsers and Deno have: HTTP
//! through `fetch`, signing through WebCrypto, timers through `setTimeout`. What belongs to the
//! caller (a chain member's `getToken`, the `getAssertion` callback, prompts) is handed to the JS
//! `perform` callback as the core's action object; programs and files are answered `Unsupported`,
//! which the core turns into a `CredentialUnavailableError` naming the runtime's limit.
//!
//! Everything decided is the core's: the cache, joining a running acquisition, deadlines,
//! retries, errors. What is kept here is what any driver keeps: the running acquisitions' promises
//! (so a caller can join one) and their cancellation (a flow is cancelled once every caller
//! waiting for it has aborted).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use azcred_core::wire::{BeginOut, FinishOut, WireCredential, WireError, WireFlow};
use azcred_core::{
    Action, EnvSnapshot, Headers, HttpRequest, HttpResponse, IoFailure, IoFailureKind, Method,
    Options, Reply, Step, TokenError, TokenRequest,
};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use js_sys::{Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, future_to_promise};
use web_sys::{AbortController, AbortSignal, ReadableStreamDefaultReader, RequestInit};

use crate::{decode, encode, input, throw};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch)]
    fn global_fetch(url: &str, init: &RequestInit) -> Promise;
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: f64) -> JsValue;
}

/// A running acquisition: its outcome, and how to cancel it.
struct Running {
    outcome: Promise,
    controller: AbortController,
    waiters: Cell<u32>,
    /// The answer for a caller who gives up on it: `{aborted: true, error}`, the error as the
    /// core words it for this flow.
    aborted: JsValue,
}

struct Inner {
    credential: RefCell<WireCredential>,
    running: RefCell<HashMap<u64, Rc<Running>>>,
    /// `perform(action) => Promise<Reply>`: the actions that are the caller's.
    perform: Function,
    /// The runtime's name, for the messages of actions it cannot perform.
    runtime: String,
}

/// A credential of the web build.
#[wasm_bindgen]
pub struct WebCredential(Rc<Inner>);

/// Milliseconds since the epoch, as the core's clock.
fn now() -> f64 {
    js_sys::Date::now()
}

fn failed(kind: IoFailureKind, message: impl Into<String>) -> Reply {
    Reply::Failed(IoFailure::new(kind, message))
}

/// The `{aborted: true, error?}` answer: the caller's `abortSignal` fired (`error`: the core's
/// error for the flow it was waiting for).
fn aborted_answer(error: Option<&TokenError>) -> JsValue {
    let o = Object::new();
    let _ = Reflect::set(&o, &"aborted".into(), &JsValue::TRUE);
    if let Some(error) = error.and_then(|e| encode(e).ok()) {
        let _ = Reflect::set(&o, &"error".into(), &error);
    }
    o.into()
}

#[wasm_bindgen]
impl WebCredential {
    /// Builds the credential `kind` from options and an environment snapshot (as the Node
    /// build's `Credential`). `perform` answers the actions that are the caller's; `runtime`
    /// names the runtime in messages. Throws `InvalidConfig` or `CredentialUnavailable`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        kind: &str,
        #[wasm_bindgen(unchecked_param_type = "CoreOptions")] options: JsValue,
        #[wasm_bindgen(unchecked_param_type = "EnvSnapshot")] environment: JsValue,
        seed: f64,
        perform: Function,
        runtime: String,
    ) -> Result<Self, JsValue> {
        let options: Options = input(options, "options", "InvalidConfig")?;
        let environment: EnvSnapshot = input(environment, "environment", "InvalidConfig")?;
        let credential =
            WireCredential::new(kind, &options, &environment, seed, None).map_err(throw)?;
        Ok(Self(Rc::new(Inner {
            credential: RefCell::new(credential),
            running: RefCell::new(HashMap::new()),
            perform,
            runtime,
        })))
    }

    /// Member reports: `[{name, available, detail, selected}]`.
    #[wasm_bindgen(unchecked_return_type = "MemberReport[]")]
    pub fn explain(&self) -> Result<JsValue, JsValue> {
        encode(&self.0.credential.borrow().explain())
    }

    /// Serves one `getToken`: resolves to `{ok: true, token}`, `{ok: false, error}` (the core's
    /// error, as `Finish`), or `{aborted: true}` when `signal` fired first. Rejects with
    /// `InvalidRequest` for a request that is not one.
    #[wasm_bindgen(js_name = getToken)]
    pub fn get_token(
        &self,
        #[wasm_bindgen(unchecked_param_type = "TokenRequest")] request: JsValue,
        signal: Option<AbortSignal>,
    ) -> Promise {
        let inner = Rc::clone(&self.0);
        future_to_promise(async move {
            let request: TokenRequest = input(request, "request", "InvalidRequest")?;
            if signal.as_ref().is_some_and(AbortSignal::aborted) {
                return Ok(aborted_answer(None));
            }
            let (out, flow) = inner.credential.borrow_mut().begin(request, now());
            let running = match (out, flow) {
                (BeginOut::Cached { token, account, .. }, _) => {
                    return encode(&FinishOut {
                        ok: true,
                        token: Some(token),
                        error: None,
                        account,
                    });
                }
                (BeginOut::Join { id }, _) => inner.running.borrow().get(&id).cloned(),
                (BeginOut::Start { id, token, .. }, Some(flow)) => {
                    let running = start(&inner, id, flow);
                    if let Some(token) = token {
                        // An early refresh: the caller gets the still-valid token now.
                        return encode(&FinishOut {
                            ok: true,
                            token: Some(token),
                            error: None,
                            account: None,
                        });
                    }
                    Some(running)
                }
                (BeginOut::Start { .. }, None) => None,
            };
            let Some(running) = running else {
                return Err(throw(WireError::undecodable(
                    "Internal",
                    "flow",
                    "the acquisition to join is not running",
                )));
            };
            wait(&running, signal.as_ref()).await
        })
    }
}

/// Starts driving `flow` and registers it under `id`, so later callers can join it.
fn start(inner: &Rc<Inner>, id: u64, flow: WireFlow) -> Rc<Running> {
    // Creating an AbortController cannot fail in a runtime that has `fetch`.
    let controller = AbortController::new().unwrap_throw();
    let signal = controller.signal();
    let aborted = aborted_answer(Some(&flow.abort_error()));
    let driver = Rc::clone(inner);
    let outcome = future_to_promise(async move {
        let out = drive(&driver, flow, &signal).await;
        driver.running.borrow_mut().remove(&id);
        out
    });
    let running = Rc::new(Running {
        outcome,
        controller,
        waiters: Cell::new(0),
        aborted,
    });
    inner.running.borrow_mut().insert(id, Rc::clone(&running));
    running
}

/// Waits for a running acquisition on behalf of one caller. When every caller waiting for it has
/// aborted, it is cancelled.
async fn wait(running: &Rc<Running>, signal: Option<&AbortSignal>) -> Result<JsValue, JsValue> {
    running.waiters.set(running.waiters.get() + 1);
    let Some(signal) = signal else {
        return JsFuture::from(running.outcome.clone()).await;
    };
    let abort = abort_promise(signal, running.aborted.clone());
    let race = Promise::race(&js_sys::Array::of2(&running.outcome, &abort));
    let out = JsFuture::from(race).await;
    running.waiters.set(running.waiters.get() - 1);
    if signal.aborted() && running.waiters.get() == 0 {
        running.controller.abort();
    }
    out
}

/// A promise that resolves to `value` when `signal` aborts (at once if it has).
fn abort_promise(signal: &AbortSignal, value: JsValue) -> Promise {
    let signal = signal.clone();
    Promise::new(&mut move |resolve, _reject| {
        if signal.aborted() {
            let _ = resolve.call1(&JsValue::NULL, &value);
            return;
        }
        let value = value.clone();
        let on_abort = Closure::once_into_js(move || {
            let _ = resolve.call1(&JsValue::NULL, &value);
        });
        let _ = signal.add_event_listener_with_callback("abort", on_abort.unchecked_ref());
    })
}

/// Runs one flow to its end: `finish` always runs, whatever happens on the way (an unfinished
/// flow ends as aborted).
async fn drive(
    inner: &Rc<Inner>,
    mut flow: WireFlow,
    signal: &AbortSignal,
) -> Result<JsValue, JsValue> {
    let failure = run_flow(inner, &mut flow, signal).await.err();
    let out = inner.credential.borrow_mut().finish(&mut flow, now());
    match (failure, out) {
        (Some(e), _) => Err(e),
        (None, Ok(out)) => encode(&out),
        (None, Err(e)) => Err(throw(e)),
    }
}

async fn run_flow(
    inner: &Rc<Inner>,
    flow: &mut WireFlow,
    signal: &AbortSignal,
) -> Result<(), JsValue> {
    loop {
        match flow.poll(now()).map_err(throw)? {
            Step::Finished => return Ok(()),
            Step::Wait { until } => {
                sleep(until.as_millis() as f64 - now(), signal).await;
                if signal.aborted() {
                    return Ok(());
                }
            }
            Step::Perform { action } => {
                let reply = perform(inner, action, signal).await;
                flow.handle(reply, now()).map_err(throw)?;
            }
            _ => return Ok(()),
        }
    }
}

/// Sleeps `ms` or until `signal` aborts.
async fn sleep(ms: f64, signal: &AbortSignal) {
    let timer = Promise::new(&mut |resolve, _reject| {
        set_timeout(&resolve, ms.max(0.0));
    });
    let race = Promise::race(&js_sys::Array::of2(
        &timer,
        &abort_promise(signal, JsValue::UNDEFINED),
    ));
    let _ = JsFuture::from(race).await;
}

/// Performs one action: the reply, or the reason it could not be performed.
async fn perform(inner: &Rc<Inner>, action: Action, signal: &AbortSignal) -> Result<Reply, String> {
    let runtime = &inner.runtime;
    Ok(match action {
        Action::Http {
            request,
            deadline,
            max_body_bytes,
            ..
        } => {
            http(
                &request,
                deadline.as_millis() as f64 - now(),
                max_body_bytes,
                signal,
                runtime,
            )
            .await
        }
        Action::Sign {
            algorithm,
            key,
            passphrase,
            data,
        } => {
            sign(
                &algorithm,
                key.expose(),
                passphrase.is_some(),
                &data,
                runtime,
            )
            .await
        }
        Action::Run { program, .. } => failed(
            IoFailureKind::Unsupported,
            format!("{runtime} cannot run programs (such as {program})"),
        ),
        Action::ReadFile { path, .. } => failed(
            IoFailureKind::Unsupported,
            format!(
                "{runtime} cannot read files (such as {path}); pass the file's contents instead"
            ),
        ),
        other => return delegate(inner, &other, signal).await,
    })
}

/// Hands an action that is the caller's to the JS `perform` callback; its answer is a reply.
async fn delegate(
    inner: &Rc<Inner>,
    action: &Action,
    signal: &AbortSignal,
) -> Result<Reply, String> {
    let value = encode(action).map_err(|_| "the action could not be encoded".to_owned())?;
    let promise = inner
        .perform
        .call2(&JsValue::NULL, &value, signal)
        .map_err(|e| error_text(&e))?;
    let answer = JsFuture::from(Promise::resolve(&promise))
        .await
        .map_err(|e| error_text(&e))?;
    decode(answer)
}

/// The message of a JS exception.
fn error_text(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "an exception".to_owned())
}

/// Sends one request with `fetch`: at most `ms` for the whole exchange, the body read up to
/// `max_body_bytes`, redirects not followed.
async fn http(
    request: &HttpRequest,
    ms: f64,
    max_body_bytes: u64,
    signal: &AbortSignal,
    runtime: &str,
) -> Reply {
    if request.pinned_thumbprint.is_some() {
        return failed(
            IoFailureKind::Unsupported,
            format!(
                "{runtime} cannot pin a server certificate (Service Fabric's managed identity)"
            ),
        );
    }
    let timeout = AbortSignal::timeout_with_f64(ms.max(1.0));
    let both = AbortSignal::any(&js_sys::Array::of2(signal, &timeout));
    let init = RequestInit::new();
    init.set_method(match request.method {
        Method::Get => "GET",
        Method::Post => "POST",
    });
    let headers = match web_headers(&request.headers) {
        Ok(h) => h,
        Err(e) => return failed(IoFailureKind::Other, e),
    };
    init.set_headers(&headers);
    if let Some(body) = &request.body {
        init.set_body(&JsValue::from_str(body.expose()));
    }
    init.set_redirect(web_sys::RequestRedirect::Manual);
    init.set_signal(Some(&both));
    let outcome = async {
        let response: web_sys::Response = JsFuture::from(global_fetch(&request.url, &init))
            .await?
            .unchecked_into();
        let body = read_body(&response, max_body_bytes).await?;
        Ok::<_, JsValue>((response, body))
    }
    .await;
    match outcome {
        Ok((_, None)) => failed(
            IoFailureKind::TooLarge,
            format!("the response body is larger than {max_body_bytes} bytes"),
        ),
        Ok((response, Some(body))) => {
            if response.type_() == web_sys::ResponseType::Opaqueredirect {
                return failed(
                    IoFailureKind::Other,
                    "the endpoint answered with a redirect",
                );
            }
            let mut out = HttpResponse::new(response.status(), body);
            out.headers = response_headers(&response.headers());
            Reply::Http(out)
        }
        Err(_) if signal.aborted() => failed(IoFailureKind::Aborted, "aborted"),
        Err(_) if timeout.aborted() => failed(
            IoFailureKind::TimedOut,
            format!("no answer from {} in time", origin(&request.url)),
        ),
        Err(e) => {
            let text = error_text(&e);
            let lower = text.to_ascii_lowercase();
            let kind = if lower.contains("refused") {
                IoFailureKind::Refused
            } else if lower.contains("dns") || lower.contains("lookup") || lower.contains("resolve")
            {
                IoFailureKind::DnsFailed
            } else if lower.contains("certificate")
                || lower.contains("tls")
                || lower.contains("ssl")
            {
                IoFailureKind::Tls
            } else {
                IoFailureKind::Other
            };
            failed(
                kind,
                format!("fetch {} failed: {text}", origin(&request.url)),
            )
        }
    }
}

/// The scheme, host and port of `url`, for messages (no path or query: they may hold ids).
fn origin(url: &str) -> &str {
    let start = url.find("://").map_or(0, |i| i + 3);
    let end = url[start..]
        .find(['/', '?'])
        .map_or(url.len(), |i| start + i);
    &url[..end]
}

fn web_headers(headers: &Headers) -> Result<web_sys::Headers, String> {
    let out = web_sys::Headers::new().map_err(|e| error_text(&e))?;
    for (name, value) in headers.iter() {
        // A runtime may refuse a header it sets itself (browsers: `User-Agent` on some): skip it.
        let _ = out.append(name, value);
    }
    Ok(out)
}

fn response_headers(headers: &web_sys::Headers) -> Headers {
    let mut out = Headers::new();
    if let Ok(Some(entries)) = js_sys::try_iter(headers) {
        for entry in entries.flatten() {
            let pair: js_sys::Array = entry.unchecked_into();
            if let (Some(name), Some(value)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
                out.push(name, value);
            }
        }
    }
    out
}

/// Reads the body as text, or `None` once it is longer than `max` bytes (the rest is cancelled).
async fn read_body(response: &web_sys::Response, max: u64) -> Result<Option<String>, JsValue> {
    let Some(stream) = response.body() else {
        return Ok(Some(String::new()));
    };
    let reader: ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
    let mut bytes: Vec<u8> = Vec::new();
    loop {
        let chunk = JsFuture::from(reader.read()).await?;
        if Reflect::get(&chunk, &"done".into())?.is_truthy() {
            break;
        }
        let value: Uint8Array = Reflect::get(&chunk, &"value".into())?.unchecked_into();
        if bytes.len() as u64 + u64::from(value.length()) > max {
            let _ = reader.cancel();
            return Ok(None);
        }
        bytes.extend(value.to_vec());
    }
    Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
}

/// Signs `data` with RSA-PSS SHA-256 through WebCrypto, with the unencrypted PKCS#8 key in
/// `pem`. A key WebCrypto cannot take (encrypted, PKCS#1, not RSA) is a failure saying so,
/// without key material.
async fn sign(algorithm: &str, pem: &str, encrypted: bool, data: &str, runtime: &str) -> Reply {
    if algorithm != "PS256" {
        return failed(
            IoFailureKind::Unsupported,
            format!("unknown algorithm {algorithm}"),
        );
    }
    let convert = "convert it with `openssl pkcs8 -topk8 -nocrypt -in key.pem`";
    let Some(der) = pkcs8_der(pem) else {
        let which = if encrypted
            || pem.contains("ENCRYPTED PRIVATE KEY")
            || pem.contains("Proc-Type: 4,ENCRYPTED")
        {
            "an encrypted private key"
        } else if pem.contains("BEGIN RSA PRIVATE KEY") {
            "a PKCS#1 private key"
        } else {
            "no private key"
        };
        return failed(
            IoFailureKind::Unsupported,
            format!(
                "{runtime} signs with WebCrypto, which takes an unencrypted PKCS#8 private key (-----BEGIN PRIVATE KEY-----); the PEM holds {which}: {convert}"
            ),
        );
    };
    match webcrypto_sign(&der, data.as_bytes()).await {
        Ok(signature) => Reply::Signed {
            signature: URL_SAFE_NO_PAD.encode(signature),
        },
        Err(e) => failed(
            IoFailureKind::Other,
            format!(
                "WebCrypto could not sign with the private key ({}); it must be an RSA key",
                error_text(&e)
            ),
        ),
    }
}

/// The DER bytes of the first `PRIVATE KEY` block.
fn pkcs8_der(pem: &str) -> Option<Vec<u8>> {
    const BEGIN: &str = "-----BEGIN PRIVATE KEY-----";
    const END: &str = "-----END PRIVATE KEY-----";
    let start = pem.find(BEGIN)? + BEGIN.len();
    let end = start + pem[start..].find(END)?;
    let b64: String = pem[start..end]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    STANDARD.decode(b64).ok()
}

async fn webcrypto_sign(der: &[u8], data: &[u8]) -> Result<Vec<u8>, JsValue> {
    let crypto: web_sys::Crypto =
        Reflect::get(&js_sys::global(), &"crypto".into())?.unchecked_into();
    let subtle = crypto.subtle();
    let import = Object::new();
    Reflect::set(&import, &"name".into(), &"RSA-PSS".into())?;
    Reflect::set(&import, &"hash".into(), &"SHA-256".into())?;
    let usages = js_sys::Array::of1(&"sign".into());
    let key_data = Uint8Array::from(der);
    let key =
        JsFuture::from(subtle.import_key_with_object("pkcs8", &key_data, &import, false, &usages)?)
            .await?;
    let params = Object::new();
    Reflect::set(&params, &"name".into(), &"RSA-PSS".into())?;
    // A salt as long as the SHA-256 digest, as PS256 asks.
    Reflect::set(&params, &"saltLength".into(), &32.into())?;
    let signature = JsFuture::from(subtle.sign_with_object_and_u8_array(
        &params,
        &key.unchecked_into(),
        data,
    )?)
    .await?;
    Ok(Uint8Array::new(&signature).to_vec())
}
