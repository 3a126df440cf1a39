//! Renders error responses: an HTML page for pages, a JSON body naming the field for the API.

use crate::error::Problem;
use crate::layout::{Chrome, render};
use askama::Template;
use axum::Json;
use axum::body::Body;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

#[derive(Template)]
#[template(path = "platform/error.html")]
struct ErrorPage {
    chrome: Chrome,
    heading: String,
    message: String,
    reference: Option<String>,
}

/// Turns a [`Problem`] left on a response into its body. An error answered in plain text by an extractor
/// before any handler ran (a multipart body that is not multipart, a body that is not UTF-8) becomes a
/// problem too, so that every error has the same shape: the JSON error for the API, a page for pages.
pub async fn render_problems(request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let problem = match response.extensions().get::<Problem>().cloned() {
        Some(problem) => problem,
        None if is_plain_error(&response) => {
            let status = response.status();
            let bytes = axum::body::to_bytes(response.into_body(), 4096).await.unwrap_or_default();
            let message = String::from_utf8_lossy(&bytes).trim().to_owned();
            Problem { status, field: Some("body".into()), message, reference: None }
        }
        None => return response,
    };
    let mut rendered = if api {
        Json(serde_json::json!({
            "error": {
                "status": problem.status.as_u16(),
                "field": problem.field,
                "message": problem.message,
                "reference": problem.reference,
            }
        }))
        .into_response()
    } else {
        html(&problem)
    };
    *rendered.status_mut() = problem.status;
    rendered
}

/// A client error answered in plain text: an extractor's rejection.
fn is_plain_error(response: &Response) -> bool {
    response.status().is_client_error()
        && response
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/plain"))
}

fn html(problem: &Problem) -> Response {
    let heading = match problem.status {
        StatusCode::NOT_FOUND => "Page not found",
        StatusCode::FORBIDDEN => "You cannot do this",
        StatusCode::INTERNAL_SERVER_ERROR => "Sorry, there is a problem with the service",
        _ => "There is a problem",
    };
    let message = match problem.status {
        StatusCode::NOT_FOUND => {
            "If you typed the web address, check it is correct. If you pasted it, check you copied the whole address."
                .to_owned()
        }
        StatusCode::INTERNAL_SERVER_ERROR => "Try again later. What you were doing has not been saved.".to_owned(),
        _ => problem.message.clone(),
    };
    let page = ErrorPage {
        chrome: Chrome::public(heading),
        heading: heading.to_owned(),
        message,
        reference: problem.reference.clone(),
    };
    render(&page).unwrap_or_else(|_| (StatusCode::INTERNAL_SERVER_ERROR, "error").into_response())
}

/// A panic in a handler becomes a plain 500 with a reference, logged; the process carries on.
pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    let reference = super::request_id().unwrap_or_default();
    tracing::error!("handler panicked");
    html(&Problem {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        field: None,
        message: String::new(),
        reference: Some(reference),
    })
}
