//! App Service and Azure Functions (`IDENTITY_ENDPOINT` + `IDENTITY_HEADER`): a GET with the
//! header as `X-IDENTITY-HEADER`, api-version 2019-08-01.

use crate::http::{HttpRequest, with_query};
use crate::secret::Secret;

use super::UserAssigned;
use super::endpoint::{IdParams, id_param, query};

/// App Service's names for the user-assigned identity.
const ID_PARAMS: IdParams = IdParams {
    client_id: "client_id",
    resource_id: "mi_res_id",
};

/// The token request for `resource`.
pub(super) fn request(
    url: &str,
    secret: &Secret,
    resource: &str,
    id: Option<&UserAssigned>,
) -> HttpRequest {
    HttpRequest::get(with_query(
        url,
        &query("2019-08-01", resource, id_param(id, ID_PARAMS)),
    ))
    .header("X-IDENTITY-HEADER", secret.expose())
}
