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

/// A recording from the MTT simulator through the route, whole and by byte ranges, as a
/// player seeking in it asks; the type served is the file's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recording_is_served_with_ranges() {
    use callboard_core::SecretSource;
    use reqwest::header::{CONTENT_RANGE, CONTENT_TYPE, RANGE};

    let sim = callboard_sim::MttSim::start(callboard_sim::SimOptions {
        days: 1,
        calls_per_day: 40,
        ..Default::default()
    })
    .await
    .unwrap();
    let account = sim.account();
    let mut config = Config::parse(
        &callboard_sim::config_toml(&sim.base_url(), &account, "UNUSED_IN_TESTS"),
        "sim",
    )
    .unwrap();
    config.accounts[0].credentials.as_mut().unwrap().password =
        SecretSource::Memory(secrecy::SecretString::from(account.password.clone()));
    let id = config.accounts[0].id.clone();
    let dir = tempfile::tempdir().unwrap();
    let service = Service::start(
        config,
        ServiceOptions {
            autosync: false,
            ..ServiceOptions::new(dir.path().join("data"), false)
        },
    )
    .await
    .unwrap();
    service.sync_now(&id).await.unwrap();
    let page = service
        .list_calls(callboard_model::CallQuery::default())
        .await
        .unwrap();
    let call = page.items.iter().find(|c| c.has_recording).unwrap().id;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = callboard_server::router(service.clone(), None);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let url = format!("http://{addr}/api/calls/{call}/recording/0");
    let http = reqwest::Client::new();

    let whole = http.get(&url).send().await.unwrap();
    assert_eq!(whole.status(), 200);
    assert_eq!(whole.headers()[CONTENT_TYPE], "audio/wav");
    assert_eq!(whole.headers()["accept-ranges"], "bytes");
    let bytes = whole.bytes().await.unwrap();
    assert_eq!(&bytes[..4], b"RIFF");
    // Always 16-bit PCM (format tag 1), whatever the provider's WAV held.
    assert_eq!(u16::from_le_bytes([bytes[20], bytes[21]]), 1);
    let len = bytes.len();

    let mid = len / 2;
    let part = http
        .get(&url)
        .header(RANGE, format!("bytes={mid}-{}", mid + 999))
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), 206);
    assert_eq!(
        part.headers()[CONTENT_RANGE],
        format!("bytes {mid}-{}/{len}", mid + 999).as_str()
    );
    assert_eq!(part.bytes().await.unwrap(), bytes[mid..mid + 1000]);

    let tail = http
        .get(&url)
        .header(RANGE, "bytes=-100")
        .send()
        .await
        .unwrap();
    assert_eq!(tail.status(), 206);
    assert_eq!(tail.bytes().await.unwrap(), bytes[len - 100..]);

    let open_ended = http
        .get(&url)
        .header(RANGE, format!("bytes={}-", len - 10))
        .send()
        .await
        .unwrap();
    assert_eq!(open_ended.status(), 206);
    assert_eq!(open_ended.bytes().await.unwrap(), bytes[len - 10..]);

    let beyond = http
        .get(&url)
        .header(RANGE, format!("bytes={len}-"))
        .send()
        .await
        .unwrap();
    assert_eq!(beyond.status(), 416);
    assert_eq!(
        beyond.headers()[CONTENT_RANGE],
        format!("bytes */{len}").as_str()
    );
    service.shutdown();
    sim.shutdown().await;
}
