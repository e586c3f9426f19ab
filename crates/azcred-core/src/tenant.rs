//! Tenant rules shared by every credential that honours `GetTokenOptions.tenantId`: the tenant
//! id syntax check and the reference's multi-tenant resolution (`processMultiTenantRequest`).

use crate::env::EnvSnapshot;
use crate::error::TokenError;

/// The reference's message for a tenant id with characters outside `[0-9a-zA-Z-.]`.
pub(crate) const INVALID_TENANT_MESSAGE: &str = "Invalid tenant id provided. You can locate your tenant id by following the instructions listed here: https://learn.microsoft.com/partner-center/find-ids-and-domain-names.";

/// Whether `tenant` matches the reference's `^[0-9a-zA-Z-.]+$`.
pub(crate) fn is_valid_tenant(tenant: &str) -> bool {
    !tenant.is_empty()
        && tenant
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// The multi-tenant settings of one credential.
#[derive(Debug, Clone, Default)]
pub(crate) struct TenantPolicy {
    /// The tenant the credential was built with, if any.
    pub(crate) configured: Option<String>,
    /// `additionallyAllowedTenants` (`"*"` allows any).
    pub(crate) additionally_allowed: Vec<String>,
    /// `AZURE_IDENTITY_DISABLE_MULTITENANTAUTH` was set: requests cannot change the tenant.
    pub(crate) multitenant_disabled: bool,
}

impl TenantPolicy {
    /// Builds the policy from the configured tenant, the allow-list and the environment.
    pub(crate) fn new(
        configured: Option<String>,
        additionally_allowed: Vec<String>,
        env: &EnvSnapshot,
    ) -> Self {
        Self {
            configured,
            additionally_allowed,
            multitenant_disabled: env.get("AZURE_IDENTITY_DISABLE_MULTITENANTAUTH").is_some(),
        }
    }

    /// Resolves the tenant for a request asking for `requested` (the reference's
    /// `processMultiTenantRequest`): the configured tenant unless the request names another one
    /// that the allow-list admits. A tenant the list does not admit is `CredentialUnavailable`.
    pub(crate) fn resolve(&self, requested: Option<&str>) -> Result<Option<String>, TokenError> {
        let configured = self.configured.as_deref();
        let resolved = if self.multitenant_disabled || configured == Some("adfs") {
            configured
        } else {
            requested.or(configured)
        };
        if let (Some(configured), Some(resolved)) = (configured, resolved) {
            let allowed = resolved == configured
                || self
                    .additionally_allowed
                    .iter()
                    .any(|t| t == "*" || t == resolved);
            if !allowed {
                return Err(TokenError::unavailable(format!(
                    "The current credential is not configured to acquire tokens for tenant {resolved}. \
                     To enable acquiring tokens for this tenant add it to the AdditionallyAllowedTenants \
                     on the credential options, or add \"*\" to AdditionallyAllowedTenants to allow \
                     acquiring tokens for any tenant."
                )));
            }
        }
        Ok(resolved.map(str::to_owned))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(configured: Option<&str>, allowed: &[&str]) -> TenantPolicy {
        TenantPolicy {
            configured: configured.map(str::to_owned),
            additionally_allowed: allowed.iter().map(|s| (*s).to_owned()).collect(),
            multitenant_disabled: false,
        }
    }

    #[test]
    fn syntax() {
        assert!(is_valid_tenant("72f988bf-86f1-41af-91ab-2d7cd011db47"));
        assert!(is_valid_tenant("contoso.onmicrosoft.com"));
        for bad in ["", "a b", "a/b", "a;rm", "t$(x)", "a%2F", "ä"] {
            assert!(!is_valid_tenant(bad), "{bad}");
        }
    }

    #[test]
    fn resolution() {
        assert_eq!(
            policy(None, &[]).resolve(Some("x")).unwrap().as_deref(),
            Some("x")
        );
        assert_eq!(
            policy(Some("a"), &[]).resolve(None).unwrap().as_deref(),
            Some("a")
        );
        assert_eq!(
            policy(Some("a"), &[])
                .resolve(Some("a"))
                .unwrap()
                .as_deref(),
            Some("a")
        );
        assert!(
            policy(Some("a"), &[])
                .resolve(Some("b"))
                .unwrap_err()
                .message
                .contains("tenant b.")
        );
        assert_eq!(
            policy(Some("a"), &["b"])
                .resolve(Some("b"))
                .unwrap()
                .as_deref(),
            Some("b")
        );
        assert_eq!(
            policy(Some("a"), &["*"])
                .resolve(Some("c"))
                .unwrap()
                .as_deref(),
            Some("c")
        );
        assert_eq!(
            policy(Some("adfs"), &[])
                .resolve(Some("c"))
                .unwrap()
                .as_deref(),
            Some("adfs")
        );
        let mut p = policy(Some("a"), &[]);
        p.multitenant_disabled = true;
        assert_eq!(p.resolve(Some("b")).unwrap().as_deref(), Some("a"));
    }
}
