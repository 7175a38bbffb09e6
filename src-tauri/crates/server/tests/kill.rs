//! `callboard-server` killed (SIGKILL) right after its listener acknowledged events: the
//! restarted server has every one of them, and every call they finished.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

const TOKEN: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";

fn config(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("callboard.toml");
    std::fs::write(
        &path,
        r#"[listener]
bind = "127.0.0.1:0"

[[accounts]]
id = "rec"
provider = "sprecord"
name = "Recorder"
[accounts.hosts]
device = "http://127.0.0.1:9"
[accounts.listener]
token = { env = "CALLBOARD_TEST_HOOK_TOKEN" }
"#,
    )
    .unwrap();
    path
}

/// Starts the server over `dir`; answers it with its API base URL and its listener's.
fn start(dir: &std::path::Path) -> (Child, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_callboard-server"))
        .args(["--bind", "127.0.0.1:0", "--data-dir"])
        .arg(dir.join("data"))
        .arg("--config")
        .arg(config(dir))
        .env("CALLBOARD_TEST_HOOK_TOKEN", TOKEN)
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start callboard-server");
    // The listener says where it serves on stderr (a log line), the API on stdout; both
    // pipes are read to their end, so the server never writes into a closed one.
    let (tx, rx) = std::sync::mpsc::channel();
    let pipes: [Box<dyn std::io::Read + Send>; 2] = [
        Box::new(child.stdout.take().unwrap()),
        Box::new(child.stderr.take().unwrap()),
    ];
    for (i, pipe) in pipes.into_iter().enumerate() {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                let key = if i == 0 { "http://" } else { "public=" };
                if let Some(at) = line.find(key) {
                    let from = if i == 0 { at } else { at + key.len() };
                    let url = line[from..]
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .to_owned();
                    let _ = tx.send((i, url));
                }
            }
        });
    }
    let (mut api, mut hooks) = (None, None);
    while api.is_none() || hooks.is_none() {
        let (i, url) = rx
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("the server says where it serves");
        if i == 0 {
            api = Some(url)
        } else {
            hooks = Some(url)
        }
    }
    let (api, hooks) = (api.unwrap(), hooks.unwrap());
    (child, api, hooks)
}

#[tokio::test]
async fn a_kill_right_after_the_acknowledgements_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, _, hooks) = start(dir.path());
    let url = format!("{}/sprecord/rec/{TOKEN}", hooks.trim_end_matches('/'));
    let http = reqwest::Client::new();
    for i in 0..20 {
        let body = format!(
            "msg=2&datetime=2026-12-01+10%3A{:02}%3A00&phone_from=8916123{i:04}&channel_hard_name=ch1&call_type=in&duration_sec={}&idr=kill-{i}",
            i,
            i % 3
        );
        let r = http
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "event {i}");
    }
    // No shutdown of any kind: the process is gone the moment the last answer is read.
    child.kill().unwrap();
    child.wait().unwrap();

    let (mut child, api, _) = start(dir.path());
    let page: serde_json::Value = http
        .get(format!("{api}/api/calls?account=rec&limit=100"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut ids: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["provider_call_id"].as_str().unwrap())
        .collect();
    ids.sort();
    let mut want: Vec<String> = (0..20).map(|i| format!("kill-{i}")).collect();
    want.sort();
    assert_eq!(ids, want);
    child.kill().unwrap();
    child.wait().unwrap();
}
