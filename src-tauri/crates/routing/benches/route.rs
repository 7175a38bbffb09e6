//! How long a routing answer takes with a large rule set: 100,000 blacklist entries
//! (exact and prefix), 10,000 forwarding plans and 1,000 VIP callers.
//!
//! `cargo bench -p callboard-routing --bench route` prints the compile time and, for each
//! kind of call, the median and p99 of single `route()` calls (each timed on its own, so
//! the clock's own cost is inside) and the mean of an untimed batch, beside a baseline
//! measured the same way in the same run: one `HashMap<String, u32>` lookup of a number.
//! `cargo test -p callboard-routing --bench route` runs it unoptimized, as a smoke test.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use callboard_model::{
    AfterHours, BlockedNumber, Day, ForwardingPlan, MatchKind, RingMode, RoutingRules,
    RoutingSettings, Target, VipCaller, WeeklySlot,
};
use callboard_routing::{Decision, RouteRequest, Router, canonical_number};
use chrono::{DateTime, Utc};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

const BLACKLIST: usize = 100_000;
const PREFIXES: usize = 10_000;
const PLANS: usize = 10_000;
const VIPS: usize = 1_000;
/// Calls timed per kind.
const CALLS: usize = 200_000;
/// Distinct requests per kind, cycled through, so that lookups do not hit one hot line.
const DISTINCT: usize = 4_096;

/// A Russian number as providers write it.
fn written(rng: &mut StdRng, canonical: &str) -> String {
    let national = &canonical[1..];
    match rng.gen_range(0..5) {
        0 => format!("+7{national}"),
        1 => format!("8{national}"),
        2 => national.to_string(),
        3 => format!(" 7{national}"),
        _ => canonical.to_string(),
    }
}

fn unique(
    rng: &mut StdRng,
    taken: &mut std::collections::HashSet<String>,
    make: impl Fn(&mut StdRng) -> String,
) -> String {
    loop {
        let n = make(rng);
        if taken.insert(n.clone()) {
            return n;
        }
    }
}

struct Set {
    rules: RoutingRules,
    exact: Vec<String>,
    prefixes: Vec<String>,
    vips: Vec<String>,
    lines: Vec<String>,
}

fn target(rng: &mut StdRng) -> Target {
    let number = format!("7903{:07}", rng.gen_range(0..10_000_000));
    Target {
        name: format!("operator {number}"),
        number,
        timeout_secs: rng.gen_range(15..=60),
    }
}

fn build(rng: &mut StdRng) -> Set {
    let created_at: DateTime<Utc> = "2024-01-01T00:00:00Z".parse().unwrap();
    let mut taken = std::collections::HashSet::new();
    let mut rules = RoutingRules {
        settings: RoutingSettings {
            time_zone: "Europe/Moscow".into(),
            reject_prompt: Some("47f5406a".into()),
        },
        ..RoutingRules::default()
    };
    let mut exact = Vec::new();
    let mut prefixes = Vec::new();
    for id in 0..BLACKLIST {
        let (canonical, match_kind) = if id < PREFIXES {
            // Landline ranges, 4 to 9 digits: 7495, 78121, 7383123…
            let p = unique(rng, &mut taken, |rng| {
                let area = ["495", "499", "812", "383", "343", "861", "473"]
                    .choose(rng)
                    .unwrap();
                let more = rng.gen_range(0..=5);
                let tail: String = (0..more)
                    .map(|_| char::from(b'0' + rng.gen_range(0..10)))
                    .collect();
                format!("7{area}{tail}")
            });
            prefixes.push(p.clone());
            (p, MatchKind::Prefix)
        } else {
            let n = unique(rng, &mut taken, |rng| {
                format!("791{:08}", rng.gen_range(0..100_000_000))
            });
            exact.push(n.clone());
            (n, MatchKind::Exact)
        };
        let pattern = if match_kind == MatchKind::Exact {
            written(rng, &canonical)
        } else {
            canonical.clone()
        };
        rules.blacklist.push(BlockedNumber {
            id: id as i64,
            pattern,
            match_kind,
            reason: "spam".into(),
            // A tenth are temporary blocks, all still running at the benchmark's time.
            expires_at: (id % 10 == 0).then(|| "2030-01-01T00:00:00Z".parse().unwrap()),
            created_at,
        });
    }
    let mut vips = Vec::new();
    for id in 0..VIPS {
        let n = unique(rng, &mut taken, |rng| {
            format!("7985{:07}", rng.gen_range(0..10_000_000))
        });
        vips.push(n.clone());
        rules.vip.push(VipCaller {
            id: id as i64,
            number: written(rng, &n),
            name: format!("VIP {id}"),
            operator: target(rng),
        });
    }
    let workdays = vec![Day::Mo, Day::Tu, Day::We, Day::Th, Day::Fr];
    let mut lines = Vec::new();
    for id in 0..PLANS {
        let line = unique(rng, &mut taken, |rng| {
            format!("7800{:07}", rng.gen_range(0..10_000_000))
        });
        lines.push(line.clone());
        let mode = [RingMode::Sequential, RingMode::Parallel]
            .choose(rng)
            .copied()
            .unwrap();
        rules.plans.push(ForwardingPlan {
            id: id as i64,
            line: written(rng, &line),
            name: format!("line {id}"),
            mode,
            targets: (0..rng.gen_range(1..=4)).map(|_| target(rng)).collect(),
            schedule: vec![
                WeeklySlot {
                    days: workdays.clone(),
                    start: "09:00".into(),
                    end: "18:00".into(),
                },
                WeeklySlot {
                    days: vec![Day::Sa],
                    start: "10:00".into(),
                    end: "14:00".into(),
                },
                WeeklySlot {
                    days: vec![Day::Fr],
                    start: "22:00".into(),
                    end: "02:00".into(),
                },
            ],
            after_hours: AfterHours::Forward {
                mode: RingMode::Single,
                targets: vec![target(rng)],
            },
        });
    }
    Set {
        rules,
        exact,
        prefixes,
        vips,
        lines,
    }
}

struct Figures {
    median: Duration,
    p99: Duration,
    mean: Duration,
}

/// Times `f` over `inputs`, cycled to `CALLS` calls: every call on its own, then a batch.
fn measure<T>(inputs: &[T], mut f: impl FnMut(&T)) -> Figures {
    for input in inputs {
        f(input); // warm the caches and the branch predictor
    }
    let mut single = Vec::with_capacity(CALLS);
    for i in 0..CALLS {
        let input = &inputs[i % inputs.len()];
        let start = Instant::now();
        f(input);
        single.push(start.elapsed());
    }
    single.sort_unstable();
    let start = Instant::now();
    for i in 0..CALLS {
        f(&inputs[i % inputs.len()]);
    }
    let mean = start.elapsed() / CALLS as u32;
    Figures {
        median: single[CALLS / 2],
        p99: single[CALLS * 99 / 100],
        mean,
    }
}

fn us(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1e6)
}

struct Request {
    caller: String,
    called: String,
    at: DateTime<Utc>,
}

fn main() {
    let mut rng = StdRng::seed_from_u64(7);
    let started = Instant::now();
    let set = build(&mut rng);
    println!(
        "rules: {} blacklist ({} prefix), {} plans, {} VIPs, built in {:.2} s",
        set.rules.blacklist.len(),
        PREFIXES,
        set.rules.plans.len(),
        set.rules.vip.len(),
        started.elapsed().as_secs_f64()
    );

    let mut compiles = Vec::new();
    let mut router = None;
    for _ in 0..5 {
        let start = Instant::now();
        router = Some(black_box(
            Router::compile(&set.rules).expect("bench rules compile"),
        ));
        compiles.push(start.elapsed());
    }
    compiles.sort_unstable();
    println!(
        "compile: median {:.1} ms, max {:.1} ms (5 runs)",
        compiles[2].as_secs_f64() * 1e3,
        compiles[4].as_secs_f64() * 1e3
    );
    let router = router.unwrap();

    let open: DateTime<Utc> = "2024-05-06T09:00:00Z".parse().unwrap(); // Monday 12:00 MSK
    let closed: DateTime<Utc> = "2024-05-05T20:00:00Z".parse().unwrap(); // Sunday 23:00 MSK
    let pick = |rng: &mut StdRng, list: &[String]| list.choose(rng).unwrap().clone();
    let requests = |rng: &mut StdRng, make: &dyn Fn(&mut StdRng) -> Request| -> Vec<Request> {
        (0..DISTINCT).map(|_| make(rng)).collect()
    };
    let stranger = |rng: &mut StdRng| format!("7926{:07}", rng.gen_range(0..10_000_000));

    type Check = fn(&Decision) -> bool;
    let kinds: Vec<(&str, Vec<Request>, Check)> = vec![
        (
            "blacklisted (exact)",
            requests(&mut rng, &|rng| {
                let n = pick(rng, &set.exact);
                Request {
                    caller: written(rng, &n),
                    called: pick(rng, &set.lines),
                    at: open,
                }
            }),
            |d| matches!(d, Decision::Reject { .. }),
        ),
        (
            "blacklisted (prefix)",
            requests(&mut rng, &|rng| {
                let p = pick(rng, &set.prefixes);
                let tail: String = (p.len()..11)
                    .map(|_| char::from(b'0' + rng.gen_range(0..10)))
                    .collect();
                Request {
                    caller: written(rng, &format!("{p}{tail}")),
                    called: pick(rng, &set.lines),
                    at: open,
                }
            }),
            |d| matches!(d, Decision::Reject { .. }),
        ),
        (
            "VIP",
            requests(&mut rng, &|rng| {
                let n = pick(rng, &set.vips);
                Request {
                    caller: written(rng, &n),
                    called: pick(rng, &set.lines),
                    at: open,
                }
            }),
            |d| {
                matches!(
                    d,
                    Decision::Forward {
                        why: callboard_routing::ForwardWhy::Vip { .. },
                        ..
                    }
                )
            },
        ),
        (
            "plan, in hours",
            requests(&mut rng, &|rng| {
                let caller = stranger(rng);
                let line = pick(rng, &set.lines);
                Request {
                    caller: written(rng, &caller),
                    called: written(rng, &line),
                    at: open,
                }
            }),
            |d| {
                matches!(
                    d,
                    Decision::Forward {
                        why: callboard_routing::ForwardWhy::Plan { .. },
                        ..
                    }
                )
            },
        ),
        (
            "plan, after hours",
            requests(&mut rng, &|rng| {
                let caller = stranger(rng);
                let line = pick(rng, &set.lines);
                Request {
                    caller: written(rng, &caller),
                    called: written(rng, &line),
                    at: closed,
                }
            }),
            |d| {
                matches!(
                    d,
                    Decision::Forward {
                        why: callboard_routing::ForwardWhy::AfterHours { .. },
                        ..
                    }
                )
            },
        ),
        (
            "unknown line (no rule)",
            requests(&mut rng, &|rng| {
                let caller = stranger(rng);
                let line = format!("7499{:07}", rng.gen_range(0..10_000_000));
                Request {
                    caller: written(rng, &caller),
                    called: line,
                    at: open,
                }
            }),
            |d| matches!(d, Decision::ProviderDefault { .. }),
        ),
    ];

    // The baseline: one std HashMap lookup of a number string, as many entries as the
    // blacklist, keys looked up in the same written form as stored.
    let table: HashMap<String, u32> = set
        .rules
        .blacklist
        .iter()
        .enumerate()
        .map(|(i, b)| (canonical_number(&b.pattern), i as u32))
        .collect();
    let keys: Vec<String> = (0..DISTINCT).map(|_| pick(&mut rng, &set.exact)).collect();
    let base = measure(&keys, |k| {
        black_box(table.get(black_box(k.as_str())));
    });
    let nothing = measure(&keys, |k| {
        black_box(k);
    });

    println!();
    println!(
        "{:<24} {:>10} {:>10} {:>10} {:>16}",
        "µs per call", "median", "p99", "batch mean", "median / base"
    );
    let row = |name: &str, f: &Figures, ratio: Option<f64>| {
        println!(
            "{:<24} {:>10} {:>10} {:>10} {:>16}",
            name,
            us(f.median),
            us(f.p99),
            us(f.mean),
            ratio.map_or(String::new(), |r| format!(
                "{r:.1}x (mean {:.1}x)",
                f.mean.as_secs_f64() / base.mean.as_secs_f64()
            ))
        );
    };
    row("clock alone", &nothing, None);
    row("baseline HashMap<String>", &base, Some(1.0));
    for (name, requests, check) in &kinds {
        for r in requests {
            let d = router.route(&RouteRequest {
                caller: &r.caller,
                called: &r.called,
                at: r.at,
            });
            assert!(
                check(&d),
                "{name}: {} → {} answered {d:?}",
                r.caller,
                r.called
            );
        }
        let f = measure(requests, |r| {
            black_box(router.route(black_box(&RouteRequest {
                caller: &r.caller,
                called: &r.called,
                at: r.at,
            })));
        });
        row(
            name,
            &f,
            Some(f.median.as_secs_f64() / base.median.as_secs_f64()),
        );
    }
    println!();
    println!(
        "{CALLS} calls per row over {DISTINCT} distinct requests; single calls include the clock (row 1)."
    );
}
