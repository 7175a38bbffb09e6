//! The MOR simulator over HTTP: the spec's request and answers byte for byte, the checks
//! in order, and the audio behind `mp3_url`.

mod audio;

use callboard_sim::mor::{error_example, expected_hash, moscow_date, mp3_path, recordings_example};
use callboard_sim::{MorHook, MorSim, MorSimOptions, MorSpecError};
use chrono::{DateTime, TimeZone, Utc};

fn noon() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 4, 12, 0, 0).unwrap()
}

async fn sim(secret: &str, prefix: &str) -> MorSim {
    MorSim::start(MorSimOptions {
        now: Some(noon()),
        secret: secret.into(),
        path_prefix: prefix.into(),
        ..Default::default()
    })
    .await
    .unwrap()
}

async fn post(url: &str, form: &[(&str, &str)]) -> (u16, String) {
    let resp = reqwest::Client::new()
        .post(url)
        .form(form)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

#[tokio::test]
async fn the_spec_request_is_accepted_as_printed() {
    let sim = sim("secret", "/billing/api/").await;
    // L22, with the server's address in place of <SERVER_IP>: no parameters, so today.
    let url = format!(
        "{}/billing/api/recordings_get?u=admin&hash=e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4",
        sim.base_url()
    );
    let (status, body) = post(&url, &[]).await;
    assert_eq!(status, 200);
    let today = sim.dataset().recordings(
        Utc.with_ymd_and_hms(2026, 3, 3, 21, 0, 0).unwrap(),
        noon(),
        noon(),
    );
    assert!(!today.is_empty());
    assert!(
        body.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<page>"),
        "{body}"
    );
    assert_eq!(body.matches("<recording>").count(), today.len());
    for c in &today {
        assert!(body.contains(&format!("<uniqueid>{}</uniqueid>", c.uniqueid)));
        assert!(body.contains(&format!("<date>{}</date>", moscow_date(c.date))));
    }
    sim.shutdown().await;
}

#[tokio::test]
async fn checks_answer_the_spec_errors_in_order() {
    let sim = sim("s3cret", "/billing/api/").await;
    let url = sim.endpoint();
    let err = |e: MorSpecError| format!("<status> <error>{}</error> </status>", e.as_str());

    let get = reqwest::get(format!("{url}?u=admin")).await.unwrap();
    assert_eq!(get.text().await.unwrap(), err(MorSpecError::GetDisabled));
    assert_eq!(
        post(&url, &[("u", "root")]).await.1,
        err(MorSpecError::AccessDenied)
    );
    assert_eq!(
        post(&url, &[("u", "admin")]).await.1,
        err(MorSpecError::IncorrectHash)
    );

    let signed = |from: &str, till: &str| {
        let params = vec![
            ("date_from".to_string(), from.to_string()),
            ("date_till".to_string(), till.to_string()),
        ];
        expected_hash(&params, "s3cret")
    };
    let ask = |from: &'static str, till: &'static str| {
        let url = url.clone();
        let hash = signed(from, till);
        async move {
            post(
                &url,
                &[
                    ("u", "admin"),
                    ("date_from", from),
                    ("date_till", till),
                    ("hash", &hash),
                ],
            )
            .await
            .1
        }
    };
    assert_eq!(
        ask("yesterday", "1").await,
        err(MorSpecError::DateFromFormat)
    );
    assert_eq!(
        ask("1", "2026-03-04").await,
        err(MorSpecError::DateTillFormat)
    );
    assert_eq!(
        ask("1772625600", "1772625599").await,
        err(MorSpecError::DateFromAfterTill)
    );
    assert_eq!(ask("1000", "2000").await, err(MorSpecError::NoRecordings));
    assert!(
        ask("1772539200", "1772625600")
            .await
            .contains("<recording>")
    );
    assert_eq!(sim.request_count(), 8);
    sim.shutdown().await;
}

#[tokio::test]
async fn armed_answers_are_the_spec_examples_byte_for_byte() {
    let sim = sim("s", "/billing/api/").await;
    let url = sim.endpoint();
    sim.arm(MorHook::SpecExample, 1);
    sim.arm(MorHook::Error(MorSpecError::ApiDisabled), 1);
    sim.arm(MorHook::Http(503), 1);
    assert_eq!(
        post(&url, &[]).await,
        (200, recordings_example().to_string())
    );
    assert_eq!(post(&url, &[]).await, (200, error_example().to_string()));
    assert_eq!(
        error_example(),
        "<status> <error>API Requests are disabled</error> </status>"
    );
    assert_eq!(post(&url, &[]).await.0, 503);
    assert_eq!(
        post(&url, &[]).await.1,
        "<status> <error>Access Denied</error> </status>"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn the_prefix_is_configurable_and_recordings_are_audio() {
    let sim = sim("s", "/mor/api").await;
    assert_eq!(
        sim.endpoint(),
        format!("{}/mor/api/recordings_get", sim.base_url())
    );
    let default = post(
        &format!("{}/billing/api/recordings_get", sim.base_url()),
        &[],
    )
    .await;
    assert_eq!(default.0, 404);

    let call = sim
        .dataset()
        .recordings(noon() - chrono::Duration::hours(6), noon(), noon())[0]
        .clone();
    let resp = reqwest::get(format!("{}{}", sim.base_url(), mp3_path(&call.uniqueid)))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "audio/mpeg");
    let mp3 = audio::decode(resp.bytes().await.unwrap().to_vec());
    assert_eq!(mp3.codec, audio::Codec::Mp3);
    assert_eq!((mp3.sample_rate, mp3.channels), (8000, 1));
    assert!(mp3.samples.len() > 8000 * 3, "at least 3 s of 8 kHz audio");

    let missing = reqwest::get(format!("{}{}", sim.base_url(), mp3_path("1.1")))
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(sim.file_request_count(), 2);
    sim.shutdown().await;
}

#[tokio::test]
async fn recordings_appear_minutes_after_the_call_ends() {
    let sim = sim("s", "/billing/api/").await;
    let call = sim
        .dataset()
        .calls(noon() - chrono::Duration::hours(3), noon(), noon())[0]
        .clone();
    let by_id = |now| {
        sim.set_now(now);
        let url = sim.endpoint();
        let hash = expected_hash(&[("uniqueid".into(), call.uniqueid.clone())], "s");
        let id = call.uniqueid.clone();
        async move {
            post(&url, &[("u", "admin"), ("uniqueid", &id), ("hash", &hash)])
                .await
                .1
        }
    };
    let before = by_id(call.ended_at()).await;
    assert_eq!(
        before,
        "<status> <error>No Recordings found</error> </status>"
    );
    assert!(call.published_at > call.ended_at() + chrono::Duration::seconds(59));
    let after = by_id(call.published_at).await;
    assert_eq!(after.matches("<recording>").count(), 1, "{after}");
    sim.shutdown().await;
}
