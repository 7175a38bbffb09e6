//! Beeline call history end to end: the real client against the Beeline simulator over
//! loopback HTTP — the CDR job (REQCDR → STATCDR → download), its NOT READY and EXPIRED
//! paths, every error of the spec's table, the spec's own examples, both kinds of
//! authentication, and recordings.

use std::time::Duration as StdDuration;

use callboard_model::{Direction, NewCall, Outcome, normalize_phone};
use callboard_providers::beeline::{
    ApiErrorCode, BeelineAuth, BeelineClient, BeelineError, BeelineSettings, CdrStatus,
    MAX_JOB_REQUESTS,
};
use callboard_providers::{ErrorKind, HostAllowList, ProviderError};
use callboard_sim::beeline::{
    BEELINE_SIM_LOGIN, BeelineCall, BeelineDirection, BeelineStatus, CDR_FILE, OUR_NUMBERS,
    RECORDING, SPEC_ERRORS, SpecExample,
};
use callboard_sim::{BeelineSim, BeelineSimOptions, SIM_PASSWORD};
use chrono::{DateTime, Duration, Utc};
use secrecy::SecretString;
use serde_json::Value;
use url::Url;

/// A Wednesday noon (UTC), so the window holds busy and quiet hours.
const NOW: &str = "2026-03-04T12:00:00Z";

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// The spec as shipped with the repo; where the providers' documents sit beside the
/// repo, it must be their copy.
fn spec_text() -> String {
    let text = callboard_system_tests::spec_fixture("beeline-cloudcc.md");
    assert_eq!(
        text,
        callboard_sim::beeline::SPEC,
        "the simulator serves the same spec"
    );
    text
}

async fn sim_with(opts: BeelineSimOptions) -> BeelineSim {
    BeelineSim::start(BeelineSimOptions {
        now: Some(at(NOW)),
        ..opts
    })
    .await
    .expect("simulator starts")
}

async fn sim() -> BeelineSim {
    sim_with(BeelineSimOptions::default()).await
}

fn basic(password: &str) -> BeelineAuth {
    BeelineAuth::Basic {
        login: BEELINE_SIM_LOGIN.into(),
        password: SecretString::from(password.to_string()),
    }
}

fn client_with(sim: &BeelineSim, auth: BeelineAuth) -> BeelineClient {
    let mut settings = BeelineSettings::new(sim.base_url().parse().unwrap(), auth);
    settings.timeout = StdDuration::from_secs(10);
    BeelineClient::new(settings).unwrap()
}

fn client(sim: &BeelineSim) -> BeelineClient {
    client_with(sim, basic(SIM_PASSWORD))
}

/// What the client should make of one of the simulator's calls.
fn expected(sim: &BeelineSim, c: &BeelineCall) -> NewCall {
    let total = (c.end - c.begin).num_seconds() as u32;
    NewCall {
        provider_call_id: c.call_id.clone(),
        direction: match c.direction {
            BeelineDirection::In => Direction::Incoming,
            BeelineDirection::Out => Direction::Outgoing,
        },
        outcome: match c.status {
            BeelineStatus::Answered => Outcome::Answered,
            BeelineStatus::NoAnswer => Outcome::Missed,
            BeelineStatus::Busy => Outcome::Busy,
            BeelineStatus::Failed => Outcome::Failed,
        },
        caller: normalize_phone(&c.a_number),
        callee: normalize_phone(&c.b_number),
        started_at: c.begin,
        ring_secs: total - c.talk_secs,
        talk_secs: c.talk_secs,
        total_secs: total,
        cost: None,
        currency: None,
        recording_ref: c
            .recorded
            .then(|| format!("{}/api/download?record={}", sim.base_url(), c.call_id)),
        details: Vec::new(),
    }
}

fn without_details(calls: &[NewCall]) -> Vec<NewCall> {
    calls
        .iter()
        .map(|c| NewCall {
            details: Vec::new(),
            ..c.clone()
        })
        .collect()
}

const NO_WAIT: StdDuration = StdDuration::ZERO;

#[tokio::test]
async fn a_full_fetch_equals_the_simulated_history_of_the_window() {
    let sim = sim().await;
    let c = client(&sim);
    let now = at(NOW);
    let (from, to) = (now - Duration::days(3), now - Duration::hours(1));
    let got = c.fetch_calls(from, to, &[], NO_WAIT, 5).await.unwrap();
    let want: Vec<NewCall> = sim
        .dataset()
        .calls_started(from, to, now)
        .iter()
        .map(|x| expected(&sim, x))
        .collect();
    assert!(want.len() > 200, "{}", want.len());
    let mut got_sorted = without_details(&got);
    got_sorted.sort_by(|a, b| a.provider_call_id.cmp(&b.provider_call_id));
    let mut want_sorted = want.clone();
    want_sorted.sort_by(|a, b| a.provider_call_id.cmp(&b.provider_call_id));
    assert_eq!(got_sorted, want_sorted);
    // Every kind of call came through, numbers in E.164, extras kept as details.
    for o in [
        Outcome::Answered,
        Outcome::Missed,
        Outcome::Busy,
        Outcome::Failed,
    ] {
        assert!(got.iter().any(|x| x.outcome == o), "{o:?}");
    }
    assert!(
        got.iter()
            .all(|x| x.caller.starts_with("+7") && x.callee.starts_with("+7"))
    );
    assert!(got.iter().any(|x| x.direction == Direction::Outgoing));
    assert!(
        got.iter()
            .all(|x| x.details.iter().any(|d| d.label == "STATUS"))
    );
    assert!(
        got.iter()
            .any(|x| x.details.iter().any(|d| d.label == "RNUMBER"))
    );
    assert_eq!(sim.request_count("REQCDR"), 1);

    // Listed numbers (4.13.1): only their calls.
    let ours = vec![OUR_NUMBERS[2].to_string()];
    let got = c.fetch_calls(from, to, &ours, NO_WAIT, 5).await.unwrap();
    let want: Vec<&NewCall> = want_sorted
        .iter()
        .filter(|x| {
            x.caller.ends_with(&OUR_NUMBERS[2][1..]) || x.callee.ends_with(&OUR_NUMBERS[2][1..])
        })
        .collect();
    assert!(!want.is_empty());
    assert_eq!(got.len(), want.len());
    sim.shutdown().await;
}

#[tokio::test]
async fn a_call_that_starts_in_the_window_and_ends_after_it_is_not_lost() {
    let sim = sim().await;
    let c = client(&sim);
    let now = at(NOW);
    // A long call; the window ends the second it starts, so its DT_END lies outside.
    let long = sim
        .dataset()
        .calls_started(now - Duration::days(2), now - Duration::hours(2), now)
        .into_iter()
        .max_by_key(|x| x.end - x.begin)
        .unwrap();
    assert!(long.end - long.begin > Duration::seconds(60));
    let got = c
        .fetch_calls(long.begin - Duration::hours(1), long.begin, &[], NO_WAIT, 5)
        .await
        .unwrap();
    assert!(got.iter().any(|x| x.provider_call_id == long.call_id));
    // And one that started a second after the window is left to the next window.
    let got = c
        .fetch_calls(
            long.begin - Duration::hours(1),
            long.begin - Duration::seconds(1),
            &[],
            NO_WAIT,
            5,
        )
        .await
        .unwrap();
    assert!(got.iter().all(|x| x.provider_call_id != long.call_id));
    sim.shutdown().await;
}

#[tokio::test]
async fn a_job_goes_through_not_ready_to_ready() {
    let sim = sim().await;
    let c = client(&sim);
    let now = at(NOW);
    sim.keep_not_ready(3);
    let job = c
        .request_cdr(now - Duration::hours(5), now, &[])
        .await
        .unwrap();
    for _ in 0..3 {
        assert_eq!(c.cdr_status(&job).await.unwrap(), CdrStatus::NotReady);
    }
    let CdrStatus::Ready { url } = c.cdr_status(&job).await.unwrap() else {
        panic!("ready after 3 polls")
    };
    let calls = c.download_cdr(&url).await.unwrap();
    assert_eq!(
        calls.len(),
        sim.dataset()
            .calls_ended(now - Duration::hours(5), now, now)
            .len()
    );

    // The whole job: 3 × NOT READY, then READY.
    let before = sim.request_count("STATCDR");
    c.fetch_calls(now - Duration::hours(5), now, &[], NO_WAIT, 5)
        .await
        .unwrap();
    assert_eq!(sim.request_count("STATCDR") - before, 4);
    // Too few polls allowed: a typed error, not an empty history.
    let e = c
        .fetch_calls(now - Duration::hours(5), now, &[], NO_WAIT, 2)
        .await
        .unwrap_err();
    assert!(
        matches!(e, BeelineError::JobNotReady { polls: 2, .. }),
        "{e:?}"
    );
    assert_eq!(e.kind(), ErrorKind::ProviderFault);
    sim.shutdown().await;
}

#[tokio::test]
async fn an_expired_or_unknown_job_is_requested_again() {
    let sim = sim_with(BeelineSimOptions {
        not_ready_polls: 0,
        ..Default::default()
    })
    .await;
    let c = client(&sim);
    let now = at(NOW);
    let (from, to) = (now - Duration::hours(6), now - Duration::hours(1));
    let whole = c.fetch_calls(from, to, &[], NO_WAIT, 3).await.unwrap();
    assert!(!whole.is_empty());
    let reqs = || sim.request_count("REQCDR");

    sim.expire_next_jobs(1);
    let before = reqs();
    assert_eq!(
        c.fetch_calls(from, to, &[], NO_WAIT, 3).await.unwrap(),
        whole
    );
    assert_eq!(reqs() - before, 2, "EXPIRED: ordered again");

    sim.fail_next_code("STATCDR", "404.106", 1);
    let before = reqs();
    assert_eq!(
        c.fetch_calls(from, to, &[], NO_WAIT, 3).await.unwrap(),
        whole
    );
    assert_eq!(reqs() - before, 2, "404.106 Invalid CDRID: ordered again");

    sim.fail_next_code(CDR_FILE, "404.113", 1);
    let before = reqs();
    assert_eq!(
        c.fetch_calls(from, to, &[], NO_WAIT, 3).await.unwrap(),
        whole
    );
    assert_eq!(reqs() - before, 2, "file gone: ordered again");

    // A job expired by hand between polls.
    let job = c.request_cdr(from, to, &[]).await.unwrap();
    assert!(sim.expire_job(&job.id));
    assert_eq!(c.cdr_status(&job).await.unwrap(), CdrStatus::Expired);

    sim.expire_next_jobs(MAX_JOB_REQUESTS);
    let before = reqs();
    let e = c.fetch_calls(from, to, &[], NO_WAIT, 3).await.unwrap_err();
    assert!(
        matches!(
            e,
            BeelineError::JobLost {
                attempts: MAX_JOB_REQUESTS,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(
        reqs() - before,
        u64::from(MAX_JOB_REQUESTS),
        "then it gives up"
    );
    sim.shutdown().await;
}

/// The kind each row must have, decided here independently of the client's table.
fn expected_kind(code: &str) -> ErrorKind {
    match code {
        "401.1" => ErrorKind::Authentication,
        "404.104" | "404.106" | "404.113" | "404.115" => ErrorKind::NotFound,
        "404.103" => ErrorKind::ProviderFault,
        c if c.starts_with("500.") => ErrorKind::ProviderFault,
        _ => ErrorKind::InvalidRequest,
    }
}

/// The rows of the spec's 4.19 table: `code<TAB>text<TAB>…`.
fn spec_error_rows() -> Vec<(String, String)> {
    let text = spec_text();
    let table = &text[text
        .find("err_code\terr_description")
        .expect("the 4.19 table")..];
    table
        .lines()
        .filter_map(|l| {
            let mut cells = l.split('\t');
            let code = cells.next()?;
            let (major, minor) = code.split_once('.')?;
            (major.len() == 3
                && major.bytes().all(|b| b.is_ascii_digit())
                && minor.bytes().all(|b| b.is_ascii_digit()))
            .then(|| (code.to_string(), cells.next().unwrap_or("").to_string()))
        })
        .collect()
}

#[tokio::test]
async fn every_error_of_the_table_surfaces_typed_with_its_code_text_and_kind() {
    let rows = spec_error_rows();
    assert_eq!(rows.len(), 38, "38 rows, 37 codes");
    let table: Vec<(String, String)> = ApiErrorCode::ALL
        .iter()
        .map(|c| (c.code().to_string(), c.text().unwrap().to_string()))
        .collect();
    assert_eq!(table, rows, "the client's table is the spec's");
    let sim_table: Vec<(String, String)> = SPEC_ERRORS
        .iter()
        .map(|e| (e.code.to_string(), e.text.to_string()))
        .collect();
    assert_eq!(sim_table, rows, "the simulator's table is the spec's");

    let sim = sim().await;
    let c = client(&sim);
    let now = at(NOW);
    for (row, variant) in SPEC_ERRORS.iter().zip(ApiErrorCode::ALL) {
        sim.fail_next("REQCDR", row, 1);
        let e = c
            .request_cdr(now - Duration::hours(1), now, &[])
            .await
            .unwrap_err();
        let BeelineError::Api {
            code,
            message,
            command,
            auxcode,
            status,
        } = &e
        else {
            panic!("{}: {e:?}", row.code)
        };
        assert_eq!(code, variant, "{}", row.code);
        assert_eq!(message, row.text);
        assert_eq!(command.as_deref(), Some("REQCDR"));
        assert!(auxcode.is_some());
        assert_eq!(*status, row.http_status().as_u16());
        assert_eq!(e.kind(), expected_kind(row.code), "{}", row.code);
        let info = ProviderError::from(e).provider_info().unwrap();
        assert_eq!(
            (info.code.as_str(), info.message.as_str()),
            (row.code, row.text)
        );
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn the_spec_examples_are_served_and_parsed() {
    let sim = sim().await;
    let c = client(&sim);
    let parse = |s: &str| serde_json::from_str::<Value>(s).unwrap();
    let now = at(NOW);

    // 4.13.2: our all-numbers request has the example's shape, dates in its Moscow form.
    let job = c
        .request_cdr(at("2026-03-01T21:00:00Z"), at("2026-03-02T20:59:59Z"), &[])
        .await
        .unwrap();
    let sent = parse(sim.received_forms().last().unwrap());
    let spec = parse(SpecExample::ReqcdrAll.text());
    assert_eq!(keys(&sent), keys(&spec));
    assert_eq!(keys(&sent["ConfData"]), keys(&spec["ConfData"]));
    assert_eq!(sent["Command"], spec["Command"]);
    assert_eq!(sent["ConfData"]["DT_BEGIN"], "20260302 00:00:00");
    assert_eq!(sent["ConfData"]["DT_END"], "20260302 23:59:59");

    // 4.14: our STATCDR request is the example itself, once the id is the example's.
    let mut example_job = job.clone();
    example_job.id = "cdrid".into();
    let e = c.cdr_status(&example_job).await.unwrap_err();
    assert_eq!(
        parse(sim.received_forms().last().unwrap()),
        parse(SpecExample::StatcdrRequest.text())
    );
    // …and the example answer (served verbatim) has the placeholder status "status".
    assert!(
        matches!(&e, BeelineError::Decode(d) if d.contains("\"status\"")),
        "{e:?}"
    );
    assert_eq!(e.kind(), ErrorKind::UnreadableAnswer);

    // 4.13.1: listed numbers. The example is not JSON as printed; repaired (the `...`
    // placeholders dropped), ours has its shape.
    c.request_cdr(now - Duration::hours(1), now, &[OUR_NUMBERS[0].to_string()])
        .await
        .unwrap();
    let sent = parse(sim.received_forms().last().unwrap());
    let repaired = SpecExample::ReqcdrByNumbers
        .text()
        .replace("\"...\"", "\",\"")
        .replace(",...\"", ",\"")
        .replace("},\n...\n{", "},{");
    let spec = parse(&repaired);
    assert_eq!(keys(&sent), keys(&spec));
    assert_eq!(keys(&sent["ConfData"][0]), keys(&spec["ConfData"][0]));
    assert_eq!(sent["ConfData"][0]["BNumber"][0], OUR_NUMBERS[0]);

    // 4.13 answer, verbatim (blank line and all).
    sim.serve_example_next("REQCDR", SpecExample::ReqcdrAnswer, 1);
    let job = c
        .request_cdr(now - Duration::hours(1), now, &[])
        .await
        .unwrap();
    assert_eq!(job.id, "cdrid");

    // 4.19 error body, verbatim: its placeholder code is kept as sent.
    sim.serve_example_next("STATCDR", SpecExample::ErrorBody, 1);
    let e = c.cdr_status(&job).await.unwrap_err();
    let BeelineError::Api {
        code,
        message,
        command,
        auxcode,
        ..
    } = &e
    else {
        panic!("{e:?}")
    };
    assert_eq!(code, &ApiErrorCode::Other("err_code".into()));
    assert_eq!(message, "err_description");
    assert_eq!(command.as_deref(), Some("command"));
    assert_eq!(auxcode.as_deref(), Some("auxcode"));
    assert_eq!(e.provider_info().unwrap().code, "err_code");
    sim.shutdown().await;
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
async fn basic_auth_with_a_wrong_password_is_refused() {
    let sim = sim().await;
    let c = client_with(&sim, basic("not-the-password"));
    let now = at(NOW);
    let e = c
        .fetch_calls(now - Duration::hours(1), now, &[], NO_WAIT, 3)
        .await
        .unwrap_err();
    assert!(
        matches!(
            &e,
            BeelineError::Api {
                code: ApiErrorCode::UnknownCredentials,
                status: 401,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(e.kind(), ErrorKind::Authentication);
    assert_eq!(
        e.provider_info().unwrap().message,
        "Unknown UserName or Password"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_certificate_client_gets_in_by_ip_and_a_broken_certificate_is_an_auth_error() {
    let sim = sim_with(BeelineSimOptions {
        trust_loopback: true,
        ..Default::default()
    })
    .await;
    let (cert, key) = test_identity();
    let c = client_with(
        &sim,
        BeelineAuth::Certificate {
            cert_pem: cert,
            key_pem: SecretString::from(key),
        },
    );
    let now = at(NOW);
    let got = c
        .fetch_calls(
            now - Duration::hours(6),
            now - Duration::hours(1),
            &[],
            NO_WAIT,
            3,
        )
        .await
        .unwrap();
    assert!(!got.is_empty());

    let broken = BeelineClient::new(BeelineSettings::new(
        sim.base_url().parse().unwrap(),
        BeelineAuth::Certificate {
            cert_pem: "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n"
                .into(),
            key_pem: SecretString::from(
                "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
            ),
        },
    ));
    let Err(e) = broken else {
        panic!("a broken certificate must not build a client")
    };
    assert!(matches!(e, BeelineError::Certificate(_)), "{e:?}");
    assert_eq!(e.kind(), ErrorKind::Authentication);
    sim.shutdown().await;
}

/// A certificate and PKCS#8 key for the client: generated with `openssl` when it is
/// installed (the usual case on a build machine), so no private key lives in the repo.
fn test_identity() -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let (key, cert) = (dir.path().join("k.pem"), dir.path().join("c.pem"));
    let ok = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
        ])
        .args(["-nodes", "-days", "1", "-subj", "/CN=callboard test client"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    assert!(
        ok,
        "openssl is needed to make a throwaway client certificate"
    );
    (
        std::fs::read_to_string(cert).unwrap(),
        std::fs::read_to_string(key).unwrap(),
    )
}

#[tokio::test]
async fn recordings_download_from_the_cdr_links_and_only_from_beeline() {
    let sim = sim().await;
    let c = client(&sim);
    let now = at(NOW);
    let calls = c
        .fetch_calls(
            now - Duration::hours(8),
            now - Duration::hours(1),
            &[],
            NO_WAIT,
            3,
        )
        .await
        .unwrap();
    let recorded = calls.iter().find(|x| x.recording_ref.is_some()).unwrap();
    let url = c
        .recording_url(recorded.recording_ref.as_deref().unwrap())
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("rec.wav");
    let file = c.download_recording(&url, &dest).await.unwrap();
    let bytes = std::fs::read(&dest).unwrap();
    assert_eq!(&bytes[..4], b"RIFF");
    assert_eq!(
        (file.bytes, file.mime.as_str()),
        (bytes.len() as u64, "audio/wav")
    );
    assert!(!dest.with_extension("part").exists());

    // Our credentials never go to another host, even the same machine by another name.
    let before = sim.request_count(RECORDING);
    let mut elsewhere = url.clone();
    elsewhere.set_host(Some("localhost")).unwrap();
    let e = c
        .download_recording(&elsewhere, &dir.path().join("x.wav"))
        .await
        .unwrap_err();
    assert!(matches!(e, BeelineError::ForbiddenHost { .. }), "{e:?}");
    assert_eq!(sim.request_count(RECORDING), before);
    // Unless that host is configured.
    let mut settings = c.settings().clone();
    settings.download_hosts = HostAllowList::new(["localhost".to_string()]);
    BeelineClient::new(settings)
        .unwrap()
        .download_recording(&elsewhere, &dir.path().join("x.wav"))
        .await
        .unwrap();
    assert_eq!(sim.request_count(RECORDING), before + 1);

    // A recording that is not there: the spec's 404.113, no file left behind.
    let missing = Url::parse(&format!("{}/api/download?record=1", sim.base_url())).unwrap();
    let e = c
        .download_recording(&missing, &dir.path().join("m.wav"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            &e,
            BeelineError::Api {
                code: ApiErrorCode::FileNotFound,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert!(!dir.path().join("m.wav").exists() && !dir.path().join("m.part").exists());
    sim.shutdown().await;
}
