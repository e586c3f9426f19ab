//! Azure Machine Learning (`MSI_ENDPOINT` + `MSI_SECRET`): a GET with `Metadata: true` and the
//! secret as `secret`, api-version 2017-09-01. Only a client id selects a user-assigned identity;
//! without one, `DEFAULT_IDENTITY_CLIENT_ID` does.

use crate::http::{HttpRequest, with_query};
use crate::secret::Secret;

use super::UserAssigned;
use super::endpoint::query;

/// The token request for `resource`, or why this identity cannot be used here.
pub(super) fn request(
    url: &str,
    secret: &Secret,
    default_client_id: Option<&str>,
    resource: &str,
    id: Option<&UserAssigned>,
) -> Result<HttpRequest, String> {
    let client = match id {
        Some(UserAssigned::ClientId(v)) => Some(v.as_str()),
        Some(_) => {
            return Err(
                "Only client id is supported for user-assigned managed identity \
                        in MachineLearning."
                    .to_owned(),
            );
        }
        None => default_client_id,
    };
    Ok(HttpRequest::get(with_query(
        url,
        &query("2017-09-01", resource, client.map(|c| ("clientid", c))),
    ))
    .header("Metadata", "true")
    .header("secret", secret.expose()))
}
