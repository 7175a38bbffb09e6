//! The HTTP adapter over a real service, on loopback.

use std::net::SocketAddr;
use std::sync::Arc;

use callboard_core::{Config, Service, ServiceOptions};

struct Running {
    addr: SocketAddr,
    service: Arc<Service>,
    _dir: tempfile::TempDir,
}

/// A service with no accounts and no background sync, its data under `dir`.
async fn quiet_service(dir: &std::path::Path) -> Arc<Service> {
    Service::start(
        Config::default(),
        ServiceOptions {
            autosync: false,
            ..ServiceOptions::new(dir.join("data"), false)
        },
    )
    .await
    .unwrap()
}

async fn start() -> Running {
    let dir = tempfile::tempdir().unwrap();
    let ui = dir.path().join("ui");
    std::fs::create_dir_all(&ui).unwrap();
    std::fs::write(
        ui.join("index.html"),
        "<!doctype html><title>callboard</title>",
    )
    .unwrap();
    let service = quiet_service(dir.path()).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = callboard_server::router(service.clone(), Some(ui));
    let app = callboard_server::with_host_check(app, addr);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Running {
        addr,
        service,
        _dir: dir,
    }
}

#[tokio::test]
async fn api_errors_are_json_and_the_ui_is_served_elsewhere() {
    let r = start().await;
    let base = format!("http://{}", r.addr);
    let missing = reqwest::get(format!("{base}/api/no-such-thing"))
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let body: serde_json::Value = missing.json().await.unwrap();
    assert_eq!(
        body["code"], "not_found",
        "an unknown API path is never the UI's page"
    );

    let bad = reqwest::get(format!("{base}/api/calls?direction=sideways"))
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let body: serde_json::Value = bad.json().await.unwrap();
    assert_eq!(body["code"], "invalid_input");
    assert!(body["message"].as_str().unwrap().contains("sideways"));

    let no_call = reqwest::get(format!("{base}/api/calls/42")).await.unwrap();
    assert_eq!(no_call.status(), 404);

    let page = reqwest::get(format!("{base}/calls/42")).await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("<title>callboard</title>")
    );

    let doc: serde_json::Value = reqwest::get(format!("{base}/api/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in [
        "/api/calls",
        "/api/calls/{id}/recording/{index}",
        "/api/events",
    ] {
        assert!(doc["paths"].get(path).is_some(), "OpenAPI documents {path}");
    }
    assert!(doc["components"]["schemas"].get("CallPage").is_some());
}

#[tokio::test]
async fn requests_for_other_hosts_are_refused() {
    let r = start().await;
    let client = reqwest::Client::new();
    let url = format!("http://{}/api/info", r.addr);
    let rebound = client
        .get(&url)
        .header("Host", "attacker.example")
        .send()
        .await
        .unwrap();
    assert_eq!(rebound.status(), 403, "a DNS-rebinding page gets nothing");
    let local = client
        .get(&url)
        .header("Host", format!("localhost:{}", r.addr.port()))
        .send()
        .await
        .unwrap();
    assert_eq!(local.status(), 200);
}

#[tokio::test]
async fn event_streams_end_when_the_service_shuts_down() {
    let r = start().await;
    let resp = reqwest::get(format!("http://{}/api/events", r.addr))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    r.service.shutdown();
    // The body completes instead of hanging: graceful shutdown can finish.
    resp.bytes().await.unwrap();
}

/// The desktop's media server: recording audio and nothing else of the API.
#[tokio::test]
async fn the_recordings_router_serves_audio_routes_only() {
    let dir = tempfile::tempdir().unwrap();
    let service = quiet_service(dir.path()).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = callboard_server::recordings_router(service.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let get = |path: &str| reqwest::get(format!("http://{addr}{path}"));
    for path in [
        "/api/info",
        "/api/calls",
        "/api/accounts",
        "/api/calls/42",
        "/api/events",
    ] {
        let r = get(path).await.unwrap();
        assert_eq!(r.status(), 404, "{path}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["message"], "no such endpoint", "{path}");
    }
    // The audio route is there: it looks the call up (and finds none).
    let r = get("/api/calls/42/recording/0").await.unwrap();
    assert_eq!(r.status(), 404);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["message"], "no call 42");
    service.shutdown();
}
