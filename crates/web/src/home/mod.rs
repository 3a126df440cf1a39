//! The home page and the tasks that fall due for the person signed in.

mod api;
mod pages;

use crate::routes::{Routes, routes};

/// The OpenAPI paths of this capability's handlers.
#[derive(utoipa::OpenApi)]
#[openapi(paths(api::mine,))]
struct Api;

/// This capability's part of the OpenAPI document.
pub(crate) fn api_document() -> utoipa::openapi::OpenApi {
    <Api as utoipa::OpenApi>::openapi()
}

/// This capability's rows of the route table.
pub(crate) fn routes() -> Routes {
    routes! {
        GET  "/"             UseOwnAccount Page => pages::show;
        GET  "/api/v1/tasks" UseOwnAccount Api  => api::mine;
    }
}
