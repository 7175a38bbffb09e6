//! A new account's history is read back page by page: the list fills as each page is
//! stored, the status says how far the backfill has come, and a pass killed halfway
//! resumes from its saved cursor with nothing lost and nothing stored twice.

use std::collections::BTreeSet;

use callboard_core::{Service, ServiceOptions};
use callboard_model::{CallQuery, Event};
use callboard_sim::{MttSim, SimOptions};
use callboard_system_tests::sim_config;
use chrono::{Duration, SubsecRound, Utc};

async fn stored_ids(service: &Service) -> Vec<String> {
    let mut ids = Vec::new();
    let mut q = CallQuery {
        limit: Some(1000),
        ..Default::default()
    };
    loop {
        let page = service.list_calls(q.clone()).await.unwrap();
        ids.extend(page.items.into_iter().map(|c| c.provider_call_id));
        match page.next_cursor {
            Some(c) => q.cursor = Some(c),
            None => return ids,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backfill_killed_halfway_resumes_without_gap_or_duplicate() {
    const BACKFILL_DAYS: u32 = 12;
    let now = Utc::now().trunc_subsecs(0);
    let sim = MttSim::start(SimOptions {
        days: 10,
        calls_per_day: 80,
        now: Some(now),
        ..Default::default()
    })
    .await
    .unwrap();
    let data = tempfile::tempdir().unwrap();
    let start = || {
        Service::start(
            sim_config(&sim, BACKFILL_DAYS),
            ServiceOptions {
                autosync: false,
                ..ServiceOptions::new(data.path().into(), false)
            },
        )
    };
    let account = sim_config(&sim, BACKFILL_DAYS).accounts[0].id.clone();
    let expected: BTreeSet<String> = sim
        .dataset()
        .calls(
            now - Duration::days(BACKFILL_DAYS.into()),
            now + Duration::seconds(1),
            now,
        )
        .into_iter()
        .map(|c| c.h323_conf_id)
        .collect();

    let service = start().await.unwrap();
    let mut events = service.subscribe();
    let pass = tokio::spawn({
        let (service, account) = (service.clone(), account.clone());
        async move { service.sync_now(&account).await }
    });
    // The backfill shows as it goes, newest first: pages stored, progress in days.
    let (mut pages, mut progress) = (0, Vec::new());
    while pages < 3 {
        match events.recv().await.unwrap() {
            Event::CallsSynced { .. } => pages += 1,
            Event::AccountStatus { status } => progress.extend(status.backfill),
            _ => {}
        }
    }
    // A kill mid-backfill.
    pass.abort();
    let _ = pass.await;
    let listed = stored_ids(&service).await;
    assert!(
        !listed.is_empty() && listed.len() < expected.len(),
        "the list fills before the backfill ends: {} of {}",
        listed.len(),
        expected.len()
    );
    assert!(progress.len() >= 2, "progress reported: {progress:?}");
    assert!(
        progress
            .iter()
            .all(|p| p.total == BACKFILL_DAYS && p.done <= p.total)
    );
    assert!(
        progress.windows(2).all(|w| w[0].done < w[1].done),
        "{progress:?}"
    );
    service.shutdown();
    drop(service);

    // Restart: the pass resumes where the stored cursor says, not from the start.
    let service = start().await.unwrap();
    let report = service
        .sync_now(&account)
        .await
        .expect("the backfill finishes");
    // Newest first: three days were stored, so the resumed pass begins below them.
    assert!(
        report.from <= now - Duration::days(3) && report.to >= now,
        "resumed from the cursor: {report:?}"
    );
    assert!(
        report.pages < BACKFILL_DAYS,
        "not read again from the top: {report:?}"
    );
    let stored = stored_ids(&service).await;
    assert_eq!(stored.len(), expected.len(), "nothing twice");
    assert_eq!(
        stored.into_iter().collect::<BTreeSet<_>>(),
        expected,
        "nothing lost"
    );
    assert_eq!(service.account_statuses()[0].backfill, None);
    service.shutdown();
    sim.shutdown().await;
}
