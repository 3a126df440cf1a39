//! Hostile input and slow clients: control characters are refused at the edge of every route (PostgreSQL
//! refuses NUL in text, so a NUL that reached a query was a 500), and a listener cuts off clients that hold
//! connections open.

use crate::both;
use crate::support::TestApp;
use axum::http::{Method, StatusCode};
use domain::org::Nation;
use domain::roles::Role;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use web::routes::Surface;

fn concrete(path: &str) -> String {
    path.replace("{id}", &uuid::Uuid::nil().to_string())
        .replace("{token}", "t")
        .replace("{role}", "staff")
        .replace("{slug}", "alpha")
        .replace("{*path}", "vigil.css")
}

async fn a_control_character_is_refused_on_every_route_before_it_reaches_the_database(app: TestApp) {
    let scope = app.org("alpha", Nation::England).await;
    let admin = app.member(&scope, "admin@alpha.example", Role::Admin).await;
    let token = app.api_token(&scope, admin).await;
    app.sign_in("admin@alpha.example").await;
    for (route, _) in web::table() {
        let path = concrete(route.path);
        let answer = match (route.surface, &route.method) {
            (_, &Method::GET) => app.get(&format!("{path}?q=a%00b")).await,
            (Surface::Page, _) => app.post(&path, &[("field", "a\0b")]).await,
            (Surface::Api, method) => {
                let body = serde_json::json!({"field": "a\u{0}b", "items": [{"name": "x\u{1b}[2J"}]});
                app.api_send(method.clone(), &path, &token, Some(body)).await
            }
        };
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{} {path}: {}", route.method, answer.body);
        match (route.surface, &route.method) {
            (Surface::Api, &Method::GET) => assert_eq!(answer.json()["error"]["field"], "q"),
            (Surface::Api, _) => assert_eq!(answer.json()["error"]["field"], "field"),
            (Surface::Page, _) => assert!(answer.body.contains("control character"), "{path}"),
        }
    }
    // Before any sign-in, where it used to be a 500 on PostgreSQL.
    app.set_cookie(None);
    let answer = app.post_raw("/sign-in", &[("email", "a\0b@x.example"), ("password", "x")]).await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.body);
    // Tabs and line ends are text, and pass.
    let answer = app.post_raw("/sign-in", &[("email", "someone@x.example"), ("password", "a\tb\r\nc")]).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.body.contains("Enter a correct email address and password"));
}
both!(a_control_character_is_refused_on_every_route_before_it_reaches_the_database);

async fn serving(app: &TestApp, limits: web::serve::Limits) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(web::serve::serve(listener, app.router(), limits, std::future::pending()));
    address
}

/// Reads what the server sends until it closes the connection; the outer bound only stops a broken test.
async fn until_closed(stream: &mut tokio::net::TcpStream) -> String {
    let mut received = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(60), stream.read_to_end(&mut received)).await;
    assert!(read.is_ok(), "the server closed the connection");
    String::from_utf8_lossy(&received).into_owned()
}

async fn a_slow_client_is_cut_off_and_connections_are_capped(app: TestApp) {
    // A client that never finishes its headers is cut off.
    let address =
        serving(&app, web::serve::Limits { connections: 8, header_timeout: Duration::from_millis(200) }).await;
    let mut slow = tokio::net::TcpStream::connect(address).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: vigil.test\r\n").await.unwrap();
    assert!(!until_closed(&mut slow).await.contains("200 OK"));

    // Two connections held open use the cap of two: a third is closed at once, and the two still work.
    let address = serving(&app, web::serve::Limits { connections: 2, header_timeout: Duration::from_secs(30) }).await;
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
        stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: vigil.test\r\n").await.unwrap();
        held.push(stream);
    }
    let mut refused = tokio::net::TcpStream::connect(address).await.unwrap();
    let _ = refused.write_all(b"GET /healthz HTTP/1.1\r\nHost: vigil.test\r\n\r\n").await;
    assert_eq!(until_closed(&mut refused).await, "", "closed without an answer");
    for mut stream in held {
        stream.write_all(b"Connection: close\r\n\r\n").await.unwrap();
        assert!(until_closed(&mut stream).await.starts_with("HTTP/1.1 200 OK"));
    }
}
both!(a_slow_client_is_cut_off_and_connections_are_capped);
