//! Managed identity's token-exchange path (the reference's `tokenExchangeMsi`, used on AKS with
//! workload identity).

use crate::source::entra::Entra;
use crate::source::{Source, SourceFlow, StartContext, TokenRequest};

use super::NAME;

/// Managed identity's token-exchange path (the reference's `tokenExchangeMsi`, used on AKS with
/// workload identity): a workload identity credential under managed identity's name. Each request
/// reaches it with its scopes only, as the reference passes no other `getToken` options.
#[derive(Debug)]
pub(crate) struct TokenExchange(Entra);

impl TokenExchange {
    pub(crate) fn new(workload: Entra) -> Self {
        Self(workload)
    }
}

impl Source for TokenExchange {
    /// The request has no CAE parameter: CAE and non-CAE requests share a cache entry.
    fn request_uses_cae(&self) -> bool {
        false
    }

    fn name(&self) -> &str {
        NAME
    }

    fn describe(&self) -> String {
        format!(
            "token exchange with the federated token file: {}",
            self.0.describe()
        )
    }

    fn start(&self, request: &TokenRequest, ctx: StartContext) -> Box<dyn SourceFlow> {
        self.0
            .start(&TokenRequest::new(request.scopes.clone()), ctx)
    }
}
