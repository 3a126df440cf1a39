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

/// Adds to every operation the error answers any request may get, each in the JSON error shape: a
/// malformed request (400), one refused as a value (422, a control character in a query among them) and,
/// where a token is needed, a missing or wrong token (401), a role that does not allow it (403) and a
/// state that does not (409). An operation's own description of a status is kept.
pub(crate) fn document_errors(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::content::ContentBuilder;
    use utoipa::openapi::response::ResponseBuilder;
    use utoipa::openapi::{Ref, RefOr};
    const ALWAYS: [(&str, &str); 2] = [
        ("400", "The request is malformed: the error names the parameter or `body`"),
        ("422", "A value is refused: the error names the field"),
    ];
    const WITH_TOKEN: [(&str, &str); 3] = [
        ("401", "No valid API token was sent"),
        ("403", "The token's roles do not allow this"),
        ("409", "The record's state does not allow this, or it needs a fresh second factor in the web pages"),
    ];
    let error = |description: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build(),
                )
                .build(),
        )
    };
    for item in openapi.paths.paths.values_mut() {
        for operation in
            [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch].into_iter().flatten()
        {
            let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
            let statuses = ALWAYS.iter().chain(if secured { &WITH_TOKEN[..] } else { &[] });
            for (status, description) in statuses {
                operation.responses.responses.entry((*status).to_owned()).or_insert_with(|| error(description));
            }
        }
    }
}

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(crate::api_document())
}
