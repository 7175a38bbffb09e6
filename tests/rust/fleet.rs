//! The whole fleet through one service: every provider's history lands in one store, and
//! the same callers ring through several providers (one population across simulators).

use std::collections::{BTreeMap, BTreeSet};

use callboard_core::{Config, SecretSource, Service, ServiceOptions};
use callboard_model::{CallQuery, Direction, SyncState};
use callboard_sim::{Fleet, FleetOptions};
use chrono::{SubsecRound, Utc};
use secrecy::SecretString;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_population_rings_through_every_provider() {
    let fleet = Fleet::start(FleetOptions {
        days: 3,
        calls_per_day: 120,
        now: Some(Utc::now().trunc_subsecs(0)),
        ..Default::default()
    })
    .await
    .unwrap();
    let mut config = Config::parse(&fleet.config_toml(4), "fleet").unwrap();
    let accounts = fleet.accounts();
    for a in &mut config.accounts {
        let f = accounts
            .iter()
            .find(|f| f.id == a.id)
            .expect("a fleet account");
        a.credentials.as_mut().unwrap().password =
            SecretSource::Memory(SecretString::from(f.password.clone()));
    }
    let dir = tempfile::tempdir().unwrap();
    let service = Service::start(
        config,
        ServiceOptions {
            autosync: false,
            ..ServiceOptions::new(dir.path().into(), false)
        },
    )
    .await
    .unwrap();
    for a in &accounts {
        let report = service
            .sync_now(a.id)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", a.id));
        assert!(report.stats.inserted > 50, "{}: {report:?}", a.id);
    }
    assert!(
        service
            .account_statuses()
            .iter()
            .all(|s| s.state == SyncState::Ok && s.calls_synced > 50)
    );

    // Which providers each client (the far end of a call) called through.
    let mut through: BTreeMap<String, BTreeSet<&'static str>> = BTreeMap::new();
    let mut q = CallQuery {
        limit: Some(1000),
        ..Default::default()
    };
    loop {
        let page = service.list_calls(q.clone()).await.unwrap();
        for c in page.items {
            let client = match c.direction {
                Direction::Outgoing => c.callee,
                _ => c.caller,
            };
            through
                .entry(client)
                .or_default()
                .insert(c.provider.as_str());
        }
        match page.next_cursor {
            Some(cursor) => q.cursor = Some(cursor),
            None => break,
        }
    }
    let providers: BTreeSet<&str> = through.values().flatten().copied().collect();
    assert_eq!(providers.len(), 4, "{providers:?}");
    let shared = through.values().filter(|p| p.len() >= 2).count();
    assert!(
        shared >= 20,
        "clients who called through two providers or more: {shared} of {}",
        through.len()
    );
    service.shutdown();
    fleet.shutdown().await;
}
