//! The Beeline simulator over real HTTP on loopback, spoken to with a bare HTTP client.

use callboard_sim::beeline::{
    BEELINE_SIM_LOGIN, CDR_FILE, CDR_HEADER, RECORDING, SPEC_ERRORS, SpecExample,
};
use callboard_sim::{BeelineSim, BeelineSimOptions, SIM_PASSWORD};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Europe::Moscow;
use reqwest::multipart::Form;
use serde_json::{Value, json};

const NOW: &str = "2026-03-04T12:00:00Z";

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn moscow(t: DateTime<Utc>) -> String {
    t.with_timezone(&Moscow)
        .format("%Y%m%d %H:%M:%S")
        .to_string()
}

async fn sim(not_ready_polls: u32) -> BeelineSim {
    BeelineSim::start(BeelineSimOptions {
        now: Some(at(NOW)),
        not_ready_polls,
        ..Default::default()
    })
    .await
    .unwrap()
}

struct Raw {
    http: reqwest::Client,
    base: String,
}

impl Raw {
    fn new(sim: &BeelineSim) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: sim.base_url(),
        }
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> (u16, String) {
        let resp = req.send().await.unwrap();
        (resp.status().as_u16(), resp.text().await.unwrap())
    }

    async fn form(&self, api_form: &str) -> (u16, String) {
        let form = Form::new().text("api_form", api_form.to_string());
        self.send(
            self.http
                .post(format!("{}/api/request", self.base))
                .basic_auth(BEELINE_SIM_LOGIN, Some(SIM_PASSWORD))
                .multipart(form),
        )
        .await
    }

    async fn command(&self, cmd: Value) -> (u16, Value) {
        let (status, body) = self.form(&cmd.to_string()).await;
        (status, serde_json::from_str(&body).unwrap())
    }

    async fn download(&self, url: &str) -> (u16, Vec<u8>) {
        let resp = self
            .http
            .get(url)
            .basic_auth(BEELINE_SIM_LOGIN, Some(SIM_PASSWORD))
            .send()
            .await
            .unwrap();
        (resp.status().as_u16(), resp.bytes().await.unwrap().to_vec())
    }
}

fn err_code(v: &Value) -> (&str, &str) {
    assert_eq!(v["STATUS"], "ERROR", "{v}");
    (
        v["ERR_CODE"].as_str().unwrap(),
        v["ERR_DESCRIPTION"].as_str().unwrap(),
    )
}

#[tokio::test]
async fn anything_but_an_api_form_is_refused_with_the_spec_errors() {
    let sim = sim(0).await;
    let raw = Raw::new(&sim);
    let url = format!("{}/api/request", sim.base_url());
    let auth = |r: reqwest::RequestBuilder| r.basic_auth(BEELINE_SIM_LOGIN, Some(SIM_PASSWORD));

    let (status, body) = raw
        .send(auth(raw.http.post(&url)).json(&json!({"Command": "STATCDR"})))
        .await;
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!((status, err_code(&body).0), (400, "400.7"));

    let (status, body) = raw
        .send(auth(raw.http.post(&url)).multipart(Form::new().text("api form", "{}")))
        .await;
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (status, err_code(&body)),
        (400, ("400.8", "Bad Content (No Form part)"))
    );

    let (status, body) = raw
        .send(
            auth(raw.http.post(&url))
                .header("content-type", "multipart/form-data; boundary=xyz")
                .body("garbage"),
        )
        .await;
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (status, err_code(&body)),
        (400, ("400.8", "Bad Content (Incorrect Form)"))
    );

    let (_, body) = raw.form("{not json").await;
    assert_eq!(err_code(&serde_json::from_str(&body).unwrap()).0, "400.2");
    let (_, body) = raw.command(json!({"CDRID": "1"})).await;
    assert_eq!(err_code(&body).0, "400.6");
    let (status, body) = raw.command(json!({"Command": "NOPE"})).await;
    assert_eq!((status, err_code(&body).0), (501, "501.1"));
    let (_, body) = raw
        .form(&"x".repeat(callboard_sim::beeline::MAX_FORM_BYTES + 1))
        .await;
    assert_eq!(err_code(&serde_json::from_str(&body).unwrap()).0, "413.1");

    let (status, body) = raw
        .send(
            raw.http
                .post(&url)
                .basic_auth(BEELINE_SIM_LOGIN, Some("wrong"))
                .multipart(Form::new().text("api_form", r#"{"Command":"STATCDR"}"#)),
        )
        .await;
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (status, err_code(&body)),
        (401, ("401.1", "Unknown UserName or Password"))
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_job_is_not_ready_then_ready_and_its_file_is_the_dataset() {
    let sim = sim(2).await;
    let raw = Raw::new(&sim);
    let now = at(NOW);
    let (from, to) = (now - Duration::hours(30), now - Duration::hours(2));
    let (status, answer) = raw
        .command(json!({"Command": "REQCDR", "ConfData": {"DT_BEGIN": moscow(from), "DT_END": moscow(to)}}))
        .await;
    assert_eq!(status, 200, "{answer}");
    let id = answer["CDRID"].as_str().unwrap().to_string();
    let stat = json!({"Command": "STATCDR", "CDRID": id});
    for _ in 0..2 {
        let (_, a) = raw.command(stat.clone()).await;
        assert_eq!(a["ConfData"]["STATUS"], "NOT READY", "with a space");
    }
    let (_, a) = raw.command(stat.clone()).await;
    assert_eq!(a["ConfData"]["STATUS"], "READY");
    assert_eq!(a["ConfData"]["CDRID"], id.as_str());
    let (status, file) = raw.download(a["ConfData"]["URL"].as_str().unwrap()).await;
    assert_eq!(status, 200);

    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(file.as_slice());
    assert_eq!(reader.headers().unwrap(), CDR_HEADER.as_slice());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let want = sim.dataset().calls_ended(from, to, now);
    assert!(want.len() > 50);
    assert_eq!(rows.len(), want.len());
    for (row, call) in rows.iter().zip(&want) {
        assert_eq!(&row[0], call.call_id);
        assert_eq!(&row[2], moscow(call.end), "DT_END is Moscow time");
    }
    assert_eq!(sim.request_count("STATCDR"), 3);
    assert_eq!(sim.request_count(CDR_FILE), 1);

    // A recorded call's link plays; an unrecorded one is not there.
    let recorded = rows.iter().find(|r| !r[9].is_empty()).unwrap();
    let (status, wav) = raw.download(&recorded[9]).await;
    assert_eq!((status, &wav[..4]), (200, b"RIFF".as_slice()));
    let silent = rows.iter().find(|r| r[9].is_empty()).unwrap();
    let (status, body) = raw
        .download(&format!(
            "{}/api/download?record={}",
            sim.base_url(),
            &silent[0]
        ))
        .await;
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!((status, err_code(&body).0), (404, "404.113"));
    let (_, body) = raw
        .download(&format!("{}/api/download", sim.base_url()))
        .await;
    assert_eq!(
        err_code(&serde_json::from_slice(&body).unwrap()).0,
        "404.112"
    );
    assert_eq!(sim.request_count(RECORDING), 2);

    // Expired: no file any more.
    assert!(sim.expire_job(&id));
    let (_, a) = raw.command(stat).await;
    assert_eq!(a["ConfData"]["STATUS"], "EXPIRED");
    let (status, _) = raw
        .download(&format!("{}/api/download?cdrid={id}", sim.base_url()))
        .await;
    assert_eq!(status, 404);
    sim.shutdown().await;
}

#[tokio::test]
async fn listed_numbers_merge_their_windows_and_bad_input_is_typed() {
    let sim = sim(0).await;
    let raw = Raw::new(&sim);
    let now = at(NOW);
    let num = "74957850001";
    let (a, b, c) = (
        now - Duration::hours(20),
        now - Duration::hours(15),
        now - Duration::hours(10),
    );
    // 4.13.4: the same number twice is asked for once, over the widest window.
    let (_, answer) = raw
        .command(json!({"Command": "REQCDR", "ConfData": [
            {"BNumber": [num], "DateFrom": moscow(a), "DateTo": moscow(b)},
            {"BNumber": ["8 495 785-00-01"], "DateFrom": moscow(b), "DateTo": moscow(c)},
        ]}))
        .await;
    let id = answer["CDRID"].as_str().unwrap();
    let (_, st) = raw
        .command(json!({"Command": "STATCDR", "CDRID": id}))
        .await;
    let (_, file) = raw.download(st["ConfData"]["URL"].as_str().unwrap()).await;
    let rows = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(file.as_slice())
        .records()
        .count();
    let want = sim
        .dataset()
        .calls_ended(a, c, now)
        .into_iter()
        .filter(|x| x.our_number == num)
        .count();
    assert!(want > 0);
    assert_eq!(rows, want);

    let reqcdr = |conf: Value| json!({"Command": "REQCDR", "ConfData": conf});
    for (conf, code) in [
        (
            json!({"DT_BEGIN": "2026-03-01", "DT_END": "20260302"}),
            "400.3",
        ),
        (
            json!({"DT_BEGIN": "20260231", "DT_END": "20260302"}),
            "400.4",
        ),
        (
            json!({"DT_BEGIN": "20260303", "DT_END": "20260302 10:00"}),
            "400.4",
        ),
        (
            json!([{"BNumber": ["79990000000"], "DateFrom": "20260301", "DateTo": "20260302"}]),
            "404.100",
        ),
        (
            json!([{"BNumber": [], "DateFrom": "20260301", "DateTo": "20260302"}]),
            "404.110",
        ),
        (json!("all"), "400.1"),
    ] {
        let (_, body) = raw.command(reqcdr(conf.clone())).await;
        assert_eq!(err_code(&body).0, code, "{conf}");
    }
    let (_, body) = raw.command(json!({"Command": "STATCDR"})).await;
    assert_eq!(err_code(&body).0, "404.111");
    let (_, body) = raw
        .command(json!({"Command": "STATCDR", "CDRID": "nope"}))
        .await;
    assert_eq!(err_code(&body).0, "404.106");
    sim.shutdown().await;
}

#[tokio::test]
async fn the_spec_examples_are_served_and_its_requests_answered() {
    let sim = sim(0).await;
    let raw = Raw::new(&sim);
    // Its requests, as printed: placeholders are not dates, `..."` is not JSON.
    let (status, body) = raw.form(SpecExample::ReqcdrAll.text()).await;
    assert_eq!(status, 400);
    assert_eq!(err_code(&serde_json::from_str(&body).unwrap()).0, "400.3");
    let (_, body) = raw.form(SpecExample::ReqcdrByNumbers.text()).await;
    assert_eq!(err_code(&serde_json::from_str(&body).unwrap()).0, "400.2");
    // The STATCDR example's id gets the STATCDR example answer, byte for byte.
    let (status, body) = raw.form(SpecExample::StatcdrRequest.text()).await;
    assert_eq!(
        (status, body.as_str()),
        (200, SpecExample::StatcdrAnswer.text())
    );
    // Armed: the REQCDR answer and the error body, byte for byte.
    sim.serve_example_next("REQCDR", SpecExample::ReqcdrAnswer, 1);
    sim.serve_example_next("REQCDR", SpecExample::ErrorBody, 1);
    let (status, body) = raw.form(SpecExample::ReqcdrAll.text()).await;
    assert_eq!(
        (status, body.as_str()),
        (200, "{\n\n\"CDRID\":\"cdrid\"\n}")
    );
    let (status, body) = raw.form(SpecExample::ReqcdrAll.text()).await;
    assert_eq!(
        (status, body.as_str()),
        (400, SpecExample::ErrorBody.text())
    );
    assert_eq!(sim.received_forms()[0], SpecExample::ReqcdrAll.text());
    sim.shutdown().await;
}

#[tokio::test]
async fn every_row_of_the_error_table_can_be_armed() {
    let sim = sim(0).await;
    let raw = Raw::new(&sim);
    assert_eq!(SPEC_ERRORS.len(), 38);
    for row in SPEC_ERRORS {
        sim.fail_next("STATCDR", row, 1);
        let (status, body) = raw
            .command(json!({"Command": "STATCDR", "CDRID": "x"}))
            .await;
        assert_eq!(err_code(&body), (row.code, row.text));
        assert_eq!(body["COMMAND"], "STATCDR");
        assert_eq!(status, row.http_status().as_u16());
    }
    // Spent: the next call is answered normally (an unknown id).
    let (_, body) = raw
        .command(json!({"Command": "STATCDR", "CDRID": "x"}))
        .await;
    assert_eq!(err_code(&body).0, "404.106");
    sim.shutdown().await;
}

#[tokio::test]
async fn loopback_can_be_trusted_by_ip() {
    let sim = BeelineSim::start(BeelineSimOptions {
        now: Some(at(NOW)),
        trust_loopback: true,
        ..Default::default()
    })
    .await
    .unwrap();
    let resp = reqwest::Client::new()
        .post(format!("{}/api/request", sim.base_url()))
        .multipart(Form::new().text("api_form", r#"{"Command":"STATCDR","CDRID":"nope"}"#))
        .send()
        .await
        .unwrap();
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        err_code(&body).0,
        "404.106",
        "authorized, then refused the id"
    );
    sim.shutdown().await;
}
