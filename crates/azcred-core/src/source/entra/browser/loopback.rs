//! What each request that reaches the sign-in listener gets, and what it means for the flow: the
//! rules of MSAL Node 7.2.3's `LoopbackClient` (the authorize request asks for
//! `response_mode=form_post`, so the sign-in page posts the code or the error as a form).
//!
//! - any method but GET and POST: `405`, ignored;
//! - a POST to the redirect path: `415` unless it is a form; a form with neither `code` nor
//!   `error` is ignored (`200`); one whose `state` is not exactly this sign-in's gets `400
//!   Invalid authorization response state.` and is ignored, so no other page or program can
//!   end (or take over) the sign-in; otherwise the error page or the success page, and the
//!   sign-in ends with the error or continues with the code;
//! - a GET of the redirect path: the success page (a browser reloading it), ignored;
//! - a GET elsewhere with `code` or `error` in its query: `400` if the state is not this
//!   sign-in's (ignored), else `400` and the sign-in fails (the code must not travel in a URL);
//!   any other GET (`/favicon.ico`) or POST elsewhere: `200` with nothing, ignored.

use crate::io::LoopbackRequest;
use crate::secret::Secret;
use crate::source::excerpt;

use super::SUCCESS_PAGE;

/// The message when the code came in a URL instead of a form (MSAL's
/// `loopback_server_query_response_not_supported`).
pub(super) const QUERY_RESPONSE: &str = "loopback_server_query_response_not_supported: The \
     loopback server received an OAuth response in the URL. Interactive authentication \
     requires form_post.";
/// The answer to a redirect whose `state` is not this sign-in's.
pub(super) const WRONG_STATE: &str = "Invalid authorization response state.";

/// What the request means for the sign-in.
#[derive(Debug)]
pub(super) enum Verdict {
    /// Nothing: keep waiting.
    Ignore,
    /// Not this sign-in's redirect (its `state` differs): keep waiting.
    WrongState,
    /// The redirect with the code.
    Code(Secret),
    /// The redirect with an error: the sign-in ends with this message (MSAL's `ServerError`).
    Error(String),
    /// The sign-in fails with this message.
    Fail(&'static str),
}

/// The response to write and what the request meant.
#[derive(Debug)]
pub(super) struct Answer {
    pub(super) status: u16,
    pub(super) headers: Vec<(String, String)>,
    pub(super) body: String,
    pub(super) verdict: Verdict,
}

/// The pages the browser gets (`browserCustomizationOptions`).
#[derive(Debug, Clone, Copy)]
pub(super) struct Pages<'a> {
    pub(super) success: Option<&'a str>,
    pub(super) error: Option<&'a str>,
}

fn text(status: u16, body: &str, verdict: Verdict) -> Answer {
    Answer {
        status,
        headers: vec![(
            "Content-Type".to_owned(),
            "text/plain; charset=utf-8".to_owned(),
        )],
        body: body.to_owned(),
        verdict,
    }
}

fn page(body: String, verdict: Verdict) -> Answer {
    Answer {
        status: 200,
        headers: vec![
            (
                "Content-Type".to_owned(),
                "text/html; charset=utf-8".to_owned(),
            ),
            ("Cache-Control".to_owned(), "no-store".to_owned()),
        ],
        body,
        verdict,
    }
}

/// Decodes an `application/x-www-form-urlencoded` string (a form body or a query).
pub(super) fn parse_form(s: &str) -> Vec<(String, String)> {
    let decode = |v: &str| {
        let plus = v.replace('+', " ");
        percent_encoding::percent_decode_str(&plus)
            .decode_utf8_lossy()
            .into_owned()
    };
    s.split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(kv), String::new()),
        })
        .collect()
}

fn first<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// Exactly one `state`, equal to this sign-in's (MSAL's `isExpectedState`).
fn expected_state(fields: &[(String, String)], state: &str) -> bool {
    let mut states = fields.iter().filter(|(k, _)| k == "state");
    matches!((states.next(), states.next()), (Some((_, s)), None) if s == state)
}

/// Escapes text for an HTML page.
fn html_escape(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&#39;".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

/// The answer to `req`, for a sign-in whose redirect path is `path` and state `state`.
pub(super) fn answer(req: &LoopbackRequest, path: &str, state: &str, pages: Pages<'_>) -> Answer {
    let method = req.method.to_ascii_uppercase();
    if method != "GET" && method != "POST" {
        let mut a = text(405, "Method Not Allowed", Verdict::Ignore);
        a.headers.push(("Allow".to_owned(), "GET, POST".to_owned()));
        return a;
    }
    let target = req.target.expose();
    if target == path {
        if method == "GET" {
            // A reload of the page after the redirect.
            return page(
                pages.success.unwrap_or(SUCCESS_PAGE).to_owned(),
                Verdict::Ignore,
            );
        }
        let media = req
            .content_type
            .as_deref()
            .and_then(|c| c.split(';').next())
            .map(str::trim);
        if !media.is_some_and(|m| m.eq_ignore_ascii_case("application/x-www-form-urlencoded")) {
            return text(415, "Unsupported Media Type", Verdict::Ignore);
        }
        let fields = parse_form(req.body.expose());
        let (code, error) = (first(&fields, "code"), first(&fields, "error"));
        if code.is_none() && error.is_none() {
            return text(200, "", Verdict::Ignore);
        }
        if !expected_state(&fields, state) {
            return text(400, WRONG_STATE, Verdict::WrongState);
        }
        if let Some(error) = error {
            let message = match first(&fields, "error_description") {
                Some(d) => format!("{}: {}", excerpt(error, 200), excerpt(d, 2000)),
                None => excerpt(error, 200),
            };
            let body = match pages.error {
                Some(p) => p.to_owned(),
                None => format!("Error occurred: {}", html_escape(error)),
            };
            return page(body, Verdict::Error(message));
        }
        let code = Secret::new(code.unwrap_or_default());
        return page(
            pages.success.unwrap_or(SUCCESS_PAGE).to_owned(),
            Verdict::Code(code),
        );
    }
    if method == "POST" {
        return text(200, "", Verdict::Ignore);
    }
    let query = target
        .split_once('?')
        .map_or("", |(_, q)| q.split('#').next().unwrap_or_default());
    let fields = parse_form(query);
    if first(&fields, "code").is_none() && first(&fields, "error").is_none() {
        return text(200, "", Verdict::Ignore);
    }
    if !expected_state(&fields, state) {
        return text(400, WRONG_STATE, Verdict::WrongState);
    }
    text(
        400,
        "OAuth responses must use form_post and cannot be returned in the URL.",
        Verdict::Fail(QUERY_RESPONSE),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGES: Pages<'static> = Pages {
        success: None,
        error: None,
    };

    fn req(method: &str, target: &str, content_type: Option<&str>, body: &str) -> LoopbackRequest {
        LoopbackRequest {
            method: method.to_owned(),
            target: Secret::new(target),
            content_type: content_type.map(str::to_owned),
            body: Secret::new(body),
        }
    }

    fn form_post(body: &str) -> LoopbackRequest {
        req(
            "POST",
            "/",
            Some("application/x-www-form-urlencoded; charset=utf-8"),
            body,
        )
    }

    #[test]
    fn the_redirect_with_this_state_brings_the_code_and_the_success_page() {
        let a = answer(
            &form_post("code=c%2B1&state=s1&session_state=x"),
            "/",
            "s1",
            PAGES,
        );
        assert_eq!((a.status, a.body.as_str()), (200, SUCCESS_PAGE));
        assert!(matches!(a.verdict, Verdict::Code(ref c) if c.expose() == "c+1"));
        let custom = Pages {
            success: Some("<h1>ok</h1>"),
            error: None,
        };
        assert_eq!(
            answer(&form_post("code=c&state=s1"), "/", "s1", custom).body,
            "<h1>ok</h1>"
        );
    }

    #[test]
    fn a_redirect_with_another_state_is_refused_and_does_not_end_the_sign_in() {
        for body in [
            "code=c&state=s2",
            "code=c",
            "code=c&state=s1&state=s1",
            "error=x&state=s",
        ] {
            let a = answer(&form_post(body), "/", "s1", PAGES);
            assert_eq!((a.status, a.body.as_str()), (400, WRONG_STATE), "{body}");
            assert!(matches!(a.verdict, Verdict::WrongState), "{body}");
        }
    }

    #[test]
    fn an_error_redirect_ends_the_sign_in_with_msal_message_and_the_error_page() {
        let a = answer(
            &form_post(
                "error=access_denied&error_description=AADSTS65004%3A+User+declined.&state=s1",
            ),
            "/",
            "s1",
            PAGES,
        );
        assert_eq!(a.body, "Error occurred: access_denied");
        assert!(
            matches!(a.verdict, Verdict::Error(ref m) if m == "access_denied: AADSTS65004: User declined.")
        );
        let a = answer(&form_post("error=%3Cb%3E&state=s1"), "/", "s1", PAGES);
        assert_eq!(
            a.body, "Error occurred: &lt;b&gt;",
            "peer text is escaped in the page"
        );
        let custom = Pages {
            success: None,
            error: Some("<p>no</p>"),
        };
        assert_eq!(
            answer(&form_post("error=e&state=s1"), "/", "s1", custom).body,
            "<p>no</p>"
        );
    }

    #[test]
    fn other_requests_are_answered_and_ignored() {
        let cases = [
            (req("PUT", "/", None, ""), 405),
            (req("POST", "/", Some("text/plain"), "code=c&state=s1"), 415),
            (req("POST", "/", None, "code=c&state=s1"), 415),
            (form_post("session_state=x"), 200),
            (req("GET", "/", None, ""), 200),
            (req("GET", "/favicon.ico", None, ""), 200),
            (
                req(
                    "POST",
                    "/other",
                    Some("application/x-www-form-urlencoded"),
                    "code=c&state=s1",
                ),
                200,
            ),
            (req("GET", "/?code=c&state=s2", None, ""), 400),
        ];
        for (r, status) in cases {
            let a = answer(&r, "/", "s1", PAGES);
            assert_eq!(a.status, status, "{r:?}");
            assert!(
                matches!(a.verdict, Verdict::Ignore | Verdict::WrongState),
                "{r:?}"
            );
        }
    }

    #[test]
    fn a_code_in_the_url_fails_the_sign_in() {
        let a = answer(&req("GET", "/?code=c&state=s1", None, ""), "/", "s1", PAGES);
        assert_eq!(a.status, 400);
        assert!(matches!(a.verdict, Verdict::Fail(QUERY_RESPONSE)));
    }

    #[test]
    fn a_redirect_path_of_the_callers_is_where_the_form_goes() {
        let mut r = form_post("code=c&state=s1");
        r.target = Secret::new("/callback");
        assert!(matches!(
            answer(&r, "/callback", "s1", PAGES).verdict,
            Verdict::Code(_)
        ));
        assert!(matches!(
            answer(&form_post("code=c&state=s1"), "/callback", "s1", PAGES).verdict,
            Verdict::Ignore
        ));
    }
}
