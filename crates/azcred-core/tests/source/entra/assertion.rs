//! Tests of `src/source/entra/assertion.rs`: the certificate file read, the assertion's signing
//! input and its signature.

use super::*;

#[test]
fn certificate_read_sign_post() {
    let mut cred = cert_cred(json!({}), &[]);
    let pem = cert_pem("PRIVATE KEY");
    let mut s = aad_token(
        Script::new()
            .reply(file(&pem))
            .reply(signed("c2lnbmF0dXJl")),
        "tok",
    );
    let run = s.get(&mut cred, STORAGE);
    assert_eq!(run.token().token.expose(), "tok");
    assert_eq!(
        run.shape(),
        [
            "read-file /etc/app/cert.pem".to_owned(),
            "sign PS256".to_owned(),
            format!(
                "POST {}?client-request-id={}",
                token_endpoint(TENANT),
                field(run.requests()[0], "client-request-id").unwrap()
            ),
        ]
    );
    let Action::ReadFile { max_bytes, .. } = &run.actions[0] else {
        panic!()
    };
    assert_eq!(*max_bytes, 1024 * 1024);

    let Action::Sign {
        algorithm,
        key,
        passphrase,
        data,
    } = &run.actions[1]
    else {
        panic!("{:?}", run.actions[1])
    };
    assert_eq!(algorithm, "PS256");
    assert_eq!(key.expose(), pem, "the whole PEM text goes to the driver");
    assert!(passphrase.is_none());
    let (h, p) = data.split_once('.').unwrap();
    let header = decode_json(h);
    assert_eq!(
        header,
        json!({"alg": "PS256", "typ": "JWT", "x5t#S256": URL_SAFE_NO_PAD.encode(Sha256::digest(LEAF_DER))})
    );
    let raw_header = String::from_utf8(URL_SAFE_NO_PAD.decode(h).unwrap()).unwrap();
    assert!(raw_header.starts_with(r#"{"alg":"PS256","typ":"JWT","x5t#S256":"#));
    let payload = decode_json(p);
    let iat = T0.as_millis() / 1000;
    assert_eq!(payload["aud"], token_endpoint(TENANT));
    assert_eq!(payload["iss"], CLIENT);
    assert_eq!(payload["sub"], CLIENT);
    assert_eq!(payload["iat"], iat);
    assert_eq!(payload["nbf"], iat);
    assert_eq!(payload["exp"], iat + 600);
    let jti = payload["jti"].as_str().unwrap();
    assert_eq!((jti.len(), &jti[14..15]), (36, "4"));

    let req = run.requests()[0];
    assert_eq!(
        field(req, "client_assertion").unwrap(),
        format!("{data}.c2lnbmF0dXJl")
    );
    assert_eq!(field(req, "client_assertion_type").unwrap(), ASSERTION_TYPE);
    assert_eq!(
        names(req),
        [
            "client_id",
            "scope",
            "grant_type",
            "x-ms-lib-capability",
            "client-request-id",
            "client_assertion",
            "client_assertion_type"
        ]
    );
    assert!(
        !format!("{:?}", run.actions).contains("KEY-SENTINEL"),
        "the key never shows in Debug"
    );
}

#[test]
fn send_certificate_chain_adds_x5c_in_file_order() {
    let mut cred = cert_cred(json!({"sendCertificateChain": true}), &[]);
    let run = aad_token(
        Script::new()
            .reply(file(&cert_pem("PRIVATE KEY")))
            .reply(signed("c2ln")),
        "t",
    )
    .get(&mut cred, STORAGE);
    let Action::Sign { data, .. } = &run.actions[1] else {
        panic!()
    };
    let header = decode_json(data.split('.').next().unwrap());
    assert_eq!(
        header["x5c"],
        json!([STANDARD.encode(LEAF_DER), STANDARD.encode(CA_DER)])
    );
}

#[test]
fn the_assertion_audience_follows_the_requested_tenant() {
    let mut cred = cert_cred(json!({"additionallyAllowedTenants": [OTHER_TENANT]}), &[]);
    let run = aad_token(
        Script::new()
            .reply(file(&cert_pem("PRIVATE KEY")))
            .reply(signed("c2ln")),
        "t",
    )
    .run(
        &mut cred,
        request_with(|r| r.tenant_id = Some(OTHER_TENANT.into())),
    );
    let Action::Sign { data, .. } = &run.actions[1] else {
        panic!()
    };
    assert_eq!(
        decode_json(data.split('.').nth(1).unwrap())["aud"],
        token_endpoint(OTHER_TENANT)
    );
}

#[test]
fn an_encrypted_key_needs_its_password() {
    let pem = cert_pem("ENCRYPTED PRIVATE KEY");
    let mut cred = cert_cred(json!({}), &[]);
    let run = Script::new().reply(file(&pem)).get(&mut cred, STORAGE);
    assert_eq!(run.error().kind, ErrorKind::AuthenticationRequired);
    assert!(
        run.error().message.contains("is encrypted"),
        "{}",
        run.error().message
    );
    assert_eq!(run.actions.len(), 1, "nothing signed, nothing sent");

    let mut cred = cert_cred(json!({"certificatePassword": "pa55-SENTINEL"}), &[]);
    let run = aad_token(Script::new().reply(file(&pem)).reply(signed("c2ln")), "t")
        .get(&mut cred, STORAGE);
    let Action::Sign { passphrase, .. } = &run.actions[1] else {
        panic!()
    };
    assert_eq!(passphrase.as_ref().unwrap().expose(), "pa55-SENTINEL");
    assert!(!format!("{:?}", run.actions[1]).contains("pa55-SENTINEL"));
}

#[test]
fn a_key_the_driver_cannot_use_is_a_clear_error() {
    let mut cred = cert_cred(json!({"certificatePassword": "wrong"}), &[]);
    let run = Script::new()
        .reply(file(&cert_pem("ENCRYPTED PRIVATE KEY")))
        .fail(
            IoFailureKind::Other,
            "error:1C800064:Provider routines::bad decrypt",
        )
        .get(&mut cred, STORAGE);
    let e = run.error();
    assert_eq!(e.kind, ErrorKind::AuthenticationRequired);
    assert_eq!(
        e.message,
        "ClientCertificateCredential: the private key could not be used to sign the client assertion: error:1C800064:Provider routines::bad decrypt"
    );
    assert!(!e.message.contains("KEY-SENTINEL"));
    assert_eq!(run.requests().len(), 0);

    let mut cred = cert_cred(json!({}), &[]);
    let run = Script::new()
        .reply(file(&cert_pem("PRIVATE KEY")))
        .reply(signed("not base64url!"))
        .get(&mut cred, STORAGE);
    assert_eq!(run.error().kind, ErrorKind::AuthenticationRequired);
    assert_eq!(run.requests().len(), 0);
}

#[test]
fn certificate_file_problems() {
    let cases: Vec<(Reply, &str)> = vec![
        (
            Reply::Failed(IoFailure::new(
                IoFailureKind::NotFound,
                "the file does not exist",
            )),
            "ClientCertificateCredential: could not read the certificate file /etc/app/cert.pem: the file does not exist",
        ),
        (
            Reply::Failed(IoFailure::new(IoFailureKind::TooLarge, "too big")),
            "ClientCertificateCredential: the certificate file /etc/app/cert.pem is larger than 1048576 bytes",
        ),
        (
            file("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
            "ClientCertificateCredential: The file at the specified path does not contain a PEM-encoded certificate.",
        ),
        (
            file(&pem_block("CERTIFICATE", &STANDARD.encode(LEAF_DER))),
            "ClientCertificateCredential: the file /etc/app/cert.pem has no private key",
        ),
    ];
    for (reply, expected) in cases {
        let mut cred = cert_cred(json!({}), &[]);
        let run = Script::new().reply(reply).get(&mut cred, STORAGE);
        assert_eq!(run.error().kind, ErrorKind::AuthenticationRequired);
        assert!(
            run.error().message.starts_with(expected),
            "{}",
            run.error().message
        );
        assert_eq!(run.actions.len(), 1);
    }
}

#[test]
fn a_certificate_given_as_text_is_signed_without_reading_a_file() {
    let pem = cert_pem("PRIVATE KEY");
    let mut cred = credential(
        "ClientCertificateCredential",
        json!({"tenantId": TENANT, "clientId": CLIENT, "certificate": pem}),
        &[],
    );
    let run = aad_token(Script::new().reply(signed("c2ln")), "t").get(&mut cred, STORAGE);
    assert_eq!(run.shape()[0], "sign PS256");
    assert_eq!(run.actions.len(), 2);
}

#[test]
fn a_wrong_reply_to_sign_is_misuse_and_the_flow_goes_on() {
    let mut cred = cert_cred(json!({}), &[]);
    let azcred_core::Begin::Start { mut flow, .. } = cred.begin(TokenRequest::new([STORAGE]), T0)
    else {
        panic!()
    };
    assert!(matches!(
        flow.poll(T0),
        Step::Perform {
            action: Action::ReadFile { .. }
        }
    ));
    flow.handle(file(&cert_pem("PRIVATE KEY")), T0).unwrap();
    assert!(matches!(
        flow.poll(T0),
        Step::Perform {
            action: Action::Sign { .. }
        }
    ));
    assert_eq!(flow.handle(file("x"), T0), Err(Misuse::WrongReply));
    assert!(matches!(
        flow.poll(T0),
        Step::Perform {
            action: Action::Sign { .. }
        }
    ));
    flow.handle(signed("c2ln"), T0).unwrap();
    assert!(matches!(
        flow.poll(T0),
        Step::Perform {
            action: Action::Http { .. }
        }
    ));
    assert_eq!(flow.handle(signed("c2ln"), T0), Err(Misuse::WrongReply));
    flow.handle(Reply::Http(HttpResponse::new(200, aad_body("t", 3599))), T0)
        .unwrap();
    assert!(matches!(flow.poll(T0), Step::Finished));
    assert_eq!(cred.finish(*flow, T0).unwrap().token.expose(), "t");
}
