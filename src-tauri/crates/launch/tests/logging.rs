//! The log file: what is logged reaches a file in the given directory. A test binary of
//! its own, since a process has one global subscriber.

#[test]
fn logs_reach_a_daily_file_in_the_log_dir() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    callboard_launch::init_logging(Some(&logs));
    // Read back while the process still runs: nothing waits in a buffer for a flush.
    tracing::info!(
        marker = "a1b2c3",
        "something an operator's support wants to read"
    );

    let files: Vec<_> = std::fs::read_dir(&logs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with("callboard.") && name.ends_with(".log"),
        "{name}"
    );
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert!(text.contains("marker=\"a1b2c3\""), "{text}");
    assert!(
        !text.contains('\u{1b}'),
        "no colour codes in the file: {text}"
    );
}
