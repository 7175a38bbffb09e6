//! Calls as they happen: the live call model the UI's live panel shows, the queue of
//! missed callers not yet called back, and the listener's log of refused requests.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

use crate::{Detail, Direction, Outcome, ProviderKind};

/// Where a live call stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum LiveState {
    Ringing,
    Talking,
    Ended,
}

/// One step of a live call, as the provider reported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct LiveStep {
    #[ts(type = "string")]
    pub at: DateTime<Utc>,
    /// What happened, in the provider's terms (`o 79684881033`, `CONNECTED/CONNECTED`).
    pub text: String,
}

/// A call from the first event heard of it to its end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, ToSchema)]
pub struct LiveCall {
    /// The provider's call key (`mtt:<h323_conf_id>`, `beeline:<SysID>`, ...).
    pub key: String,
    pub account: String,
    pub provider: ProviderKind,
    pub state: LiveState,
    pub direction: Direction,
    /// E.164 where known, else as sent ("" when the provider did not say).
    pub caller: String,
    pub callee: String,
    /// The number being rung or talking (an operator, a forwarding target).
    pub target: Option<String>,
    #[ts(type = "string")]
    pub started_at: DateTime<Utc>,
    #[ts(type = "string | null")]
    pub answered_at: Option<DateTime<Utc>>,
    #[ts(type = "string | null")]
    pub ended_at: Option<DateTime<Utc>>,
    /// Set once ended.
    pub outcome: Option<Outcome>,
    /// Set once the call is in the history (its row id).
    #[ts(type = "number | null")]
    pub history_id: Option<i64>,
    /// What the routing rules answered for this call, when they were asked.
    pub routing: Option<String>,
    pub steps: Vec<LiveStep>,
    pub details: Vec<Detail>,
}

/// A number whose missed calls have not been answered since: to be called back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, ToSchema)]
pub struct MissedCaller {
    /// E.164 where known.
    pub number: String,
    /// Missed calls from it since its last answered call.
    pub missed: u32,
    #[ts(type = "string")]
    pub first_missed_at: DateTime<Utc>,
    #[ts(type = "string")]
    pub last_missed_at: DateTime<Utc>,
    /// The account of the latest missed call, and that call's row.
    pub account: String,
    #[ts(type = "number")]
    pub last_call_id: i64,
}

/// The missed-not-called-back queue: oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, ToSchema)]
pub struct MissedQueue {
    pub callers: Vec<MissedCaller>,
    /// How many numbers are waiting in all (the list may be cut).
    pub total: u32,
}

/// A request the webhook listener refused or could not read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct RefusedRequest {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "string")]
    pub at: DateTime<Utc>,
    /// The client's address (the forwarded one, when a trusted proxy sent it).
    pub source: String,
    pub method: String,
    /// The path with any token in it masked.
    pub path: String,
    /// The account the path or credentials named, when one did.
    pub account: Option<String>,
    /// The HTTP status answered.
    pub status: u16,
    pub reason: String,
    /// The first bytes of the body, as text (invalid UTF-8 replaced).
    pub head: String,
}

/// Where one account's provider must send its requests: the URLs to enter in its settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct AccountHooks {
    pub account: String,
    pub provider: ProviderKind,
    pub urls: Vec<HookUrl>,
}

/// One webhook URL and what it is for (`call-control URL (updateCallControlURL)`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct HookUrl {
    pub purpose: String,
    /// Carries the account's token: shown to whoever may use the UI, never logged.
    pub url: String,
}

/// A simulated call to place now (demo mode only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct DemoCall {
    /// Which simulator places it (`mtt`, `beeline` or `sprecord`).
    pub provider: ProviderKind,
    /// The caller, any form; a regular client when absent.
    #[serde(default)]
    pub caller: Option<String>,
    /// Whether the operator picks up.
    pub answered: bool,
    /// Seconds it rings, and then talks (defaults: 3 and 8).
    #[serde(default)]
    pub ring_secs: Option<u32>,
    #[serde(default)]
    pub talk_secs: Option<u32>,
}

/// A simulated call placed: who calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct DemoCallPlaced {
    /// E.164.
    pub caller: String,
}

/// What is known of a caller: how often they called, how the last call went, who they are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, ToSchema)]
pub struct CallerSummary {
    /// E.164 where it reads as a number.
    pub number: String,
    /// Calls stored with this number on either side.
    #[ts(type = "number")]
    pub calls: u64,
    pub last_outcome: Option<Outcome>,
    #[ts(type = "string | null")]
    pub last_at: Option<DateTime<Utc>>,
    /// The name the routing rules know (a VIP caller), if any.
    pub name: Option<String>,
}
