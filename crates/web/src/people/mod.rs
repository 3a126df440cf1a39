//! The people register: staff, board, apprentices and employers' contacts, imported from a spreadsheet.

mod api;
mod pages;

pub use pages::template_csv;

use crate::routes::{Routes, routes};

/// The OpenAPI paths of this capability's handlers.
#[derive(utoipa::OpenApi)]
#[openapi(paths(api::list, api::one, api::import,))]
struct Api;

/// This capability's part of the OpenAPI document.
pub(crate) fn api_document() -> utoipa::openapi::OpenApi {
    <Api as utoipa::OpenApi>::openapi()
}

/// This capability's rows of the route table.
pub(crate) fn routes() -> Routes {
    routes! {
        GET  "/people"                ViewPeople    Page => pages::list;
        GET  "/people/new"            ManagePeople  Page => pages::new_show;
        POST "/people/new"            ManagePeople  Page => pages::new_submit;
        GET  "/people/import"         ManagePeople  Page => pages::import_show;
        POST "/people/import"         ManagePeople  Page => pages::import_check;
        POST "/people/import/confirm" ManagePeople  Page => pages::import_confirm;
        GET  "/people/template.csv"   ManagePeople  Page => pages::template;
        GET  "/people/export.csv"     ExportPeople  Page => pages::export;
        GET  "/people/{id}"           ViewPeople    Page => pages::detail;
        GET  "/people/{id}/edit"      ManagePeople  Page => pages::edit_show;
        POST "/people/{id}/edit"      ManagePeople  Page => pages::edit_submit;
        POST "/people/{id}/archive"   ManagePeople  Page => pages::archive;
        GET  "/my-record"             ViewOwnRecord Page => pages::my_record;
        GET  "/api/v1/people"         ViewPeople    Api  => api::list;
        POST "/api/v1/people/import"  ManagePeople  Api  => api::import;
        GET  "/api/v1/people/{id}"    ViewPeople    Api  => api::one;
    }
}
