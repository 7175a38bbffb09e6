//! What the router answers, rule by rule.

mod common;

use std::sync::Arc;

use callboard_model::{AfterHours, Day, MatchKind, RingMode, RoutingRules};
use callboard_routing::{
    Decision, DefaultWhy, ForwardWhy, Problem, RejectWhy, RouteRequest, Router, RuleRef, Target,
};
use chrono::{DateTime, Duration, Utc};
use common::*;

/// Every form a provider sends 79161234567 in.
const CALLER_FORMS: [&str; 8] = [
    "+79161234567",
    "79161234567",
    "89161234567",
    "9161234567",
    " 79161234567",
    "+7 916 123-45-67",
    "8 (916) 123-45-67",
    " 7 916 1234567",
];

const LINE: &str = "74996480000";
const MONDAY_NOON: &str = "2024-05-06T09:00:00Z"; // 12:00 in Moscow

fn compile(rules: &RoutingRules) -> Router {
    Router::compile(rules).unwrap_or_else(|e| panic!("rules refused: {e}"))
}

fn route(router: &Router, caller: &str, called: &str, at: DateTime<Utc>) -> Decision {
    router.route(&RouteRequest { caller, called, at })
}

fn blocked_by(d: &Decision) -> Option<i64> {
    match d {
        Decision::Reject {
            why: RejectWhy::Blacklisted { id, .. },
            ..
        } => Some(*id),
        _ => None,
    }
}

fn forward_why(d: &Decision) -> Option<ForwardWhy> {
    match d {
        Decision::Forward { why, .. } => Some(why.clone()),
        _ => None,
    }
}

fn targets_of(d: &Decision) -> Vec<String> {
    match d {
        Decision::Forward { targets, .. } => targets.iter().map(|t| t.number.clone()).collect(),
        other => panic!("not a forward: {other:?}"),
    }
}

fn no_rule() -> Decision {
    Decision::ProviderDefault {
        why: DefaultWhy::NoRule,
    }
}

#[test]
fn an_exact_entry_blocks_the_number_in_every_form() {
    let at = utc(MONDAY_NOON);
    for pattern in CALLER_FORMS {
        let mut rules = rules("Europe/Moscow");
        rules.blacklist.push(blocked(7, pattern, MatchKind::Exact));
        let router = compile(&rules);
        for caller in CALLER_FORMS {
            let d = route(&router, caller, LINE, at);
            assert_eq!(
                blocked_by(&d),
                Some(7),
                "pattern {pattern:?}, caller {caller:?}"
            );
            assert_eq!(
                d,
                Decision::Reject {
                    why: RejectWhy::Blacklisted {
                        id: 7,
                        reason: Arc::from("reason 7"),
                    },
                    prompt: None,
                }
            );
        }
        for other in [
            "79161234568",
            "+79161234560",
            "7916123456",
            "791612345670",
            "",
        ] {
            assert_eq!(route(&router, other, LINE, at), no_rule(), "{other:?}");
        }
    }
}

#[test]
fn a_prefix_entry_blocks_in_every_form() {
    let at = utc(MONDAY_NOON);
    let callers = [
        "+74951234567",
        "74951234567",
        "84951234567",
        "4951234567",
        " 74951234567",
        "8 (495) 123-45-67",
    ];
    for pattern in ["495", "8495", "7495", "+7495", "+7 (495)", " 7495", "8 495"] {
        let mut rules = rules("Europe/Moscow");
        rules.blacklist.push(blocked(3, pattern, MatchKind::Prefix));
        let router = compile(&rules);
        for caller in callers {
            assert_eq!(
                blocked_by(&route(&router, caller, LINE, at)),
                Some(3),
                "pattern {pattern:?}, caller {caller:?}"
            );
        }
        for other in ["+74961234567", "+79161234567", "495", "+4951234567"] {
            assert_eq!(
                blocked_by(&route(&router, other, LINE, at)),
                None,
                "pattern {pattern:?} must not block {other:?}"
            );
        }
    }
}

#[test]
fn international_prefixes_need_their_plus() {
    let at = utc(MONDAY_NOON);
    let mut rules = rules("Europe/Moscow");
    rules.blacklist.push(blocked(1, "+380", MatchKind::Prefix));
    rules.blacklist.push(blocked(2, "380", MatchKind::Prefix)); // national: 7380…
    let router = compile(&rules);
    for caller in ["+380441234567", " 380441234567", "380 44 123 4567"] {
        assert_eq!(
            blocked_by(&route(&router, caller, LINE, at)),
            Some(1),
            "{caller:?}"
        );
    }
    assert_eq!(
        blocked_by(&route(&router, "73801234567", LINE, at)),
        Some(2)
    );
    assert_eq!(blocked_by(&route(&router, "3801234567", LINE, at)), Some(2));
}

#[test]
fn exact_beats_prefix_and_longer_prefix_beats_shorter() {
    let at = utc(MONDAY_NOON);
    let mut rules = rules("Europe/Moscow");
    rules.blacklist.push(blocked(1, "916", MatchKind::Prefix));
    rules
        .blacklist
        .push(blocked(2, "916123", MatchKind::Prefix));
    rules
        .blacklist
        .push(blocked(3, "89161234567", MatchKind::Exact));
    // The same digits as an exact and as a prefix entry are not duplicates.
    rules
        .blacklist
        .push(blocked(4, "79160000000", MatchKind::Prefix));
    rules
        .blacklist
        .push(blocked(5, "79160000000", MatchKind::Exact));
    let router = compile(&rules);
    assert_eq!(
        blocked_by(&route(&router, "+79161234567", LINE, at)),
        Some(3)
    );
    assert_eq!(
        blocked_by(&route(&router, "+79161239999", LINE, at)),
        Some(2)
    );
    assert_eq!(
        blocked_by(&route(&router, "+79169999999", LINE, at)),
        Some(1)
    );
    assert_eq!(
        blocked_by(&route(&router, "+79160000000", LINE, at)),
        Some(5)
    );
}

#[test]
fn an_entry_stops_matching_at_its_expiry() {
    let expiry = utc("2024-05-06T12:00:00Z");
    let mut rules = rules("Europe/Moscow");
    let mut exact = blocked(1, "79161234567", MatchKind::Exact);
    exact.expires_at = Some(expiry);
    let mut long = blocked(2, "7916123", MatchKind::Prefix);
    long.expires_at = Some(expiry + Duration::hours(1));
    let short = blocked(3, "7916", MatchKind::Prefix);
    rules.blacklist.extend([exact, long, short]);
    let router = compile(&rules);
    let caller = "89161234567";
    let second = Duration::seconds(1);
    let nano = Duration::nanoseconds(1);
    assert_eq!(
        blocked_by(&route(&router, caller, LINE, expiry - second)),
        Some(1)
    );
    assert_eq!(
        blocked_by(&route(&router, caller, LINE, expiry - nano)),
        Some(1)
    );
    // At the expiry instant the entry is gone and the next match takes over.
    assert_eq!(blocked_by(&route(&router, caller, LINE, expiry)), Some(2));
    let later = expiry + Duration::hours(1);
    assert_eq!(
        blocked_by(&route(&router, caller, LINE, later - nano)),
        Some(2)
    );
    assert_eq!(blocked_by(&route(&router, caller, LINE, later)), Some(3));

    // An expired entry alone lets the call through to the plan.
    let mut rules = rules_with_plan();
    let mut gone = blocked(9, caller, MatchKind::Exact);
    gone.expires_at = Some(expiry);
    rules.blacklist.push(gone);
    let router = compile(&rules);
    assert_eq!(
        forward_why(&route(&router, caller, LINE, expiry)),
        Some(ForwardWhy::Plan { id: 100 })
    );
}

fn rules_with_plan() -> RoutingRules {
    let mut rules = rules("Europe/Moscow");
    rules
        .plans
        .push(plan(100, LINE, &["79030000001", "79030000002"], vec![]));
    rules
}

#[test]
fn blacklist_beats_vip_beats_plan() {
    let at = utc(MONDAY_NOON);
    let mut rules = rules_with_plan();
    rules.settings.reject_prompt = Some("47f5406a".into());
    rules
        .vip
        .push(vip(20, "+7 916 123-45-67", "8 (903) 555-00-01"));
    rules.vip.push(vip(21, "79161112233", "79035550002"));
    rules
        .blacklist
        .push(blocked(30, "9161112233", MatchKind::Exact));
    let router = compile(&rules);

    // Blacklisted and VIP: rejected, with the prompt.
    assert_eq!(
        route(&router, "89161112233", LINE, at),
        Decision::Reject {
            why: RejectWhy::Blacklisted {
                id: 30,
                reason: Arc::from("reason 30"),
            },
            prompt: Some(Arc::from("47f5406a")),
        }
    );
    // VIP on a planned line: straight to the operator, whose number comes back canonical.
    for caller in CALLER_FORMS {
        assert_eq!(
            route(&router, caller, LINE, at),
            Decision::Forward {
                mode: RingMode::Single,
                targets: Arc::from([Target {
                    number: "79035550001".into(),
                    name: "ring 8 (903) 555-00-01".into(),
                    timeout_secs: 30,
                }]),
                why: ForwardWhy::Vip {
                    id: 20,
                    name: Arc::from("vip 20"),
                },
            },
            "{caller:?}"
        );
    }
    // VIP on a line with no plan, at night: still the operator.
    let night = utc("2024-05-05T23:00:00Z");
    assert_eq!(
        forward_why(&route(&router, "+79161234567", "74950000000", night)),
        Some(ForwardWhy::Vip {
            id: 20,
            name: Arc::from("vip 20"),
        })
    );
    // Anyone else: the plan.
    let d = route(&router, "+79260000000", LINE, at);
    assert_eq!(forward_why(&d), Some(ForwardWhy::Plan { id: 100 }));
    assert_eq!(targets_of(&d), ["79030000001", "79030000002"]);
    assert!(matches!(
        d,
        Decision::Forward {
            mode: RingMode::Sequential,
            ..
        }
    ));
}

#[test]
fn lines_match_in_every_form_and_unknown_lines_have_no_rule() {
    let at = utc(MONDAY_NOON);
    let router = compile(&rules_with_plan());
    for line in [
        " 74996480000",
        "74996480000",
        "+74996480000",
        "84996480000",
        "4996480000",
        "+7 499 648-00-00",
    ] {
        assert_eq!(
            forward_why(&route(&router, "79260000000", line, at)),
            Some(ForwardWhy::Plan { id: 100 }),
            "{line:?}"
        );
    }
    for line in [
        "74996480001",
        "",
        "bnumber 1",
        "+84996480000",
        "749964800001",
    ] {
        assert_eq!(
            route(&router, "79260000000", line, at),
            no_rule(),
            "{line:?}"
        );
    }
}

/// A router with one plan on `LINE` open during `slots`, closed otherwise (rejects).
fn scheduled(time_zone: &str, slots: Vec<callboard_model::WeeklySlot>) -> Router {
    let mut rules = rules(time_zone);
    rules.plans.push(plan(1, LINE, &["79030000001"], slots));
    compile(&rules)
}

fn open_at(router: &Router, at: &str) -> bool {
    match route(router, "79260000000", LINE, utc(at)) {
        Decision::Forward {
            why: ForwardWhy::Plan { id: 1 },
            ..
        } => true,
        Decision::Reject {
            why: RejectWhy::AfterHours { plan_id: 1 },
            ..
        } => false,
        other => panic!("{at}: {other:?}"),
    }
}

fn assert_hours(router: &Router, cases: &[(&str, bool)]) {
    for &(at, open) in cases {
        assert_eq!(open_at(router, at), open, "at {at}");
    }
}

#[test]
fn workday_hours_start_inclusive_end_exclusive() {
    // Moscow is UTC+3 all year.
    let router = scheduled("Europe/Moscow", vec![slot(&WORKDAYS, "09:00", "18:00")]);
    assert_hours(
        &router,
        &[
            ("2024-05-06T05:59:59Z", false), // Monday 08:59:59
            ("2024-05-06T06:00:00Z", true),  // Monday 09:00
            ("2024-05-06T14:59:59Z", true),  // 17:59:59
            ("2024-05-06T15:00:00Z", false), // 18:00
            ("2024-05-10T14:30:00Z", true),  // Friday
            ("2024-05-11T08:00:00Z", false), // Saturday 11:00
            ("2024-05-12T08:00:00Z", false), // Sunday
            // Monday 01:00 in Moscow is still Sunday in UTC.
            ("2024-05-05T22:00:00Z", false),
            ("2024-05-12T21:30:00Z", false), // Monday 00:30 Moscow
        ],
    );
}

#[test]
fn a_slot_past_midnight_belongs_to_its_start_day() {
    let router = scheduled("Europe/Moscow", vec![slot(&[Day::Fr], "22:00", "06:00")]);
    assert_hours(
        &router,
        &[
            ("2024-05-10T18:59:00Z", false), // Friday 21:59
            ("2024-05-10T19:00:00Z", true),  // Friday 22:00
            ("2024-05-10T21:00:00Z", true),  // Saturday 00:00
            ("2024-05-11T02:59:00Z", true),  // Saturday 05:59
            ("2024-05-11T03:00:00Z", false), // Saturday 06:00
            ("2024-05-11T19:30:00Z", false), // Saturday 22:30: not a Friday
            ("2024-05-09T20:00:00Z", false), // Thursday 23:00
        ],
    );
    // Sunday night runs into Monday morning, across the week's end.
    let router = scheduled("Europe/Moscow", vec![slot(&[Day::Su], "23:00", "01:30")]);
    assert_hours(
        &router,
        &[
            ("2024-05-12T19:59:00Z", false), // Sunday 22:59
            ("2024-05-12T20:00:00Z", true),  // Sunday 23:00
            ("2024-05-12T22:29:00Z", true),  // Monday 01:29
            ("2024-05-12T22:30:00Z", false), // Monday 01:30
            ("2024-05-05T22:00:00Z", true),  // the Monday before, 01:00
        ],
    );
}

#[test]
fn a_whole_day_ends_at_24_00() {
    for end in ["24:00", "00:00"] {
        let router = scheduled("Europe/Moscow", vec![slot(&[Day::Sa], "00:00", end)]);
        assert_hours(
            &router,
            &[
                ("2024-05-10T20:59:59Z", false), // Friday 23:59:59
                ("2024-05-10T21:00:00Z", true),  // Saturday 00:00
                ("2024-05-11T20:59:59Z", true),  // Saturday 23:59:59
                ("2024-05-11T21:00:00Z", false), // Sunday 00:00
            ],
        );
    }
}

#[test]
fn berlin_hours_follow_daylight_saving() {
    let every_day = Day::ALL;
    let berlin = scheduled("Europe/Berlin", vec![slot(&every_day, "09:00", "18:00")]);
    let moscow = scheduled("Europe/Moscow", vec![slot(&every_day, "09:00", "18:00")]);
    assert_hours(
        &berlin,
        &[
            // Saturday 30 March, CET (UTC+1).
            ("2024-03-30T07:59:00Z", false),
            ("2024-03-30T08:00:00Z", true),
            ("2024-03-30T16:59:00Z", true),
            ("2024-03-30T17:00:00Z", false),
            // Sunday 31 March, CEST (UTC+2) from 01:00 UTC.
            ("2024-03-31T06:59:00Z", false),
            ("2024-03-31T07:00:00Z", true),
            ("2024-03-31T15:59:00Z", true),
            ("2024-03-31T16:00:00Z", false),
            // Saturday 26 October, still CEST.
            ("2024-10-26T06:59:00Z", false),
            ("2024-10-26T07:00:00Z", true),
            ("2024-10-26T16:00:00Z", false),
            // Sunday 27 October, CET again.
            ("2024-10-27T07:59:00Z", false),
            ("2024-10-27T08:00:00Z", true),
            ("2024-10-27T16:59:00Z", true),
            ("2024-10-27T17:00:00Z", false),
        ],
    );
    // Moscow has no DST: 09:00 there is 06:00 UTC on both sides of Berlin's changes.
    for day in ["2024-03-30", "2024-03-31", "2024-10-26", "2024-10-27"] {
        assert!(!open_at(&moscow, &format!("{day}T05:59:00Z")), "{day}");
        assert!(open_at(&moscow, &format!("{day}T06:00:00Z")), "{day}");
        assert!(open_at(&moscow, &format!("{day}T14:59:00Z")), "{day}");
        assert!(!open_at(&moscow, &format!("{day}T15:00:00Z")), "{day}");
    }
}

#[test]
fn berlin_skipped_and_repeated_hours() {
    let night = scheduled("Europe/Berlin", vec![slot(&[Day::Su], "02:00", "03:00")]);
    assert_hours(
        &night,
        &[
            // 31 March: 02:00-03:00 does not exist in Berlin; the clock jumps 01:59 → 03:00.
            ("2024-03-31T00:59:59Z", false), // 01:59:59 CET
            ("2024-03-31T01:00:00Z", false), // 03:00 CEST
            // 27 October: 02:00-03:00 happens twice, and is open both times.
            ("2024-10-27T00:00:00Z", true),  // 02:00 CEST
            ("2024-10-27T00:59:00Z", true),  // 02:59 CEST
            ("2024-10-27T01:00:00Z", true),  // 02:00 CET
            ("2024-10-27T01:59:00Z", true),  // 02:59 CET
            ("2024-10-27T02:00:00Z", false), // 03:00 CET
            ("2024-10-26T23:59:00Z", false), // 01:59 CEST
        ],
    );
}

#[test]
fn after_hours_reject_forward_or_leave_it_to_the_provider() {
    let closed = utc("2024-05-06T20:00:00Z"); // Monday 23:00 in Moscow
    let open = utc(MONDAY_NOON);
    let mut rules = rules("Europe/Moscow");
    rules.settings.reject_prompt = Some("night-prompt".into());
    let hours = || vec![slot(&WORKDAYS, "09:00", "18:00")];
    let mut reject = plan(1, "74990000001", &["79030000001"], hours());
    reject.after_hours = AfterHours::Reject;
    let mut forward = plan(2, "74990000002", &["79030000001"], hours());
    forward.after_hours = AfterHours::Forward {
        mode: RingMode::Parallel,
        targets: vec![target("8 916 000-00-01", 60), target("+79160000002", 60)],
    };
    let mut default = plan(3, "74990000003", &["79030000001"], hours());
    default.after_hours = AfterHours::ProviderDefault;
    let mut always = plan(4, "74990000004", &["79030000001"], vec![]);
    always.after_hours = AfterHours::Reject;
    rules.plans.extend([reject, forward, default, always]);
    let router = compile(&rules);
    let caller = "79260000000";

    assert_eq!(
        route(&router, caller, "74990000001", closed),
        Decision::Reject {
            why: RejectWhy::AfterHours { plan_id: 1 },
            prompt: Some(Arc::from("night-prompt")),
        }
    );
    assert_eq!(
        route(&router, caller, "74990000002", closed),
        Decision::Forward {
            mode: RingMode::Parallel,
            targets: Arc::from([
                Target {
                    number: "79160000001".into(),
                    name: "ring 8 916 000-00-01".into(),
                    timeout_secs: 60,
                },
                Target {
                    number: "79160000002".into(),
                    name: "ring +79160000002".into(),
                    timeout_secs: 60,
                },
            ]),
            why: ForwardWhy::AfterHours { plan_id: 2 },
        }
    );
    assert_eq!(
        route(&router, caller, "74990000003", closed),
        Decision::ProviderDefault {
            why: DefaultWhy::AfterHours { plan_id: 3 }
        }
    );
    // An empty schedule never closes.
    assert_eq!(
        forward_why(&route(&router, caller, "74990000004", closed)),
        Some(ForwardWhy::Plan { id: 4 })
    );
    for (line, id) in [("74990000001", 1), ("74990000002", 2), ("74990000003", 3)] {
        assert_eq!(
            forward_why(&route(&router, caller, line, open)),
            Some(ForwardWhy::Plan { id })
        );
    }
}

#[test]
fn a_blank_reject_prompt_is_no_prompt() {
    let mut rules = rules("Europe/Moscow");
    rules.settings.reject_prompt = Some("  ".into());
    rules
        .blacklist
        .push(blocked(1, "79161234567", MatchKind::Exact));
    let router = compile(&rules);
    assert!(matches!(
        route(&router, "79161234567", LINE, utc(MONDAY_NOON)),
        Decision::Reject { prompt: None, .. }
    ));
}

/// Compiles `rules`, expecting a refusal about `rule` and `field`.
fn refused(rules: &RoutingRules, rule: RuleRef, field: &str) -> Problem {
    let err = Router::compile(rules).expect_err("an invalid rule set must be refused");
    assert_eq!((err.rule, err.field.as_str()), (rule, field), "{err}");
    err.problem
}

#[test]
fn invalid_rules_are_refused_naming_the_rule_and_field() {
    let plan_rule = RuleRef::Plan { id: 100 };
    let base = rules_with_plan();

    let mut r = base.clone();
    r.settings.time_zone = "Europe/Mosсow".into(); // a Cyrillic "с"
    assert!(matches!(
        refused(&r, RuleRef::Settings, "time_zone"),
        Problem::UnknownTimeZone { .. }
    ));

    for (pattern, kind, want) in [
        ("", MatchKind::Exact, "NoDigits"),
        (" ( ) - ", MatchKind::Exact, "NoDigits"),
        ("anonymous", MatchKind::Exact, "StrayCharacter"),
        ("+", MatchKind::Prefix, "NoDigits"),
        ("495*", MatchKind::Prefix, "StrayCharacter"),
        ("1234567890123456", MatchKind::Exact, "TooLong"),
    ] {
        let mut r = base.clone();
        r.blacklist
            .push(blocked(1, "79160000000", MatchKind::Exact));
        r.blacklist.push(blocked(5, pattern, kind));
        let problem = refused(&r, RuleRef::Blacklist { id: 5 }, "pattern");
        assert!(
            format!("{problem:?}").starts_with(want),
            "{pattern:?}: {problem:?}"
        );
    }

    // The same number written twice, in two forms.
    let mut r = base.clone();
    r.blacklist
        .push(blocked(1, "+7 916 123-45-67", MatchKind::Exact));
    r.blacklist
        .push(blocked(2, "89161234567", MatchKind::Exact));
    assert_eq!(
        refused(&r, RuleRef::Blacklist { id: 2 }, "pattern"),
        Problem::Duplicate {
            canonical: "79161234567".into(),
            other: RuleRef::Blacklist { id: 1 }
        }
    );
    let mut r = base.clone();
    r.blacklist.push(blocked(1, "495", MatchKind::Prefix));
    r.blacklist.push(blocked(2, "8 495", MatchKind::Prefix));
    assert_eq!(
        refused(&r, RuleRef::Blacklist { id: 2 }, "pattern"),
        Problem::Duplicate {
            canonical: "7495".into(),
            other: RuleRef::Blacklist { id: 1 }
        }
    );
    let mut r = base.clone();
    r.blacklist.push(blocked(1, "495", MatchKind::Prefix));
    r.blacklist.push(blocked(1, "496", MatchKind::Prefix));
    assert_eq!(
        refused(&r, RuleRef::Blacklist { id: 1 }, "id"),
        Problem::DuplicateId { id: 1 }
    );

    let mut r = base.clone();
    r.vip.push(vip(1, "79161234567", "79030000001"));
    r.vip.push(vip(2, "9161234567", "79030000002"));
    assert!(matches!(
        refused(&r, RuleRef::Vip { id: 2 }, "number"),
        Problem::Duplicate {
            other: RuleRef::Vip { id: 1 },
            ..
        }
    ));
    let mut r = base.clone();
    r.vip.push(vip(1, "79161234567", "79030000001"));
    r.vip[0].operator.timeout_secs = 0;
    assert_eq!(
        refused(&r, RuleRef::Vip { id: 1 }, "operator.timeout_secs"),
        Problem::Timeout { secs: 0 }
    );

    let mut r = base.clone();
    r.plans
        .push(plan(101, " 84996480000", &["79030000001"], vec![]));
    assert!(matches!(
        refused(&r, RuleRef::Plan { id: 101 }, "line"),
        Problem::Duplicate {
            other: RuleRef::Plan { id: 100 },
            ..
        }
    ));

    let mut r = base.clone();
    r.plans[0].targets.clear();
    assert_eq!(refused(&r, plan_rule, "targets"), Problem::NoTargets);

    let mut r = base.clone();
    r.plans[0].mode = RingMode::Single;
    assert_eq!(
        refused(&r, plan_rule, "mode"),
        Problem::SingleWithMany { count: 2 }
    );

    for (secs, ok) in [(4, false), (5, true), (600, true), (601, false)] {
        let mut r = base.clone();
        r.plans[0].targets[1].timeout_secs = secs;
        if ok {
            Router::compile(&r).unwrap();
        } else {
            assert_eq!(
                refused(&r, plan_rule, "targets[1].timeout_secs"),
                Problem::Timeout { secs }
            );
        }
    }

    let mut r = base.clone();
    r.plans[0].targets[0].number = "ext. one".into();
    assert!(matches!(
        refused(&r, plan_rule, "targets[0].number"),
        Problem::StrayCharacter { .. }
    ));

    let mut r = base.clone();
    r.plans[0].after_hours = AfterHours::Forward {
        mode: RingMode::Sequential,
        targets: vec![],
    };
    assert_eq!(
        refused(&r, plan_rule, "after_hours.targets"),
        Problem::NoTargets
    );
    r.plans[0].after_hours = AfterHours::Forward {
        mode: RingMode::Sequential,
        targets: vec![target("79030000009", 20), target("", 20)],
    };
    assert!(matches!(
        refused(&r, plan_rule, "after_hours.targets[1].number"),
        Problem::NoDigits { .. }
    ));

    for (slots, field) in [
        (vec![slot(&WORKDAYS, "9:00", "25:00")], "schedule[0].end"),
        (vec![slot(&WORKDAYS, "09:00", "24:01")], "schedule[0].end"),
        (vec![slot(&WORKDAYS, "24:00", "18:00")], "schedule[0].start"),
        (vec![slot(&WORKDAYS, "9h", "18:00")], "schedule[0].start"),
    ] {
        let mut r = base.clone();
        r.plans[0].schedule = slots;
        assert!(matches!(
            refused(&r, plan_rule, field),
            Problem::BadTime { .. }
        ));
    }
    let mut r = base.clone();
    r.plans[0].schedule = vec![
        slot(&WORKDAYS, "09:00", "18:00"),
        slot(&[], "10:00", "11:00"),
    ];
    assert_eq!(refused(&r, plan_rule, "schedule[1].days"), Problem::NoDays);

    // The message names the rule and the field, for the UI to show as is.
    let mut r = base.clone();
    r.plans[0].targets[1].timeout_secs = 2;
    let message = Router::compile(&r).unwrap_err().to_string();
    assert_eq!(
        message,
        "forwarding plan 100, targets[1].timeout_secs: ring timeout 2 s is outside 5 to 600 s"
    );
    let mut r = base.clone();
    r.plans
        .push(plan(7, "8 499 648-00-00", &["79030000001"], vec![]));
    assert_eq!(
        Router::compile(&r).unwrap_err().to_string(),
        "forwarding plan 7, line: 74996480000 is already taken by forwarding plan 100"
    );
}
