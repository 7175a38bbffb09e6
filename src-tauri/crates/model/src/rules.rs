//! Live routing rules: what the operators edit and the routing engine compiles to answer
//! MTT `getControlCallFollowMe` and Beeline `AgentRequest` while a caller waits.
//!
//! Numbers here are kept as the operator typed them; the engine (`callboard-routing`)
//! matches them in every form providers send (`+7…`, `8…`, `7…`, ten digits).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

/// Every routing rule of the app, compiled and swapped in as one unit: a rule set with
/// one invalid rule is refused whole, so calls never meet half an edit.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS, ToSchema)]
pub struct RoutingRules {
    #[serde(default)]
    pub blacklist: Vec<BlockedNumber>,
    #[serde(default)]
    pub vip: Vec<VipCaller>,
    #[serde(default)]
    pub plans: Vec<ForwardingPlan>,
    #[serde(default)]
    pub settings: RoutingSettings,
}

/// How a blacklist pattern is compared with the caller's number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// The whole number, in any of its written forms.
    Exact,
    /// Every number starting with the pattern (`495` blocks Moscow landlines).
    Prefix,
}

/// A caller (or a range of callers) whose calls are rejected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, ToSchema)]
pub struct BlockedNumber {
    #[ts(type = "number")]
    pub id: i64,
    pub pattern: String,
    pub match_kind: MatchKind,
    /// Shown to operators and in the call's routing reason.
    #[serde(default)]
    pub reason: String,
    /// From this instant on the entry no longer matches (temporary blocks lapse by
    /// themselves, with no clean-up job on the routing path).
    #[serde(default)]
    #[ts(type = "string | null")]
    pub expires_at: Option<DateTime<Utc>>,
    #[ts(type = "string")]
    pub created_at: DateTime<Utc>,
}

/// A caller who always goes straight to one operator, at any hour, on any line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, ToSchema)]
pub struct VipCaller {
    #[ts(type = "number")]
    pub id: i64,
    pub number: String,
    pub name: String,
    pub operator: Target,
}

/// A phone to ring.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct Target {
    pub number: String,
    pub name: String,
    /// How long it rings before the next target (or the caller gives up), in seconds.
    pub timeout_secs: u32,
}

/// How a list of targets is rung (MTT `redirect_type` 1, 2, 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RingMode {
    /// One target only.
    Single,
    /// Each target in turn, for its timeout.
    Sequential,
    /// All targets at once; the first to answer takes the call.
    Parallel,
}

/// Where calls to one of our numbers (a line) go, by the hour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, ToSchema)]
pub struct ForwardingPlan {
    #[ts(type = "number")]
    pub id: i64,
    /// The called number this plan answers for (MTT `sip_id`, Beeline `B1`).
    pub line: String,
    pub name: String,
    pub mode: RingMode,
    pub targets: Vec<Target>,
    /// Opening hours in the routing time zone; empty means always open.
    #[serde(default)]
    pub schedule: Vec<WeeklySlot>,
    pub after_hours: AfterHours,
}

/// A day of the week, Monday first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Day {
    Mo,
    Tu,
    We,
    Th,
    Fr,
    Sa,
    Su,
}

impl Day {
    pub const ALL: [Day; 7] = [
        Self::Mo,
        Self::Tu,
        Self::We,
        Self::Th,
        Self::Fr,
        Self::Sa,
        Self::Su,
    ];

    /// 0 for Monday to 6 for Sunday.
    pub fn index(self) -> u32 {
        self as u32
    }
}

impl From<chrono::Weekday> for Day {
    fn from(d: chrono::Weekday) -> Self {
        Self::ALL[d.num_days_from_monday() as usize]
    }
}

/// Open hours on some days of the week, local wall-clock time.
///
/// `start` is inclusive and `end` exclusive, both `HH:MM`; `end` may be `24:00`. An
/// `end` at or before `start` runs past midnight into the next day (`22:00`–`06:00`
/// on Friday covers Friday night until Saturday 06:00), so `00:00`–`00:00` is a full day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct WeeklySlot {
    /// The days the slot starts on.
    pub days: Vec<Day>,
    pub start: String,
    pub end: String,
}

/// What a plan does with calls outside its schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AfterHours {
    /// Hang up on the caller (after the reject prompt, if one is set).
    Reject,
    /// Ring other phones (the night shift, a mobile on duty).
    Forward {
        mode: RingMode,
        targets: Vec<Target>,
    },
    /// Answer nothing specific, so the provider's own forwarding applies.
    ProviderDefault,
}

/// Settings that apply to every rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct RoutingSettings {
    /// IANA zone the schedules are written in.
    #[serde(default = "default_time_zone")]
    pub time_zone: String,
    /// A provider prompt id played to a caller before a rejection.
    #[serde(default)]
    pub reject_prompt: Option<String>,
}

fn default_time_zone() -> String {
    "Europe/Moscow".to_string()
}

impl Default for RoutingSettings {
    fn default() -> Self {
        Self {
            time_zone: default_time_zone(),
            reject_prompt: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_read_back_from_their_json() {
        let json = r#"{
            "plans": [{
                "id": 1, "line": "74996480000", "name": "Sales", "mode": "sequential",
                "targets": [{"number": "79161234567", "name": "Anna", "timeout_secs": 20}],
                "schedule": [{"days": ["mo", "fr"], "start": "09:00", "end": "18:00"}],
                "after_hours": {"kind": "forward", "mode": "single",
                    "targets": [{"number": "79160000000", "name": "Duty", "timeout_secs": 30}]}
            }],
            "blacklist": [{"id": 2, "pattern": "495", "match_kind": "prefix",
                "created_at": "2024-01-01T00:00:00Z"}]
        }"#;
        let rules: RoutingRules = serde_json::from_str(json).unwrap();
        assert_eq!(rules.settings.time_zone, "Europe/Moscow");
        assert_eq!(rules.plans[0].schedule[0].days, [Day::Mo, Day::Fr]);
        assert!(matches!(
            rules.plans[0].after_hours,
            AfterHours::Forward {
                mode: RingMode::Single,
                ..
            }
        ));
        assert_eq!(rules.blacklist[0].match_kind, MatchKind::Prefix);
        assert_eq!(rules.blacklist[0].expires_at, None);
        let again: RoutingRules =
            serde_json::from_str(&serde_json::to_string(&rules).unwrap()).unwrap();
        assert_eq!(again, rules);
        assert_eq!(
            serde_json::to_value(AfterHours::ProviderDefault).unwrap(),
            serde_json::json!({"kind": "provider_default"})
        );
    }

    #[test]
    fn days_follow_chrono() {
        assert_eq!(Day::from(chrono::Weekday::Mon), Day::Mo);
        assert_eq!(Day::from(chrono::Weekday::Sun), Day::Su);
        assert_eq!(Day::Su.index(), 6);
    }
}
