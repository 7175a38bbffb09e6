//! Every history and recording example payload of MTT's spec, served verbatim over
//! loopback HTTP to the real client: each must parse, and requests must match the spec's.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use callboard_model::{Direction, Outcome};
use callboard_providers::HostAllowList;
use callboard_providers::mtt::{
    HistoryKind, MttClient, MttError, MttSettings, RecordFormat, normalize_row,
};
use chrono::{TimeZone, Utc};
use secrecy::SecretString;
use serde_json::Value;

/// The spec as shipped with the repo (`tests/fixtures/specs`), so a clone tests alone.
fn spec_text() -> String {
    callboard_system_tests::spec_fixture("mtt-telecom-api.md")
}

/// The JSON examples of the history and recording sections, in order. A block that is
/// not JSON alone is joined with the next ones (the spec splits one answer in three).
fn history_examples() -> Vec<Value> {
    let text = spec_text();
    let records = text.find("v2/records/").expect("recording section");
    let end = records
        + text[records..]
            .find("Точка подключения")
            .expect("end of recording section");
    let blocks: Vec<&str> = text[..end].split("```").skip(1).step_by(2).collect();
    let mut out = Vec::new();
    let mut pending = String::new();
    for b in blocks {
        pending.push_str(b);
        if let Ok(v) = serde_json::from_str::<Value>(&pending) {
            out.push(v);
            pending.clear();
        }
    }
    assert!(
        pending.trim().is_empty(),
        "an example never parsed as JSON:\n{pending}"
    );
    out
}

#[derive(Default)]
struct Stub {
    answer: String,
    requests: Vec<Value>,
}

async fn serve_stub() -> (String, Arc<Mutex<Stub>>) {
    let stub = Arc::new(Mutex::new(Stub::default()));
    async fn rpc(State(s): State<Arc<Mutex<Stub>>>, body: String) -> String {
        let mut s = s.lock().unwrap();
        s.requests
            .push(serde_json::from_str(&body).unwrap_or(Value::Null));
        s.answer.clone()
    }
    async fn links(State(s): State<Arc<Mutex<Stub>>>) -> String {
        s.lock().unwrap().answer.clone()
    }
    let app = Router::new()
        .route("/index.php", post(rpc))
        .route("/v1/records/{id}/urls", get(links))
        .route("/v2/records/{id}/urls", get(links))
        .with_state(stub.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, stub)
}

fn client(base: &str, customer: Option<&str>) -> MttClient {
    MttClient::new(MttSettings {
        webapicommon: format!("{base}/index.php").parse().unwrap(),
        rc: base.parse().unwrap(),
        recording_hosts: HostAllowList::new(["rc.mtt.ru".to_string(), "rs.mtt.ru".to_string()]),
        login: "user".into(),
        password: SecretString::from("pw"),
        customer_name: customer.map(str::to_string),
        sip_ids: vec![],
        requests_per_sec: 100,
        timeout: Duration::from_secs(5),
    })
    .unwrap()
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    k.sort();
    k
}

#[tokio::test]
async fn every_history_and_recording_example_is_handled() {
    let examples = history_examples();
    let (base, stub) = serve_stub().await;
    let by_customer = client(&base, Some("110011256"));
    let t = |y, mo, d, h, mi, s| Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap();
    let mut handled = 0;

    for ex in &examples {
        stub.lock().unwrap().answer = ex.to_string();
        if let Some(method) = ex.get("method").and_then(Value::as_str) {
            // A request example: our client must send the same method and parameter names.
            let before = stub.lock().unwrap().requests.len();
            stub.lock().unwrap().answer =
                r#"{"jsonrpc":"2.0","id":"1","result":{"success":1}}"#.into();
            match method {
                "getCallHistory" => {
                    by_customer
                        .call_history(
                            "74996480000",
                            t(2019, 10, 30, 10, 23, 35),
                            t(2019, 10, 30, 22, 23, 35),
                        )
                        .await
                        .unwrap();
                }
                "getServiceHistoryByCustomer" => {
                    by_customer
                        .service_history(
                            HistoryKind::Dialed,
                            t(2017, 9, 14, 16, 1, 5),
                            t(2017, 9, 14, 16, 1, 10),
                        )
                        .await
                        .unwrap();
                }
                other => panic!("unexpected request example {other}"),
            }
            let sent = stub.lock().unwrap().requests[before].clone();
            assert_eq!(sent["method"], ex["method"]);
            assert_eq!(sent["jsonrpc"], "2.0");
            assert_eq!(
                keys(&sent["params"]),
                keys(&ex["params"]),
                "{method} params"
            );
            for k in ["date_from", "date_to", "sip_id", "type", "customer_name"] {
                if ex["params"].get(k).is_some() {
                    assert_eq!(sent["params"][k], ex["params"][k], "{method} {k}");
                }
            }
        } else if let Some(err) = ex.get("error") {
            let got = by_customer
                .call_history("1", t(2019, 1, 1, 0, 0, 0), t(2019, 1, 2, 0, 0, 0))
                .await
                .unwrap_err();
            let MttError::Rpc {
                code,
                message,
                data,
            } = &got
            else {
                panic!("{got:?}")
            };
            assert_eq!(Some(*code), err["code"].as_i64());
            assert_eq!(Some(message.as_str()), err["message"].as_str());
            assert_eq!(data.as_deref(), err["data"].as_str());
            let info = got.provider_info().unwrap();
            assert_eq!(info.code, code.to_string());
        } else if let Some(result) = ex.get("result") {
            if result.get("missed").is_some() {
                // getCallHistory: dialed calls, one with the call id, one without.
                let h = by_customer
                    .call_history(
                        "74996480000",
                        t(2018, 2, 6, 0, 0, 0),
                        t(2018, 2, 8, 0, 0, 0),
                    )
                    .await
                    .unwrap();
                assert_eq!(h.dialed.len(), 2);
                let a = normalize_row(HistoryKind::Dialed, &h.dialed[0]).unwrap();
                assert_eq!(a.provider_call_id, "07A9B59A 05F65003 13B136EE D90263EE");
                assert_eq!(
                    (a.caller.as_str(), a.callee.as_str()),
                    ("+79103880489", "+79103880490"),
                    "clid is the callee"
                );
                assert_eq!(a.started_at, t(2018, 2, 6, 16, 51, 17));
                assert_eq!(
                    (a.direction, a.outcome, a.talk_secs),
                    (Direction::Outgoing, Outcome::Answered, 32)
                );
                assert_eq!(
                    a.recording_ref.as_deref(),
                    Some("07A9B59A 05F65003 13B136EE D90263EE")
                );
                let b = normalize_row(HistoryKind::Dialed, &h.dialed[1]).unwrap();
                assert!(
                    b.provider_call_id.starts_with("dialed:"),
                    "a stable id for a row without one"
                );
                assert_eq!(b, normalize_row(HistoryKind::Dialed, &h.dialed[1]).unwrap());
                assert!(b.recording_ref.is_none());
            } else {
                // getServiceHistoryByCustomer: three dialed rows, `cld` and `clid` mixed.
                let rows = by_customer
                    .service_history(
                        HistoryKind::Dialed,
                        t(2017, 9, 14, 16, 1, 5),
                        t(2017, 9, 14, 16, 1, 10),
                    )
                    .await
                    .unwrap();
                assert_eq!(rows.len(), 3);
                let calls: Vec<_> = rows
                    .iter()
                    .map(|r| normalize_row(HistoryKind::Dialed, r).unwrap())
                    .collect();
                assert_eq!(calls[0].callee, "+74959333223");
                assert_eq!(calls[0].cost, Some(2.48));
                assert_eq!(
                    (calls[0].ring_secs, calls[0].talk_secs, calls[0].total_secs),
                    (5, 119, 124)
                );
                assert!(
                    calls[0].recording_ref.is_none(),
                    "voice_record_exist: false"
                );
                assert_eq!(calls[1].callee, "+79775133876");
                assert_eq!(calls[2].outcome, Outcome::Busy, "0 s with cause 17");
                assert!(
                    calls[0]
                        .details
                        .iter()
                        .any(|d| d.label == "h323_incoming_conf_id")
                );
            }
        } else if let Some(links) = ex.as_array() {
            let got = by_customer
                .record_urls("0000B3A4 55F311E4 A2420025 9062EDC4", RecordFormat::Wav)
                .await
                .unwrap();
            assert_eq!(got.len(), links.len());
            for (u, want) in got.iter().zip(links) {
                assert_eq!(
                    u.as_str(),
                    want.as_str().unwrap(),
                    "links are kept as sent, `%` included"
                );
                assert!(HostAllowList::new(["rc.mtt.ru".into(), "rs.mtt.ru".into()]).allows(u));
            }
            by_customer
                .record_urls("0000B3A4_55F311E4_A2420025_9062EDC4", RecordFormat::Mp3)
                .await
                .unwrap();
        } else {
            panic!("an example of unknown shape: {ex}");
        }
        handled += 1;
    }
    // 2 requests, 2 answers, 3 errors, 2 link lists.
    assert_eq!(handled, 9, "{examples:#?}");
}

#[tokio::test]
async fn the_result_error_form_is_typed() {
    let (base, stub) = serve_stub().await;
    let c = client(&base, Some("1"));
    // The spec's second error form (its text, minus the spec's inline commentary).
    stub.lock().unwrap().answer =
        r#"{"jsonrpc":"2.0","id":"101","result":{"error":1,"error_description":"Side A not clear. Delete before insert"}}"#
            .into();
    let e = c
        .service_history(HistoryKind::Incoming, Utc::now(), Utc::now())
        .await
        .unwrap_err();
    assert!(
        matches!(&e, MttError::Result { message } if message == "Side A not clear. Delete before insert"),
        "{e:?}"
    );
    assert_eq!(e.provider_info().unwrap().code, "result.error");
}
