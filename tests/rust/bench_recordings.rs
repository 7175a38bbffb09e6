//! Recording playback from the cache through the real HTTP server: the first play of a
//! cached recording (a fresh service over the cache an earlier run filled) and a seek (a
//! `Range` request at an offset), each beside reading the same bytes raw from disk in the
//! same run. Targets (issue 6): first play ≤ 150 ms, seek ≤ 50 ms. Run with
//! `cargo bench -p callboard-system-tests --bench recordings`.

use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use callboard_core::{Service, ServiceOptions};
use callboard_model::CallQuery;
use callboard_system_tests::{World, sim_config};

const CALLS: usize = 40;
const SEEK_BYTES: u64 = 32 * 1024;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// "median / p95 / max" of a set of timings.
fn summary(mut t: Vec<Duration>) -> String {
    t.sort();
    let at = |q: f64| t[((t.len() - 1) as f64 * q).round() as usize];
    format!(
        "median {:7.3} ms  p95 {:7.3} ms  max {:7.3} ms",
        ms(at(0.5)),
        ms(at(0.95)),
        ms(at(1.0))
    )
}

fn verdict(t: &[Duration], target_ms: f64) -> &'static str {
    if t.iter().all(|d| ms(*d) <= target_ms) {
        "within target"
    } else {
        "OVER TARGET"
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let w = World::start(2, 200).await;
    w.service.sync_now(&w.account).await.expect("sync");
    let page = w
        .service
        .list_calls(CallQuery {
            limit: Some(1000),
            ..Default::default()
        })
        .await
        .unwrap();
    let ids: Vec<i64> = page
        .items
        .iter()
        .filter(|c| c.has_recording)
        .take(CALLS)
        .map(|c| c.id)
        .collect();
    // Fill the cache: downloads and decoding are not what is measured here.
    let mut paths: Vec<PathBuf> = Vec::new();
    let fill = Instant::now();
    for &id in &ids {
        paths.push(w.service.recording_file(id, 0).await.expect("plays").0);
    }
    let fill = fill.elapsed();
    let bytes: u64 = paths
        .iter()
        .map(|p| std::fs::metadata(p).unwrap().len())
        .sum();
    w.service.shutdown();

    // A fresh service over the filled cache, as after a restart, behind the HTTP server.
    let data = w.db_path().parent().unwrap().to_path_buf();
    let service = Service::start(
        sim_config(&w.sim, 4),
        ServiceOptions {
            autosync: false,
            ..ServiceOptions::new(data, false)
        },
    )
    .await
    .expect("service starts");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = callboard_server::router(service.clone(), None);
    // Served as `callboard-server` and the desktop's media server serve it.
    let listener = callboard_server::no_delay(listener);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let http = reqwest::Client::new();
    // The page that plays a recording is already connected.
    http.get(format!("http://{addr}/api/info"))
        .send()
        .await
        .unwrap();

    let (mut first_byte, mut whole, mut raw_read) = (Vec::new(), Vec::new(), Vec::new());
    let (mut seek, mut raw_seek) = (Vec::new(), Vec::new());
    for (id, path) in ids.iter().zip(&paths) {
        let url = format!("http://{addr}/api/calls/{id}/recording/0");
        let t = Instant::now();
        let mut resp = http.get(&url).send().await.unwrap();
        assert_eq!(resp.status(), 200);
        let mut n = resp.chunk().await.unwrap().map_or(0, |c| c.len());
        first_byte.push(t.elapsed());
        while let Some(c) = resp.chunk().await.unwrap() {
            n += c.len();
        }
        whole.push(t.elapsed());
        let t = Instant::now();
        let raw = std::fs::read(path).unwrap();
        raw_read.push(t.elapsed());
        assert_eq!(n, raw.len());

        let len = raw.len() as u64;
        let at = len / 2;
        let end = (at + SEEK_BYTES).min(len) - 1;
        let t = Instant::now();
        let resp = http
            .get(&url)
            .header("range", format!("bytes={at}-{end}"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 206);
        let body = resp.bytes().await.unwrap();
        seek.push(t.elapsed());
        let t = Instant::now();
        let mut f = std::fs::File::open(path).unwrap();
        f.seek(SeekFrom::Start(at)).unwrap();
        let mut buf = vec![0u8; (end - at + 1) as usize];
        f.read_exact(&mut buf).unwrap();
        raw_seek.push(t.elapsed());
        assert_eq!(body[..], buf[..]);
    }

    println!(
        "recordings: {} cached files, {:.1} MiB (filled by download + decode in {:.2} s)",
        paths.len(),
        bytes as f64 / (1 << 20) as f64,
        fill.as_secs_f64()
    );
    println!(
        "first play from cache, first byte: {}  [{}; target 150 ms]",
        summary(first_byte.clone()),
        verdict(&first_byte, 150.0)
    );
    println!(
        "first play from cache, whole file: {}  [{}; target 150 ms]",
        summary(whole.clone()),
        verdict(&whole, 150.0)
    );
    println!("  baseline, same file read raw:    {}", summary(raw_read));
    println!(
        "seek (Range {} KiB at the middle): {}  [{}; target 50 ms]",
        SEEK_BYTES / 1024,
        summary(seek.clone()),
        verdict(&seek, 50.0)
    );
    println!("  baseline, raw seek + read:       {}", summary(raw_seek));
    service.shutdown();
    w.sim.shutdown().await;
}
