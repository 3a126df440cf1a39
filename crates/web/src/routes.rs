//! The one route table. Every route names its [`Action`]; the router is built from this table, and the
//! guard in [`crate::auth`] checks the action's policy before any handler runs. The access-matrix test
//! walks [`table`].

use crate::pages::case_forms::{
    AccessForm, ActionDoneForm, ActionForm, AnotherPersonForm, CloseForm, ContextForm, DecisionForm, DisclosureForm,
    EntryForm, FeedbackForm, ReferralForm, ReopenForm, RestrictForm, TriageForm,
};
use crate::{AppState, api, assets, auth, error, headers, pages};
use axum::Router;
use axum::http::Method;
use axum::middleware;
use axum::routing::{MethodRouter, get, post, put};
use domain::policy::Action;

/// Pages answer HTML and use the session cookie; the API answers JSON and uses bearer tokens only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    Page,
    Api,
}

/// One row of the route table.
#[derive(Debug, Clone)]
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub action: Action,
    pub surface: Surface,
}

macro_rules! routes {
    ($($method:ident $path:literal $action:ident $surface:ident => $handler:expr;)*) => {
        /// Every route: method, path, action and surface, with its handler.
        pub fn table() -> Vec<(Route, MethodRouter<AppState>)> {
            vec![$((
                Route {
                    method: Method::$method,
                    path: $path,
                    action: Action::$action,
                    surface: Surface::$surface,
                },
                routes!(@method $method, $handler),
            )),*]
        }
    };
    (@method GET, $h:expr) => { get($h) };
    (@method POST, $h:expr) => { post($h) };
    (@method PUT, $h:expr) => { put($h) };
}

routes! {
    GET  "/healthz"                      ViewPublic                Page => pages::health::healthz;
    GET  "/readyz"                       ViewPublic                Page => pages::health::readyz;
    GET  "/assets/{*path}"               ViewPublic                Page => assets::serve;
    GET  "/setup"                        SignIn                    Page => pages::setup::show;
    POST "/setup"                        SignIn                    Page => pages::setup::submit;
    GET  "/sign-in"                      SignIn                    Page => pages::sign_in::show;
    POST "/sign-in"                      SignIn                    Page => pages::sign_in::submit;
    GET  "/sign-in/code"                 CompleteSecondFactor      Page => pages::sign_in::code_show;
    POST "/sign-in/code"                 CompleteSecondFactor      Page => pages::sign_in::code_submit;
    GET  "/sign-in/recovery-code"        CompleteSecondFactor      Page => pages::sign_in::recovery_show;
    POST "/sign-in/recovery-code"        CompleteSecondFactor      Page => pages::sign_in::recovery_submit;
    GET  "/sign-in/enrol"                CompleteSecondFactor      Page => pages::sign_in::enrol_show;
    POST "/sign-in/enrol"                CompleteSecondFactor      Page => pages::sign_in::enrol_submit;
    GET  "/invitations/{token}"          SignIn                    Page => pages::invitations::show;
    POST "/invitations/{token}"          SignIn                    Page => pages::invitations::submit;
    GET  "/password-reset"               SignIn                    Page => pages::password_reset::request_show;
    POST "/password-reset"               SignIn                    Page => pages::password_reset::request_submit;
    GET  "/password-reset/{token}"       SignIn                    Page => pages::password_reset::reset_show;
    POST "/password-reset/{token}"       SignIn                    Page => pages::password_reset::reset_submit;
    GET  "/outbox"                       ReadDemoOutbox            Page => pages::outbox::show;
    GET  "/"                             UseOwnAccount             Page => pages::home::show;
    GET  "/session/keep-alive"           UseOwnAccount             Page => pages::account::keep_alive;
    GET  "/sign-in/again"                UseOwnAccount             Page => pages::sign_in::again_show;
    POST "/sign-in/again"                ManageOwnAccount          Page => pages::sign_in::again_submit;
    POST "/sign-out"                     ManageOwnAccount          Page => pages::account::sign_out;
    GET  "/account"                      UseOwnAccount             Page => pages::account::show;
    POST "/account/sessions/{id}/end"    ManageOwnAccount          Page => pages::account::end_session;
    POST "/account/tokens/{id}/revoke"   ManageOwnAccount          Page => pages::account::revoke_token;
    POST "/account/organisation"         ManageOwnAccount          Page => pages::account::switch_organisation;
    GET  "/account/password"             UseOwnAccount             Page => pages::account::password_show;
    POST "/account/password"             ManageOwnAccount          Page => pages::account::password_submit;
    GET  "/users"                        ListAccounts              Page => pages::users::list;
    GET  "/users/invite"                 ManageAccounts            Page => pages::users::invite_show;
    POST "/users/invite"                 ManageAccounts            Page => pages::users::invite_submit;
    GET  "/users/{id}"                   ListAccounts              Page => pages::users::detail;
    POST "/users/{id}/roles"             ManageAccounts            Page => pages::users::grant;
    POST "/users/{id}/roles/{role}/remove" ManageAccounts          Page => pages::users::revoke;
    POST "/users/{id}/disable"           ManageAccounts            Page => pages::users::disable;
    POST "/users/{id}/reset-password"    ManageAccounts            Page => pages::users::reset_password;
    POST "/users/{id}/reset-second-factor" ManageAccounts          Page => pages::users::reset_second_factor;
    POST "/users/{id}/email"             ManageAccounts            Page => pages::users::change_email;
    POST "/users/{id}/enable"            ManageAccounts            Page => pages::users::enable;
    GET  "/confirmations"                ConfirmSafeguardingChange Page => pages::confirmations::list;
    POST "/confirmations/{id}"           ConfirmSafeguardingChange Page => pages::confirmations::decide;
    GET  "/audit"                        ReadAuditLog              Page => pages::audit::list;
    GET  "/concerns/new"                 RaiseConcern              Page => pages::concerns::new_show;
    POST "/concerns/new"                 RaiseConcern              Page => pages::concerns::new_submit;
    POST "/concerns/draft"               RaiseConcern              Page => pages::concerns::save_draft;
    GET  "/concerns/{id}/attach"         RaiseConcern              Page => pages::concerns::attach_show;
    POST "/concerns/{id}/attach"         RaiseConcern              Page => pages::concerns::attach_submit;
    GET  "/concerns"                     RaiseConcern              Page => pages::concerns::mine;
    GET  "/safeguarding"                 HandleConcerns            Page => pages::concerns::inbox;
    GET  "/safeguarding/settings"        HandleConcerns            Page => pages::concerns::settings_show;
    POST "/safeguarding/settings"        HandleConcerns            Page => pages::concerns::settings_submit;
    GET  "/safeguarding/concerns/{id}"   HandleConcerns            Page => pages::concerns::show;
    POST "/safeguarding/concerns/{id}/acknowledge" HandleConcerns  Page => pages::concerns::acknowledge;
    GET  "/concerns/about-staff"         HandleConcernsAboutStaff  Page => pages::concerns::about_staff;
    GET  "/concerns/about-staff/concerns/{id}" HandleConcernsAboutStaff Page => pages::concerns::show_about_staff;
    POST "/concerns/about-staff/concerns/{id}/acknowledge" HandleConcernsAboutStaff Page => pages::concerns::acknowledge_about_staff;
    GET  "/cases"                        WorkOnCases               Page => pages::cases::list;
    GET  "/cases/{id}"                   WorkOnCases               Page => pages::cases::show;
    GET  "/cases/{id}/chronology"        WorkOnCases               Page => pages::cases::print;
    GET  "/cases/{id}/viewers"           WorkOnCases               Page => pages::cases::viewers;
    GET  "/cases/{id}/attach"            WorkOnCases               Page => pages::cases::attach_show;
    POST "/cases/{id}/attach"            WorkOnCases               Page => pages::cases::attach_submit;
    GET  "/cases/{id}/attachment"        WorkOnCases               Page => pages::cases::attachment;
    GET  "/cases/{id}/entries"           WorkOnCases               Page => pages::case_forms::form_show::<EntryForm>;
    POST "/cases/{id}/entries"           WorkOnCases               Page => pages::case_forms::form_submit::<EntryForm>;
    GET  "/cases/{id}/triage"            WorkOnCases               Page => pages::case_forms::form_show::<TriageForm>;
    POST "/cases/{id}/triage"            WorkOnCases               Page => pages::case_forms::form_submit::<TriageForm>;
    GET  "/cases/{id}/decisions"         WorkOnCases               Page => pages::case_forms::form_show::<DecisionForm>;
    POST "/cases/{id}/decisions"         WorkOnCases               Page => pages::case_forms::form_submit::<DecisionForm>;
    GET  "/cases/{id}/actions"           WorkOnCases               Page => pages::case_forms::form_show::<ActionForm>;
    POST "/cases/{id}/actions"           WorkOnCases               Page => pages::case_forms::form_submit::<ActionForm>;
    POST "/cases/{id}/actions/done"      WorkOnCases               Page => pages::case_forms::form_submit::<ActionDoneForm>;
    GET  "/cases/{id}/referrals"         WorkOnCases               Page => pages::case_forms::form_show::<ReferralForm>;
    POST "/cases/{id}/referrals"         WorkOnCases               Page => pages::case_forms::form_submit::<ReferralForm>;
    GET  "/cases/{id}/feedback"          WorkOnCases               Page => pages::case_forms::form_show::<FeedbackForm>;
    POST "/cases/{id}/feedback"          WorkOnCases               Page => pages::case_forms::form_submit::<FeedbackForm>;
    GET  "/cases/{id}/disclosures"       WorkOnCases               Page => pages::case_forms::form_show::<DisclosureForm>;
    POST "/cases/{id}/disclosures"       WorkOnCases               Page => pages::case_forms::form_submit::<DisclosureForm>;
    GET  "/cases/{id}/context"           WorkOnCases               Page => pages::case_forms::form_show::<ContextForm>;
    POST "/cases/{id}/context"           WorkOnCases               Page => pages::case_forms::form_submit::<ContextForm>;
    GET  "/cases/{id}/close"             WorkOnCases               Page => pages::case_forms::form_show::<CloseForm>;
    POST "/cases/{id}/close"             WorkOnCases               Page => pages::case_forms::form_submit::<CloseForm>;
    GET  "/cases/{id}/reopen"            WorkOnCases               Page => pages::case_forms::form_show::<ReopenForm>;
    POST "/cases/{id}/reopen"            WorkOnCases               Page => pages::case_forms::form_submit::<ReopenForm>;
    GET  "/cases/{id}/access"            WorkOnCases               Page => pages::case_forms::form_show::<AccessForm>;
    POST "/cases/{id}/access"            WorkOnCases               Page => pages::case_forms::form_submit::<AccessForm>;
    GET  "/cases/{id}/restrict"          WorkOnCases               Page => pages::case_forms::form_show::<RestrictForm>;
    POST "/cases/{id}/restrict"          WorkOnCases               Page => pages::case_forms::form_submit::<RestrictForm>;
    GET  "/cases/{id}/another-person"    WorkOnCases               Page => pages::case_forms::form_show::<AnotherPersonForm>;
    POST "/cases/{id}/another-person"    WorkOnCases               Page => pages::case_forms::form_submit::<AnotherPersonForm>;
    GET  "/break-glass"                  BreakGlass                Page => pages::cases::break_glass_show;
    POST "/break-glass"                  BreakGlass                Page => pages::cases::break_glass_submit;
    GET  "/people"                       ViewPeople                Page => pages::people::list;
    GET  "/people/new"                   ManagePeople              Page => pages::people::new_show;
    POST "/people/new"                   ManagePeople              Page => pages::people::new_submit;
    GET  "/people/import"                ManagePeople              Page => pages::people::import_show;
    POST "/people/import"                ManagePeople              Page => pages::people::import_check;
    POST "/people/import/confirm"        ManagePeople              Page => pages::people::import_confirm;
    GET  "/people/template.csv"          ManagePeople              Page => pages::people::template;
    GET  "/people/export.csv"            ExportPeople              Page => pages::people::export;
    GET  "/people/{id}"                  ViewPeople                Page => pages::people::detail;
    GET  "/people/{id}/edit"             ManagePeople              Page => pages::people::edit_show;
    POST "/people/{id}/edit"             ManagePeople              Page => pages::people::edit_submit;
    POST "/people/{id}/archive"          ManagePeople              Page => pages::people::archive;
    GET  "/my-record"                    ViewOwnRecord             Page => pages::people::my_record;
    GET  "/registry"                     ViewRegistry              Page => pages::registry::show;
    GET  "/registry/appoint"             ManageRegistry            Page => pages::registry::appoint_show;
    POST "/registry/appoint"             ManageRegistry            Page => pages::registry::appoint_submit;
    POST "/registry/{id}/end"            ManageRegistry            Page => pages::registry::end;
    POST "/registry/{id}/absence"        ManageRegistry            Page => pages::registry::absence;
    GET  "/registry/contact"             ManageRegistry            Page => pages::registry::contact_show;
    POST "/registry/contact"             ManageRegistry            Page => pages::registry::contact_submit;
    GET  "/contact/{slug}"               ViewPublic                Page => pages::registry::public;
    GET  "/organisation"                 ViewOrganisation          Page => pages::profile::show;
    GET  "/organisation/edit"            ManageOrganisation        Page => pages::profile::edit_show;
    POST "/organisation/edit"            ManageOrganisation        Page => pages::profile::edit_submit;
    POST "/organisation/review"          ManageOrganisation        Page => pages::profile::review;
    GET  "/sites"                        ViewOrganisation          Page => pages::sites::list;
    GET  "/sites/new"                    ManageOrganisation        Page => pages::sites::new_show;
    POST "/sites/new"                    ManageOrganisation        Page => pages::sites::new_submit;
    GET  "/sites/{id}"                   ViewOrganisation          Page => pages::sites::detail;
    GET  "/sites/{id}/edit"              ManageOrganisation        Page => pages::sites::edit_show;
    POST "/sites/{id}/edit"              ManageOrganisation        Page => pages::sites::edit_submit;
    POST "/sites/{id}/retire"            ManageOrganisation        Page => pages::sites::retire;
    GET  "/departments"                  ViewOrganisation          Page => pages::departments::list;
    POST "/departments"                  ManageOrganisation        Page => pages::departments::add;
    GET  "/departments/{id}"             ViewOrganisation          Page => pages::departments::detail;
    POST "/departments/{id}/rename"      ManageOrganisation        Page => pages::departments::rename;
    POST "/departments/{id}/retire"      ManageOrganisation        Page => pages::departments::retire;
    GET  "/api/v1/openapi.json"          ViewPublic                Api  => api::openapi::document;
    GET  "/api/v1/me"                    UseOwnAccount             Api  => api::me::me;
    GET  "/api/v1/users"                 ListAccounts              Api  => api::users::list;
    GET  "/api/v1/tasks"                 UseOwnAccount             Api  => api::tasks::mine;
    POST "/api/v1/files"                 UploadFiles               Api  => api::files::upload;
    GET  "/api/v1/people"                ViewPeople                Api  => api::people::list;
    POST "/api/v1/people/import"         ManagePeople              Api  => api::people::import;
    GET  "/api/v1/people/{id}"           ViewPeople                Api  => api::people::one;
    GET  "/api/v1/roles"                 ViewRegistry              Api  => api::registry::on_date;
    POST "/api/v1/concerns"              RaiseConcern              Api  => api::concerns::create;
    GET  "/api/v1/concerns"              RaiseConcern              Api  => api::concerns::mine;
    GET  "/api/v1/concerns/inbox"        HandleConcerns            Api  => api::concerns::inbox;
    GET  "/api/v1/concern-settings"      HandleConcerns            Api  => api::concerns::settings;
    PUT  "/api/v1/concern-settings"      HandleConcerns            Api  => api::concerns::record_settings;
    POST "/api/v1/concerns/{id}/acknowledge" HandleConcerns        Api  => api::concerns::acknowledge;
    POST "/api/v1/concerns/{id}/files"   RaiseConcern              Api  => api::concerns::add_file;
    GET  "/api/v1/cases"                 WorkOnCases               Api  => api::cases::list;
    GET  "/api/v1/cases/{id}"            WorkOnCases               Api  => api::cases::one;
    POST "/api/v1/cases/{id}/entries"    WorkOnCases               Api  => api::cases::add_entry;
    POST "/api/v1/cases/{id}/triage"     WorkOnCases               Api  => api::cases::triage;
    POST "/api/v1/cases/{id}/decisions"  WorkOnCases               Api  => api::cases::decide;
    POST "/api/v1/cases/{id}/actions"    WorkOnCases               Api  => api::cases::add_action;
    POST "/api/v1/cases/{id}/referrals"  WorkOnCases               Api  => api::cases::refer;
    POST "/api/v1/cases/{id}/feedback"   WorkOnCases               Api  => api::cases::feedback;
    POST "/api/v1/cases/{id}/disclosures" WorkOnCases              Api  => api::cases::disclose;
    POST "/api/v1/cases/{id}/context"    WorkOnCases               Api  => api::cases::context;
    POST "/api/v1/cases/{id}/close"      WorkOnCases               Api  => api::cases::close;
    POST "/api/v1/cases/{id}/reopen"     WorkOnCases               Api  => api::cases::reopen;
    POST "/api/v1/cases/{id}/access"     WorkOnCases               Api  => api::cases::give_access;
    POST "/api/v1/cases/{id}/restrict"   WorkOnCases               Api  => api::cases::restrict;
    POST "/api/v1/cases/{id}/another-person" WorkOnCases           Api  => api::cases::another_person;
    POST "/api/v1/cases/{id}/files"      WorkOnCases               Api  => api::cases::add_file;
    GET  "/api/v1/cases/{id}/file"       WorkOnCases               Api  => api::cases::file;
    GET  "/api/v1/files/{id}"            UploadFiles               Api  => api::files::download;
    GET  "/api/v1/audit-events"          ReadAuditLog              Api  => api::audit::list;
    GET  "/api/v1/profile"               ViewOrganisation          Api  => api::organisation::profile;
    PUT  "/api/v1/profile"               ManageOrganisation        Api  => api::organisation::record_profile;
    GET  "/api/v1/sites"                 ViewOrganisation          Api  => api::organisation::sites;
    POST "/api/v1/sites"                 ManageOrganisation        Api  => api::organisation::add_site;
    GET  "/api/v1/sites/{id}"            ViewOrganisation          Api  => api::organisation::site;
    PUT  "/api/v1/sites/{id}"            ManageOrganisation        Api  => api::organisation::update_site;
    POST "/api/v1/sites/{id}/retire"     ManageOrganisation        Api  => api::organisation::retire_site;
    GET  "/api/v1/departments"           ViewOrganisation          Api  => api::organisation::departments;
    POST "/api/v1/departments"           ManageOrganisation        Api  => api::organisation::add_department;
}

/// Builds the router from the table: each route behind the guard for its action, then the layers every
/// response passes through.
pub fn build(state: AppState) -> Router {
    let mut router = Router::new();
    for (route, handler) in table() {
        let path = route.path;
        let guarded = handler.route_layer(middleware::from_fn_with_state((state.clone(), route), auth::guard));
        router = router.route(path, guarded);
    }
    router
        .fallback(|| async { error::AppError::NotFound })
        // Room for the largest upload and its multipart framing; the file service enforces the real limit.
        .layer(axum::extract::DefaultBodyLimit::max(domain::files::MAX_FILE_BYTES + 64 * 1024))
        .with_state(state.clone())
        .layer(middleware::from_fn(pages::errors::render_problems))
        .layer(tower_http::csrf::CsrfLayer::new())
        .layer(middleware::from_fn_with_state(state, headers::security_headers))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(pages::errors::panic_response))
}
