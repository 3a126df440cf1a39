//! The file service and encryption at rest: content-checked uploads, hashes, encryption before storage,
//! downloads as attachments, and keys that open only their own organisation's values.

use crate::both;
use crate::support::TestApp;
use axum::http::StatusCode;
use domain::org::Nation;
use domain::roles::Role;
use sha2::{Digest, Sha256};

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

async fn uploads_are_checked_by_content_and_nothing_bad_is_stored(app: TestApp) {
    let scope = app.org("alpha", Nation::England).await;
    let tutor = app.member(&scope, "tutor@alpha.example", Role::Staff).await;
    let token = app.api_token(&scope, tutor).await;

    for (name, bytes, expected) in [
        ("report.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>".to_vec(), "web page or script"),
        ("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00".to_vec(), "must be a PDF"),
        ("empty.pdf", Vec::new(), "empty"),
        ("huge.txt", vec![b'a'; domain::files::MAX_FILE_BYTES + 1], "smaller than 20 MB"),
    ] {
        let answer = app.upload(&token, name, &bytes, false).await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {}", answer.body);
        assert_eq!(answer.json()["error"]["field"], "file");
        assert!(answer.json()["error"]["message"].as_str().unwrap().contains(expected), "{}", answer.body);
    }
    let stored: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM files").fetch_one(&mut app.db.raw().await).await.unwrap();
    assert_eq!(stored, 0, "nothing stored");

    let ok = app.upload(&token, "../../Safeguarding policy.pdf", PDF, false).await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
    let file = ok.json();
    assert_eq!(file["content_type"], "application/pdf");
    assert_eq!(file["filename"], "Safeguarding policy.pdf");
    assert_eq!(file["sha256"], hex::encode(Sha256::digest(PDF)));
    let download = app.api(&format!("/api/v1/files/{}", file["id"].as_str().unwrap()), &token).await;
    assert_eq!(download.status, StatusCode::OK);
    let disposition = download.headers.get("content-disposition").unwrap().to_str().unwrap();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert_eq!(download.headers.get("content-type").unwrap(), "application/pdf");
    assert_eq!(download.body.as_bytes(), PDF);
}
both!(uploads_are_checked_by_content_and_nothing_bad_is_stored);

async fn confidential_files_are_encrypted_before_they_are_stored(app: TestApp) {
    let alpha = app.org("alpha", Nation::England).await;
    let beta = app.org("beta", Nation::England).await;
    let lead = app.member(&alpha, "lead@alpha.example", Role::SafeguardingLead).await;
    let token = app.api_token(&alpha, lead).await;
    let secret = b"Notes of what the learner said, in their own words: a confidential record.";
    let answer = app.upload(&token, "notes.txt", secret, true).await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    let id = answer.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(answer.json()["encrypted"], true);

    // The stored bytes are not the text, and the record says which data key sealed them.
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT key_id, storage_key FROM files WHERE id = '{id}'")))
        .fetch_one(&mut app.db.raw().await)
        .await
        .unwrap();
    assert!(!sqlx::Row::get::<String, _>(&row, "key_id").is_empty());
    let path = object_store::path::Path::from(sqlx::Row::get::<String, _>(&row, "storage_key"));
    let stored = object_store::ObjectStoreExt::get(&app.objects, &path).await.unwrap().bytes().await.unwrap();
    assert!(!stored.windows(10).any(|w| w == &secret[..10]), "encrypted before it was stored");
    let download = app.api(&format!("/api/v1/files/{id}"), &token).await;
    assert_eq!(download.body.as_bytes(), secret);

    // Another person, or another organisation, gets "not found".
    let other = app.member(&alpha, "tutor@alpha.example", Role::Staff).await;
    let other_token = app.api_token(&alpha, other).await;
    assert_eq!(app.api(&format!("/api/v1/files/{id}"), &other_token).await.status, StatusCode::NOT_FOUND);
    let outsider = app.member(&beta, "lead@beta.example", Role::SafeguardingLead).await;
    let outsider_token = app.api_token(&beta, outsider).await;
    assert_eq!(app.api(&format!("/api/v1/files/{id}"), &outsider_token).await.status, StatusCode::NOT_FOUND);
}
both!(confidential_files_are_encrypted_before_they_are_stored);

async fn sealed_values_open_only_with_their_organisation_and_key(app: TestApp) {
    let alpha = app.org("alpha", Nation::England).await;
    let beta = app.org("beta", Nation::England).await;
    let mut tx = app.store.write(&alpha).await.unwrap();
    let sealed = tx.seal(b"what was seen").await.unwrap();
    tx.commit().await.unwrap();
    assert!(!sealed.contains("what was seen"));
    assert_eq!(app.store.open_sealed(&alpha, &sealed).await.unwrap(), b"what was seen");
    assert!(app.store.open_sealed(&beta, &sealed).await.is_err(), "bound to its organisation");
    let mut tampered = sealed.clone();
    tampered.pop();
    tampered.push(if sealed.ends_with('A') { 'B' } else { 'A' });
    assert!(app.store.open_sealed(&alpha, &tampered).await.is_err(), "authenticated");

    // Rotation re-wraps the data key: the value opens with the new master key and not with the old one.
    let new = store::keys::MasterKey::generate();
    assert_eq!(app.store.rewrap_data_keys(&new).await.unwrap(), 1);
    let rotated = app.store.clone().with_master_key(new);
    assert_eq!(rotated.open_sealed(&alpha, &sealed).await.unwrap(), b"what was seen");
    assert!(app.store.open_sealed(&alpha, &sealed).await.is_err());
    assert_eq!(app.store.verify_chain(&alpha.org().to_string()).await.unwrap(), None);
}
both!(sealed_values_open_only_with_their_organisation_and_key);
