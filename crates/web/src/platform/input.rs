//! Text that cannot be stored is refused at the edge, for every route alike: a control character (NUL
//! among them, which PostgreSQL refuses in text) in a query string, a form or a JSON body answers 422
//! naming the field, before any handler or query sees it. Files are bytes, and pass untouched.

use crate::error::AppError;
use axum::body::Body;
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::text::{CONTROL_CHARACTER, forbidden_control};

/// The largest form or JSON body: far more than any form or record holds (files come as multipart, which
/// is not read here).
const BODY_LIMIT: usize = 1024 * 1024;

pub async fn refuse_control_characters(request: Request, next: Next) -> Response {
    if let Some(field) = request.uri().query().and_then(|query| in_form(query.as_bytes())) {
        return refused(field);
    }
    let content_type = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let check: fn(&[u8]) -> Option<String> = if content_type.starts_with("application/x-www-form-urlencoded") {
        in_form
    } else if content_type.starts_with("application/json") {
        in_json
    } else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return AppError::BadRequest { field: "body".into(), message: "The request is too large".into() }
            .into_response();
    };
    if let Some(field) = check(&bytes) {
        return refused(field);
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

fn refused(field: String) -> Response {
    AppError::Invalid { field, message: CONTROL_CHARACTER.into() }.into_response()
}

/// The first form field whose name or value holds a control character.
fn in_form(encoded: &[u8]) -> Option<String> {
    form_urlencoded::parse(encoded)
        .find(|(name, value)| forbidden_control(name).is_some() || forbidden_control(value).is_some())
        .map(|(name, _)| name.chars().filter(|c| !c.is_control()).collect())
}

/// The path (like `items[2].name`) of the first string in a JSON body, key or value, that holds a control
/// character. A body that is not JSON is left for the handler's own answer.
fn in_json(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    first_control(&value, String::new())
}

fn first_control(value: &serde_json::Value, path: String) -> Option<String> {
    match value {
        serde_json::Value::String(text) => forbidden_control(text).map(|_| path_or_body(path)),
        serde_json::Value::Array(items) => {
            items.iter().enumerate().find_map(|(i, item)| first_control(item, format!("{path}[{i}]")))
        }
        serde_json::Value::Object(fields) => fields.iter().find_map(|(key, item)| {
            let clean: String = key.chars().filter(|c| !c.is_control()).collect();
            let inner = if path.is_empty() { clean } else { format!("{path}.{clean}") };
            if forbidden_control(key).is_some() { Some(path_or_body(inner)) } else { first_control(item, inner) }
        }),
        _ => None,
    }
}

fn path_or_body(path: String) -> String {
    if path.is_empty() { "body".into() } else { path }
}

#[cfg(test)]
mod tests {
    use super::{in_form, in_json};

    #[test]
    fn control_characters_are_found_by_field() {
        assert_eq!(in_form(b"email=a%00b%40x.example&password=x"), Some("email".into()));
        assert_eq!(in_form(b"note=line+one%0D%0Aline+two%09tabbed"), None, "tabs and line ends are text");
        assert_eq!(in_form(b"a%01b=c"), Some("ab".into()));
        assert_eq!(in_json(br#"{"items":[{"name":"ok"},{"name":"bad\u0000"}]}"#), Some("items[1].name".into()));
        assert_eq!(in_json(br#"{"what_happened":"fine\nand more"}"#), None);
        assert_eq!(in_json(br#""\u001b[31m""#), Some("body".into()));
        assert_eq!(in_json(b"not json"), None);
    }
}
