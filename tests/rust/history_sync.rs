//! Beeline, MTS and MOR through the service, each against its simulator over loopback: a full
//! sync stores exactly the simulator's history, a re-sync writes nothing, a backfill
//! killed halfway resumes from the provider's own cursor (a pending CDR job, a record id)
//! with no gap and no duplicate, and a provider's error reaches the account's status
//! with the provider's code and text.

use std::collections::BTreeSet;

use callboard_core::{Config, Service};
use callboard_model::{AccountCapabilities, CallQuery, Event, ProviderKind, SyncState};
use callboard_sim::beeline::BEELINE_SIM_LOGIN;
use callboard_sim::mts::{MTS_SIM_LOGIN, MTS_SIM_PASSWORD};
use callboard_sim::{
    BeelineSim, BeelineSimOptions, MorSim, MorSimOptions, MtsEndpoint, MtsFailure, MtsSim,
    MtsSimOptions, SIM_PASSWORD,
};
use callboard_system_tests::{config_with_password, manual_service, mor_config};
use chrono::{DateTime, Duration, SubsecRound, Utc};

const SIM_DAYS: u32 = 4;
const BACKFILL_DAYS: u32 = 5;

fn beeline_config(sim: &BeelineSim, max_polls: u32) -> Config {
    config_with_password(
        &format!(
            r#"[[accounts]]
id = "bee"
provider = "beeline"
name = "Билайн"
backfill_days = {BACKFILL_DAYS}
[accounts.credentials]
login = "{BEELINE_SIM_LOGIN}"
password = {{ env = "UNUSED_IN_TESTS" }}
[accounts.beeline]
poll_every_secs = 0
max_polls = {max_polls}
[accounts.hosts]
api = "{}"
"#,
            sim.base_url()
        ),
        SIM_PASSWORD,
    )
}

fn mts_config(sim: &MtsSim) -> Config {
    config_with_password(
        &format!(
            r#"[[accounts]]
id = "mts"
provider = "mts"
name = "МТС"
backfill_days = {BACKFILL_DAYS}
[accounts.credentials]
login = "{MTS_SIM_LOGIN}"
password = {{ env = "UNUSED_IN_TESTS" }}
[accounts.hosts]
api = "{}"
"#,
            sim.api_url()
        ),
        MTS_SIM_PASSWORD,
    )
}

async fn beeline_sim(days: u32, calls_per_day: u32, now: DateTime<Utc>) -> BeelineSim {
    BeelineSim::start(BeelineSimOptions {
        days,
        calls_per_day,
        now: Some(now),
        ..Default::default()
    })
    .await
    .expect("the Beeline simulator starts")
}

async fn mts_sim(days: u32, calls_per_day: u32, now: DateTime<Utc>) -> MtsSim {
    MtsSim::start(MtsSimOptions {
        days,
        calls_per_day,
        now: Some(now),
        ..Default::default()
    })
    .await
    .expect("the MTS simulator starts")
}

/// Every stored call id of `provider`, duplicates kept.
async fn stored(service: &Service, provider: ProviderKind) -> Vec<String> {
    let mut ids = Vec::new();
    let mut q = CallQuery {
        limit: Some(1000),
        provider: Some(provider),
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

fn set(ids: Vec<String>) -> BTreeSet<String> {
    let n = ids.len();
    let set: BTreeSet<String> = ids.into_iter().collect();
    assert_eq!(set.len(), n, "no call is stored twice");
    set
}

fn beeline_expected(sim: &BeelineSim, now: DateTime<Utc>) -> BTreeSet<String> {
    sim.dataset()
        .calls_started(now - Duration::days(BACKFILL_DAYS.into()), now, now)
        .into_iter()
        .map(|c| c.call_id)
        .collect()
}

fn mts_expected(sim: &MtsSim, now: DateTime<Utc>) -> BTreeSet<String> {
    let d = sim.dataset();
    d.un_numbers()
        .iter()
        .flat_map(|un| d.retained(un, now))
        .map(|r| r.seqid.to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn beeline_history_syncs_whole_and_a_resync_writes_nothing() {
    let now = Utc::now().trunc_subsecs(0);
    let sim = beeline_sim(SIM_DAYS, 80, now).await;
    let dir = tempfile::tempdir().unwrap();
    let service = manual_service(beeline_config(&sim, 5), dir.path()).await;

    let report = service.sync_now("bee").await.expect("Beeline syncs");
    assert_eq!(report.pages, BACKFILL_DAYS + 1, "{report:?}");
    let expected = beeline_expected(&sim, now);
    assert!(expected.len() > 200, "{}", expected.len());
    assert_eq!(set(stored(&service, ProviderKind::Beeline).await), expected);
    // Each page is one CDR job, polled through NOT READY.
    assert_eq!(sim.request_count("REQCDR"), u64::from(report.pages));
    assert!(sim.request_count("STATCDR") >= 2 * u64::from(report.pages));

    let again = service.sync_now("bee").await.unwrap();
    assert_eq!(
        (again.stats.inserted, again.stats.updated),
        (0, 0),
        "{again:?}"
    );
    let status = &service.account_statuses()[0];
    assert_eq!(status.state, SyncState::Ok);
    assert_eq!(status.calls_synced as usize, expected.len());
    service.shutdown();
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pending_beeline_job_survives_a_restart_and_is_not_ordered_again() {
    let now = Utc::now().trunc_subsecs(0);
    let sim = beeline_sim(SIM_DAYS, 40, now).await;
    sim.keep_not_ready(5);
    let dir = tempfile::tempdir().unwrap();
    let service = manual_service(beeline_config(&sim, 2), dir.path()).await;
    // Two polls per pass, five NOT READY: the pass ends with the job still pending.
    let first = service.sync_now("bee").await.unwrap();
    assert_eq!((first.fetched, first.pages), (0, 1), "{first:?}");
    assert_eq!(sim.request_count("REQCDR"), 1);
    let status = &service.account_statuses()[0];
    assert_eq!(status.state, SyncState::Ok, "waiting is not an error");
    assert!(status.backfill.is_some(), "{status:?}");
    service.shutdown();
    drop(service);

    let service = manual_service(beeline_config(&sim, 2), dir.path()).await;
    let second = service.sync_now("bee").await.unwrap();
    assert_eq!(second.fetched, 0, "polls 3 and 4 are still NOT READY");
    assert_eq!(
        sim.request_count("REQCDR"),
        1,
        "the stored job is polled, not ordered again"
    );
    sim.keep_not_ready(0);
    let report = service.sync_now("bee").await.unwrap();
    assert!(report.fetched > 0, "{report:?}");
    assert_eq!(
        set(stored(&service, ProviderKind::Beeline).await),
        beeline_expected(&sim, now)
    );
    service.shutdown();
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mts_history_syncs_whole_then_resumes_by_record_id() {
    let now = Utc::now().trunc_subsecs(0);
    let sim = mts_sim(SIM_DAYS, 80, now).await;
    let dir = tempfile::tempdir().unwrap();
    let service = manual_service(mts_config(&sim), dir.path()).await;

    // The service says what the account can do: a call log, no recordings (MTS has none).
    assert_eq!(
        service.account_statuses()[0].capabilities,
        AccountCapabilities {
            call_log: true,
            recordings: false
        }
    );
    let report = service.sync_now("mts").await.expect("MTS syncs");
    assert_eq!(report.pages, BACKFILL_DAYS + 1, "{report:?}");
    let expected = mts_expected(&sim, now);
    assert!(expected.len() > 200, "{}", expected.len());
    assert_eq!(set(stored(&service, ProviderKind::Mts).await), expected);
    // The UN numbers are read once, not before each of the backfill's pages.
    assert_eq!(sim.request_count(MtsEndpoint::UnList), 1);

    // Caught up: each number resumes from its record id, by cdr/byid.
    let by_time = sim.request_count(MtsEndpoint::CdrByTime);
    let again = service.sync_now("mts").await.unwrap();
    assert_eq!(
        (again.stats.inserted, again.stats.updated),
        (0, 0),
        "{again:?}"
    );
    assert_eq!(sim.request_count(MtsEndpoint::CdrByTime), by_time);
    assert!(sim.request_count(MtsEndpoint::CdrById) >= 2);
    let start_ids: Vec<String> = sim.queries(MtsEndpoint::CdrById);
    assert!(
        start_ids.iter().all(|q| q.contains("start_id=")),
        "{start_ids:?}"
    );

    // New calls are written as time goes on: the next pass finds them by record id.
    let later = now + Duration::hours(3);
    sim.set_now(Some(later));
    let report = service.sync_now("mts").await.unwrap();
    assert_eq!(sim.request_count(MtsEndpoint::CdrByTime), by_time);
    let expected = mts_expected(&sim, later);
    let stored = set(stored(&service, ProviderKind::Mts).await);
    assert!(
        expected.iter().all(|id| stored.contains(id)),
        "every record written since is found: {report:?}"
    );
    service.shutdown();
    sim.shutdown().await;
}

/// Starts a pass, kills it after `pages` pages are stored, restarts the service and
/// finishes: what is stored then is exactly `expected`.
async fn kill_and_resume(
    config: impl Fn() -> Config,
    account: &str,
    provider: ProviderKind,
    expected: BTreeSet<String>,
) {
    let dir = tempfile::tempdir().unwrap();
    let service = manual_service(config(), dir.path()).await;
    let mut events = service.subscribe();
    let pass = tokio::spawn({
        let (service, account) = (service.clone(), account.to_string());
        async move { service.sync_now(&account).await }
    });
    let mut pages = 0;
    while pages < 2 {
        if let Event::CallsSynced { .. } = events.recv().await.unwrap() {
            pages += 1;
        }
    }
    pass.abort();
    let _ = pass.await;
    let partial = stored(&service, provider).await.len();
    assert!(
        partial > 0 && partial < expected.len(),
        "killed mid-backfill: {partial} of {}",
        expected.len()
    );
    service.shutdown();
    drop(service);

    let service = manual_service(config(), dir.path()).await;
    let report = service
        .sync_now(account)
        .await
        .expect("the backfill finishes");
    assert!(report.pages < BACKFILL_DAYS + 1, "resumed: {report:?}");
    assert_eq!(set(stored(&service, provider).await), expected);
    assert_eq!(service.account_statuses()[0].backfill, None);
    service.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_backfill_resumes_for_beeline_mts_and_mor() {
    let now = Utc::now().trunc_subsecs(0);
    let beeline = beeline_sim(SIM_DAYS, 60, now).await;
    kill_and_resume(
        || beeline_config(&beeline, 5),
        "bee",
        ProviderKind::Beeline,
        beeline_expected(&beeline, now),
    )
    .await;
    beeline.shutdown().await;

    let mts = mts_sim(SIM_DAYS, 60, now).await;
    kill_and_resume(
        || mts_config(&mts),
        "mts",
        ProviderKind::Mts,
        mts_expected(&mts, now),
    )
    .await;
    mts.shutdown().await;

    let opts = MorSimOptions {
        days: SIM_DAYS,
        calls_per_day: 60,
        now: Some(now),
        ..Default::default()
    };
    let mor = MorSim::start(opts.clone()).await.unwrap();
    let expected = mor
        .dataset()
        .recordings(now - Duration::days(BACKFILL_DAYS.into()), now, now)
        .into_iter()
        .map(|r| r.uniqueid)
        .collect();
    kill_and_resume(
        || mor_config(&mor, &opts, BACKFILL_DAYS),
        "mor",
        ProviderKind::Mor,
        expected,
    )
    .await;
    mor.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provider_errors_reach_the_status_with_their_code_and_text() {
    let now = Utc::now().trunc_subsecs(0);
    let beeline = beeline_sim(1, 10, now).await;
    let dir = tempfile::tempdir().unwrap();
    let service = manual_service(beeline_config(&beeline, 5), dir.path()).await;
    assert!(beeline.fail_next_code("REQCDR", "401.1", 1));
    let err = service.sync_now("bee").await.unwrap_err().to_api();
    let info = err.provider.expect("the provider's own error");
    assert_eq!(
        (info.provider, info.code.as_str(), info.message.as_str()),
        (
            ProviderKind::Beeline,
            "401.1",
            "Unknown UserName or Password"
        )
    );
    let status = &service.account_statuses()[0];
    assert_eq!(status.state, SyncState::Error);
    assert_eq!(
        status
            .last_error
            .as_ref()
            .and_then(|e| e.provider.as_ref())
            .map(|p| p.code.as_str()),
        Some("401.1")
    );
    service.shutdown();
    beeline.shutdown().await;

    let mts = mts_sim(1, 10, now).await;
    let dir = tempfile::tempdir().unwrap();
    let service = manual_service(mts_config(&mts), dir.path()).await;
    mts.fail_next(MtsFailure {
        endpoint: MtsEndpoint::UnList,
        status_code: 503,
        status_msg: "Сервис временно недоступен".into(),
        http_status: Some(200),
        times: 1,
    });
    let err = service.sync_now("mts").await.unwrap_err().to_api();
    let info = err.provider.expect("the provider's own error");
    assert_eq!(info.provider, ProviderKind::Mts);
    assert_eq!(info.code, "503");
    assert_eq!(info.message, "Сервис временно недоступен");
    service.shutdown();
    mts.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_pass_keeps_showing_the_calls_stored() {
    let now = Utc::now().trunc_subsecs(0);
    let sim = mts_sim(1, 40, now).await;
    let dir = tempfile::tempdir().unwrap();
    let service = manual_service(mts_config(&sim), dir.path()).await;
    service.sync_now("mts").await.unwrap();
    let before = service.account_statuses()[0].calls_synced;
    assert!(before > 0);
    // The store fails under the service: the pass fails, and so does counting.
    let db = rusqlite::Connection::open(dir.path().join("callboard.db")).unwrap();
    db.execute_batch("ALTER TABLE calls RENAME TO calls_elsewhere")
        .unwrap();
    assert!(service.sync_now("mts").await.is_err());
    let status = &service.account_statuses()[0];
    assert_eq!(status.state, SyncState::Error);
    assert_eq!(status.calls_synced, before, "not shown as 0 calls stored");
    service.shutdown();
    sim.shutdown().await;
}
