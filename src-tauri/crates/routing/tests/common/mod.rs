//! Small builders for rule sets in tests.
#![allow(dead_code)]

use callboard_model::{
    AfterHours, BlockedNumber, Day, ForwardingPlan, MatchKind, RingMode, RoutingRules,
    RoutingSettings, Target, VipCaller, WeeklySlot,
};
use chrono::{DateTime, Utc};

pub fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .unwrap_or_else(|e| panic!("{s}: {e}"))
        .to_utc()
}

pub fn target(number: &str, timeout_secs: u32) -> Target {
    Target {
        number: number.into(),
        name: format!("ring {number}"),
        timeout_secs,
    }
}

pub fn blocked(id: i64, pattern: &str, match_kind: MatchKind) -> BlockedNumber {
    BlockedNumber {
        id,
        pattern: pattern.into(),
        match_kind,
        reason: format!("reason {id}"),
        expires_at: None,
        created_at: utc("2024-01-01T00:00:00Z"),
    }
}

pub fn vip(id: i64, number: &str, operator: &str) -> VipCaller {
    VipCaller {
        id,
        number: number.into(),
        name: format!("vip {id}"),
        operator: target(operator, 30),
    }
}

pub fn slot(days: &[Day], start: &str, end: &str) -> WeeklySlot {
    WeeklySlot {
        days: days.to_vec(),
        start: start.into(),
        end: end.into(),
    }
}

pub fn plan(id: i64, line: &str, targets: &[&str], schedule: Vec<WeeklySlot>) -> ForwardingPlan {
    ForwardingPlan {
        id,
        line: line.into(),
        name: format!("plan {id}"),
        mode: if targets.len() == 1 {
            RingMode::Single
        } else {
            RingMode::Sequential
        },
        targets: targets.iter().map(|n| target(n, 20)).collect(),
        schedule,
        after_hours: AfterHours::Reject,
    }
}

pub fn rules(time_zone: &str) -> RoutingRules {
    RoutingRules {
        settings: RoutingSettings {
            time_zone: time_zone.into(),
            reject_prompt: None,
        },
        ..RoutingRules::default()
    }
}

pub const WORKDAYS: [Day; 5] = [Day::Mo, Day::Tu, Day::We, Day::Th, Day::Fr];
