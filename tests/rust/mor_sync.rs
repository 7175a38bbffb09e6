//! MOR through the service: its recordings sync into the same history as MTT's, page by
//! page from a time-window cursor, a re-sync writes nothing, and a recording plays.

use std::collections::BTreeSet;

use callboard_model::{CallQuery, ProviderKind};
use callboard_sim::{MorSim, MorSimOptions};
use callboard_system_tests::{manual_service, mor_config};
use chrono::{Duration, SubsecRound, Utc};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mor_recordings_sync_into_the_history_and_play() {
    let now = Utc::now().trunc_subsecs(0);
    let opts = MorSimOptions {
        days: 4,
        calls_per_day: 60,
        now: Some(now),
        ..Default::default()
    };
    let sim = MorSim::start(opts.clone()).await.unwrap();
    let config = mor_config(&sim, &opts, 5);
    let data = tempfile::tempdir().unwrap();
    let service = manual_service(config, data.path()).await;

    let report = service.sync_now("mor").await.expect("MOR syncs");
    assert_eq!(
        report.pages, 6,
        "five days newest first, then up to now: {report:?}"
    );
    let expected: BTreeSet<String> = sim
        .dataset()
        .recordings(now - Duration::days(5), now, now)
        .into_iter()
        .map(|r| r.uniqueid)
        .collect();
    assert!(expected.len() > 100, "{}", expected.len());
    let page = service
        .list_calls(CallQuery {
            limit: Some(1000),
            provider: Some(ProviderKind::Mor),
            ..Default::default()
        })
        .await
        .unwrap();
    let stored: BTreeSet<String> = page
        .items
        .iter()
        .map(|c| c.provider_call_id.clone())
        .collect();
    assert_eq!(stored, expected);
    assert_eq!(report.stats.inserted as usize, expected.len());

    let again = service.sync_now("mor").await.unwrap();
    assert_eq!((again.stats.inserted, again.stats.updated), (0, 0));
    // Recordings are listed minutes after the call: each pass re-reads a trailing window.
    assert_eq!(
        again.from,
        (report.to - Duration::hours(2)).trunc_subsecs(3),
        "{again:?}"
    );

    // Every MOR call has a recording: its mp3_url is its one part.
    let call = &page.items[0];
    assert!(call.has_recording);
    let (path, _) = service.recording_file(call.id, 0).await.expect("plays");
    assert!(std::fs::metadata(path).unwrap().len() > 44);
    service.shutdown();
    sim.shutdown().await;
}
