use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

use crate::AccountStatus;

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
    /// Sent every few seconds, so a UI that hears nothing knows its stream is down.
    Heartbeat,
}
