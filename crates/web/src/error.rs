//! One error type for handlers, rendered in one place: an HTML page for pages, a JSON body for the API.
//! A 500 shows the request's id as its reference and logs the cause in the request's span; it never shows
//! SQL or a trace.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use store::StoreError;

/// What went wrong, in a form that can be shown.
#[derive(Debug)]
pub enum AppError {
    NotFound,
    Forbidden,
    /// The record's current state does not allow the request (409); the message is safe to show.
    Conflict(&'static str),
    /// A field's value is wrong (for the API; pages re-render their form instead).
    Invalid {
        field: String,
        message: String,
    },
    /// The request itself is malformed (a query parameter of the wrong type).
    BadRequest {
        field: String,
        message: String,
    },
    Internal(String),
}

/// Attached to an error response so that the outer layer can render it for pages or the API.
#[derive(Debug, Clone)]
pub struct Problem {
    pub status: StatusCode,
    pub field: Option<String>,
    pub message: String,
    pub reference: Option<String>,
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(message) => AppError::Conflict(message),
            StoreError::Invalid { field, message } => {
                AppError::Invalid { field: field.into(), message: message.into() }
            }
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let problem = match self {
            AppError::NotFound => Problem {
                status: StatusCode::NOT_FOUND,
                field: None,
                message: "Page not found".into(),
                reference: None,
            },
            AppError::Forbidden => Problem {
                status: StatusCode::FORBIDDEN,
                field: None,
                message: "You do not have access to this".into(),
                reference: None,
            },
            AppError::Conflict(message) => {
                Problem { status: StatusCode::CONFLICT, field: None, message: message.into(), reference: None }
            }
            AppError::Invalid { field, message } => {
                Problem { status: StatusCode::UNPROCESSABLE_ENTITY, field: Some(field), message, reference: None }
            }
            AppError::BadRequest { field, message } => {
                Problem { status: StatusCode::BAD_REQUEST, field: Some(field), message, reference: None }
            }
            AppError::Internal(cause) => {
                let reference = crate::platform::request_id().unwrap_or_default();
                tracing::error!(%cause, "request failed");
                Problem {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    field: None,
                    message: "Sorry, there is a problem with the service".into(),
                    reference: Some(reference),
                }
            }
        };
        problem.into_response()
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        response.extensions_mut().insert(self);
        response
    }
}

pub type AppResult<T> = Result<T, AppError>;
