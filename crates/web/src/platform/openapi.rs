//! The OpenAPI document's shared parts (its description and the bearer scheme); each capability adds its
//! paths ([`crate::api_document`]).

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Vigil API", description = "Safeguarding and Prevent duty records for apprenticeship providers. \
        Authenticate with `Authorization: Bearer <token>` (create one with `vigil token create`). \
        Lists are paginated with `page` and `per_page`."),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(crate::api_document())
}
