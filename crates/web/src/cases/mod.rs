//! Safeguarding cases: the case file, its chronology and every record kept in it, who reaches it, and break-glass.

mod api;
mod forms;
mod pages;

use crate::routes::{Routes, routes};

/// The OpenAPI paths of this capability's handlers.
#[derive(utoipa::OpenApi)]
#[openapi(paths(api::list, api::one, api::add_file, api::file,))]
struct Api;

/// This capability's part of the OpenAPI document: its calls, and every form's.
pub(crate) fn api_document() -> utoipa::openapi::OpenApi {
    let mut document = <Api as utoipa::OpenApi>::openapi();
    for form in forms::FORMS {
        document.merge((form.api)());
    }
    document
}

/// This capability's rows of the route table: its pages and calls, and every form's.
pub(crate) fn routes() -> Routes {
    let forms = forms::FORMS.iter().flat_map(|form| (form.rows)());
    let rows: Routes = routes! {
        GET  "/cases"                            WorkOnCases Page => pages::list;
        GET  "/cases/{id}"                       WorkOnCases Page => pages::show;
        GET  "/cases/{id}/chronology"            WorkOnCases Page => pages::print;
        GET  "/cases/{id}/viewers"               WorkOnCases Page => pages::viewers;
        GET  "/cases/{id}/attach"                WorkOnCases Page => pages::attach_show;
        POST "/cases/{id}/attach"                WorkOnCases Page => pages::attach_submit;
        GET  "/cases/{id}/attachment"            WorkOnCases Page => pages::attachment;
        GET  "/break-glass"                      BreakGlass  Page => pages::break_glass_show;
        POST "/break-glass"                      BreakGlass  Page => pages::break_glass_submit;
        GET  "/api/v1/cases"                     WorkOnCases Api  => api::list;
        GET  "/api/v1/cases/{id}"                WorkOnCases Api  => api::one;
        POST "/api/v1/cases/{id}/files"          WorkOnCases Api  => api::add_file;
        GET  "/api/v1/cases/{id}/file"           WorkOnCases Api  => api::file;
    };
    rows.into_iter().chain(forms).collect()
}
