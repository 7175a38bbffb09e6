//! Secrets from the OS keyring, through a real Secret Service: an MTT account whose
//! password is a keyring entry syncs from the simulator, and the password is nowhere in
//! the SQLite file. Needs a Secret Service, so it is ignored by a plain `cargo test` and
//! run by `tests/run-all.sh` inside `tests/with-secret-service.sh`.

use callboard_model::SyncState;
use callboard_sim::config_toml;
use callboard_system_tests::{small_sim, start_service};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a Secret Service: run inside tests/with-secret-service.sh"]
async fn a_keyring_secret_syncs_and_stays_out_of_sqlite() {
    let sim = small_sim().await;
    let account = sim.account();
    let name = format!("keyring-test-{}", std::process::id());
    let entry = keyring::Entry::new("callboard", &name).unwrap();
    entry
        .set_password(&account.password)
        .expect("the Secret Service stores the entry");

    let toml = config_toml(&sim.base_url(), &account, "UNUSED").replace(
        r#"password = { env = "UNUSED" }"#,
        &format!(r#"password = {{ keyring = "{name}" }}"#),
    );
    assert!(toml.contains("keyring ="), "{toml}");
    let (service, dir) = start_service(&toml).await;
    assert_eq!(service.account_statuses()[0].state, SyncState::Idle);
    let report = service.sync_now("mtt-sim").await.expect("syncs");
    assert!(report.stats.inserted > 0);
    drop(service);

    // Every file of the store (database, WAL), byte for byte: the password is in none.
    for file in std::fs::read_dir(dir.path()).unwrap() {
        let path = file.unwrap().path();
        if path.is_file() {
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !bytes
                    .windows(account.password.len())
                    .any(|w| w == account.password.as_bytes()),
                "the password is in {}",
                path.display()
            );
        }
    }
    entry.delete_credential().unwrap();
}
