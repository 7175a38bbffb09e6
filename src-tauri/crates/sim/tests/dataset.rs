//! Properties of the generated history, independent of HTTP.

use std::collections::HashSet;

use callboard_sim::{CallKind, Dataset, SIP_IDS, SimCall, parse_conf_id};
use chrono::{DateTime, Duration, Utc};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-04T12:00:00Z")
        .expect("valid time")
        .with_timezone(&Utc)
}

fn week(ds: &Dataset) -> Vec<SimCall> {
    ds.calls(now() - Duration::days(7), now(), now())
}

#[test]
fn same_seed_same_calls_other_seed_different() {
    let a = week(&Dataset::new(1, 28, 150));
    let b = week(&Dataset::new(1, 28, 150));
    let c = week(&Dataset::new(2, 28, 150));
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn a_week_has_a_realistic_mix() {
    let calls = week(&Dataset::new(1, 28, 150));
    assert!(
        (700..=1400).contains(&calls.len()),
        "{} calls in a week",
        calls.len()
    );
    for kind in CallKind::ALL {
        assert!(calls.iter().any(|c| c.kind == kind), "no {kind:?} calls");
    }
    let share =
        |k: CallKind| calls.iter().filter(|c| c.kind == k).count() as f64 / calls.len() as f64;
    assert!((0.40..0.60).contains(&share(CallKind::Incoming)));
    assert!((0.12..0.28).contains(&share(CallKind::Missed)));
    assert!((0.17..0.33).contains(&share(CallKind::Dialed)));
    assert!(calls.iter().any(|c| c.recording_parts >= 2));
    assert!(calls.iter().any(|c| c.recording_parts == 1));
    assert!(
        calls.iter().any(|c| c.cli.starts_with('8')),
        "no 8XXXXXXXXXX callers"
    );
    assert!(
        calls
            .iter()
            .any(|c| c.kind == CallKind::Dialed && c.disconnect_cause == 17)
    );
}

#[test]
fn calls_are_well_formed() {
    let calls = week(&Dataset::new(5, 28, 150));
    let mut ids = HashSet::new();
    for c in &calls {
        assert!(ids.insert(c.h323_conf_id.clone()), "duplicate id");
        assert!(parse_conf_id(&c.h323_conf_id).is_some());
        assert!(parse_conf_id(&c.h323_incoming_conf_id).is_some());
        assert!(SIP_IDS.contains(&c.sip_id.as_str()));
        assert!((500..=15_000).contains(&c.setup_time_ms));
        assert!((0.0..=5.0).contains(&c.charged));
        assert!(c.used_quantity <= 900);
        assert_eq!(c.cli.len(), 11);
        assert_eq!(c.cld.len(), 11);
        match c.kind {
            CallKind::Dialed => assert_eq!(c.cli, c.sip_id),
            CallKind::Incoming | CallKind::Missed => assert_eq!(c.cld, c.sip_id),
            CallKind::Forwarded => assert!(!SIP_IDS.contains(&c.cld.as_str())),
        }
        if c.used_quantity == 0 {
            assert_eq!(c.recording_parts, 0);
        }
        assert!(c.recording_parts <= 3);
    }
    assert!(
        calls
            .windows(2)
            .all(|w| w[0].connect_time >= w[1].connect_time)
    );
}

#[test]
fn any_window_cut_gives_the_same_calls() {
    let ds = Dataset::new(9, 28, 150);
    let whole = week(&ds);
    let mut pieces = Vec::new();
    // Odd cut points that fall inside hour slots.
    let mut hi = now();
    while hi > now() - Duration::days(7) {
        let lo = (hi - Duration::minutes(317)).max(now() - Duration::days(7));
        pieces.extend(ds.calls(lo, hi, now()));
        hi = lo;
    }
    assert_eq!(whole, pieces);
}

#[test]
fn visibility_follows_now_and_days() {
    let ds = Dataset::new(1, 3, 150);
    let all = ds.calls(
        now() - Duration::days(30),
        now() + Duration::days(30),
        now(),
    );
    assert!(!all.is_empty());
    assert!(all.iter().all(|c| c.connect_time <= now()));
    assert!(
        all.iter()
            .all(|c| c.connect_time >= now() - Duration::days(3))
    );
    // Later, newer calls appear and old ones age out.
    let later = now() + Duration::hours(6);
    let moved = ds.calls(now() - Duration::days(30), later, later);
    assert!(moved.first().map(|c| c.connect_time) > all.first().map(|c| c.connect_time));
}
