//! The certificate's client assertion: from the PEM text to the signing input the driver signs
//! (`certificate.rs` parses the PEM, `jwt.rs` builds the JWT), and from the signature to the
//! assertion sent.

use crate::certificate::{Bundle, KeyState};
use crate::error::{ErrorKind, TokenError};
use crate::io::{Action, IoFailure, IoFailureKind, Reply};
use crate::jwt::{self, AssertionClaims};
use crate::retry::Rng;
use crate::secret::Secret;
use crate::source::excerpt;
use crate::time::Timestamp;

use super::request::{Pem, Proof};

/// An `AuthenticationRequired` error with `message` (the flow names its credential).
fn required(message: String) -> TokenError {
    TokenError::new(ErrorKind::AuthenticationRequired, message)
}

/// Builds the certificate assertion's signing input from the PEM text of `proof`'s certificate,
/// for `client_id` at `audience` (the token endpoint), and the action that signs it; or the error
/// that ends the flow. `name` is the credential's, for messages.
pub(super) fn signing_request(
    name: &str,
    client_id: &str,
    audience: &str,
    proof: &Proof,
    pem: Secret,
    rng: &mut Rng,
    now: Timestamp,
) -> Result<(String, Action), TokenError> {
    let Proof::Certificate {
        pem: source,
        password,
        send_chain,
    } = proof
    else {
        return Err(required(
            "internal: a certificate was read for a credential without one".to_owned(),
        ));
    };
    let where_ = match source {
        Pem::Path(p) => format!("the file {p}"),
        Pem::Text(_) => "the certificate".to_owned(),
    };
    let bundle = Bundle::parse(pem.expose()).map_err(|m| {
        required(format!(
            "{name}: {m} ({where_}; PKCS#12 .pfx files are not supported: convert one to PEM \
             with `openssl pkcs12 -in cert.pfx -out cert.pem`)"
        ))
    })?;
    match (bundle.key, password) {
        (KeyState::Missing, _) => {
            return Err(required(format!(
                "{name}: {where_} has no private key (a PEM 'PRIVATE KEY' block) to sign the \
                 client assertion with"
            )));
        }
        (KeyState::Encrypted, None) => {
            return Err(required(format!(
                "{name}: the private key in {where_} is encrypted; give its password as \
                 certificatePassword (AZURE_CLIENT_CERTIFICATE_PASSWORD for \
                 EnvironmentCredential)"
            )));
        }
        _ => {}
    }
    let thumbprint = bundle.thumbprint_sha256();
    let claims = AssertionClaims {
        client_id,
        audience,
        thumbprint_sha256: &thumbprint,
        chain: send_chain.then(|| bundle.chain()),
    };
    let jti = jwt::uuid_v4(rng);
    let data = jwt::signing_input(&claims, now, &jti);
    let action = Action::Sign {
        algorithm: "PS256".to_owned(),
        key: pem,
        passphrase: password.clone(),
        data: data.clone(),
    };
    Ok((data, action))
}

/// The assertion from the driver's reply to the signing action over `data`, or the error that
/// ends the flow.
pub(super) fn signed(name: &str, data: &str, reply: Reply) -> Result<Secret, TokenError> {
    match reply {
        Reply::Signed { signature } if jwt::is_base64url(&signature) => {
            Ok(Secret::new(format!("{data}.{signature}")))
        }
        Reply::Signed { .. } => Err(required(format!("{name}: the signature is not base64url"))),
        Reply::Failed(IoFailure {
            kind: IoFailureKind::Aborted,
            ..
        }) => Err(TokenError::aborted()),
        Reply::Failed(f) => Err(required(format!(
            "{name}: the private key could not be used to sign the client assertion: {}",
            excerpt(&f.message, 300)
        ))),
        // `handle` only passes replies that fit the action; a stage that does not fit the
        // action would be a bug here, so the flow ends instead of looping.
        _ => Err(required(format!(
            "{name}: internal error: unexpected reply"
        ))),
    }
}
