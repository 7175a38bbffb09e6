//! Live routing and events at load (issue 8). Each figure beside a baseline of the same run:
//!
//! - MTT routing answers through the real listener at a fixed rate (open loop: latency
//!   counted from when each request was due, so a stall is not hidden), with 100,000
//!   blacklist entries and 10,000 forwarding plans, beside a constant-answer axum handler
//!   at the same rate; then the same while the listener is flooded with bad requests
//!   (wrong token) at the same rate again.
//! - Webhook to UI: from posting an SpRecord event to its `live_call` arriving on the
//!   server-sent event stream the UI reads, beside a request to the constant handler.
//!
//! Targets: routing p99 ≤ 2 ms and ≤ 2× the constant handler, also under the flood;
//! webhook-to-UI p99 ≤ 20 ms. `cargo bench -p callboard-system-tests --bench live
//! [-- --rate 2000 --secs 10 --blacklist 100000 --plans 10000]`; CI runs it reduced with
//! `cargo test --bench live -- --rate 200 --secs 2 --blacklist 10000 --plans 1000`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use callboard_core::config::ListenerConfig;
use callboard_core::{Config, RuleEdit, Service, ServiceOptions};
use callboard_listener::Listener;
use callboard_model::{
    AfterHours, BlockedNumber, ForwardingPlan, MatchKind, RingMode, RoutingRules, Target,
};
use futures_util::StreamExt;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

struct Args {
    rate: u32,
    secs: u64,
    blacklist: usize,
    plans: usize,
}

fn args() -> Args {
    let mut a = Args {
        rate: 2000,
        secs: 10,
        blacklist: 100_000,
        plans: 10_000,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut num = || {
            it.next()
                .and_then(|v| v.parse::<u64>().ok())
                .expect("a number")
        };
        match arg.as_str() {
            "--rate" => a.rate = num() as u32,
            "--secs" => a.secs = num(),
            "--blacklist" => a.blacklist = num() as usize,
            "--plans" => a.plans = num() as usize,
            _ => {}
        }
    }
    a
}

const ACCOUNTS: &str = r#"
[[accounts]]
id = "mtt"
provider = "mtt"
name = "MTT"
[accounts.mtt]
customer_name = "1"
[accounts.listener]
allow_from = []
token = { env = "CALLBOARD_BENCH_TOKEN" }

[[accounts]]
id = "rec"
provider = "sprecord"
name = "Recorder"
[accounts.hosts]
device = "http://127.0.0.1:9"
[accounts.listener]
token = { env = "CALLBOARD_BENCH_TOKEN" }
"#;
const TOKEN: &str = "00112233445566778899aabbccddeeff";

/// Timings in ms: median, p99, max.
fn stats(mut t: Vec<f64>) -> (f64, f64, f64) {
    t.sort_by(f64::total_cmp);
    let at = |q: f64| t[((t.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.99), at(1.0))
}

/// One line of figures; `within` is (baseline median, p99, the most p99 may be of the
/// baseline's) when the figure is judged against a baseline.
fn line(label: &str, t: Vec<f64>, base: Option<(f64, f64, f64)>, target_p99: f64) {
    let n = t.len();
    let (median, p99, max) = stats(t);
    let mut verdict = p99 <= target_p99;
    let vs = match base {
        Some((bm, bp, most)) => {
            verdict &= p99 <= most * bp;
            format!(
                "  baseline median {bm:.3} p99 {bp:.3}  ×{:.2} / ×{:.2}",
                median / bm,
                p99 / bp
            )
        }
        None => String::new(),
    };
    println!(
        "{label:<46} n={n:<6} median {median:7.3} ms  p99 {p99:7.3} ms  max {max:8.3} ms{vs}  {}",
        if verdict { "ok" } else { "OVER TARGET" }
    );
}

/// Sends `make(i)` to `url` at `rate` per second for `secs`, open loop; answers each
/// request's latency (ms) from when it was due, and how many got a 200.
async fn load(
    http: &reqwest::Client,
    rate: u32,
    secs: u64,
    make: impl Fn(u64) -> (String, String) + Send + Sync + 'static,
) -> (Vec<f64>, usize) {
    let make = Arc::new(make);
    let every = Duration::from_secs_f64(1.0 / f64::from(rate));
    let total = u64::from(rate) * secs;
    let start = tokio::time::Instant::now();
    let mut tasks = Vec::with_capacity(total as usize);
    for i in 0..total {
        let due = start + every * i as u32;
        tokio::time::sleep_until(due).await;
        let (http, make) = (http.clone(), make.clone());
        tasks.push(tokio::spawn(async move {
            let (url, body) = make(i);
            let ok = http
                .post(url)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .map(|r| r.status() == 200)
                .unwrap_or(false);
            (due.elapsed().as_secs_f64() * 1e3, ok)
        }));
    }
    let mut times = Vec::with_capacity(tasks.len());
    let mut ok = 0;
    for t in tasks {
        let (ms, good) = t.await.unwrap();
        times.push(ms);
        ok += usize::from(good);
    }
    (times, ok)
}

/// The `i`th routing request of the mix: blacklisted, a prefix, planned lines, unknown lines.
fn ask(i: u64, nb: u64, np: u64) -> String {
    let (caller, line) = match i % 4 {
        0 => (
            format!("7999{:07}", (i * 7919) % nb.max(1)),
            "74950000001".to_owned(),
        ),
        1 => (
            format!("790{:05}{:03}", (i / 10) % (nb / 10).max(1), i % 1000),
            "74950000002".to_owned(),
        ),
        2 => (
            format!("7903{:07}", i % 10_000_000),
            format!("7495{:07}", i % np.max(1)),
        ),
        _ => (
            format!("7903{:07}", i % 10_000_000),
            "74991234567".to_owned(),
        ),
    };
    format!(
        r#"{{"id":"{i}","jsonrpc":"2.0","method":"getControlCallFollowMe","params":{{"sip_id":" {line}","numberA":"{caller}","h323_conf_id":"B{i:07} 5AD211E9 81BA5CB9 01FED6FC"}}}}"#
    )
}

/// What a load process sends.
#[derive(Clone, Copy)]
enum Kind {
    Constant,
    Route { nb: u64, np: u64 },
    Garbage,
}

/// Runs a load in a process of its own (this binary, `--load-child`), so the client's
/// work is not scheduled on the server's runtime; answers its latencies and 200s.
async fn load_process(url: &str, kind: Kind, rate: u32, secs: u64) -> (Vec<f64>, usize) {
    let exe = std::env::current_exe().unwrap();
    let kind = match kind {
        Kind::Constant => "constant".to_owned(),
        Kind::Route { nb, np } => format!("route:{nb}:{np}"),
        Kind::Garbage => "garbage".to_owned(),
    };
    let args = vec![
        "--load-child".to_owned(),
        url.to_owned(),
        kind,
        rate.to_string(),
        secs.to_string(),
    ];
    let out =
        tokio::task::spawn_blocking(move || std::process::Command::new(exe).args(args).output())
            .await
            .unwrap()
            .expect("the load process runs");
    assert!(
        out.status.success(),
        "load process: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    let ok: usize = lines.next().unwrap().parse().unwrap();
    let times = lines.map(|l| l.parse().unwrap()).collect();
    (times, ok)
}

/// The load process: one thread, open loop, prints the 200s then each latency (ms).
fn load_child(args: &[String]) {
    let (url, kind, rate, secs) = (
        args[0].clone(),
        args[1].clone(),
        args[2].parse().unwrap(),
        args[3].parse().unwrap(),
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (times, ok) = rt.block_on(async move {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(1024)
            .build()
            .unwrap();
        let make: Box<dyn Fn(u64) -> (String, String) + Send + Sync> =
            match kind.split(':').collect::<Vec<_>>()[..] {
                ["route", nb, np] => {
                    let (nb, np) = (nb.parse().unwrap(), np.parse().unwrap());
                    Box::new(move |i| (url.clone(), ask(i, nb, np)))
                }
                ["garbage"] => Box::new(move |_| (url.clone(), "{\"garbage\": true}".into())),
                _ => Box::new(move |_| (url.clone(), "{}".into())),
            };
        load(&http, rate, secs, make).await
    });
    let mut out = format!("{ok}\n");
    for t in times {
        out += &format!("{t}\n");
    }
    print!("{out}");
}

fn rules(blacklist: usize, plans: usize) -> RoutingRules {
    let mut rng = StdRng::seed_from_u64(5);
    let now = chrono::Utc::now();
    let target = |n: u64| Target {
        number: format!("7916{n:07}"),
        name: String::new(),
        timeout_secs: 20,
    };
    RoutingRules {
        blacklist: (0..blacklist)
            .map(|i| BlockedNumber {
                id: 0,
                // One in ten a prefix (8 digits: a block of a thousand numbers).
                pattern: if i % 10 == 0 {
                    format!("790{:05}", i / 10)
                } else {
                    format!("7999{:07}", i)
                },
                match_kind: if i % 10 == 0 {
                    MatchKind::Prefix
                } else {
                    MatchKind::Exact
                },
                reason: "bench".into(),
                expires_at: None,
                created_at: now,
            })
            .collect(),
        vip: Vec::new(),
        plans: (0..plans)
            .map(|i| ForwardingPlan {
                id: 0,
                line: format!("7495{i:07}"),
                name: String::new(),
                mode: RingMode::Sequential,
                targets: vec![
                    target(rng.gen_range(0..10_000_000)),
                    target(rng.gen_range(0..10_000_000)),
                ],
                schedule: Vec::new(),
                after_hours: AfterHours::Reject,
            })
            .collect(),
        settings: Default::default(),
    }
}

fn main() {
    let argv: Vec<String> = std::env::args().collect();
    if let Some(at) = argv.iter().position(|a| a == "--load-child") {
        return load_child(&argv[at + 1..]);
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(serve_and_measure());
}

async fn serve_and_measure() {
    let a = args();
    // SAFETY: set before any other thread reads the environment.
    unsafe { std::env::set_var("CALLBOARD_BENCH_TOKEN", TOKEN) };
    let dir = tempfile::tempdir().unwrap();
    let config = Config::parse(ACCOUNTS, "bench").unwrap();
    let accounts = config.accounts.clone();
    let service = Service::start(
        config,
        ServiceOptions {
            autosync: false,
            ..ServiceOptions::new(dir.path().into(), false)
        },
    )
    .await
    .unwrap();
    let t = Instant::now();
    let rules = rules(a.blacklist, a.plans);
    let (nb, np) = (rules.blacklist.len(), rules.plans.len());
    service.edit_rules(RuleEdit::Import(rules)).await.unwrap();
    println!(
        "rules: {nb} blacklist entries and {np} forwarding plans imported and compiled in {:.2} s",
        t.elapsed().as_secs_f64()
    );
    let listener = Listener::start(
        &ListenerConfig {
            max_connections: 4096,
            ..ListenerConfig::plain("127.0.0.1:0".parse().unwrap())
        },
        &accounts,
        dir.path(),
        service.clone(),
    )
    .await
    .unwrap();
    let base = listener
        .public_url
        .as_str()
        .trim_end_matches('/')
        .to_owned();

    // The baseline: a handler that answers a constant JSON-RPC answer, on axum.
    let constant = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let constant_url = format!("http://{}/route", constant.local_addr().unwrap());
    let answer = r#"{"jsonrpc":"2.0","id":"1","result":{"redirect_type":1,"followme_struct":[1,[{"ACTIVE":"N"}]]}}"#;
    tokio::spawn(async move {
        let app = axum::Router::new().route(
            "/route",
            axum::routing::post(
                move || async move { ([("content-type", "application/json")], answer) },
            ),
        );
        axum::serve(constant, app).await.unwrap();
    });

    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(512)
        .build()
        .unwrap();
    let route_url = format!("{base}/mtt/mtt/{TOKEN}/route");
    let route = Kind::Route {
        nb: nb as u64,
        np: np as u64,
    };
    // Warm both (connections, statements).
    let warm = 200.min(a.rate);
    let _ = load_process(&constant_url, Kind::Constant, warm, 1).await;
    let _ = load_process(&route_url, route, warm, 1).await;

    println!(
        "\n== routing answers at {} requests/s for {} s (sent by a process of their own); target p99 ≤ 2 ms and ≤ 2× the constant handler",
        a.rate, a.secs
    );
    let (constant_t, _) = load_process(&constant_url, Kind::Constant, a.rate, a.secs).await;
    let base_stats = {
        let (m, p, _) = stats(constant_t.clone());
        (m, p, 2.0)
    };
    line(
        "constant axum handler (baseline)",
        constant_t,
        None,
        f64::INFINITY,
    );
    let (routed, ok) = load_process(&route_url, route, a.rate, a.secs).await;
    let n = routed.len();
    line("MTT routing answer", routed, Some(base_stats), 2.0);
    // Unknown lines are answered 503 on purpose (MTT's reserve): a quarter of the mix.
    println!("  {ok} of {n} answered 200 (the unknown-line quarter gets 503, by design)");

    // One request at a time: what an answer costs with no queue in front of it.
    let one_by_one = |url: String, body: Box<dyn Fn(u64) -> String>| {
        let http = http.clone();
        async move {
            let mut t = Vec::with_capacity(2000);
            for i in 0..2000u64 {
                let start = Instant::now();
                http.post(&url)
                    .body(body(i))
                    .send()
                    .await
                    .unwrap()
                    .bytes()
                    .await
                    .unwrap();
                t.push(start.elapsed().as_secs_f64() * 1e3);
            }
            t
        }
    };
    let lone = one_by_one(constant_url.clone(), Box::new(|_| "{}".into())).await;
    let (lm, lp, _) = stats(lone.clone());
    line(
        "one at a time: constant handler (baseline)",
        lone,
        None,
        f64::INFINITY,
    );
    let (nb64, np64) = (nb as u64, np as u64);
    let lone = one_by_one(route_url.clone(), Box::new(move |i| ask(i, nb64, np64))).await;
    line(
        "one at a time: MTT routing answer",
        lone,
        Some((lm, lp, 2.0)),
        2.0,
    );

    // The same, beside a flood of bad requests at the same rate, from a third process.
    let flood_url = format!("{base}/mtt/mtt/ffffffffffffffffffffffffffffffff/route");
    let (rate, secs) = (a.rate, a.secs + 1);
    let flood =
        tokio::spawn(async move { load_process(&flood_url, Kind::Garbage, rate, secs).await });
    let (routed, _) = load_process(&route_url, route, a.rate, a.secs).await;
    line(
        "MTT routing answer, flooded with bad requests",
        routed,
        Some(base_stats),
        2.0,
    );
    let (_, flood_ok) = flood.await.unwrap();
    println!("  (the flood: {flood_ok} of its requests answered 200; all should be refused)");

    // Webhook to UI: through the real server's event stream.
    println!("\n== webhook to UI (SpRecord post → live_call on /api/events); target p99 ≤ 20 ms");
    let api = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let api_url = format!("http://{}", api.local_addr().unwrap());
    let app = callboard_server::router(service.clone(), None);
    tokio::spawn(async move { axum::serve(api, app).await.unwrap() });
    let stream = http
        .get(format!("{api_url}/api/events"))
        .send()
        .await
        .unwrap();
    let mut stream = stream.bytes_stream();
    let hook = format!("{base}/sprecord/rec/{TOKEN}");
    let mut to_ui = Vec::new();
    let mut constant_rt = Vec::new();
    let mut buf = String::new();
    for i in 0..(200.min(a.rate as u64 * a.secs)) {
        let caller = format!("8916{:07}", 1_000_000 + i);
        let body = format!(
            "msg=1&datetime=2026-12-01+10%3A00%3A00&number={caller}&channel_hard_name=bench{i}"
        );
        let t = Instant::now();
        let r = http
            .post(&hook)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let want = format!("sprecord:rec:bench{i}\"");
        'wait: loop {
            while let Some(end) = buf.find("\n\n") {
                let frame: String = buf.drain(..end + 2).collect();
                if frame.contains("\"live_call\"") && frame.contains(&want) {
                    break 'wait;
                }
            }
            let chunk = stream.next().await.expect("the event stream").unwrap();
            buf.push_str(&String::from_utf8_lossy(&chunk));
        }
        to_ui.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        http.post(&constant_url)
            .body("{}")
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        constant_rt.push(t.elapsed().as_secs_f64() * 1e3);
    }
    let (bm, bp, _) = stats(constant_rt);
    line(
        "webhook to UI event",
        to_ui,
        Some((bm, bp, f64::INFINITY)),
        20.0,
    );
    println!("  baseline: one request to the constant handler, in the same loop");
    drop(listener);
}
