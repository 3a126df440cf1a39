//! `POST /api/v1/files` stores an upload through the one file service; `GET /api/v1/files/{id}` gives it
//! back, always as an attachment.

use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::{AppError, AppResult};
use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use store::StoreError;
use utoipa::ToSchema;

/// A stored file.
#[derive(Debug, Serialize, ToSchema)]
pub struct FileView {
    pub id: String,
    /// The uploader's filename, kept as metadata only.
    pub filename: String,
    /// The type judged from the content.
    pub content_type: String,
    pub size: i64,
    /// SHA-256 of the content, in hex.
    pub sha256: String,
    /// Whether the content was encrypted before it was stored.
    pub encrypted: bool,
}

/// The upload form: a multipart body with the file in `file` and, optionally, `confidential=true`.
#[derive(Debug, ToSchema)]
#[expect(dead_code, reason = "it describes the multipart body for the OpenAPI document only")]
pub struct Upload {
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    pub confidential: Option<bool>,
}

fn invalid(message: impl Into<String>) -> AppError {
    AppError::Invalid { field: "file".into(), message: message.into() }
}

#[utoipa::path(post, path = "/api/v1/files", tag = "files", request_body(content = Upload, content_type = "multipart/form-data"),
    responses((status = 201, body = FileView), (status = 422, body = crate::api::ErrorBody, description = "Empty, too large or a refused type")),
    security(("bearer" = [])))]
pub async fn upload(
    State(state): State<AppState>,
    ApiCaller(scope): ApiCaller,
    mut form: Multipart,
) -> AppResult<Response> {
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut confidential = false;
    while let Some(field) =
        form.next_field().await.map_err(|e| invalid(format!("The upload could not be read: {}", e.body_text())))?
    {
        match field.name() {
            Some("file") => {
                let name = field.file_name().unwrap_or("file").to_owned();
                let bytes = field.bytes().await.map_err(|_| invalid("The selected file must be smaller than 20 MB"))?;
                file = Some((name, bytes.to_vec()));
            }
            Some("confidential") => confidential = field.text().await.unwrap_or_default() == "true",
            _ => {}
        }
    }
    let (name, bytes) = file.ok_or_else(|| invalid("Send the file in a multipart field named file"))?;
    let mut tx = state.store.write(&scope).await?;
    let stored = match tx.store_file(&name, &bytes, confidential).await {
        Ok(stored) => stored,
        Err(StoreError::Invalid { message, .. }) => return Err(invalid(message)),
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    let view = FileView {
        id: stored.id,
        filename: stored.filename,
        content_type: stored.content_type,
        size: stored.size,
        sha256: stored.sha256,
        encrypted: stored.encrypted,
    };
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

#[utoipa::path(get, path = "/api/v1/files/{id}", tag = "files", params(("id" = String, Path)),
    responses((status = 200, description = "The file, as an attachment"), (status = 404, body = crate::api::ErrorBody)),
    security(("bearer" = [])))]
pub async fn download(
    State(state): State<AppState>,
    ApiCaller(scope): ApiCaller,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let (file, bytes) = state.store.read_file(&scope, &id).await?;
    Ok(crate::uploads::as_attachment(&file.filename, &file.content_type, bytes))
}
