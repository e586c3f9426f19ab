//! Cloud Shell (`MSI_ENDPOINT` alone): a form POST of the resource with `Metadata: true`. Only
//! the signed-in user's identity exists, so a user-assigned identity is refused at construction.

use crate::http::{HttpRequest, form};
use crate::secret::Secret;

/// The token request for `resource`.
pub(super) fn request(url: &str, resource: &str) -> HttpRequest {
    HttpRequest::post_form(url.to_owned(), Secret::new(form(&[("resource", resource)])))
        .header("Metadata", "true")
}
