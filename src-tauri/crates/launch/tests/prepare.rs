//! What `prepare` decides from flags and the config file, before anything starts.

use callboard_launch::{LaunchOptions, launch, prepare, prepare_broken};
use callboard_model::{ErrorCode, ErrorHint};

#[test]
fn no_config_means_a_demo_in_its_own_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let p = prepare(&LaunchOptions {
        data_dir: Some(dir.path().to_owned()),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(p.data_dir(), dir.path().join("demo"));
    assert_eq!(p.log_dir(), dir.path().join("demo/logs"));
}

#[test]
fn accounts_in_the_config_mean_a_real_run_unless_demo_is_forced() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("callboard.toml");
    std::fs::write(
        &config,
        r#"
data_dir = "/nonexistent/from-config"

[[accounts]]
id = "office"
provider = "mtt"
name = "Office"

[accounts.credentials]
login = "user"
password = { env = "CALLBOARD_TEST_UNSET_SECRET" }

[accounts.mtt]
customer_name = "user"
"#,
    )
    .unwrap();
    let opts = LaunchOptions {
        config: Some(config),
        ..Default::default()
    };
    let real = prepare(&opts).unwrap();
    assert_eq!(
        real.data_dir(),
        std::path::Path::new("/nonexistent/from-config")
    );
    // The flag wins over the file, and --demo keeps the demo apart from real data.
    let forced = prepare(&LaunchOptions {
        data_dir: Some(dir.path().to_owned()),
        demo: true,
        ..opts
    })
    .unwrap();
    assert_eq!(forced.data_dir(), dir.path().join("demo"));
}

#[test]
fn a_broken_config_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("broken.toml");
    std::fs::write(&config, "accounts = 3").unwrap();
    let err = prepare(&LaunchOptions {
        config: Some(config.clone()),
        ..Default::default()
    })
    .err()
    .expect("a broken config is refused");
    assert!(
        err.to_string().contains("broken.toml"),
        "the error names the file: {err}"
    );
}

/// The desktop app goes on after a broken config: no accounts, no demo, the stored calls
/// of the flagged data dir, and the error with its file and line for the window to show.
#[tokio::test]
async fn a_broken_config_still_starts_and_says_where_it_broke() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("callboard.toml");
    std::fs::write(
        &config,
        "[[accounts]]\nid = \"office\"\nname = \"Office\nprovider = \"mtt\"\n",
    )
    .unwrap();
    let opts = LaunchOptions {
        config: Some(config.clone()),
        data_dir: Some(dir.path().join("data")),
        ..Default::default()
    };
    let Err(callboard_launch::LaunchError::Config(e)) = prepare(&opts) else {
        panic!("the config is refused")
    };
    let prepared = prepare_broken(&opts, e);
    assert_eq!(prepared.data_dir(), dir.path().join("data"));
    let launched = launch(prepared).await.expect("starts without accounts");
    let info = launched.service.info();
    assert!(!info.demo, "a broken config is not a demo");
    assert_eq!(info.accounts, 0);
    let error = info.startup_error.expect("the error is carried to the UI");
    assert_eq!(error.code, ErrorCode::Config);
    let Some(ErrorHint::ConfigInvalid {
        file,
        line,
        column,
        detail,
    }) = error.hint
    else {
        panic!("a config hint: {error:?}")
    };
    assert_eq!(file, config.display().to_string());
    assert_eq!(line, Some(3), "the unterminated string is on line 3");
    assert!(column.is_some());
    assert!(!detail.is_empty());
    launched.shutdown().await;
}
