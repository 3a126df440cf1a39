//! The OpenAPI document, generated from the handlers' annotations.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Vigil API", description = "Safeguarding and Prevent duty records for apprenticeship providers. \
        Authenticate with `Authorization: Bearer <token>` (create one with `vigil token create`). \
        Lists are paginated with `page` and `per_page`."),
    paths(
        super::me::me,
        super::users::list,
        super::audit::list,
        super::organisation::profile,
        super::organisation::record_profile,
        super::organisation::sites,
        super::organisation::add_site,
        super::organisation::site,
        super::organisation::update_site,
        super::organisation::retire_site,
        super::organisation::departments,
        super::organisation::add_department,
        super::tasks::mine,
        super::files::upload,
        super::files::download,
        super::people::list,
        super::people::one,
        super::people::import,
        super::registry::on_date,
        super::concerns::create,
        super::concerns::mine,
        super::concerns::inbox,
        super::concerns::acknowledge,
        super::concerns::settings,
        super::concerns::record_settings,
        super::cases::list,
        super::cases::one,
        super::cases::add_entry,
        super::cases::triage,
        super::cases::decide,
        super::cases::add_action,
        super::cases::refer,
        super::cases::feedback,
        super::cases::disclose,
        super::cases::context,
        super::cases::close,
        super::cases::reopen,
        super::cases::give_access,
        super::cases::restrict,
        super::cases::another_person,
        super::cases::add_file,
        super::cases::file,
        super::concerns::add_file,
    ),
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
    Json(ApiDoc::openapi())
}
