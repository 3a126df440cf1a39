//! What every instance serves whatever its organisations hold: health checks, assets, the demo outbox, files, the OpenAPI document and the error pages.

mod errors;
pub(crate) mod files;
mod health;
mod input;
pub(crate) mod observe;
pub(crate) mod openapi;
mod outbox;

pub(crate) use errors::{panic_response, render_problems};
pub(crate) use input::refuse_control_characters;
pub(crate) use observe::{Metrics, metrics, observe, request_id};

use crate::routes::{Routes, routes};

/// The OpenAPI paths of this capability's handlers.
#[derive(utoipa::OpenApi)]
#[openapi(paths(files::upload, files::download,))]
struct Api;

/// This capability's part of the OpenAPI document.
pub(crate) fn api_document() -> utoipa::openapi::OpenApi {
    <Api as utoipa::OpenApi>::openapi()
}

/// This capability's rows of the route table.
pub(crate) fn routes() -> Routes {
    routes! {
        GET  "/healthz"             ViewPublic     Page => health::healthz;
        GET  "/readyz"              ViewPublic     Page => health::readyz;
        GET  "/assets/{*path}"      ViewPublic     Page => crate::assets::serve;
        GET  "/outbox"              ReadDemoOutbox Page => outbox::show;
        GET  "/api/v1/openapi.json" ViewPublic     Api  => openapi::document;
        POST "/api/v1/files"        UploadFiles    Api  => files::upload;
        GET  "/api/v1/files/{id}"   UploadFiles    Api  => files::download;
    }
}
