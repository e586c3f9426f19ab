//! Tests of `src/source/entra/pipelines.rs`: `AzurePipelinesCredential`'s constructor checks,
//! the OIDC token request and its answers, then the client-assertion exchange.

use super::*;

const OIDC: &str =
    "https://dev.azure.com/org/proj/_apis/distributedtask/hubs/build/plans/p/jobs/j/oidctoken";
const CONNECTION: &str = "9b1a3c6e-0000-4000-8000-000000000001";
const SYSTEM_TOKEN: &str = "sat-SENTINEL-system-access-token";
const TROUBLESHOOT: &str = "See the troubleshooting guide for more information: https://aka.ms/azsdk/js/identity/azurepipelinescredential/troubleshoot";

fn pipelines_opts() -> Value {
    json!({"tenantId": TENANT, "clientId": CLIENT, "serviceConnectionId": CONNECTION,
           "systemAccessToken": SYSTEM_TOKEN})
}

fn pipelines_cred() -> azcred_core::Credential {
    credential(
        "AzurePipelinesCredential",
        pipelines_opts(),
        &[("SYSTEM_OIDCREQUESTURI", OIDC)],
    )
}

fn oidc_answer(token: &str) -> String {
    json!({ "oidcToken": token }).to_string()
}

#[test]
fn the_oidc_token_is_asked_for_then_exchanged_as_a_client_assertion() {
    let mut cred = pipelines_cred();
    let s = Script::new().http(200, &oidc_answer("eyJ.oidc.SENTINEL"));
    let run = aad_token(s, "tok").get(&mut cred, STORAGE);
    assert_eq!(run.token().token.expose(), "tok");
    assert_eq!(
        run.transcript,
        [
            format!("POST {OIDC}?api-version=7.1&serviceConnectionId={CONNECTION}"),
            format!(
                "POST {}?client-request-id={}",
                token_endpoint(TENANT),
                field(run.requests()[1], "client-request-id").unwrap()
            ),
        ]
    );
    let oidc = run.requests()[0];
    assert_eq!(oidc.body.as_ref().map(Secret::expose), Some(""));
    let headers: Vec<(String, String)> = header_list(&oidc.headers)
        .into_iter()
        .filter(|(n, _)| n != "User-Agent" && n != "x-ms-client-request-id")
        .collect();
    assert_eq!(
        headers,
        pairs(&[
            ("Content-Type", "application/json"),
            ("Authorization", &format!("Bearer {SYSTEM_TOKEN}")),
            ("X-TFS-FedAuthRedirect", "Suppress"),
        ])
    );
    let exchange = run.requests()[1];
    assert_eq!(
        names(exchange),
        [
            "client_id",
            "scope",
            "grant_type",
            "x-ms-lib-capability",
            "client-request-id",
            "client_assertion",
            "client_assertion_type",
        ]
    );
    assert_eq!(
        field(exchange, "client_assertion").unwrap(),
        "eyJ.oidc.SENTINEL"
    );
    assert_eq!(field(exchange, "grant_type").unwrap(), "client_credentials");
    // Neither request shows its secrets in Debug output.
    let debug = format!("{:?}", run.actions);
    assert!(!debug.contains("SENTINEL"), "{debug}");
}

#[test]
fn the_oidc_token_is_asked_for_again_for_each_token_request_sent_to_entra() {
    let mut cred = pipelines_cred();
    let mut s = aad_token(Script::new().http(200, &oidc_answer("one")), "t1");
    s.get(&mut cred, STORAGE);
    // Cached: no request at all.
    assert!(s.get(&mut cred, STORAGE).cached);
    s.push(|_, _| Reply::Http(HttpResponse::new(200, oidc_answer("two"))));
    push_token(&mut s, "t2");
    let run = s.get(&mut cred, "https://vault.azure.net/.default");
    assert_eq!(run.requests().len(), 2);
    assert_eq!(field(run.requests()[1], "client_assertion").unwrap(), "two");
}

#[test]
fn an_answer_without_an_oidc_token_is_an_authentication_error_with_its_status() {
    for (status, body, headers) in [
        (401, "", vec![]),
        (
            403,
            r#"{"message":"denied"}"#,
            vec![("x-vss-e2eid", "e2e-1"), ("x-msedge-ref", "ref-1")],
        ),
        (
            200,
            "<html><body>Sign in</body></html>",
            vec![("x-vss-e2eid", "e2e-2")],
        ),
    ] {
        let mut resp = HttpResponse::new(status, body);
        for (n, v) in &headers {
            resp = resp.header(n, *v);
        }
        let mut cred = pipelines_cred();
        let run = Script::new().response(resp).get(&mut cred, STORAGE);
        let e = run.error();
        assert_eq!(e.kind, ErrorKind::AuthenticationFailed, "{status} {body}");
        assert_eq!(e.status_code, Some(status));
        assert_eq!(
            run.requests().len(),
            1,
            "no exchange after a failed OIDC request"
        );
        let header = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| *n == name)
                .map_or_else(|| "null".to_owned(), |(_, v)| format!("\"{v}\""))
        };
        // Keys in the reference's order: status, bodyAsText, headers.
        let details = format!(
            r#"{{"status":{status},"bodyAsText":{},"headers":{{"x-vss-e2eid":{},"x-msedge-ref":{}}}}}"#,
            serde_json::to_string(body).unwrap(),
            header("x-vss-e2eid"),
            header("x-msedge-ref"),
        );
        let r = e.error_response.as_ref().unwrap();
        if body.is_empty() {
            assert_eq!(
                r.error,
                "AzurePipelinesCredential: Authentication Failed. Received null token from OIDC request."
            );
            assert_eq!(
                r.error_description,
                format!("Complete response - {details}. {TROUBLESHOOT}")
            );
        } else {
            assert_eq!(
                r.error,
                "AzurePipelinesCredential: Authentication Failed. oidcToken field not detected in the response."
            );
            assert_eq!(
                r.error_description,
                format!("Response from service = {details}. {TROUBLESHOOT}")
            );
        }
        assert!(
            e.message
                .starts_with(&format!("{} Status code: {status}", r.error))
        );
    }
}

#[test]
fn an_answer_that_echoes_the_system_access_token_is_scrubbed_and_shortened() {
    let echoed = format!(
        r#"{{"error":"bad token {SYSTEM_TOKEN}","padding":"{}"}}"#,
        "x".repeat(5000)
    );
    let mut cred = pipelines_cred();
    let run = Script::new().http(401, &echoed).get(&mut cred, STORAGE);
    let e = run.error();
    assert!(!e.message.contains("SENTINEL"), "{}", e.message);
    assert!(!format!("{e:?}").contains("SENTINEL"));
    assert!(e.message.len() < 1500, "{} chars", e.message.len());
}

#[test]
fn server_errors_of_the_oidc_endpoint_are_retried_then_reported() {
    let mut cred = pipelines_cred();
    let s = Script::new()
        .http(503, "busy")
        .http(500, "")
        .http(200, &oidc_answer("ok"));
    let run = aad_token(s, "tok").get(&mut cred, STORAGE);
    assert_eq!(run.token().token.expose(), "tok");
    assert_eq!(run.waits().len(), 2, "{:#?}", run.transcript);
    assert!(run.transcript[0].starts_with(&format!("POST {OIDC}")));
    assert!(run.transcript[2].starts_with(&format!("POST {OIDC}")));

    let mut cred = pipelines_cred();
    let run = Script::new()
        .fail(IoFailureKind::Refused, "connect ECONNREFUSED")
        .fail(IoFailureKind::Refused, "connect ECONNREFUSED")
        .fail(IoFailureKind::Refused, "connect ECONNREFUSED")
        .fail(IoFailureKind::Refused, "connect ECONNREFUSED")
        .get(&mut cred, STORAGE);
    assert_eq!(run.error().kind, ErrorKind::AuthenticationRequired);
    assert!(
        run.error().message.starts_with(&format!(
            "AzurePipelinesCredential: the OIDC token request to {OIDC}?api-version=7.1"
        )),
        "{}",
        run.error().message
    );
    assert_eq!(run.waits().len(), 3);
}

#[test]
fn an_abort_during_the_oidc_request_is_an_abort() {
    let mut cred = pipelines_cred();
    let run = Script::new()
        .fail(IoFailureKind::Aborted, "aborted")
        .get(&mut cred, STORAGE);
    assert_eq!(run.error().kind, ErrorKind::Aborted);
}

#[test]
fn constructor_errors_in_the_reference_order() {
    let unavailable = |what: &str| {
        format!("AzurePipelinesCredential: is unavailable. {what} is a required parameter.")
    };
    let env_ok = [("SYSTEM_OIDCREQUESTURI", OIDC)];
    for (drop, message) in [
        ("clientId", unavailable("clientId")),
        ("tenantId", unavailable("tenantId")),
        ("serviceConnectionId", unavailable("serviceConnectionId")),
        ("systemAccessToken", unavailable("systemAccessToken")),
    ] {
        let mut o = pipelines_opts();
        o.as_object_mut().unwrap().remove(drop);
        let e = build_err("AzurePipelinesCredential", o, &env_ok);
        assert_eq!(
            (e.code, e.message.as_str()),
            ("CredentialUnavailable", message.as_str())
        );
    }
    let mut o = pipelines_opts();
    o["tenantId"] = json!("not a tenant!");
    let e = build_err("AzurePipelinesCredential", o, &[]);
    assert_eq!(
        (e.code, e.message.as_str()),
        ("InvalidConfig", INVALID_TENANT)
    );
    let e = build_err("AzurePipelinesCredential", pipelines_opts(), &[]);
    assert_eq!(e.code, "CredentialUnavailable");
    assert!(
        e.message.ends_with(
            "following missing system variable(s) can be defined- \"SYSTEM_OIDCREQUESTURI\""
        ),
        "{}",
        e.message
    );
}
