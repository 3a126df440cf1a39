//! The role registry: who holds each post on a date, absences, and the contact card.

mod api;
mod pages;

use crate::routes::{Routes, routes};

/// The OpenAPI paths of this capability's handlers.
#[derive(utoipa::OpenApi)]
#[openapi(paths(api::on_date,))]
struct Api;

/// This capability's part of the OpenAPI document.
pub(crate) fn api_document() -> utoipa::openapi::OpenApi {
    <Api as utoipa::OpenApi>::openapi()
}

/// This capability's rows of the route table.
pub(crate) fn routes() -> Routes {
    routes! {
        GET  "/registry"              ViewRegistry   Page => pages::show;
        GET  "/registry/appoint"      ManageRegistry Page => pages::appoint_show;
        POST "/registry/appoint"      ManageRegistry Page => pages::appoint_submit;
        POST "/registry/{id}/end"     ManageRegistry Page => pages::end;
        POST "/registry/{id}/absence" ManageRegistry Page => pages::absence;
        GET  "/registry/contact"      ManageRegistry Page => pages::contact_show;
        POST "/registry/contact"      ManageRegistry Page => pages::contact_submit;
        GET  "/contact/{slug}"        ViewPublic     Page => pages::public;
        GET  "/api/v1/roles"          ViewRegistry   Api  => api::on_date;
    }
}
