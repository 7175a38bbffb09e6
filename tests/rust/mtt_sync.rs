//! MTT simulator + client + sync engine + SQLite, over real loopback HTTP.

use std::collections::BTreeSet;
use std::time::Instant;

use callboard_model::{Call, CallQuery, ErrorCode, SyncState};
use callboard_sim::{FailureForm, InjectedFailure};
use callboard_system_tests::World;
use chrono::{Duration, SubsecRound};

/// Every call id in the store, walking all pages.
async fn stored_ids(w: &World) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    let mut q = CallQuery {
        limit: Some(1000),
        ..Default::default()
    };
    loop {
        let page = w.service.list_calls(q.clone()).await.unwrap();
        ids.extend(page.items.into_iter().map(|c| c.provider_call_id));
        match page.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => return ids,
        }
    }
}

async fn find_call(w: &World, provider_call_id: &str) -> Call {
    let mut q = CallQuery {
        limit: Some(1000),
        ..Default::default()
    };
    loop {
        let page = w.service.list_calls(q.clone()).await.unwrap();
        if let Some(c) = page
            .items
            .into_iter()
            .find(|c| c.provider_call_id == provider_call_id)
        {
            return c;
        }
        q.cursor = Some(page.next_cursor.expect("the call is stored"));
    }
}

fn expected_ids(w: &World, days: i64) -> BTreeSet<String> {
    let now = w.now;
    w.sim
        .dataset()
        .calls(
            now - Duration::days(days + 2),
            now + Duration::seconds(1),
            now,
        )
        .into_iter()
        .map(|c| c.h323_conf_id)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_sync_stores_every_call_once_and_resync_changes_nothing() {
    let w = World::start(14, 150).await;
    let started = Instant::now();
    let report = w.service.sync_now(&w.account).await.expect("sync succeeds");
    let elapsed = started.elapsed();
    let expected = expected_ids(&w, 14);
    assert!(
        expected.len() > 1000,
        "a fortnight of history: {}",
        expected.len()
    );
    assert_eq!(report.stats.inserted as usize, expected.len());
    assert_eq!(
        stored_ids(&w).await,
        expected,
        "the store holds exactly the simulator's calls"
    );
    println!(
        "sync rate: {} calls in {:.3} s = {:.0} calls/s",
        expected.len(),
        elapsed.as_secs_f64(),
        expected.len() as f64 / elapsed.as_secs_f64()
    );

    let again = w
        .service
        .sync_now(&w.account)
        .await
        .expect("re-sync succeeds");
    assert_eq!(
        (again.stats.inserted, again.stats.updated),
        (0, 0),
        "re-sync changes nothing"
    );
    // The overlap was read again, whatever the hour holds (at night it may be empty).
    let in_overlap = w
        .sim
        .dataset()
        .calls(
            again.from.trunc_subsecs(0),
            w.now + Duration::seconds(1),
            w.now,
        )
        .len();
    assert_eq!(
        again.fetched, in_overlap,
        "the overlap window was read again"
    );
    assert!(
        again.from >= report.to - Duration::hours(2),
        "the second pass starts from the cursor"
    );
    assert_eq!(stored_ids(&w).await.len(), expected.len());

    let status = &w.service.account_statuses()[0];
    assert_eq!(status.state, SyncState::Ok);
    assert_eq!(status.calls_synced as usize, expected.len());
    assert!(status.last_error.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_day_is_re_read_once_an_hour_so_late_records_are_caught() {
    let w = World::start(3, 150).await;
    let first = w.service.sync_now(&w.account).await.expect("first sync");
    let day_ago = first.to - Duration::hours(24);

    // A record the provider published late: gone from the store, as if the earlier
    // passes had never seen it. A call from 5 hours ago, past the short overlap.
    let late = w
        .sim
        .dataset()
        .calls(day_ago, first.to - Duration::hours(5), w.now)
        .into_iter()
        .next()
        .expect("the simulator has calls in the day before")
        .h323_conf_id;
    let db = rusqlite::Connection::open(w.db_path()).unwrap();
    let deleted = db
        .execute("DELETE FROM calls WHERE provider_call_id = ?1", [&late])
        .unwrap();
    assert_eq!(deleted, 1, "the call {late:?} was stored");

    // Ten minutes on: the provider's short overlap only (an hour for MTT).
    w.clock.advance(Duration::minutes(10));
    let short = w.service.sync_now(&w.account).await.expect("short pass");
    assert_eq!(short.from, first.to - Duration::hours(1));
    assert!(
        !stored_ids(&w).await.contains(&late),
        "out of the short window"
    );

    // An hour after the last deep pass: the whole last day again.
    w.clock.advance(Duration::minutes(51));
    let deep = w.service.sync_now(&w.account).await.expect("deep pass");
    assert_eq!(deep.from, short.to - Duration::hours(24));
    assert_eq!(
        deep.fetched,
        w.sim
            .dataset()
            .calls(
                deep.from.trunc_subsecs(0),
                w.now + Duration::seconds(1),
                w.now
            )
            .len(),
        "every call of the day was read"
    );
    assert_eq!(
        deep.stats.inserted, 1,
        "the late record, and only it, is new"
    );
    assert!(stored_ids(&w).await.contains(&late));

    // And back to short passes until the next hour is up.
    w.clock.advance(Duration::minutes(5));
    let next = w.service.sync_now(&w.account).await.expect("short pass");
    assert_eq!(next.from, deep.to - Duration::hours(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn windows_over_the_1000_row_cap_are_split() {
    // ~2,000 calls a day for 3 days: each list of the whole window is well over 1000.
    let w = World::start(3, 2000).await;
    let report = w.service.sync_now(&w.account).await.expect("sync succeeds");
    let expected = expected_ids(&w, 3);
    let incoming = w
        .sim
        .dataset()
        .calls(w.now - Duration::days(5), w.now, w.now)
        .iter()
        .filter(|c| c.kind == callboard_sim::CallKind::Incoming)
        .count();
    assert!(
        incoming > 1000,
        "the incoming list alone exceeds the cap: {incoming}"
    );
    assert_eq!(report.stats.inserted as usize, expected.len());
    assert_eq!(stored_ids(&w).await, expected, "nothing lost at the cap");
    let requests = w.sim.request_count("getServiceHistoryByCustomer");
    assert!(
        requests > 4,
        "capped windows were re-asked in parts ({requests} requests)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provider_errors_surface_with_their_code_and_message() {
    let w = World::start(2, 100).await;
    let cases = [
        (FailureForm::Rpc, -32603, "Internal error", "-32603"),
        (FailureForm::Result, 1, "Side A not clear", "result.error"),
        (FailureForm::Http, 503, "maintenance", "HTTP 503"),
    ];
    for (form, code, message, shown) in cases {
        w.sim.fail_next(InjectedFailure {
            method: "getServiceHistoryByCustomer".into(),
            form,
            code,
            message: message.into(),
            times: 1,
        });
        let err = w
            .service
            .sync_now(&w.account)
            .await
            .expect_err("the injected failure surfaces");
        let api = err.to_api();
        assert_eq!(api.code, ErrorCode::Provider, "{api:?}");
        let info = api.provider.expect("provider's own error kept");
        assert_eq!(info.code, shown);
        assert!(info.message.contains(message), "{info:?}");
        let status = &w.service.account_statuses()[0];
        assert_eq!(status.state, SyncState::Error);
        assert_eq!(
            status
                .last_error
                .as_ref()
                .and_then(|e| e.provider.as_ref())
                .map(|p| p.code.as_str()),
            Some(shown)
        );
    }
    // Nothing was stored by the failed passes and the next pass recovers everything.
    w.service.sync_now(&w.account).await.expect("recovers");
    assert_eq!(stored_ids(&w).await, expected_ids(&w, 2));
    assert_eq!(w.service.account_statuses()[0].state, SyncState::Ok);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recordings_resolve_download_once_and_cache() {
    let w = World::start(3, 200).await;
    w.service.sync_now(&w.account).await.unwrap();
    let multi = w
        .sim
        .dataset()
        .calls(w.now - Duration::days(3), w.now, w.now)
        .into_iter()
        .find(|c| c.recording_parts >= 2)
        .expect("the simulator has multi-part recordings");
    let call = find_call(&w, &multi.h323_conf_id).await;
    assert!(call.has_recording);

    let parts = w.service.recording_parts(call.id).await.unwrap();
    assert_eq!(parts.len() as u32, multi.recording_parts);
    assert!(parts.iter().all(|p| !p.cached && p.mime == "audio/wav"));

    // Two players asking at once download each part once.
    let (a, b) = tokio::join!(
        w.service.recording_file(call.id, 1),
        w.service.recording_file(call.id, 1)
    );
    let (path, mime) = a.unwrap();
    assert_eq!(b.unwrap().0, path);
    assert_eq!(mime, "audio/wav");
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(&bytes[..4], b"RIFF");
    assert_eq!(w.sim.request_count(callboard_sim::FILE_METHOD), 1);
    assert!(w.service.recording_parts(call.id).await.unwrap()[1].cached);
    w.service.recording_file(call.id, 1).await.unwrap();
    assert_eq!(
        w.sim.request_count(callboard_sim::FILE_METHOD),
        1,
        "served from the cache"
    );
    assert_eq!(
        w.sim.request_count(callboard_sim::URLS_METHOD),
        1,
        "links asked once"
    );

    let missing = w
        .service
        .recording_file(call.id, 9)
        .await
        .unwrap_err()
        .to_api();
    assert_eq!(missing.code, ErrorCode::NotFound);
}
