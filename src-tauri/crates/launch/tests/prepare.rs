//! What `prepare` decides from flags and the config file, before anything starts.

use callboard_launch::{LaunchOptions, prepare};

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
