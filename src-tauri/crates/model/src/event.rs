use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

use crate::{AccountStatus, LiveCall};

/// A live event pushed to the UI (Tauri event or server-sent event).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// A sync pass stored calls; `inserted` of them were new.
    CallsSynced {
        account: String,
        inserted: u32,
        updated: u32,
    },
    /// An account's sync status changed.
    AccountStatus { status: Box<AccountStatus> },
    /// A live call changed (it rang, was answered, ended).
    LiveCall { call: Box<LiveCall> },
    /// The missed-not-called-back queue changed; `waiting` numbers are in it.
    MissedQueue { waiting: u32 },
    /// This subscriber fell behind and `missed` events were dropped for it: re-read
    /// everything shown, since any of them may have changed it.
    Resync {
        #[ts(type = "number")]
        missed: u64,
    },
    /// Show this caller's calls (the desktop's notification of their call was clicked).
    ShowCaller { number: String },
    /// Sent every few seconds, so a UI that hears nothing knows its stream is down.
    Heartbeat,
}
