//! The router against a naive evaluation of the same rules: a linear scan over every rule,
//! string comparisons, schedules read slot by slot on the local clock. Random rule sets
//! and requests (fixed seed) drawn from a small pool of numbers, so that rules collide,
//! prefixes nest and expiries fall on both sides of the requests.

mod common;

use std::collections::HashSet;
use std::sync::Arc;

use callboard_model::{
    AfterHours, BlockedNumber, Day, ForwardingPlan, MatchKind, RingMode, RoutingRules,
    RoutingSettings, Target, VipCaller, WeeklySlot,
};
use callboard_routing::{
    Decision, DefaultWhy, ForwardWhy, RejectWhy, RouteRequest, Router, canonical_number,
    canonical_prefix,
};
use chrono::{DateTime, Datelike, Duration, Timelike, Utc};
use chrono_tz::Tz;
use common::utc;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

const ZONES: [&str; 5] = [
    "Europe/Moscow",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "UTC",
];

fn naive(rules: &RoutingRules, caller: &str, called: &str, at: DateTime<Utc>) -> Decision {
    let prompt = rules.settings.reject_prompt.as_deref().map(Arc::from);
    let caller = canonical_number(caller);
    let live = |b: &&BlockedNumber| b.expires_at.is_none_or(|end| at < end);
    let exact = rules
        .blacklist
        .iter()
        .filter(live)
        .find(|b| b.match_kind == MatchKind::Exact && canonical_number(&b.pattern) == caller);
    let longest_prefix = rules
        .blacklist
        .iter()
        .filter(live)
        .filter(|b| b.match_kind == MatchKind::Prefix)
        .filter(|b| caller.starts_with(&canonical_prefix(&b.pattern)))
        .max_by_key(|b| canonical_prefix(&b.pattern).len());
    if let Some(b) = exact.or(longest_prefix) {
        return Decision::Reject {
            why: RejectWhy::Blacklisted {
                id: b.id,
                reason: Arc::from(b.reason.as_str()),
            },
            prompt,
        };
    }
    if let Some(v) = rules
        .vip
        .iter()
        .find(|v| !caller.is_empty() && canonical_number(&v.number) == caller)
    {
        return Decision::Forward {
            mode: RingMode::Single,
            targets: canonical_targets(std::slice::from_ref(&v.operator)),
            why: ForwardWhy::Vip {
                id: v.id,
                name: Arc::from(v.name.as_str()),
            },
        };
    }
    let called = canonical_number(called);
    let Some(plan) = rules
        .plans
        .iter()
        .find(|p| canonical_number(&p.line) == called)
    else {
        return Decision::ProviderDefault {
            why: DefaultWhy::NoRule,
        };
    };
    let tz: Tz = rules.settings.time_zone.parse().unwrap();
    let local = at.with_timezone(&tz);
    let open = plan.schedule.is_empty() || plan.schedule.iter().any(|s| slot_open(s, &local));
    if open {
        return Decision::Forward {
            mode: plan.mode,
            targets: canonical_targets(&plan.targets),
            why: ForwardWhy::Plan { id: plan.id },
        };
    }
    let plan_id = plan.id;
    match &plan.after_hours {
        AfterHours::Reject => Decision::Reject {
            why: RejectWhy::AfterHours { plan_id },
            prompt,
        },
        AfterHours::Forward { mode, targets } => Decision::Forward {
            mode: *mode,
            targets: canonical_targets(targets),
            why: ForwardWhy::AfterHours { plan_id },
        },
        AfterHours::ProviderDefault => Decision::ProviderDefault {
            why: DefaultWhy::AfterHours { plan_id },
        },
    }
}

fn minutes(hhmm: &str) -> u32 {
    let (h, m) = hhmm.split_once(':').unwrap();
    h.parse::<u32>().unwrap() * 60 + m.parse::<u32>().unwrap()
}

/// The slot read literally: today from its start, or, when it runs past midnight, the
/// part of yesterday's slot that spilled into today.
fn slot_open(slot: &WeeklySlot, local: &DateTime<Tz>) -> bool {
    let now = local.hour() * 60 + local.minute();
    let today = Day::from(local.weekday());
    let yesterday = Day::from(local.weekday().pred());
    let (start, end) = (minutes(&slot.start), minutes(&slot.end));
    if end > start {
        slot.days.contains(&today) && start <= now && now < end
    } else {
        (slot.days.contains(&today) && now >= start)
            || (slot.days.contains(&yesterday) && now < end)
    }
}

fn canonical_targets(list: &[Target]) -> Arc<[Target]> {
    list.iter()
        .map(|t| Target {
            number: canonical_number(&t.number),
            ..t.clone()
        })
        .collect()
}

/// A number as some provider might send it.
fn written(rng: &mut StdRng, canonical: &str) -> String {
    if let Some(national) = canonical.strip_prefix('7').filter(|n| n.len() == 10) {
        match rng.gen_range(0..7) {
            0 => format!("+7{national}"),
            1 => format!("7{national}"),
            2 => format!("8{national}"),
            3 => national.to_string(),
            4 => format!(" 7{national}"),
            5 => format!(
                "+7 ({}) {}-{}-{}",
                &national[..3],
                &national[3..6],
                &national[6..8],
                &national[8..]
            ),
            _ => format!("8 {} {}", &national[..3], &national[3..]),
        }
    } else {
        match rng.gen_range(0..3) {
            0 => format!("+{canonical}"),
            1 => format!(" {canonical}"),
            _ => canonical.to_string(),
        }
    }
}

/// A prefix of `canonical` as an operator might write it.
fn written_prefix(rng: &mut StdRng, canonical: &str) -> String {
    let len = rng.gen_range(1..=canonical.len().min(11));
    let prefix = &canonical[..len];
    match (rng.gen_range(0..4), prefix.strip_prefix('7')) {
        (0, _) => format!("+{prefix}"),
        (1, Some(rest)) => format!("8{rest}"),
        (2, Some(rest)) if !rest.is_empty() && !rest.starts_with(['7', '8']) => rest.to_string(),
        _ => prefix.to_string(),
    }
}

struct Pool {
    callers: Vec<String>,
    lines: Vec<String>,
}

impl Pool {
    fn new(rng: &mut StdRng) -> Pool {
        let mut callers: Vec<String> = (0..40)
            .map(|_| {
                // Few area codes, so that prefixes are shared.
                let area = ["916", "926", "495", "812", "903"].choose(rng).unwrap();
                format!("7{area}{:07}", rng.gen_range(0..3_000))
            })
            .collect();
        callers.extend(["380441234567", "4930123456", "101", "77012345678"].map(String::from));
        let lines = (0..8).map(|i| format!("7499648000{i}")).collect::<Vec<_>>();
        Pool { callers, lines }
    }
}

fn random_time(rng: &mut StdRng) -> DateTime<Utc> {
    let start = utc("2024-01-01T00:00:00Z");
    // Near a DST change now and then, otherwise anywhere in the year.
    if rng.gen_bool(0.2) {
        let change = [
            "2024-03-31T01:00:00Z",
            "2024-10-27T01:00:00Z",
            "2024-03-10T07:00:00Z",
        ]
        .choose(rng)
        .unwrap();
        utc(change) + Duration::minutes(rng.gen_range(-180..180))
    } else {
        start + Duration::seconds(rng.gen_range(0..366 * 86_400))
    }
}

fn random_time_of_day(rng: &mut StdRng) -> String {
    let m = [0, 30, 59, rng.gen_range(0..60)]
        .choose(rng)
        .copied()
        .unwrap();
    format!("{:02}:{m:02}", rng.gen_range(0..24))
}

fn random_targets(rng: &mut StdRng, pool: &Pool, mode: RingMode) -> Vec<Target> {
    let n = if mode == RingMode::Single {
        1
    } else {
        rng.gen_range(1..=3)
    };
    (0..n)
        .map(|_| {
            let number = pool.callers.choose(rng).unwrap();
            Target {
                number: written(rng, number),
                name: format!("t{}", rng.r#gen::<u16>()),
                timeout_secs: rng.gen_range(5..=600),
            }
        })
        .collect()
}

fn random_mode(rng: &mut StdRng) -> RingMode {
    *[RingMode::Single, RingMode::Sequential, RingMode::Parallel]
        .choose(rng)
        .unwrap()
}

fn random_rules(rng: &mut StdRng, pool: &Pool, around: DateTime<Utc>) -> RoutingRules {
    let mut rules = RoutingRules {
        settings: RoutingSettings {
            time_zone: ZONES.choose(rng).unwrap().to_string(),
            reject_prompt: rng.gen_bool(0.5).then(|| "prompt-1".to_string()),
        },
        ..RoutingRules::default()
    };
    let mut taken = HashSet::new();
    for id in 0..rng.gen_range(0..30) {
        let number = pool.callers.choose(rng).unwrap();
        let (pattern, match_kind, canonical) = if rng.gen_bool(0.5) {
            let p = written(rng, number);
            let c = canonical_number(&p);
            (p, MatchKind::Exact, c)
        } else {
            let p = written_prefix(rng, number);
            let c = canonical_prefix(&p);
            (p, MatchKind::Prefix, c)
        };
        if !taken.insert((match_kind, canonical)) {
            continue;
        }
        rules.blacklist.push(BlockedNumber {
            id,
            pattern,
            match_kind,
            reason: format!("r{id}"),
            expires_at: rng
                .gen_bool(0.4)
                .then(|| around + Duration::minutes(rng.gen_range(-600..600))),
            created_at: around - Duration::days(1),
        });
    }
    let mut taken = HashSet::new();
    for id in 0..rng.gen_range(0..6) {
        let number = pool.callers.choose(rng).unwrap();
        if !taken.insert(number.clone()) {
            continue;
        }
        rules.vip.push(VipCaller {
            id,
            number: written(rng, number),
            name: format!("vip{id}"),
            operator: random_targets(rng, pool, RingMode::Single).remove(0),
        });
    }
    let mut lines = pool.lines.clone();
    lines.shuffle(rng);
    for (id, line) in lines
        .iter()
        .take(rng.gen_range(0..=pool.lines.len()))
        .enumerate()
    {
        let mode = random_mode(rng);
        let schedule = (0..rng.gen_range(0..4))
            .map(|_| {
                let mut days: Vec<Day> =
                    Day::ALL.into_iter().filter(|_| rng.gen_bool(0.5)).collect();
                if days.is_empty() {
                    days.push(*Day::ALL.choose(rng).unwrap());
                }
                let end = if rng.gen_bool(0.1) {
                    "24:00".to_string()
                } else {
                    random_time_of_day(rng)
                };
                WeeklySlot {
                    days,
                    start: random_time_of_day(rng),
                    end,
                }
            })
            .collect();
        let after_hours = match rng.gen_range(0..3) {
            0 => AfterHours::Reject,
            1 => AfterHours::ProviderDefault,
            _ => {
                let mode = random_mode(rng);
                AfterHours::Forward {
                    mode,
                    targets: random_targets(rng, pool, mode),
                }
            }
        };
        rules.plans.push(ForwardingPlan {
            id: id as i64,
            line: written(rng, line),
            name: format!("plan{id}"),
            mode,
            targets: random_targets(rng, pool, mode),
            schedule,
            after_hours,
        });
    }
    rules
}

fn random_request(rng: &mut StdRng, pool: &Pool) -> (String, String) {
    let caller = match rng.gen_range(0..10) {
        0 => ["", "anonymous", "+", "123456789012345678901", " 7 495"]
            .choose(rng)
            .unwrap()
            .to_string(),
        1 => format!("79{:09}", rng.gen_range(0..1_000_000_000u32)),
        _ => {
            let number = pool.callers.choose(rng).unwrap();
            written(rng, number)
        }
    };
    let called = if rng.gen_bool(0.1) {
        "74950000000".to_string()
    } else {
        let line = pool.lines.choose(rng).unwrap();
        written(rng, line)
    };
    (caller, called)
}

#[test]
fn router_agrees_with_a_naive_evaluation() {
    let mut rng = StdRng::seed_from_u64(0x00ca_11b0_a4d0);
    let mut seen = [0usize; 7];
    for round in 0..400 {
        let pool = Pool::new(&mut rng);
        let around = random_time(&mut rng);
        let rules = random_rules(&mut rng, &pool, around);
        let router = Router::compile(&rules)
            .unwrap_or_else(|e| panic!("round {round}: generated rules refused: {e}"));
        for _ in 0..300 {
            let (caller, called) = random_request(&mut rng, &pool);
            let at = if rng.gen_bool(0.5) {
                around + Duration::minutes(rng.gen_range(-600..600))
            } else {
                random_time(&mut rng)
            };
            let want = naive(&rules, &caller, &called, at);
            let got = router.route(&RouteRequest {
                caller: &caller,
                called: &called,
                at,
            });
            assert_eq!(
                got, want,
                "round {round}: caller {caller:?}, called {called:?}, at {at}, rules {rules:#?}"
            );
            seen[match &got {
                Decision::Reject {
                    why: RejectWhy::Blacklisted { .. },
                    ..
                } => 0,
                Decision::Reject { .. } => 1,
                Decision::Forward {
                    why: ForwardWhy::Vip { .. },
                    ..
                } => 2,
                Decision::Forward {
                    why: ForwardWhy::Plan { .. },
                    ..
                } => 3,
                Decision::Forward { .. } => 4,
                Decision::ProviderDefault {
                    why: DefaultWhy::AfterHours { .. },
                } => 5,
                Decision::ProviderDefault { .. } => 6,
            }] += 1;
        }
    }
    // Every kind of answer came up often enough for the comparison to mean something.
    for (kind, count) in seen.iter().enumerate() {
        assert!(
            *count > 500,
            "answer kind {kind} seen {count} times: {seen:?}"
        );
    }
}
