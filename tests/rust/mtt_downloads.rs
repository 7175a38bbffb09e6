//! Recording downloads stay on the configured hosts, redirects included.

use std::time::Duration;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use callboard_providers::mtt::{MttClient, MttSettings};
use callboard_providers::{HostAllowList, ProviderError, Recordings};
use secrecy::SecretString;

async fn serve() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let redirect = |to: String| {
        move || {
            let to = to.clone();
            async move { (StatusCode::FOUND, [(header::LOCATION, to)]).into_response() }
        }
    };
    let app = Router::new()
        .route(
            "/a_1.wav",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "audio/wav")],
                    b"RIFF....WAVE".to_vec(),
                )
            }),
        )
        .route(
            "/home",
            get(redirect(format!("http://127.0.0.1:{port}/a_1.wav"))),
        )
        .route(
            "/away",
            get(redirect(format!("http://localhost:{port}/a_1.wav"))),
        );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    port
}

fn client(port: u16) -> MttClient {
    let base = format!("http://127.0.0.1:{port}");
    MttClient::new(MttSettings {
        webapicommon: format!("{base}/index.php").parse().unwrap(),
        rc: base.parse().unwrap(),
        recording_hosts: HostAllowList::new(["127.0.0.1".to_string()]),
        login: "u".into(),
        password: SecretString::from("p"),
        customer_name: Some("1".into()),
        sip_ids: vec![],
        requests_per_sec: 100,
        timeout: Duration::from_secs(5),
    })
    .unwrap()
}

#[tokio::test]
async fn downloads_follow_redirects_only_within_the_allowed_hosts() {
    let port = serve().await;
    let c = client(port);
    let dir = tempfile::tempdir().unwrap();
    let url = |p: &str| format!("http://127.0.0.1:{port}{p}").parse().unwrap();

    let ok = c
        .download(&url("/home"), &dir.path().join("ok.wav"))
        .await
        .unwrap();
    assert_eq!((ok.bytes, ok.mime.as_str()), (12, "audio/wav"));

    let away = dir.path().join("away.wav");
    let err = c.download(&url("/away"), &away).await.unwrap_err();
    // A configuration matter (the host is not allowed), never a network failure.
    assert!(
        matches!(&err, ProviderError::ForbiddenHost { host, .. } if host == "localhost"),
        "{err:?}"
    );
    assert!(!err.is_network());
    assert!(
        !away.exists() && !away.with_extension("part").exists(),
        "nothing half-written"
    );

    let foreign = format!("http://localhost:{port}/a_1.wav").parse().unwrap();
    let err = c
        .download(&foreign, &dir.path().join("f.wav"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ProviderError::ForbiddenHost { .. }),
        "{err:?}"
    );
}
