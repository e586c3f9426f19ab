//! `EnvironmentCredential`: a service principal described by environment variables, read when
//! the credential is built. It picks a client secret, else a certificate, else a username and
//! password (each needs `AZURE_TENANT_ID` and `AZURE_CLIENT_ID`), and turns every failure of the
//! chosen credential into `AuthenticationError(400)`, which stops a chain (the reference's rule).

use crate::env::EnvSnapshot;
use crate::error::{ConfigError, ErrorKind, Misuse, TokenError};
use crate::io::Reply;
use crate::options::Options;
use crate::secret::Secret;
use crate::source::entra::{self, Entra, Grant, Pem, Proof};
use crate::source::{Decided, Source, SourceFlow, SourceStep, StartContext, TokenRequest};
use crate::tenant::{INVALID_TENANT_MESSAGE, is_valid_tenant};
use crate::time::Timestamp;

const NAME: &str = "EnvironmentCredential";

/// `getToken`'s error when the environment describes no credential.
pub(crate) const UNAVAILABLE: &str = "EnvironmentCredential is unavailable. No underlying credential could be used. To troubleshoot, visit https://aka.ms/azsdk/js/identity/environmentcredential/troubleshoot.";

/// The `error` of the `AuthenticationError` that wraps every failure of the chosen credential.
pub(crate) const FAILED: &str = "EnvironmentCredential authentication failed. To troubleshoot, visit https://aka.ms/azsdk/js/identity/environmentcredential/troubleshoot.";

/// A configured `EnvironmentCredential`.
#[derive(Debug)]
pub(crate) struct Environment {
    inner: Option<Entra>,
}

/// `new EnvironmentCredential(options)`: reads the variables now (later changes to the
/// environment have no effect, as in the reference). `AZURE_TENANT_ID` with characters outside
/// `[0-9a-zA-Z-.]` is a constructor error; errors of the chosen credential's constructor (an
/// `http:` authority host) are too.
pub(crate) fn environment(
    options: &Options,
    env: &EnvSnapshot,
) -> Result<Environment, ConfigError> {
    let tenant = env.get("AZURE_TENANT_ID");
    let client = env.get("AZURE_CLIENT_ID");
    if tenant.is_some_and(|t| !is_valid_tenant(t)) {
        return Err(ConfigError::invalid(INVALID_TENANT_MESSAGE));
    }
    let allowed = options
        .additionally_allowed_tenants
        .clone()
        .unwrap_or_else(|| {
            env.get("AZURE_ADDITIONALLY_ALLOWED_TENANTS")
                .map(|v| v.split(';').map(str::to_owned).collect())
                .unwrap_or_default()
        });
    let send_chain = env
        .get("AZURE_CLIENT_SEND_CERTIFICATE_CHAIN")
        .is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1");
    let (Some(tenant), Some(client)) = (tenant, client) else {
        return Ok(Environment { inner: None });
    };
    // The reference's precedence: secret, then certificate, then username and password.
    let (name, proof, grant) = if let Some(secret) = env.get("AZURE_CLIENT_SECRET") {
        (
            "ClientSecretCredential",
            Proof::Secret(Secret::new(secret)),
            Grant::ClientCredentials,
        )
    } else if let Some(path) = env.get("AZURE_CLIENT_CERTIFICATE_PATH") {
        let proof = Proof::Certificate {
            pem: Pem::Path(path.to_owned()),
            // Passed even when empty, as the reference does.
            password: env
                .get_raw("AZURE_CLIENT_CERTIFICATE_PASSWORD")
                .map(Secret::new),
            send_chain,
        };
        (
            "ClientCertificateCredential",
            proof,
            Grant::ClientCredentials,
        )
    } else if let (Some(username), Some(password)) =
        (env.get("AZURE_USERNAME"), env.get("AZURE_PASSWORD"))
    {
        // The username/password grant: deprecated by the reference (no MFA).
        let grant = Grant::Password {
            username: username.to_owned(),
            password: Secret::new(password),
        };
        ("UsernamePasswordCredential", Proof::None, grant)
    } else {
        return Ok(Environment { inner: None });
    };
    let inner = entra::for_environment(name, tenant, client, proof, grant, allowed, options, env)?;
    Ok(Environment { inner: Some(inner) })
}

/// Wraps a failure of the chosen credential as the reference does: `AuthenticationError(400,
/// {error: FAILED, error_description: <message without "More details:">})`.
fn wrap(e: TokenError) -> TokenError {
    if e.kind == ErrorKind::Aborted {
        return e;
    }
    let description = e.message.split("More details:").collect::<String>();
    TokenError::authentication_failed(400, FAILED, &description).from_credential(NAME)
}

impl Source for Environment {
    fn name(&self) -> &str {
        NAME
    }

    fn persist_partition(&self) -> Option<String> {
        self.inner.as_ref().and_then(|i| i.persist_partition())
    }

    fn describe(&self) -> String {
        match &self.inner {
            Some(inner) => format!("{}: {}", inner.class_name(), inner.describe()),
            None => "not configured: it needs AZURE_TENANT_ID and AZURE_CLIENT_ID with \
                     AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH, or AZURE_USERNAME and \
                     AZURE_PASSWORD"
                .to_owned(),
        }
    }

    fn start(&self, request: &TokenRequest, ctx: StartContext) -> Box<dyn SourceFlow> {
        match &self.inner {
            Some(inner) => Box::new(EnvironmentFlow(inner.start(request, ctx))),
            None => Box::new(Decided(Some(Err(
                TokenError::unavailable(UNAVAILABLE).from_credential(NAME)
            )))),
        }
    }
}

/// The chosen credential's flow, with its failure wrapped.
#[derive(Debug)]
struct EnvironmentFlow(Box<dyn SourceFlow>);

impl SourceFlow for EnvironmentFlow {
    fn poll(&mut self, now: Timestamp) -> SourceStep {
        match self.0.poll(now) {
            SourceStep::Done(Err(e)) => SourceStep::Done(Err(wrap(e))),
            other => other,
        }
    }

    fn handle(&mut self, reply: Reply, now: Timestamp) -> Result<(), Misuse> {
        self.0.handle(reply, now)
    }
}
