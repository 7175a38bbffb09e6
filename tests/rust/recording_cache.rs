//! The recordings cache on disk: a size cap kept by evicting the least recently played
//! recordings (an order that survives restarts), and a crash mid-write never served.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use callboard_core::{Service, ServiceOptions};
use callboard_model::CallQuery;
use callboard_sim::{MttSim, SimOptions};
use callboard_system_tests::{decode_audio, sim_config};
use chrono::{SubsecRound, Utc};

async fn start(sim: &MttSim, data: &Path, cap: u64) -> Arc<Service> {
    Service::start(
        sim_config(sim, 4),
        ServiceOptions {
            autosync: false,
            recordings_cache_bytes: cap,
            ..ServiceOptions::new(data.into(), false)
        },
    )
    .await
    .expect("service starts")
}

async fn sim() -> MttSim {
    MttSim::start(SimOptions {
        days: 2,
        calls_per_day: 60,
        now: Some(Utc::now().trunc_subsecs(0)),
        ..Default::default()
    })
    .await
    .unwrap()
}

async fn recorded_calls(service: &Service) -> Vec<i64> {
    let page = service.list_calls(CallQuery::default()).await.unwrap();
    page.items
        .iter()
        .filter(|c| c.has_recording)
        .map(|c| c.id)
        .collect()
}

async fn cached(service: &Service, call: i64) -> bool {
    service.recording_parts(call).await.unwrap()[0].cached
}

fn size(p: &Path) -> u64 {
    std::fs::metadata(p).unwrap().len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_least_recently_played_go_first_across_restarts() {
    let sim = sim().await;
    let data = tempfile::tempdir().unwrap();
    let unlimited = u64::MAX;

    // Run 1: play A, B, C.
    let service = start(&sim, data.path(), unlimited).await;
    service
        .sync_now(&sim_config(&sim, 4).accounts[0].id)
        .await
        .unwrap();
    let calls = recorded_calls(&service).await;
    let (a, b, c, d) = (calls[0], calls[1], calls[2], calls[3]);
    let mut paths: Vec<PathBuf> = Vec::new();
    for id in [a, b, c] {
        paths.push(service.recording_file(id, 0).await.unwrap().0);
    }
    service.shutdown();
    drop(service);

    // Run 2: play A again, so B is now the least recently played, then C.
    let service = start(&sim, data.path(), unlimited).await;
    service.recording_file(a, 0).await.unwrap();
    service.shutdown();
    drop(service);

    // Run 3, with room for A and C only: B goes at start.
    // Sizes taken now: A may be evicted below, depending on D's size.
    let size_a = size(&paths[0]);
    let cap = size_a + size(&paths[2]);
    let service = start(&sim, data.path(), cap).await;
    assert!(
        !cached(&service, b).await,
        "B was the least recently played"
    );
    assert!(cached(&service, a).await && cached(&service, c).await);

    // A new recording D needs room: C goes before A.
    let (d_path, _) = service.recording_file(d, 0).await.unwrap();
    assert!(d_path.is_file(), "the file just played stays");
    assert!(!cached(&service, c).await, "C was played before A");
    let a_fits = size_a + size(&d_path) <= cap;
    assert_eq!(cached(&service, a).await, a_fits);

    // An evicted recording plays again: fetched anew.
    let (b_path, _) = service.recording_file(b, 0).await.unwrap();
    assert_eq!(decode_audio(&b_path).sample_rate, 8000);
    service.shutdown();
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_mid_write_is_never_served() {
    let sim = sim().await;
    let data = tempfile::tempdir().unwrap();
    let service = start(&sim, data.path(), u64::MAX).await;
    service
        .sync_now(&sim_config(&sim, 4).accounts[0].id)
        .await
        .unwrap();
    let calls = recorded_calls(&service).await;
    let (done, cut) = (calls[0], calls[1]);
    let (whole, _) = service.recording_file(done, 0).await.unwrap();
    let _ = service.recording_parts(cut).await.unwrap();
    service.shutdown();
    drop(service);

    // What a crash leaves: a download cut short under each temporary name the cache
    // writes through (the provider's stream, the finished download, a re-encoding).
    let dir = whole.parent().unwrap();
    let bytes = std::fs::read(&whole).unwrap();
    let half = &bytes[..bytes.len() / 2];
    let temps: Vec<PathBuf> = ["part", "download", "tmp"]
        .iter()
        .map(|ext| dir.join(format!("{cut}_0.{ext}")))
        .collect();
    for t in &temps {
        std::fs::write(t, half).unwrap();
    }

    let service = start(&sim, data.path(), u64::MAX).await;
    for t in &temps {
        assert!(!t.exists(), "{} is cleaned at start", t.display());
    }
    assert!(
        !cached(&service, cut).await,
        "a half-written file is not cached"
    );
    let (path, _) = service.recording_file(cut, 0).await.unwrap();
    let served = decode_audio(&path);
    assert!(served.frames >= 3 * 8000, "the whole recording: {served:?}");
    // The whole file of the other call survived the restart and is served from the cache.
    assert!(cached(&service, done).await);
    assert_eq!(service.recording_file(done, 0).await.unwrap().0, whole);
    service.shutdown();
    sim.shutdown().await;
}
