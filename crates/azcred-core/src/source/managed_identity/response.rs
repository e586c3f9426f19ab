//! What managed identity makes of an endpoint's error answer, and the errors every protocol
//! shares. A token answer is parsed by `token::parse_token_response`, as for every source.

use crate::error::TokenError;
use crate::http::HttpResponse;

use super::NAME;

/// "ManagedIdentityCredential: Authentication failed. Message <msg>" (the reference's wrap, with
/// its missing colon).
pub(super) fn failed(msg: &str) -> TokenError {
    TokenError::unavailable(format!("{NAME}: Authentication failed. Message {msg}"))
}

/// Renders an error response: the OAuth `error`/`error_description`, or `message`, or an
/// excerpt of the body, with every secret the flow sent scrubbed (`scrub`). A 400 for a
/// user-assigned identity says which.
pub(super) fn describe_error(
    resp: &HttpResponse,
    scrub: impl Fn(&str) -> String,
    user_assigned: Option<&str>,
) -> String {
    let v: Option<serde_json::Value> = serde_json::from_str(&resp.body).ok();
    let field = |name: &str| {
        v.as_ref()
            .and_then(|v| v.get(name))
            .and_then(|f| {
                f.as_str()
                    .map(str::to_owned)
                    .or_else(|| Some(f.to_string()))
            })
            .filter(|s| !s.is_empty() && s != "null")
    };
    let detail = match (
        field("error"),
        field("error_description").or_else(|| field("message")),
    ) {
        (Some(e), Some(d)) => format!("{e}: {d}"),
        (Some(e), None) => e,
        (None, Some(d)) => d,
        (None, None) if resp.body.trim().is_empty() => "(empty body)".to_owned(),
        (None, None) => resp.body.clone(),
    };
    let mut msg = format!("{} (HTTP {})", scrub(&detail), resp.status);
    if let (Some(id), 400) = (user_assigned, resp.status) {
        msg.push_str(&format!(
            ". Check that the user-assigned identity {id} is assigned to this resource"
        ));
    }
    msg
}
