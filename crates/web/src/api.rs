//! The JSON API under `/api/v1`, authenticated by bearer tokens only, over the same store as the pages.

use crate::error::{AppError, AppResult};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

// A date as the API takes and writes it: ISO 8601, `2026-11-30`.
time::serde::format_description!(pub iso_date, Date, "[year]-[month]-[day]");

/// A time as the API writes it: RFC 3339.
pub fn rfc3339(at: time::OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// Query parameters for the API. A bad value answers 400 with a JSON error naming the parameter.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let deserializer = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer)
            .map(ApiQuery)
            .map_err(|e| AppError::BadRequest { field: e.path().to_string(), message: e.inner().to_string() })
    }
}

/// A JSON request body. A malformed body (or text after it) answers 400 with a JSON error naming the field
/// at fault.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = request
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        let bad = |field: &str, message: String| AppError::BadRequest { field: field.into(), message };
        if !is_json {
            return Err(bad("body", "Send a JSON body with Content-Type: application/json".into()));
        }
        let bytes = axum::body::Bytes::from_request(request, state).await.map_err(|e| bad("body", e.body_text()))?;
        let mut deserializer = serde_json::Deserializer::from_slice(&bytes);
        let value = serde_path_to_error::deserialize(&mut deserializer)
            .map_err(|e| bad(&e.path().to_string(), e.inner().to_string()))?;
        // Text after the JSON value is a malformed body, not something to ignore.
        deserializer.end().map_err(|e| bad("body", e.to_string()))?;
        Ok(ApiJson(value))
    }
}

/// A date to look back to.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct AsAt {
    /// Show the state at the end of this day (`YYYY-MM-DD`); omit for now.
    #[param(required = false, value_type = Option<String>, format = Date)]
    #[serde(with = "iso_date::option")]
    pub as_at: Option<time::Date>,
}

/// Which page of a list to return.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct Paging {
    /// Page number, from 1.
    #[param(required = false, minimum = 1)]
    pub page: u32,
    /// Items per page, from 1 to 100; more is refused, not cut short.
    #[param(required = false, minimum = 1, maximum = 100)]
    pub per_page: u32,
}

impl Default for Paging {
    fn default() -> Self {
        Self { page: 1, per_page: 50 }
    }
}

impl Paging {
    /// The page asked for, and how many items per page: a value outside the documented range is refused
    /// (400, naming it), never quietly changed.
    pub fn checked(&self) -> AppResult<(u32, u32)> {
        if self.page == 0 {
            return Err(AppError::BadRequest { field: "page".into(), message: "Pages are numbered from 1".into() });
        }
        if !(1..=100).contains(&self.per_page) {
            return Err(AppError::BadRequest {
                field: "per_page".into(),
                message: "Ask for 1 to 100 items per page".into(),
            });
        }
        Ok((self.page, self.per_page))
    }
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    pub total: i64,
}

impl<T> Paged<T> {
    pub fn from<S>(page: store::Page<S>, map: impl FnMut(S) -> T) -> Self {
        Self {
            items: page.items.into_iter().map(map).collect(),
            page: page.page,
            per_page: page.per_page,
            total: page.total,
        }
    }
}

/// The body of every error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong, and with which field.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    pub status: u16,
    /// The request field at fault, when there is one.
    pub field: Option<String>,
    pub message: String,
    /// A reference to quote to an administrator, for server errors.
    pub reference: Option<String>,
}
