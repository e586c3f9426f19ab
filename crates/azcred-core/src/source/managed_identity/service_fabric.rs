//! Service Fabric (`IDENTITY_ENDPOINT` + `IDENTITY_HEADER` + `IDENTITY_SERVER_THUMBPRINT`): a GET
//! with the header as `secret`, to a server whose certificate is pinned by its thumbprint. The
//! identity is the cluster's to choose, so no user-assigned identity is sent (and one is refused
//! at construction).

use crate::http::{HttpRequest, with_query};
use crate::secret::Secret;

use super::endpoint::query;

/// The token request for `resource`.
pub(super) fn request(url: &str, secret: &Secret, thumbprint: &str, resource: &str) -> HttpRequest {
    let mut r = HttpRequest::get(with_query(
        url,
        &query("2019-07-01-preview", resource, None),
    ))
    .header("secret", secret.expose());
    r.pinned_thumbprint = Some(thumbprint.to_ascii_uppercase());
    r
}
