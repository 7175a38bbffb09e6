//! Per provider (MTT, Beeline, MTS, MOR) figures, each beside a baseline measured in the
//! same run, since the machines are noisy: judge by the ratio.
//!
//! 1. Pipeline: the bytes of real payloads, as the simulator serves them, → the client's
//!    parse → normalize → `Store::upsert_calls` into a fresh SQLite file, one transaction
//!    per page of [`BATCH`] calls with the page's cursor, as the sync engine stores pages;
//!    beside it, a raw rusqlite insert of the same rows into the same schema (prepared
//!    `INSERT`, one transaction per batch, values computed beforehand). Target: the
//!    pipeline at least half the raw rate.
//! 2. Sync: `Service::sync_now` against the provider's simulator over loopback, with the
//!    number of requests it took.
//!
//! Run with `cargo bench -p callboard-system-tests --bench providers`.

use std::path::Path;
use std::time::{Duration, Instant};

use callboard_core::{Service, Store};
use callboard_model::{NewCall, ProviderKind, digits_of};
use callboard_providers::{beeline, mor, mts, mtt};
use callboard_sim::beeline::{BEELINE_SIM_LOGIN, BeelineDataset, render_cdr_file};
use callboard_sim::mor::{MorDataset, render_recordings};
use callboard_sim::mts::{MTS_SIM_LOGIN, MTS_SIM_PASSWORD, MtsDataset, render_cdr_page};
use callboard_sim::{
    BeelineSim, BeelineSimOptions, CallKind, Dataset, MorSim, MorSimOptions, MtsEndpoint, MtsSim,
    MtsSimOptions, SIM_PASSWORD, render_service_history,
};
use callboard_system_tests::{World, config_with_password, manual_service};
use chrono::{DateTime, SubsecRound, Utc};
use rusqlite::{Connection, params};
use serde_json::Value;

/// Calls per provider in the pipeline figures.
const CALLS: usize = 50_000;
/// Calls per page: MTT's row cap and MTS's largest page; Beeline's CDR files and MOR's
/// answers are cut to the same size so every provider stores the same batches.
const BATCH: usize = 1000;
/// Runs of each side; the medians are compared.
const RUNS: usize = 3;
const SEED: u64 = 7;
const BASE_URL: &str = "http://127.0.0.1:8080";

/// One provider's pages, as sent on the wire.
struct Payload {
    provider: ProviderKind,
    pages: Vec<Vec<u8>>,
    bytes: usize,
}

/// Time spent in each stage of a pipeline run.
#[derive(Default, Clone, Copy)]
struct Stages {
    parse: Duration,
    normalize: Duration,
    upsert: Duration,
}

impl Stages {
    fn total(&self) -> Duration {
        self.parse + self.normalize + self.upsert
    }
}

/// `CALLS` calls (or a few more) of a dataset: days of `per_day` calls back from `now`.
fn days_for(per_day: u32) -> u32 {
    (CALLS as u32).div_ceil(per_day) + 1
}

fn mtt_payload(now: DateTime<Utc>) -> Payload {
    let per_day = 2000;
    let d = Dataset::new(SEED, days_for(per_day), per_day);
    let calls = d.calls(d_horizon(now, d.days()), now, now);
    let calls = &calls[..CALLS.min(calls.len())];
    let mut pages = Vec::new();
    for kind in [
        CallKind::Incoming,
        CallKind::Missed,
        CallKind::Dialed,
        CallKind::Forwarded,
    ] {
        let of_kind: Vec<_> = calls.iter().filter(|c| c.kind == kind).cloned().collect();
        for chunk in of_kind.chunks(BATCH) {
            pages.push(render_service_history(kind, chunk));
        }
    }
    payload(ProviderKind::Mtt, pages)
}

fn d_horizon(now: DateTime<Utc>, days: u32) -> DateTime<Utc> {
    now - chrono::Duration::days(i64::from(days))
}

fn beeline_payload(now: DateTime<Utc>) -> Payload {
    let per_day = 2000;
    let days = days_for(per_day);
    let d = BeelineDataset::new(SEED, days, per_day);
    let calls = d.calls_started(d_horizon(now, days), now, now);
    let pages = calls[..CALLS.min(calls.len())]
        .chunks(BATCH)
        .map(|c| render_cdr_file(c, BASE_URL).expect("CDR file renders"))
        .collect();
    payload(ProviderKind::Beeline, pages)
}

fn mts_payload(now: DateTime<Utc>) -> Payload {
    let per_day = 2000;
    let d = MtsDataset::new(SEED, days_for(per_day), per_day);
    let records: Vec<_> = d
        .un_numbers()
        .iter()
        .flat_map(|un| d.retained(un, now))
        .take(CALLS)
        .collect();
    let chunks: Vec<_> = records.chunks(BATCH).collect();
    let pages = chunks
        .iter()
        .enumerate()
        .map(|(i, chunk)| {
            // Every page but the last links the next, as the simulator's do.
            let next = chunks.get(i + 1).map(|n| {
                format!(
                    "{BASE_URL}/api/v1/cdr/byid?phone={}&start_id={}&limit={BATCH}",
                    n[0].un, n[0].seqid
                )
            });
            render_cdr_page(chunk, next.as_deref()).into_bytes()
        })
        .collect();
    payload(ProviderKind::Mts, pages)
}

fn mor_payload(now: DateTime<Utc>) -> Payload {
    let per_day = 2000;
    let days = days_for(per_day);
    let d = MorDataset::new(SEED, days, per_day);
    let calls = d.recordings(d_horizon(now, days), now, now);
    let pages = calls[..CALLS.min(calls.len())]
        .chunks(BATCH)
        .map(|c| {
            render_recordings(c, BASE_URL)
                .expect("answer renders")
                .into_bytes()
        })
        .collect();
    payload(ProviderKind::Mor, pages)
}

fn payload(provider: ProviderKind, pages: Vec<Vec<u8>>) -> Payload {
    let bytes = pages.iter().map(Vec::len).sum();
    Payload {
        provider,
        pages,
        bytes,
    }
}

fn text(page: &[u8]) -> &str {
    std::str::from_utf8(page).expect("UTF-8 answer")
}

/// One page through the provider's client code: parse, then normalize, as its client
/// does after the response arrives.
fn decode(provider: ProviderKind, page: &[u8], stages: &mut Stages) -> Vec<NewCall> {
    let t = Instant::now();
    match provider {
        ProviderKind::Mtt => {
            // MttClient::rpc, then service_history: the envelope, `result`, the list.
            let mut envelope: Value = serde_json::from_str(text(page)).expect("JSON");
            let mut result: Value =
                serde_json::from_value(envelope["result"].take()).expect("result");
            let (kind, list) = mtt::HistoryKind::ALL
                .into_iter()
                .find_map(|k| result.get_mut(k.as_str()).map(|l| (k, l.take())))
                .expect("a history list");
            let rows: Vec<mtt::HistoryRow> = serde_json::from_value(list).expect("rows");
            stages.parse += t.elapsed();
            let t = Instant::now();
            let calls = rows
                .iter()
                .filter_map(|r| mtt::normalize_row(kind, r).ok())
                .collect();
            stages.normalize += t.elapsed();
            calls
        }
        ProviderKind::Beeline => {
            // The CDR file is read and normalized in one pass; counted as parsing.
            let calls =
                beeline::parse_cdr_file(page, &beeline::CdrColumns::default()).expect("CDR file");
            stages.parse += t.elapsed();
            calls
        }
        ProviderKind::Mts => {
            let env = mts::Envelope::parse(text(page)).expect("envelope");
            env.next_page().expect("link");
            let rows: Vec<mts::CdrRecord> = serde_json::from_value(env.value).expect("CDRs");
            stages.parse += t.elapsed();
            let t = Instant::now();
            let calls = rows
                .iter()
                .filter_map(|r| mts::normalize_record(r, chrono_tz::Europe::Moscow).ok())
                .collect();
            stages.normalize += t.elapsed();
            calls
        }
        ProviderKind::Mor => {
            let rows = mor::parse_answer(text(page)).expect("recordings");
            stages.parse += t.elapsed();
            let t = Instant::now();
            let calls = rows
                .iter()
                .filter_map(|r| mor::normalize_recording(r).ok())
                .collect();
            stages.normalize += t.elapsed();
            calls
        }
        other => unreachable!("{other:?}"),
    }
}

/// Bytes → parse → normalize → upsert, page by page, into a fresh store in `dir`.
fn pipeline(p: &Payload, dir: &Path) -> (usize, Stages) {
    let store = Store::open(&dir.join("pipeline.db")).expect("store opens");
    let mut stages = Stages::default();
    let mut stored = 0;
    for (i, page) in p.pages.iter().enumerate() {
        let calls = decode(p.provider, page, &mut stages);
        let t = Instant::now();
        let cursor = serde_json::json!({ "page": i });
        let s = store
            .upsert_calls("acc", p.provider, &calls, Some(&cursor))
            .expect("upsert");
        stages.upsert += t.elapsed();
        stored += s.inserted as usize;
    }
    (stored, stages)
}

/// A `calls` row with every value computed, as a raw insert would be handed them.
struct RawRow {
    /// account, provider, provider_call_id, direction, outcome, caller, callee,
    /// caller_digits, callee_digits, details.
    text: [String; 10],
    started_at: i64,
    secs: [u32; 3],
    cost: Option<f64>,
    currency: Option<String>,
    recording_ref: Option<String>,
}

fn raw_rows(p: &Payload) -> Vec<Vec<RawRow>> {
    let mut scratch = Stages::default();
    p.pages
        .iter()
        .map(|page| {
            decode(p.provider, page, &mut scratch)
                .into_iter()
                .map(|c| RawRow {
                    text: [
                        "acc".into(),
                        p.provider.as_str().into(),
                        c.provider_call_id,
                        c.direction.as_str().into(),
                        c.outcome.as_str().into(),
                        digits_of(&c.caller),
                        digits_of(&c.callee),
                        serde_json::to_string(&c.details).unwrap(),
                        c.caller,
                        c.callee,
                    ],
                    started_at: c.started_at.timestamp_millis(),
                    secs: [c.ring_secs, c.talk_secs, c.total_secs],
                    cost: c.cost,
                    currency: c.currency,
                    recording_ref: c.recording_ref,
                })
                .collect()
        })
        .collect()
}

/// The same rows inserted with rusqlite alone: the store's schema (migrated by
/// `Store::open`, then closed), its pragmas, a prepared INSERT, a transaction per batch.
fn raw_insert(batches: &[Vec<RawRow>], dir: &Path) -> usize {
    let path = dir.join("raw.db");
    drop(Store::open(&path).expect("schema"));
    let mut conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "NORMAL").unwrap();
    conn.pragma_update(None, "foreign_keys", "ON").unwrap();
    let now = Utc::now().timestamp_millis();
    let mut n = 0;
    for batch in batches {
        let tx = conn.transaction().unwrap();
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO calls (account, provider, provider_call_id, direction, outcome, \
                     caller_digits, callee_digits, details, caller, callee, started_at, ring_secs, \
                     talk_secs, total_secs, cost, currency, recording_ref, synced_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
                )
                .unwrap();
            for r in batch {
                let t = &r.text;
                n += insert
                    .execute(params![
                        t[0],
                        t[1],
                        t[2],
                        t[3],
                        t[4],
                        t[5],
                        t[6],
                        t[7],
                        t[8],
                        t[9],
                        r.started_at,
                        r.secs[0],
                        r.secs[1],
                        r.secs[2],
                        r.cost,
                        r.currency,
                        r.recording_ref,
                        now,
                    ])
                    .unwrap();
            }
        }
        tx.commit().unwrap();
    }
    n
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn rate(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64()
}

struct PipelineFigures {
    provider: ProviderKind,
    calls: usize,
    mb: f64,
    pipeline: f64,
    raw: f64,
    stages: Stages,
}

fn measure(p: &Payload) -> PipelineFigures {
    let batches = raw_rows(p);
    let rows: usize = batches.iter().map(Vec::len).sum();
    let (mut piped, mut raw, mut stage_runs) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..RUNS {
        // Alternate which side goes first, so neither always meets a warmer cache.
        for side in [run % 2, 1 - run % 2] {
            let dir = tempfile::tempdir().unwrap();
            if side == 0 {
                let t = Instant::now();
                let (n, stages) = pipeline(p, dir.path());
                piped.push(t.elapsed());
                stage_runs.push(stages);
                assert_eq!(n, rows, "{:?}: every call stored", p.provider);
            } else {
                let t = Instant::now();
                let n = raw_insert(&batches, dir.path());
                raw.push(t.elapsed());
                assert_eq!(n, rows);
            }
        }
    }
    stage_runs.sort_by_key(Stages::total);
    PipelineFigures {
        provider: p.provider,
        calls: rows,
        mb: p.bytes as f64 / 1e6,
        pipeline: rate(rows, median(piped)),
        raw: rate(rows, median(raw)),
        stages: stage_runs[RUNS / 2],
    }
}

struct SyncFigures {
    provider: &'static str,
    calls: u32,
    took: Duration,
    pages: u32,
    requests: String,
}

/// Days of history, and calls a day, each simulator holds for the sync figures.
const SYNC_DAYS: u32 = 10;
const SYNC_PER_DAY: u32 = 1000;

fn account(id: &str, provider: &str, extra: &str) -> String {
    format!(
        "[[accounts]]\nid = \"{id}\"\nprovider = \"{provider}\"\nname = \"{id}\"\n\
         backfill_days = {}\n{extra}",
        SYNC_DAYS + 2
    )
}

async fn timed_sync(service: &Service, id: &str) -> (u32, u32, Duration) {
    let t = Instant::now();
    let r = service.sync_now(id).await.expect("sync");
    (r.stats.inserted, r.pages, t.elapsed())
}

async fn sync_mtt() -> SyncFigures {
    // No rate limit: what the pipeline itself sustains (the default is 8 requests/s).
    let w = World::start_with_rate(SYNC_DAYS, SYNC_PER_DAY, Some(10_000)).await;
    let (calls, pages, took) = timed_sync(&w.service, &w.account).await;
    w.service.shutdown();
    SyncFigures {
        provider: "MTT",
        calls,
        took,
        pages,
        requests: format!(
            "{} getServiceHistoryByCustomer",
            w.sim.request_count("getServiceHistoryByCustomer")
        ),
    }
}

async fn sync_beeline(now: DateTime<Utc>) -> SyncFigures {
    let sim = BeelineSim::start(BeelineSimOptions {
        days: SYNC_DAYS,
        calls_per_day: SYNC_PER_DAY,
        now: Some(now),
        ..Default::default()
    })
    .await
    .unwrap();
    let toml = account(
        "bee",
        "beeline",
        &format!(
            "[accounts.credentials]\nlogin = \"{BEELINE_SIM_LOGIN}\"\n\
             password = {{ env = \"UNUSED_IN_TESTS\" }}\n\
             [accounts.beeline]\npoll_every_secs = 0\nmax_polls = 5\n\
             [accounts.hosts]\napi = \"{}\"\n",
            sim.base_url()
        ),
    );
    let dir = tempfile::tempdir().unwrap();
    let service = manual_service(config_with_password(&toml, SIM_PASSWORD), dir.path()).await;
    let (calls, pages, took) = timed_sync(&service, "bee").await;
    service.shutdown();
    let count = |c: &str| sim.request_count(c);
    let figures = SyncFigures {
        provider: "Beeline",
        calls,
        took,
        pages,
        requests: format!(
            "{} REQCDR + {} STATCDR + {} file",
            count("REQCDR"),
            count("STATCDR"),
            count(callboard_sim::beeline::CDR_FILE)
        ),
    };
    sim.shutdown().await;
    figures
}

async fn sync_mts(now: DateTime<Utc>) -> SyncFigures {
    let sim = MtsSim::start(MtsSimOptions {
        days: SYNC_DAYS,
        calls_per_day: SYNC_PER_DAY,
        now: Some(now),
        ..Default::default()
    })
    .await
    .unwrap();
    let toml = account(
        "mts",
        "mts",
        &format!(
            "[accounts.credentials]\nlogin = \"{MTS_SIM_LOGIN}\"\n\
             password = {{ env = \"UNUSED_IN_TESTS\" }}\n\
             [accounts.hosts]\napi = \"{}\"\n",
            sim.api_url()
        ),
    );
    let dir = tempfile::tempdir().unwrap();
    let service = manual_service(config_with_password(&toml, MTS_SIM_PASSWORD), dir.path()).await;
    let (calls, pages, took) = timed_sync(&service, "mts").await;
    service.shutdown();
    let count = |e| sim.request_count(e);
    let figures = SyncFigures {
        provider: "MTS",
        calls,
        took,
        pages,
        requests: format!(
            "{} cdr/bytime + {} cdr/byid + {} un",
            count(MtsEndpoint::CdrByTime),
            count(MtsEndpoint::CdrById),
            count(MtsEndpoint::UnList) + count(MtsEndpoint::UnSettings)
        ),
    };
    sim.shutdown().await;
    figures
}

async fn sync_mor(now: DateTime<Utc>) -> SyncFigures {
    let opts = MorSimOptions {
        days: SYNC_DAYS,
        calls_per_day: SYNC_PER_DAY,
        now: Some(now),
        ..Default::default()
    };
    let sim = MorSim::start(opts.clone()).await.unwrap();
    let toml = account(
        "mor",
        "mor",
        &format!(
            "[accounts.credentials]\nlogin = \"{}\"\n\
             password = {{ env = \"UNUSED_IN_TESTS\" }}\n\
             [accounts.hosts]\nserver = \"{}\"\n",
            opts.user,
            sim.base_url()
        ),
    );
    let dir = tempfile::tempdir().unwrap();
    let service = manual_service(config_with_password(&toml, &opts.secret), dir.path()).await;
    let (calls, pages, took) = timed_sync(&service, "mor").await;
    service.shutdown();
    let figures = SyncFigures {
        provider: "MOR",
        calls,
        took,
        pages,
        requests: format!("{} recordings_get", sim.request_count()),
    };
    sim.shutdown().await;
    figures
}

fn name(p: ProviderKind) -> &'static str {
    match p {
        ProviderKind::Mtt => "MTT",
        ProviderKind::Beeline => "Beeline",
        ProviderKind::Mts => "MTS",
        ProviderKind::Mor => "MOR",
        _ => "?",
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let now = Utc::now().trunc_subsecs(0);
    println!(
        "Pipeline: payload bytes -> parse -> normalize -> Store::upsert_calls, {BATCH} calls a \
         transaction, fresh on-disk store;\nbaseline: raw rusqlite INSERT of the same rows into \
         the same schema, same batches. Median of {RUNS} runs each.\n"
    );
    println!(
        "{:<8} {:>7} {:>7} {:>12} {:>12} {:>6} {:>6}  {:>27}",
        "provider",
        "calls",
        "MB",
        "pipeline/s",
        "raw rows/s",
        "ratio",
        ">=0.5",
        "parse / normalize / upsert ms"
    );
    for make in [mtt_payload, beeline_payload, mts_payload, mor_payload] {
        let p = make(now);
        let f = measure(&p);
        let ratio = f.pipeline / f.raw;
        println!(
            "{:<8} {:>7} {:>7.1} {:>12.0} {:>12.0} {:>6.2} {:>6}  {:>8.0} / {:>6.0} / {:>7.0}",
            name(f.provider),
            f.calls,
            f.mb,
            f.pipeline,
            f.raw,
            ratio,
            if ratio >= 0.5 { "yes" } else { "NO" },
            ms(f.stages.parse),
            ms(f.stages.normalize),
            ms(f.stages.upsert),
        );
    }

    println!(
        "\nSync: Service::sync_now against the simulator over loopback, {SYNC_DAYS} days x \
         {SYNC_PER_DAY} calls/day, fresh store.\n"
    );
    println!(
        "{:<8} {:>7} {:>8} {:>10} {:>6}  requests",
        "provider", "calls", "secs", "calls/s", "pages"
    );
    for f in [
        sync_mtt().await,
        sync_beeline(now).await,
        sync_mts(now).await,
        sync_mor(now).await,
    ] {
        println!(
            "{:<8} {:>7} {:>8.2} {:>10.0} {:>6}  {}",
            f.provider,
            f.calls,
            f.took.as_secs_f64(),
            rate(f.calls as usize, f.took),
            f.pages,
            f.requests
        );
    }
}
