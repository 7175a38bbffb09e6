//! The simulator over real HTTP on loopback, as callboard's MTT client sees it.

mod audio;

use callboard_sim::{
    CallKind, FailureForm, InjectedFailure, MttSim, RECORD_LIMIT, SimCall, SimOptions,
};
use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("valid time")
        .with_timezone(&Utc)
}

/// A Wednesday noon, so the last days hold both busy and quiet hours.
const NOW: &str = "2026-03-04T12:00:00Z";

async fn sim_at(now: &str) -> MttSim {
    MttSim::start(SimOptions {
        now: Some(at(now)),
        ..SimOptions::default()
    })
    .await
    .expect("simulator starts")
}

fn svc_date(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

struct Client {
    http: reqwest::Client,
    base: String,
    login: String,
    password: String,
}

impl Client {
    fn new(sim: &MttSim) -> Self {
        let account = sim.account();
        Self {
            http: reqwest::Client::new(),
            base: sim.base_url(),
            login: account.login,
            password: account.password,
        }
    }

    async fn rpc_raw(&self, body: &Value) -> (StatusCode, String) {
        let resp = self
            .http
            .post(format!("{}/index.php", self.base))
            .basic_auth(&self.login, Some(&self.password))
            .json(body)
            .send()
            .await
            .expect("request sent");
        let status = resp.status();
        (status, resp.text().await.expect("body read"))
    }

    async fn rpc(&self, body: &Value) -> Value {
        let (status, text) = self.rpc_raw(body).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        serde_json::from_str(&text).expect("JSON body")
    }

    async fn service(
        &self,
        kind: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        extra: Value,
    ) -> Value {
        let mut params = json!({
            "type": kind,
            "customer_name": "110011256",
            "date_from": svc_date(from),
            "date_to": svc_date(to),
            "record_count": 1000,
        });
        if let (Some(p), Some(e)) = (params.as_object_mut(), extra.as_object()) {
            p.extend(e.clone());
        }
        self.rpc(&json!({"jsonrpc": "2.0", "id": "1", "method": "getServiceHistoryByCustomer", "params": params}))
            .await
    }

    async fn get(&self, path_or_url: &str, auth: bool) -> reqwest::Response {
        let url = if path_or_url.starts_with("http") {
            path_or_url.to_string()
        } else {
            format!("{}{}", self.base, path_or_url)
        };
        let mut req = self.http.get(url);
        if auth {
            req = req.basic_auth(&self.login, Some(&self.password));
        }
        req.send().await.expect("request sent")
    }
}

fn rows<'a>(resp: &'a Value, kind: &str) -> &'a Vec<Value> {
    resp["result"][kind]
        .as_array()
        .unwrap_or_else(|| panic!("no {kind} array in {resp}"))
}

/// The rows' call ids, without the padding some of them carry (as in the spec).
fn ids(rows: &[Value]) -> Vec<String> {
    rows.iter()
        .map(|r| {
            r["h323_conf_id"]
                .as_str()
                .unwrap_or_default()
                .trim()
                .to_string()
        })
        .collect()
}

fn assert_string_fields(row: &Value, keys: &[&str]) {
    for k in keys {
        assert!(row[k].is_string(), "{k} should be a string in {row}");
    }
}

#[tokio::test]
async fn spec_get_call_history_example() {
    // The spec's window, with the simulator's clock at the end of that day.
    let sim = sim_at("2019-10-30T23:00:00Z").await;
    let client = Client::new(&sim);
    let resp = client
        .rpc(&json!({
            "id": "3",
            "jsonrpc": "2.0",
            "method": "getCallHistory",
            "params": {
                "sip_id": "74996480000",
                "date_from": "30.10.2019 10:23:35",
                "date_to": "30.10.2019 22:23:35"
            }
        }))
        .await;
    assert_eq!(resp["jsonrpc"], "2.0");
    assert_eq!(resp["id"], "3");
    assert_eq!(resp["result"]["success"], 1);
    assert_eq!(rows(&resp, "callback").len(), 0);
    assert!(resp["result"].get("forwarded").is_none());
    let mut total = 0;
    let mut with_id = 0;
    for kind in ["incoming", "missed", "dialed"] {
        for row in rows(&resp, kind) {
            total += 1;
            assert_string_fields(
                row,
                &[
                    "cli",
                    "clid",
                    "customer_local_time",
                    "connect_time",
                    "charged_time",
                    "destination",
                    "curr",
                    "disconnect_cause",
                    "used_quantity",
                ],
            );
            assert!(row["charged"].is_number());
            assert_eq!(row["curr"], "RUB");
            assert!(row.get("cld").is_none());
            if kind == "dialed" {
                assert_eq!(row["cli"], "74996480000");
            } else {
                assert_eq!(row["clid"], "74996480000");
            }
            if let Some(id) = row.get("h323_conf_id").and_then(Value::as_str) {
                with_id += 1;
                let call = sim
                    .dataset()
                    .find(id.trim())
                    .expect("id of a simulated call");
                assert!(call.has_recording());
            }
        }
    }
    assert!(total > 5, "only {total} rows in a 12-hour window");
    assert!(
        with_id > 0 && with_id < total,
        "{with_id} of {total} rows have ids"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn spec_service_history_example() {
    let sim = sim_at("2017-09-15T00:00:00Z").await;
    let client = Client::new(&sim);
    let resp = client
        .rpc(&json!({
            "jsonrpc": "2.0",
            "id": "1",
            "method": "getServiceHistoryByCustomer",
            "params": {
                "type": "dialed",
                "customer_name": "110011256",
                "date_from": "2017-09-14 16:01:05",
                "date_to": "2017-09-14 16:01:10",
                "record_count": 20
            }
        }))
        .await;
    assert_eq!(resp["id"], "1");
    assert_eq!(resp["result"]["success"], 1);
    assert!(resp["result"]["dialed"].is_array());

    // A whole day of the same account shows the row shape and its quirks.
    let day = client
        .service(
            "dialed",
            at("2017-09-14T00:00:00Z"),
            at("2017-09-14T23:59:59Z"),
            json!({}),
        )
        .await;
    let dialed = rows(&day, "dialed");
    assert!(dialed.len() > 10);
    let mut clid_rows = 0;
    for row in dialed {
        assert_string_fields(
            row,
            &[
                "cli",
                "customer_local_time",
                "connect_time",
                "charged_time",
                "destination",
                "h323_conf_id",
                "h323_incoming_conf_id",
                "curr",
                "setup_time_ms",
                "disconnect_cause",
                "account_id",
                "used_quantity",
            ],
        );
        assert!(row["charged"].is_number());
        assert!(row["voice_record_exist"].is_boolean());
        assert_eq!(row["account_id"], row["cli"]);
        match (row.get("cld"), row.get("clid")) {
            (Some(_), None) => {}
            (None, Some(_)) => clid_rows += 1,
            _ => panic!("exactly one of cld/clid expected in {row}"),
        }
        let id = row["h323_conf_id"].as_str().unwrap_or_default().trim();
        assert_eq!(id.len(), 35);
        assert_eq!(id.split(' ').count(), 4);
    }
    assert!(clid_rows > 0 && clid_rows < dialed.len());
    sim.shutdown().await;
}

#[tokio::test]
async fn auth_is_enforced() {
    let sim = sim_at(NOW).await;
    let http = reqwest::Client::new();
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "getCallHistory", "params": {"sip_id": "74996480000"}});
    let url = format!("{}/index.php", sim.base_url());
    for auth in [None, Some("wrong")] {
        let mut req = http.post(&url).json(&body);
        if let Some(pw) = auth {
            req = req.basic_auth("110011256", Some(pw));
        }
        let resp = req.send().await.expect("request sent");
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
        let challenge = resp
            .headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(challenge.starts_with("Basic"), "{challenge}");
    }
    let resp = http
        .get(format!(
            "{}/v1/records/00000000_00000000_00000000_00000000/urls",
            sim.base_url()
        ))
        .send()
        .await
        .expect("request sent");
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(sim.request_count("getCallHistory"), 0);
    sim.shutdown().await;
}

#[tokio::test]
async fn protocol_and_param_errors() {
    let sim = sim_at(NOW).await;
    let client = Client::new(&sim);
    let call = |method: &str, params: Value| json!({"jsonrpc": "2.0", "id": 42, "method": method, "params": params});

    let resp = client.rpc(&call("getBalance", json!({}))).await;
    assert_eq!(resp["error"]["code"], -32601);
    assert_eq!(resp["id"], 42);

    let resp = client
        .http
        .post(format!("{}/index.php", client.base))
        .basic_auth(&client.login, Some(&client.password))
        .body("{not json")
        .send()
        .await
        .expect("request sent");
    let resp: Value = resp.json().await.expect("JSON body");
    assert_eq!(resp["error"]["code"], -32700);

    let base = json!({"type": "incoming", "customer_name": "110011256", "date_from": "2026-03-04 10:00:00", "date_to": "2026-03-04 11:00:00", "record_count": 10});
    let with = |k: &str, v: Value| {
        let mut p = base.clone();
        p[k] = v;
        call("getServiceHistoryByCustomer", p)
    };
    let resp = client.rpc(&with("date_from", json!("yesterday"))).await;
    assert_eq!(
        resp["error"],
        json!({"code": -32602, "message": "Invalid params", "data": "Invalid begin date"})
    );
    let resp = client
        .rpc(&with("date_to", json!("2026-13-40 10:00:00")))
        .await;
    assert_eq!(resp["error"]["data"], "Invalid end date");
    let resp = client
        .rpc(&with("date_from", json!("2026-03-04 12:00:00")))
        .await;
    assert_eq!(resp["error"]["data"], "Invalid begin date");
    let resp = client.rpc(&with("customer_name", json!("999"))).await;
    assert_eq!(resp["error"]["code"], -32002);
    assert_eq!(resp["error"]["message"], "Permission denied");
    let resp = client.rpc(&with("type", json!("callback"))).await;
    assert_eq!(resp["error"]["code"], -32602);
    let resp = client.rpc(&with("record_count", json!("lots"))).await;
    assert_eq!(resp["error"]["code"], -32602);
    // Absurd but well-formed dates are simply an empty-or-capped window.
    let resp = client
        .rpc(&with("date_from", json!("0001-01-01 00:00:00")))
        .await;
    assert_eq!(resp["result"]["success"], 1);
    let resp = client
        .rpc(&call(
            "getCallHistory",
            json!({"sip_id": "74996480001", "date_to": "31.12.9999 23:59:59"}),
        ))
        .await;
    assert_eq!(resp["result"]["success"], 1);
    // The spec's "HH24:Mi-SS" spelling is accepted.
    let resp = client
        .rpc(&with("date_to", json!("2026-03-04 11:00-00")))
        .await;
    assert_eq!(resp["result"]["success"], 1);

    let resp = client
        .rpc(&call("getCallHistory", json!({"sip_id": "70000000000"})))
        .await;
    assert_eq!(
        resp["error"],
        json!({"code": -32001, "message": "Data not found", "data": "No data found"})
    );
    let resp = client
        .rpc(&call(
            "getCallHistory",
            json!({"sip_id": "74996480000", "date_from": "2026-03-04"}),
        ))
        .await;
    assert_eq!(resp["error"]["data"], "Invalid begin date");
    sim.shutdown().await;
}

#[tokio::test]
async fn cap_of_1000_is_exact_and_narrow_windows_are_complete() {
    let sim = sim_at(NOW).await;
    let client = Client::new(&sim);
    let now = at(NOW);
    let from = now - Duration::days(28);
    let expected: Vec<SimCall> = sim
        .dataset()
        .calls(from, now + Duration::seconds(1), now)
        .into_iter()
        .filter(|c| c.kind == CallKind::Incoming)
        .collect();
    assert!(expected.len() > RECORD_LIMIT);

    let wide = client
        .service("incoming", from, now, json!({"record_count": 5000}))
        .await;
    let wide_rows = rows(&wide, "incoming");
    assert_eq!(wide_rows.len(), RECORD_LIMIT);
    let want: Vec<String> = expected[..RECORD_LIMIT]
        .iter()
        .map(|c| c.h323_conf_id.clone())
        .collect();
    assert_eq!(ids(wide_rows), want, "newest 1000, newest first");
    let padded = wide_rows
        .iter()
        .filter(|r| {
            r["h323_conf_id"]
                .as_str()
                .is_some_and(|id| id.starts_with(' '))
        })
        .count();
    assert!(
        padded > 0 && padded < RECORD_LIMIT,
        "some ids come padded, as in the spec: {padded}"
    );

    let asc = client
        .service(
            "incoming",
            from,
            now,
            json!({"order": "asc", "record_count": 7}),
        )
        .await;
    let want: Vec<String> = expected
        .iter()
        .rev()
        .take(7)
        .map(|c| c.h323_conf_id.clone())
        .collect();
    assert_eq!(ids(rows(&asc, "incoming")), want, "oldest first");

    let narrow_from = now - Duration::hours(3);
    let narrow = client
        .service("incoming", narrow_from, now, json!({}))
        .await;
    let want: Vec<String> = expected
        .iter()
        .filter(|c| c.connect_time >= narrow_from)
        .map(|c| c.h323_conf_id.clone())
        .collect();
    assert!(!want.is_empty());
    assert_eq!(ids(rows(&narrow, "incoming")), want);
    sim.shutdown().await;
}

#[tokio::test]
async fn same_window_twice_is_identical_and_halves_make_the_whole() {
    let sim = sim_at(NOW).await;
    let client = Client::new(&sim);
    let (from, to) = (at("2026-03-03T06:00:00Z"), at("2026-03-03T18:00:00Z"));
    let body = json!({"jsonrpc": "2.0", "id": "7", "method": "getServiceHistoryByCustomer",
        "params": {"type": "dialed", "customer_name": "110011256", "date_from": svc_date(from),
                   "date_to": svc_date(to), "record_count": 1000}});
    let (_, first) = client.rpc_raw(&body).await;
    let (_, second) = client.rpc_raw(&body).await;
    assert_eq!(first, second);

    let whole = client.service("dialed", from, to, json!({})).await;
    let whole = ids(rows(&whole, "dialed"));
    assert!(whole.len() > 10 && whole.len() < RECORD_LIMIT);
    let mid = at("2026-03-03T11:37:13Z");
    let older = client.service("dialed", from, mid, json!({})).await;
    let newer = client
        .service("dialed", mid + Duration::seconds(1), to, json!({}))
        .await;
    let mut union = ids(rows(&newer, "dialed"));
    union.extend(ids(rows(&older, "dialed")));
    assert_eq!(union, whole);
    assert_eq!(sim.request_count("getServiceHistoryByCustomer"), 5);
    sim.shutdown().await;
}

#[tokio::test]
async fn filter_matches_last_digits() {
    let sim = sim_at(NOW).await;
    let client = Client::new(&sim);
    let now = at(NOW);
    let from = now - Duration::days(7);
    let calls = sim.dataset().calls(from, now, now);
    // The most frequent client's last four digits.
    let mut counts = std::collections::HashMap::new();
    for c in calls.iter().filter(|c| c.kind == CallKind::Incoming) {
        *counts.entry(c.client_number.clone()).or_insert(0) += 1;
    }
    let (number, _) = counts
        .into_iter()
        .max_by_key(|(n, k)| (*k, n.clone()))
        .expect("some incoming calls");
    let suffix = &number[number.len() - 4..];
    let resp = client
        .service("incoming", from, now, json!({"filter": suffix}))
        .await;
    let got = rows(&resp, "incoming");
    assert!(got.len() >= 2, "{} rows for {suffix}", got.len());
    for row in got {
        let cli = row["cli"].as_str().unwrap_or_default();
        let callee = row
            .get("cld")
            .or(row.get("clid"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        assert!(cli.contains(suffix) || callee.contains(suffix));
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn call_history_defaults_to_last_half_hour() {
    let sim = sim_at(NOW).await;
    let client = Client::new(&sim);
    let now = at(NOW);
    let resp = client
        .rpc(&json!({"jsonrpc": "2.0", "id": 1, "method": "getCallHistory", "params": {"sip_id": "74996480000"}}))
        .await;
    let expected = sim
        .dataset()
        .calls(now - Duration::minutes(30), now + Duration::seconds(1), now)
        .into_iter()
        .filter(|c| c.sip_id == "74996480000" && c.kind != CallKind::Forwarded)
        .count();
    let got: usize = ["incoming", "missed", "dialed"]
        .iter()
        .map(|k| rows(&resp, k).len())
        .sum();
    assert_eq!(got, expected);
    sim.shutdown().await;
}

#[tokio::test]
async fn injected_failures_in_all_three_forms() {
    let sim = sim_at(NOW).await;
    let client = Client::new(&sim);
    let now = at(NOW);
    let request = json!({"jsonrpc": "2.0", "id": "9", "method": "getServiceHistoryByCustomer",
        "params": {"type": "missed", "customer_name": "110011256", "date_from": svc_date(now - Duration::hours(1)),
                   "date_to": svc_date(now), "record_count": 10}});

    // Armed over HTTP, as an out-of-process client would.
    let armed = client
        .http
        .post(format!("{}/_sim/fail", client.base))
        .json(&json!({"method": "getServiceHistoryByCustomer", "form": "rpc", "code": -32603, "message": "Internal error", "times": 2}))
        .send()
        .await
        .expect("request sent");
    assert_eq!(armed.status(), StatusCode::OK);
    for _ in 0..2 {
        let resp = client.rpc(&request).await;
        assert_eq!(resp["id"], "9");
        assert_eq!(resp["error"]["code"], -32603);
        assert_eq!(resp["error"]["message"], "Internal error");
    }
    assert_eq!(client.rpc(&request).await["result"]["success"], 1);

    sim.fail_next(InjectedFailure {
        method: "getServiceHistoryByCustomer".into(),
        form: FailureForm::Result,
        code: 0,
        message: "Service temporarily unavailable".into(),
        times: 1,
    });
    let resp = client.rpc(&request).await;
    assert_eq!(
        resp["result"],
        json!({"error": 1, "message": "Service temporarily unavailable"})
    );

    sim.fail_next(InjectedFailure {
        method: "getServiceHistoryByCustomer".into(),
        form: FailureForm::Http,
        code: 503,
        message: "Service Unavailable".into(),
        times: 1,
    });
    let (status, body) = client.rpc_raw(&request).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body, "Service Unavailable");
    assert_eq!(client.rpc(&request).await["result"]["success"], 1);

    let bad = client
        .http
        .post(format!("{}/_sim/fail", client.base))
        .json(&json!({"method": "x", "form": "http", "code": -1}))
        .send()
        .await
        .expect("request sent");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);

    let stats: Value = client
        .get("/_sim/stats", false)
        .await
        .json()
        .await
        .expect("JSON body");
    assert_eq!(stats["requests"]["getServiceHistoryByCustomer"], 6);
    assert_eq!(sim.request_count("getServiceHistoryByCustomer"), 6);
    sim.shutdown().await;
}

fn rms(samples: &[i16]) -> f64 {
    let sum: f64 = samples.iter().map(|&s| f64::from(s).powi(2)).sum();
    (sum / samples.len().max(1) as f64).sqrt()
}

/// Fetches one audio link and decodes it; the Content-Type must say what the bytes are.
async fn fetch_audio(client: &Client, url: &str) -> audio::Decoded {
    let resp = client.get(url, false).await;
    assert_eq!(resp.status(), StatusCode::OK, "{url}");
    let mime = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let declared = resp.content_length();
    let bytes = resp.bytes().await.expect("body read");
    assert_eq!(declared, Some(bytes.len() as u64));
    let decoded = audio::decode(bytes.to_vec());
    let want_mime = match decoded.codec {
        audio::Codec::Mp3 => "audio/mpeg",
        _ => "audio/wav",
    };
    assert_eq!(mime.as_deref(), Some(want_mime), "{url}");
    assert_eq!(decoded.sample_rate, 8000);
    assert_eq!(decoded.channels, 1);
    let n = decoded.samples.len();
    assert!(n >= 3 * 8000, "{n} samples");
    assert!(
        rms(&decoded.samples) > 500.0,
        "rms {}",
        rms(&decoded.samples)
    );
    decoded
}

/// A WAV link's samples (PCM, A-law or µ-law).
async fn fetch_wav(client: &Client, url: &str) -> Vec<i16> {
    let decoded = fetch_audio(client, url).await;
    assert_ne!(decoded.codec, audio::Codec::Mp3, "{url}");
    decoded.samples
}

#[tokio::test]
async fn recordings_links_and_audio() {
    let sim = sim_at(NOW).await;
    let client = Client::new(&sim);
    let now = at(NOW);
    let calls = sim.dataset().calls(now - Duration::days(3), now, now);
    let multi = calls
        .iter()
        .find(|c| c.recording_parts >= 2)
        .expect("a multi-part recording");
    let single = calls
        .iter()
        .find(|c| c.recording_parts == 1)
        .expect("a single-part recording");
    let unrecorded = calls
        .iter()
        .find(|c| !c.has_recording())
        .expect("an unrecorded call");

    let rid = multi.record_id();
    let links: Vec<String> = client
        .get(&format!("/v1/records/{rid}/urls"), true)
        .await
        .json()
        .await
        .expect("JSON list");
    let want: Vec<String> = (1..=multi.recording_parts)
        .map(|n| format!("{}/%/{rid}_{n}.wav", sim.base_url()))
        .collect();
    assert_eq!(links, want);
    let mut parts = Vec::new();
    for link in &links {
        parts.push(fetch_wav(&client, link).await);
    }
    assert_ne!(parts[0], parts[1], "parts should sound different");
    // Same link, same bytes.
    assert_eq!(fetch_wav(&client, &links[0]).await, parts[0]);

    // The id with spaces percent-encoded works too.
    let spaced = multi.h323_conf_id.replace(' ', "%20");
    let again: Vec<String> = client
        .get(&format!("/v1/records/{spaced}/urls"), true)
        .await
        .json()
        .await
        .expect("JSON list");
    assert_eq!(again, links);

    let srid = single.record_id();
    let links: Vec<String> = client
        .get(&format!("/v1/records/{srid}/urls"), true)
        .await
        .json()
        .await
        .expect("JSON list");
    assert_eq!(links.len(), 1);
    let pairs: Vec<String> = srid
        .replace('_', "")
        .as_bytes()
        .chunks(2)
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    assert_eq!(
        links[0],
        format!(
            "{}/110011256/{}/{srid}_1.wav",
            sim.base_url(),
            pairs.join("/")
        )
    );
    fetch_wav(&client, &links[0]).await;

    let mp3: Vec<String> = client
        .get(&format!("/v2/records/{rid}/urls?format=mp3"), true)
        .await
        .json()
        .await
        .expect("JSON list");
    assert_eq!(mp3.len(), links_len(multi));
    assert!(mp3.iter().all(|l| l.ends_with(".mp3")));
    let decoded = fetch_audio(&client, &mp3[0]).await;
    assert_eq!(decoded.codec, audio::Codec::Mp3);
    // The same speech as the WAV, give or take the encoder's padding.
    let secs = |n: usize| n as f64 / 8000.0;
    assert!((secs(decoded.samples.len()) - secs(parts[0].len())).abs() < 0.2);

    // WAV links come in each of the three encodings providers use.
    let mut seen = std::collections::HashSet::new();
    let mut listed = 0;
    for call in calls.iter().filter(|c| c.has_recording()).take(60) {
        let rid = call.record_id();
        let links: Vec<String> = client
            .get(&format!("/v1/records/{rid}/urls"), true)
            .await
            .json()
            .await
            .expect("JSON list");
        listed += 1;
        seen.insert(fetch_audio(&client, &links[0]).await.codec);
    }
    let want = [audio::Codec::Pcm16, audio::Codec::ALaw, audio::Codec::MuLaw];
    assert_eq!(seen, want.into_iter().collect());
    let resp = client
        .get(&format!("/v2/records/{rid}/urls?format=wav"), true)
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);

    for id in [
        unrecorded.record_id(),
        "00000000_00000000_00000000_00000000".to_string(),
        "not-an-id".to_string(),
    ] {
        let resp = client.get(&format!("/v1/records/{id}/urls"), true).await;
        assert_eq!(resp.status(), StatusCode::NOT_FOUND);
        let body: Value = resp.json().await.expect("JSON body");
        assert_eq!(body, json!({"error": "record not found"}));
    }
    let resp = client
        .get(
            &format!("/%/{rid}_{}.wav", multi.recording_parts + 1),
            false,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);

    sim.fail_next(InjectedFailure {
        method: "records_file".into(),
        form: FailureForm::Http,
        code: 502,
        message: "Bad Gateway".into(),
        times: 1,
    });
    let resp = client.get(&format!("/%/{rid}_1.wav"), false).await;
    assert_eq!(resp.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(sim.request_count("records_urls"), 8 + listed);
    sim.shutdown().await;
}

fn links_len(call: &SimCall) -> usize {
    call.recording_parts as usize
}

#[tokio::test]
async fn shutdown_releases_the_port() {
    let sim = sim_at(NOW).await;
    let addr = sim.addr();
    sim.shutdown().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
