//! Recordings in every format providers send — PCM, A-law and µ-law WAV from MTT, MP3
//! from MOR — downloaded over loopback HTTP, decoded, and served as a file whose type
//! matches its bytes and that both Chromium and WebKitGTK play.

use std::collections::BTreeMap;

use callboard_core::Service;
use callboard_model::{CallQuery, ErrorCode};
use callboard_sim::{FailureForm, InjectedFailure, MorSim, MorSimOptions};
use callboard_system_tests::{World, decode_audio, manual_service, mor_config};
use chrono::{SubsecRound, Utc};

/// Plays recordings until each of `want` codecs has been seen; returns what was served
/// for each: (mime, path).
async fn play_until(
    service: &Service,
    want: &[&str],
) -> BTreeMap<String, (String, std::path::PathBuf)> {
    let page = service
        .list_calls(CallQuery {
            limit: Some(500),
            ..Default::default()
        })
        .await
        .unwrap();
    let mut seen = BTreeMap::new();
    for call in page.items.iter().filter(|c| c.has_recording) {
        let (path, mime) = service.recording_file(call.id, 0).await.expect("plays");
        let parts = service.recording_parts(call.id).await.unwrap();
        assert!(parts[0].cached);
        assert_eq!(parts[0].mime, mime, "the part says what is served");
        let codec = parts[0].source_codec.clone().expect("known once cached");
        seen.entry(codec).or_insert((mime, path));
        if want.iter().all(|w| seen.contains_key(*w)) {
            break;
        }
    }
    seen
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wav_in_pcm_alaw_and_mulaw_plays_as_pcm() {
    let w = World::start(3, 60).await;
    w.service.sync_now(&w.account).await.unwrap();
    let want = ["pcm_alaw", "pcm_mulaw", "pcm_s16le"];
    let seen = play_until(&w.service, &want).await;
    assert_eq!(
        seen.keys().collect::<Vec<_>>(),
        want.iter().collect::<Vec<_>>()
    );
    for (codec, (mime, path)) in &seen {
        assert_eq!(mime, "audio/wav", "{codec}");
        assert_eq!(path.extension().unwrap(), "wav");
        let served = decode_audio(path);
        // A-law and µ-law are re-encoded: what is served is always 16-bit PCM WAV.
        assert_eq!(served.codec, "pcm_s16le", "{codec}");
        assert!(served.wav);
        assert_eq!(served.sample_rate, 8000);
        assert!(
            served.frames >= 3 * 8000,
            "{codec}: {} frames",
            served.frames
        );
    }
    w.service.shutdown();
    w.sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mp3_plays_as_it_came() {
    let now = Utc::now().trunc_subsecs(0);
    let opts = MorSimOptions {
        days: 1,
        calls_per_day: 20,
        now: Some(now),
        ..Default::default()
    };
    let sim = MorSim::start(opts.clone()).await.unwrap();
    let config = mor_config(&sim, &opts, 2);
    let data = tempfile::tempdir().unwrap();
    let service = manual_service(config, data.path()).await;
    service.sync_now("mor").await.unwrap();
    let seen = play_until(&service, &["mp3"]).await;
    let (mime, path) = &seen["mp3"];
    assert_eq!(mime, "audio/mpeg");
    assert_eq!(path.extension().unwrap(), "mp3");
    let served = decode_audio(path);
    assert_eq!((served.codec.as_str(), served.wav), ("mp3", false));
    assert!(served.frames >= 3 * 8000, "{} frames", served.frames);
    service.shutdown();
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_that_does_not_decode_says_why() {
    let w = World::start(2, 40).await;
    w.service.sync_now(&w.account).await.unwrap();
    let page = w.service.list_calls(CallQuery::default()).await.unwrap();
    let call = page.items.iter().find(|c| c.has_recording).unwrap();
    // The file link answers 200 with a JSON error where audio was expected, as an
    // overloaded provider may.
    w.sim.fail_next(InjectedFailure {
        method: "records_file".into(),
        form: FailureForm::Result,
        code: 500,
        message: "storage unavailable".into(),
        times: 1,
    });
    let e = w.service.recording_file(call.id, 0).await.unwrap_err();
    let api = e.to_api();
    assert_eq!(api.code, ErrorCode::Provider, "{api:?}");
    assert!(
        api.message.contains("cannot be played") && api.message.contains("not a WAV or MP3"),
        "{}",
        api.message
    );
    let parts = w.service.recording_parts(call.id).await.unwrap();
    assert!(!parts[0].cached, "nothing half-made is cached");
    // The provider recovers: the next play works.
    let (path, _) = w.service.recording_file(call.id, 0).await.unwrap();
    assert_eq!(decode_audio(&path).codec, "pcm_s16le");
    w.service.shutdown();
    w.sim.shutdown().await;
}
