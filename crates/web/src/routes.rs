//! One row of the route table, and the macro each capability writes its rows with. Every route names its
//! [`Action`]; the router is built from the rows of every capability ([`crate::table`]), and the guard in
//! [`crate::auth`] checks the action's policy before any handler runs. The access-matrix test walks the
//! table.

use crate::AppState;
use axum::http::Method;
use axum::routing::MethodRouter;
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

/// Rows of the route table, each with its handler.
pub type Routes = Vec<(Route, MethodRouter<AppState>)>;

/// Writes rows of the route table: `METHOD "path" Action Surface => handler;`.
macro_rules! routes {
    ($($method:ident $path:literal $action:ident $surface:ident => $handler:expr;)*) => {
        vec![$((
            $crate::routes::Route {
                method: axum::http::Method::$method,
                path: $path,
                action: domain::policy::Action::$action,
                surface: $crate::routes::Surface::$surface,
            },
            routes!(@method $method, $handler),
        )),*]
    };
    (@method GET, $h:expr) => { axum::routing::get($h) };
    (@method POST, $h:expr) => { axum::routing::post($h) };
    (@method PUT, $h:expr) => { axum::routing::put($h) };
}
pub(crate) use routes;
