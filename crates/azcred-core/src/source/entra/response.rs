//! Entra's answers made into messages: MSAL's `ServerError` rendering of an error response, and
//! the errors every stage shares. A token answer is parsed by `token::parse_token_response`, as
//! for every source.

use crate::http::HttpResponse;

/// MSAL's `ServerError` message for an error response:
/// `<error>: Error(s): <codes> - Timestamp: <t> - Description: <d> - Correlation ID: <c> -
/// Trace ID: <t>`. A body that is not an OAuth error is described as the reference's
/// `IdentityClient` does (`server_error` / `client_error` with the status and body). Every
/// piece of peer text goes through `scrub` (the flow's secrets out, bounded).
pub(super) fn describe_error(
    resp: &HttpResponse,
    scrub: impl Fn(&str, usize) -> String,
    correlation: &str,
) -> String {
    let v: Option<serde_json::Value> = serde_json::from_str(&resp.body)
        .ok()
        .filter(serde_json::Value::is_object);
    // Every field comes from the peer: secrets out, bounded, no control characters.
    let text = |name: &str, max: usize| -> Option<String> {
        let f = v.as_ref()?.get(name)?;
        let s = match f {
            serde_json::Value::Null => return None,
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Array(items) => items
                .iter()
                .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                .collect::<Vec<_>>()
                .join(","),
            other => other.to_string(),
        };
        (!s.is_empty()).then(|| scrub(&s, max))
    };
    let (error, description) = match (text("error", 200), text("error_description", 2000)) {
        (None, None) => {
            let (kind, who) = match resp.status {
                400..=499 => ("client_error", "A client"),
                500..=599 => ("server_error", "A server"),
                _ => ("unknown_error", "An unknown"),
            };
            let body = if resp.body.trim().is_empty() {
                "Unknown".to_owned()
            } else {
                scrub(&resp.body, 500)
            };
            (
                kind.to_owned(),
                format!(
                    "{who} error occured.\nHttp status code: {}\nHttp status message: {body}",
                    resp.status
                ),
            )
        }
        (error, description) => (
            error.unwrap_or_default(),
            description.unwrap_or_else(|| "Not Available".to_owned()),
        ),
    };
    let na = |name: &str| text(name, 200).unwrap_or_else(|| "Not Available".to_owned());
    format!(
        "{error}: Error(s): {} - Timestamp: {} - Description: {description} - Correlation ID: \
         {} - Trace ID: {} - Client request ID: {}",
        na("error_codes"),
        na("timestamp"),
        na("correlation_id"),
        na("trace_id"),
        correlation,
    )
}
