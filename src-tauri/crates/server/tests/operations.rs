//! The operation table over HTTP: every operation is routed and documented, `sync_now`
//! syncs a real (simulated) account, and the CSV export streams the filtered history.

use std::sync::Arc;

use callboard_core::{Config, SecretSource, Service, ServiceOptions, Store};
use callboard_model::{Direction, NewCall, Outcome, ProviderKind};
use callboard_sim::{MorSim, MorSimOptions};
use chrono::{Duration, TimeZone, Utc};
use secrecy::SecretString;

/// Serves `service` on loopback; the base URL.
async fn serve(service: Arc<Service>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = callboard_server::with_host_check(callboard_server::router(service, None), addr);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

/// `(name, method, path)` of every table operation, expanded from the table itself.
macro_rules! table_entries {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident : $method:ident $path:literal
            $(path($($p:ident : $pt:ty),+ $(,)?))?
            $(query($q:ident : $qt:ty))?
            $(body($b:ident : $bt:ty))?
            -> $ret:ty
            => |$s:ident| $call:expr;
    )*) => {
        [$((stringify!($name), stringify!($method), $path)),*]
    };
}

#[tokio::test]
async fn the_openapi_document_lists_every_table_operation() {
    let dir = tempfile::tempdir().unwrap();
    let service = Service::start(
        Config::default(),
        ServiceOptions {
            autosync: false,
            ..ServiceOptions::new(dir.path().join("data"), false)
        },
    )
    .await
    .unwrap();
    let base = serve(service).await;
    let doc: serde_json::Value = reqwest::get(format!("{base}/api/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ops = callboard_core::with_operations!(table_entries);
    assert!(ops.len() >= 6, "{ops:?}");
    for (name, method, path) in ops {
        let op = &doc["paths"][format!("/api{path}")][method];
        assert_eq!(op["operationId"], name, "{method} {path}: {op}");
        assert!(
            op["responses"]["200"]["content"]["application/json"].is_object(),
            "{name} documents its answer: {op}"
        );
    }
    let sync = &doc["paths"]["/api/accounts/{account}/sync"]["post"];
    assert_eq!(sync["parameters"][0]["name"], "account", "{sync}");
    assert_eq!(sync["parameters"][0]["in"], "path");
    let export = &doc["paths"]["/api/calls/export.csv"]["get"];
    assert!(export["responses"]["200"]["content"]["text/csv; charset=utf-8"].is_object());
    for schema in ["AccountStatus", "CallPage", "RecordingPart", "ApiError"] {
        assert!(
            doc["components"]["schemas"].get(schema).is_some(),
            "{schema} is in the components"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_now_runs_a_pass_and_answers_the_status() {
    let now = Utc::now();
    let opts = MorSimOptions {
        days: 2,
        calls_per_day: 30,
        now: Some(now),
        ..Default::default()
    };
    let sim = MorSim::start(opts.clone()).await.unwrap();
    let mut config = Config::parse(
        &format!(
            r#"[[accounts]]
id = "mor"
provider = "mor"
name = "MOR"
backfill_days = 2
[accounts.credentials]
login = "{user}"
password = {{ env = "UNUSED_IN_TESTS" }}
[accounts.hosts]
server = "{server}"
"#,
            user = opts.user,
            server = sim.base_url()
        ),
        "test",
    )
    .unwrap();
    config.accounts[0].credentials.as_mut().unwrap().password =
        SecretSource::Memory(SecretString::from(opts.secret.clone()));
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
    let base = serve(service.clone()).await;
    let client = reqwest::Client::new();
    let sync = || client.post(format!("{base}/api/accounts/mor/sync")).send();

    // Pressed twice at once: both answer once a pass is done, and the passes never overlap.
    let (a, b) = tokio::join!(sync(), sync());
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (200, 200));
    let a: serde_json::Value = a.json().await.unwrap();
    let b: serde_json::Value = b.json().await.unwrap();
    assert_eq!(a["account"], "mor");
    assert_eq!(a["state"], "ok", "{a}");
    assert!(a["last_error"].is_null());
    let stored = service.list_calls(Default::default()).await.unwrap();
    assert!(!stored.items.is_empty());
    assert!(a["calls_synced"].as_u64().unwrap() > 0);
    assert_eq!(a["calls_synced"], b["calls_synced"]);
    assert!(a["last_success"].is_string());

    let missing = client
        .post(format!("{base}/api/accounts/nobody/sync"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let body: serde_json::Value = missing.json().await.unwrap();
    assert_eq!(body["code"], "not_found");
    assert!(body["message"].as_str().unwrap().contains("nobody"));
    service.shutdown();
}

fn call(i: usize, direction: Direction) -> NewCall {
    NewCall {
        provider_call_id: format!("c{i}"),
        direction,
        outcome: if i.is_multiple_of(3) {
            Outcome::Missed
        } else {
            Outcome::Answered
        },
        caller: "+79161234567".into(),
        callee: "+74996480000".into(),
        started_at: Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap()
            + Duration::minutes(i as i64),
        ring_secs: 4,
        talk_secs: (i % 100) as u32,
        total_secs: (i % 100) as u32 + 4,
        cost: Some(1.5),
        currency: Some("RUB".into()),
        recording_ref: i.is_multiple_of(2).then(|| format!("r{i}")),
        details: Vec::new(),
    }
}

/// Reads a CSV export: its header and rows.
fn read_csv(body: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::ReaderBuilder::new().delimiter(b';').from_reader(body);
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_csv_export_streams_the_whole_filtered_history() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    {
        let store = Store::open(&data.join("callboard.db")).unwrap();
        let office: Vec<NewCall> = (0..1300)
            .map(|i| {
                call(
                    i,
                    if i < 700 {
                        Direction::Incoming
                    } else {
                        Direction::Outgoing
                    },
                )
            })
            .collect();
        store
            .upsert_calls("офис-москва", ProviderKind::Mtt, &office, None)
            .unwrap();
        let other: Vec<NewCall> = (0..50).map(|i| call(i, Direction::Incoming)).collect();
        store
            .upsert_calls("склад", ProviderKind::Mor, &other, None)
            .unwrap();
    }
    let service = Service::start(
        Config::default(),
        ServiceOptions {
            autosync: false,
            ..ServiceOptions::new(data, false)
        },
    )
    .await
    .unwrap();
    let base = serve(service.clone()).await;

    let resp = reqwest::get(format!(
        "{base}/api/calls/export.csv?account=%D0%BE%D1%84%D0%B8%D1%81-%D0%BC%D0%BE%D1%81%D0%BA%D0%B2%D0%B0&direction=incoming&limit=10"
    ))
    .await
    .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/csv; charset=utf-8");
    let disposition = resp.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        disposition.starts_with("attachment; filename=\"callboard-calls-20")
            && disposition.ends_with(".csv\""),
        "{disposition}"
    );
    let body = resp.bytes().await.unwrap();
    assert!(
        body.starts_with(b"\xEF\xBB\xBF"),
        "UTF-8 with a BOM, for Excel"
    );
    let (header, rows) = read_csv(&body[3..]);
    assert_eq!(
        header,
        [
            "started_at",
            "account",
            "provider",
            "direction",
            "from",
            "to",
            "outcome",
            "talk_secs",
            "ring_secs",
            "cost",
            "has_recording",
            "provider_call_id"
        ]
    );
    assert_eq!(rows.len(), 700, "every page, not the `limit`");
    assert!(
        rows.iter()
            .all(|r| r[1] == "офис-москва" && r[3] == "incoming")
    );
    assert!(rows.iter().all(|r| r[9] == "1,5"), "decimal commas");
    let first = &rows[0];
    assert_eq!(first[11], "c699", "newest first");
    assert_eq!(first[2], "mtt");
    assert_eq!(first[4], "+79161234567");
    let ids: std::collections::BTreeSet<&str> = rows.iter().map(|r| r[11].as_str()).collect();
    assert_eq!(ids.len(), 700, "no row twice across batches");
    assert!(
        chrono::NaiveDateTime::parse_from_str(&first[0], "%Y-%m-%d %H:%M:%S").is_ok(),
        "{}",
        first[0]
    );

    let all = reqwest::get(format!("{base}/api/calls/export.csv"))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(read_csv(&all[3..]).1.len(), 1350);

    let bad = reqwest::get(format!(
        "{base}/api/calls/export.csv?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z"
    ))
    .await
    .unwrap();
    assert_eq!(bad.status(), 400);
    let body: serde_json::Value = bad.json().await.unwrap();
    assert_eq!(body["code"], "invalid_input");
    service.shutdown();
}
