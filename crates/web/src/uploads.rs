//! Files in and out, for every capability: receiving an uploaded file (from a page's form or the API),
//! the page that asks for one, and the download response.

use crate::AppState;
use crate::error::{AppError, AppResult};
use crate::forms::FormErrors;
use crate::layout::Chrome;
use askama::Template;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use store::attachments::AttachTo;
use store::{OrgScope, StoreError};

#[derive(Template)]
#[template(path = "attach.html")]
/// The page that asks for a file to add to a concern or a case.
pub(crate) struct AttachPage {
    pub chrome: Chrome,
    pub caption: String,
    pub intro: &'static str,
    pub action: String,
    pub back: String,
    pub errors: FormErrors,
}

/// The file in a multipart form's `file` field, with the name the person gave it; `None` when no file
/// was chosen.
pub(crate) async fn uploaded_file(
    form: &mut axum::extract::Multipart,
    default_name: &str,
) -> Option<(String, Vec<u8>)> {
    let mut upload = None;
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or(default_name).to_owned();
            upload = field.bytes().await.ok().map(|b| (name, b.to_vec()));
        }
    }
    upload.filter(|(_, bytes)| !bytes.is_empty())
}

/// The file of a multipart body, or a 422 naming the `file` field.
pub(crate) async fn uploaded(form: &mut axum::extract::Multipart) -> AppResult<(String, Vec<u8>)> {
    uploaded_file(form, "file").await.ok_or_else(|| AppError::Invalid {
        field: "file".into(),
        message: "Send the file in a multipart field named file".into(),
    })
}

/// Stores the file of an upload form with a concern or a case. Answers the form's problems, if any: no file
/// chosen, or one the file service refuses.
pub(crate) async fn receive_file(
    state: &AppState,
    scope: &OrgScope,
    to: AttachTo,
    mut form: axum::extract::Multipart,
) -> AppResult<Option<FormErrors>> {
    let mut errors = FormErrors::default();
    let Some((name, bytes)) = uploaded_file(&mut form, "file").await else {
        errors.add("file", "Choose a file");
        return Ok(Some(errors));
    };
    let mut tx = state.store.write(scope).await?;
    match tx.attach_file(to, &name, &bytes).await {
        Ok(()) => {
            tx.commit().await?;
            Ok(None)
        }
        Err(StoreError::Invalid { field, message }) => {
            errors.add(field, message);
            Ok(Some(errors))
        }
        Err(other) => Err(other.into()),
    }
}
/// A file as a download, never shown in the browser, and never kept in a cache.
pub(crate) fn as_attachment(filename: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    let content_type = HeaderValue::from_str(content_type);
    headers.insert(header::CONTENT_TYPE, content_type.unwrap_or(HeaderValue::from_static("application/octet-stream")));
    headers.insert(header::CONTENT_DISPOSITION, attachment(filename));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `attachment`, never `inline`, with the filename encoded as RFC 6266 asks.
fn attachment(filename: &str) -> HeaderValue {
    let ascii: String =
        filename.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_ ".contains(c) { c } else { '_' }).collect();
    let encoded: String = form_urlencoded::byte_serialize(filename.as_bytes()).collect::<String>().replace('+', "%20");
    HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"))
        .unwrap_or(HeaderValue::from_static("attachment"))
}
