//! An account whose secret cannot be read at start-up (in real life: a keyring still
//! locked after login) shows the error, and syncs once the secret can be read, without a
//! restart. A test binary of its own: it changes the process environment.

use callboard_model::{ErrorCode, SyncState};
use callboard_sim::config_toml;
use callboard_system_tests::{small_sim, start_service};

const VAR: &str = "CALLBOARD_TEST_LATE_MTT_PASSWORD";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_secret_is_tried_again_on_the_next_pass() {
    let sim = small_sim().await;
    let account = sim.account();
    let (service, _dir) = start_service(&config_toml(&sim.base_url(), &account, VAR)).await;
    let id = "mtt-sim";

    let status = &service.account_statuses()[0];
    assert_eq!(status.state, SyncState::Error);
    let error = status.last_error.as_ref().expect("the status says why");
    assert_eq!(error.code, ErrorCode::Config);
    assert!(error.message.contains(VAR), "{}", error.message);
    assert!(service.sync_now(id).await.is_err(), "still unreadable");

    // SAFETY: this binary's only test, and nothing else reads the environment meanwhile.
    unsafe { std::env::set_var(VAR, &account.password) };
    let report = service.sync_now(id).await.expect("the secret is read now");
    assert!(report.stats.inserted > 0);
    let status = &service.account_statuses()[0];
    assert_eq!(status.state, SyncState::Ok);
    assert!(status.last_error.is_none());
    assert_eq!(status.calls_synced, report.stats.inserted as u64);
}
