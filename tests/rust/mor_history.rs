//! MOR `recordings_get` end to end: the real client against the simulator over loopback
//! HTTP, and every example and error string of the spec through that client.

use std::time::Duration;

use callboard_model::{Direction, NewCall, Outcome};
use callboard_providers::mor::{
    MorApiError, MorClient, MorError, MorSettings, Recording, TRAILING_WINDOW, hash,
};
use callboard_providers::{ErrorKind, ProviderError};
use callboard_sim::mor::{MorCall, MorDirection, error_strings, mp3_path};
use callboard_sim::{MorHook, MorSim, MorSimOptions, MorSpecError};
use chrono::{DateTime, TimeZone, Utc};
use secrecy::SecretString;

const SECRET: &str = "mor-sim-secret";

/// The spec as shipped with the repo (`tests/fixtures/specs`), so a clone tests alone.
fn spec_text() -> String {
    callboard_system_tests::spec_fixture("mor-recordings-get.md")
}

fn noon() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 4, 12, 0, 0).unwrap()
}

async fn start(opts: MorSimOptions) -> MorSim {
    MorSim::start(MorSimOptions {
        now: Some(noon()),
        secret: SECRET.into(),
        ..opts
    })
    .await
    .expect("simulator starts")
}

fn client(sim: &MorSim, prefix: &str, user: &str, secret: &str) -> MorClient {
    MorClient::new(MorSettings {
        server: sim.base_url().parse().unwrap(),
        path_prefix: prefix.into(),
        user: user.into(),
        secret: SecretString::from(secret),
        timeout: Duration::from_secs(5),
    })
    .unwrap()
}

/// What a simulated recording must become, worked out from the simulator's own fields.
fn expected(sim: &MorSim, c: &MorCall) -> NewCall {
    let client = format!("+{}", c.client_number);
    let ours = |n: &str| format!("+{n}");
    let (direction, caller, callee) = match c.direction {
        MorDirection::Incoming => (Direction::Incoming, client, ours(&c.destination)),
        MorDirection::Outgoing => (Direction::Outgoing, ours(&c.source), client),
    };
    let mut details = vec![
        ("recording_id", c.id.to_string()),
        ("uniqueid", c.uniqueid.clone()),
        ("user_id", c.user_id.to_string()),
        ("dst_user_id", c.dst_user_id.to_string()),
        ("src_device_id", c.src_device_id.to_string()),
        ("dst_device_id", c.dst_device_id.to_string()),
        ("comment", c.comment.clone()),
        ("size", c.size.to_string()),
    ];
    details.retain(|(_, v)| !v.is_empty());
    NewCall {
        provider_call_id: c.uniqueid.clone(),
        direction,
        outcome: Outcome::Answered,
        caller,
        callee,
        started_at: c.date,
        ring_secs: 0,
        talk_secs: c.duration,
        total_secs: c.duration,
        cost: None,
        currency: None,
        recording_ref: Some(format!("{}{}", sim.base_url(), mp3_path(&c.uniqueid))),
        details: details
            .into_iter()
            .map(|(label, value)| callboard_model::Detail {
                label: label.into(),
                value,
            })
            .collect(),
    }
}

#[test]
fn the_spec_hash_vector_comes_out_exactly() {
    assert_eq!(
        hash(&[], "secret"),
        "e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4"
    );
    // The vector is the hash of the spec's request (L22).
    assert!(spec_text().contains("hash=e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4"));
}

#[tokio::test]
async fn the_spec_request_goes_through_the_real_client() {
    // The spec's account: user `admin`, secret `secret`, no parameters (today's recordings).
    let sim = MorSim::start(MorSimOptions {
        now: Some(noon()),
        secret: "secret".into(),
        ..Default::default()
    })
    .await
    .unwrap();
    let c = client(&sim, "/billing/api/", "admin", "secret");
    assert_eq!(
        c.endpoint().as_str(),
        format!("{}/billing/api/recordings_get", sim.base_url())
    );
    let rows = c.recordings_get(&[]).await.unwrap();
    let today_msk = Utc.with_ymd_and_hms(2026, 3, 3, 21, 0, 0).unwrap();
    assert_eq!(
        rows.len(),
        sim.dataset().recordings(today_msk, noon(), noon()).len()
    );
    assert!(!rows.is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn a_full_fetch_equals_the_simulated_recordings() {
    let sim = start(MorSimOptions {
        days: 3,
        calls_per_day: 200,
        ..Default::default()
    })
    .await;
    let c = client(&sim, "/billing/api/", "admin", SECRET);
    let from = noon() - chrono::Duration::days(4);
    let got = c.recordings(from, noon()).await.unwrap();
    let want: Vec<NewCall> = sim
        .dataset()
        .recordings(from, noon(), noon())
        .iter()
        .map(|r| expected(&sim, r))
        .collect();
    assert!(want.len() > 300, "{} recordings", want.len());
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g, w);
    }
    for d in [Direction::Incoming, Direction::Outgoing] {
        assert!(got.iter().any(|c| c.direction == d), "no {d:?} call");
    }
    assert!(
        got.iter()
            .all(|c| c.caller.starts_with("+7") && c.callee.starts_with("+7"))
    );
    assert_eq!(sim.request_count(), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_configured_prefix_is_used() {
    let sim = start(MorSimOptions {
        path_prefix: "/mor/api/".into(),
        ..Default::default()
    })
    .await;
    let from = noon() - chrono::Duration::hours(6);
    let ok = client(&sim, "mor/api", "admin", SECRET);
    assert!(!ok.recordings(from, noon()).await.unwrap().is_empty());
    let wrong = client(&sim, "/billing/api/", "admin", SECRET);
    let err = wrong.recordings(from, noon()).await.unwrap_err();
    assert!(matches!(err, MorError::Http { status: 404, .. }), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::NotFound);
    sim.shutdown().await;
}

#[tokio::test]
async fn every_error_string_is_typed_with_its_kind() {
    let table = [
        (
            MorSpecError::ApiDisabled,
            MorApiError::ApiDisabled,
            ErrorKind::InvalidRequest,
        ),
        (
            MorSpecError::GetDisabled,
            MorApiError::GetDisabled,
            ErrorKind::InvalidRequest,
        ),
        (
            MorSpecError::AccessDenied,
            MorApiError::AccessDenied,
            ErrorKind::Authentication,
        ),
        (
            MorSpecError::IncorrectHash,
            MorApiError::IncorrectHash,
            ErrorKind::Authentication,
        ),
        (
            MorSpecError::NoRecordings,
            MorApiError::NoRecordings,
            ErrorKind::NotFound,
        ),
        (
            MorSpecError::DateFromFormat,
            MorApiError::DateFromFormat,
            ErrorKind::InvalidRequest,
        ),
        (
            MorSpecError::DateTillFormat,
            MorApiError::DateTillFormat,
            ErrorKind::InvalidRequest,
        ),
        (
            MorSpecError::DateFromAfterTill,
            MorApiError::DateFromAfterTill,
            ErrorKind::InvalidRequest,
        ),
    ];
    // The table covers the spec's list, and the client knows every string of it.
    let spec = spec_text();
    let listed: Vec<&str> = table.iter().map(|(s, _, _)| s.as_str()).collect();
    assert_eq!(listed, error_strings());
    for (sim_error, client_error, _) in &table {
        assert!(spec.contains(&format!("<error>{}</error>", client_error.as_str())));
        assert_eq!(MorApiError::parse(sim_error.as_str()), *client_error);
    }

    let sim = start(MorSimOptions::default()).await;
    let c = client(&sim, "/billing/api/", "admin", SECRET);
    let (from, to) = (noon() - chrono::Duration::hours(6), noon());
    for (sim_error, client_error, kind) in table {
        sim.arm(MorHook::Error(sim_error), 1);
        let result = c.recordings(from, to).await;
        if client_error == MorApiError::NoRecordings {
            assert_eq!(
                result.unwrap(),
                vec![],
                "No Recordings found is an empty result"
            );
            continue;
        }
        let err = result.unwrap_err();
        match &err {
            MorError::Api(e) => assert_eq!(*e, client_error),
            other => panic!("{sim_error:?}: {other:?}"),
        }
        assert_eq!(err.kind(), kind, "{sim_error:?}");
        let info = err.provider_info().expect("MOR's own error");
        assert_eq!(info.code, sim_error.as_str());
        let wrapped = ProviderError::from(err);
        assert_eq!(wrapped.provider_info().unwrap().code, sim_error.as_str());
    }

    // The same errors from the simulator's own checks, not armed.
    let kind_of = |r: Result<Vec<NewCall>, MorError>| match r {
        Err(MorError::Api(e)) => e,
        other => panic!("{other:?}"),
    };
    let bad_secret = client(&sim, "/billing/api/", "admin", "wrong");
    assert_eq!(
        kind_of(bad_secret.recordings(from, to).await),
        MorApiError::IncorrectHash
    );
    let bad_user = client(&sim, "/billing/api/", "operator", SECRET);
    assert_eq!(
        kind_of(bad_user.recordings(from, to).await),
        MorApiError::AccessDenied
    );
    assert_eq!(
        kind_of(c.recordings(to, from).await),
        MorApiError::DateFromAfterTill
    );
    let bad_date = c.recordings_get(&[("date_from", "yesterday")]).await;
    assert_eq!(bad_date.unwrap_err().kind(), ErrorKind::InvalidRequest);

    sim.arm(MorHook::Http(503), 1);
    let err = c.recordings(from, to).await.unwrap_err();
    assert_eq!(
        (err.http_status(), err.kind()),
        (Some(503), ErrorKind::ProviderFault)
    );
    sim.shutdown().await;
    let err = c.recordings(from, to).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err:?}");
}

#[tokio::test]
async fn no_recordings_found_is_an_empty_result() {
    let sim = start(MorSimOptions::default()).await;
    let c = client(&sim, "/billing/api/", "admin", SECRET);
    let long_ago = Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap();
    let got = c
        .recordings(long_ago, long_ago + chrono::Duration::days(1))
        .await
        .unwrap();
    assert!(got.is_empty());
    assert_eq!(sim.request_count(), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn the_spec_example_answer_is_served_verbatim_and_parsed() {
    let sim = start(MorSimOptions::default()).await;
    let c = client(&sim, "/billing/api/", "admin", SECRET);
    let spec = spec_text();
    assert!(spec.contains(callboard_sim::mor::recordings_example()));

    sim.arm(MorHook::SpecExample, 2);
    // Its values are placeholders and its middle is elided (a bare `...` line).
    let rows = c.recordings_get(&[]).await.unwrap();
    let dots = Some("...".to_string());
    let placeholder = |v: &Option<String>| v.as_deref().map(str::trim).map(str::to_string);
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    for field in [
        &r.id,
        &r.user_id,
        &r.dst_user_id,
        &r.src_device_id,
        &r.dst_device_id,
        &r.date,
        &r.comment,
        &r.duration,
        &r.destination,
        &r.size,
    ] {
        assert_eq!(placeholder(field), dots);
    }
    assert_eq!(
        (r.uniqueid.as_ref(), r.source.as_ref()),
        (None, None),
        "elided in the example"
    );
    assert!(r.mp3_url.as_deref().unwrap_or("").is_empty());
    // A recording whose date is a placeholder cannot be placed in the history.
    assert_eq!(c.recordings(noon(), noon()).await.unwrap(), vec![]);
    assert_ne!(rows, vec![Recording::default()]);

    // The error example (L38) is the API-disabled answer, byte for byte.
    assert!(spec.ends_with(callboard_sim::mor::error_example()));
    sim.arm(MorHook::Error(MorSpecError::ApiDisabled), 1);
    let err = c.recordings(noon(), noon()).await.unwrap_err();
    assert!(
        matches!(err, MorError::Api(MorApiError::ApiDisabled)),
        "{err:?}"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_recording_downloads_as_real_audio_from_the_server_only() {
    let sim = start(MorSimOptions::default()).await;
    let c = client(&sim, "/billing/api/", "admin", SECRET);
    let calls = c
        .recordings(noon() - chrono::Duration::hours(6), noon())
        .await
        .unwrap();
    let url: url::Url = calls[0].recording_ref.as_deref().unwrap().parse().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("rec.audio");
    let file = c.download(&url, &dest).await.unwrap();
    // Real MP3, as `mp3_url` says: the type comes from the server.
    assert_eq!(file.mime, "audio/mpeg");
    let bytes = std::fs::read(&dest).unwrap();
    assert_eq!(bytes.len() as u64, file.bytes);
    let audio = callboard_system_tests::decode_audio(&dest);
    assert_eq!((audio.codec.as_str(), audio.wav), ("mp3", false));
    assert!(audio.frames >= 8000 * 3, "at least 3 s of 8 kHz audio");

    let mut elsewhere = url.clone();
    elsewhere.set_host(Some("localhost")).unwrap();
    let err = c
        .download(&elsewhere, &dir.path().join("x"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ProviderError::ForbiddenHost { .. }),
        "{err:?}"
    );
    assert_eq!(sim.file_request_count(), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_late_recording_is_found_by_the_trailing_window() {
    let sim = start(MorSimOptions::default()).await;
    let c = client(&sim, "/billing/api/", "admin", SECRET);
    // A call that has ended but whose recording is not published yet.
    let late = sim
        .dataset()
        .calls(noon() - chrono::Duration::hours(4), noon(), noon())
        .into_iter()
        .find(|r| r.duration > 120)
        .expect("a call of some length");
    let first_pass = late.published_at - chrono::Duration::seconds(1);
    sim.set_now(first_pass);
    assert!(late.ended_at() < first_pass);
    let horizon = first_pass - chrono::Duration::hours(6);
    let seen = c.recordings(horizon, first_pass).await.unwrap();
    assert!(!seen.iter().any(|x| x.provider_call_id == late.uniqueid));

    let second_pass = late.published_at + chrono::Duration::minutes(1);
    sim.set_now(second_pass);
    // From the last cursor only, the call (listed under its start) is missed for good.
    let naive = c.recordings(first_pass, second_pass).await.unwrap();
    assert!(!naive.iter().any(|x| x.provider_call_id == late.uniqueid));
    let trailing = c
        .recordings(first_pass - TRAILING_WINDOW, second_pass)
        .await
        .unwrap();
    let found = trailing
        .iter()
        .find(|x| x.provider_call_id == late.uniqueid)
        .expect("the trailing re-read finds the late recording");
    assert_eq!(*found, expected(&sim, &late));
    assert!(
        TRAILING_WINDOW
            > chrono::Duration::seconds(
                i64::from(callboard_sim::mor::MAX_CALL_SECS)
                    + callboard_sim::mor::MAX_PUBLISH_DELAY_SECS
            )
    );
    sim.shutdown().await;
}
