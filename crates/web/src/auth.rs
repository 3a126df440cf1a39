//! The guard every route passes: it finds the caller (session cookie for pages, bearer token for the API),
//! applies the route's action policy, checks the CSRF token on cookie-authenticated form posts, and hands
//! the handler what it may use.

use crate::AppState;
use crate::error::{AppError, Problem};
use crate::routes::{Route, Surface};
use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use domain::policy::Access;
use store::OrgScope;
use store::auth::Session;
use subtle::ConstantTimeEq;

/// The session cookie. `__Host-` binds it to this host, over HTTPS, for every path.
pub const SESSION_COOKIE: &str = "__Host-vigil_session";

/// The largest form body read for the CSRF check.
const FORM_LIMIT: usize = 256 * 1024;

/// A fully signed-in member on a page route.
#[derive(Clone)]
pub struct Member {
    pub session: Session,
    pub scope: OrgScope,
}

/// A session at the password stage, on the second-factor pages.
#[derive(Clone)]
pub struct Pending(pub Session);

/// A caller of the API, by bearer token.
#[derive(Clone)]
pub struct ApiCaller(pub OrgScope);

macro_rules! from_extension {
    ($t:ty) => {
        impl<S: Send + Sync> FromRequestParts<S> for $t {
            type Rejection = AppError;
            async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
                parts.extensions.get::<$t>().cloned().ok_or(AppError::Forbidden)
            }
        }
    };
}
from_extension!(Member);
from_extension!(Pending);
from_extension!(ApiCaller);

/// The session token from the request's cookie, if any.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
}

/// The `Set-Cookie` value that starts a session.
pub fn session_cookie(token: &str) -> String {
    format!("{SESSION_COOKIE}={token}; Path=/; Secure; HttpOnly; SameSite=Lax")
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn cleared_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0")
}

/// A redirect that also sets the session cookie.
pub fn redirect_with_session(to: &str, token: &str) -> Response {
    let mut response = Redirect::to(to).into_response();
    if let Ok(value) = session_cookie(token).parse() {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

pub async fn guard(State((state, route)): State<(AppState, Route)>, request: Request, next: Next) -> Response {
    let result = match route.surface {
        Surface::Api => guard_api(&state, &route, request).await,
        Surface::Page => guard_page(&state, &route, request).await,
    };
    match result {
        Ok(request) => next.run(request).await,
        Err(response) => response,
    }
}

async fn guard_api(state: &AppState, route: &Route, mut request: Request) -> Result<Request, Response> {
    if route.action.access() == Access::Public {
        return Ok(request);
    }
    let bearer = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    let scope = match bearer {
        Some(token) => state.store.api_scope(&token).await.map_err(|e| AppError::from(e).into_response())?,
        None => None,
    };
    let Some(scope) = scope else {
        return Err(Problem {
            status: StatusCode::UNAUTHORIZED,
            field: None,
            message: "Send a valid API token as `Authorization: Bearer …`".into(),
            reference: None,
        }
        .into_response());
    };
    if !route.action.allows(scope.roles()) {
        return Err(AppError::Forbidden.into_response());
    }
    if route.action.needs_fresh_second_factor() {
        return Err(AppError::Conflict("This needs a fresh second factor: do it in Vigil's web pages").into_response());
    }
    request.extensions_mut().insert(ApiCaller(scope));
    Ok(request)
}

async fn guard_page(state: &AppState, route: &Route, mut request: Request) -> Result<Request, Response> {
    let access = route.action.access();
    if access == Access::Public {
        return Ok(request);
    }
    let session = match session_token(request.headers()) {
        Some(token) => state.store.session(&token).await.map_err(|e| AppError::from(e).into_response())?,
        None => None,
    };
    let Some(session) = session else {
        return Err(Redirect::to("/sign-in").into_response());
    };
    match (access, &session.scope) {
        (Access::PasswordOnly, Some(_)) => return Err(Redirect::to("/").into_response()),
        (Access::PasswordOnly, None) => {}
        (_, None) => return Err(Redirect::to("/sign-in/code").into_response()),
        (_, Some(scope)) if !route.action.allows(scope.roles()) => {
            return Err(AppError::Forbidden.into_response());
        }
        (_, Some(_)) => {}
    }
    if request.method() != Method::GET && request.method() != Method::HEAD {
        request = check_csrf(request, &session.csrf_token).await?;
    }
    if route.action.needs_fresh_second_factor() && !fresh(&session, state.store.now()) {
        if !session.has_second_factor {
            return Err(AppError::Conflict(
                "This needs your authenticator app, and you have not set one up: sign out, then sign in again and \
                 Vigil will help you set it up",
            )
            .into_response());
        }
        let back = if request.method() == Method::GET { request.uri().path() } else { "/" };
        let to = format!("/sign-in/again?{}", serde_urlencoded::to_string([("next", back)]).unwrap_or_default());
        return Err(Redirect::to(&to).into_response());
    }
    if let Some(scope) = session.scope.clone() {
        request.extensions_mut().insert(Member { session, scope });
    } else {
        request.extensions_mut().insert(Pending(session));
    }
    Ok(request)
}

/// Whether the session's second factor was given recently enough for a sensitive action.
fn fresh(session: &Session, now: time::OffsetDateTime) -> bool {
    session.second_factor_at.is_some_and(|at| now - at < domain::security::FRESH_SECOND_FACTOR)
}

/// Every cookie-authenticated form carries the session's CSRF token in `_csrf`: in the body of an ordinary
/// form (read here and put back for the handler), or in the query string of a file upload, whose body the
/// handler streams.
async fn check_csrf(request: Request, expected: &str) -> Result<Request, Response> {
    let field = |encoded: &[u8]| {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(encoded)
            .ok()
            .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "_csrf").map(|(_, v)| v))
            .unwrap_or_default()
    };
    let multipart = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let (given, request) = if multipart {
        (field(request.uri().query().unwrap_or_default().as_bytes()), request)
    } else {
        let (parts, body) = request.into_parts();
        let bytes = axum::body::to_bytes(body, FORM_LIMIT)
            .await
            .map_err(|_| AppError::Conflict("The form is too large").into_response())?;
        (field(&bytes), Request::from_parts(parts, Body::from(bytes)))
    };
    if given.is_empty() || !bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
        return Err(Problem {
            status: StatusCode::FORBIDDEN,
            field: None,
            message: "This form has expired. Go back, reload the page and try again".into(),
            reference: None,
        }
        .into_response());
    }
    Ok(request)
}
