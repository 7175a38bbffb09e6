use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

use crate::ProviderKind;

/// What an account's sync task is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SyncState {
    /// Configured but its provider has no sync yet in this version.
    Unsupported,
    Idle,
    Syncing,
    Ok,
    Error,
}

/// A provider's own error, as the provider reported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct ProviderErrorInfo {
    pub provider: ProviderKind,
    /// The provider's code as it sent it (`-32602`, `404.100`, `HTTP 401`, ...).
    pub code: String,
    pub message: String,
}

/// The kinds of error the UI reacts to differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    NotFound,
    InvalidInput,
    /// The provider answered with an error of its own (see `provider`).
    Provider,
    /// The provider could not be reached or answered garbage.
    Network,
    Config,
    Internal,
}

/// What the user can do about an error, when the backend knows: the UI turns each kind
/// into a sentence in the user's language with the next step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ErrorHint {
    /// An account's secret cannot be read: set the variable or the keyring entry.
    SecretMissing {
        account: String,
        env: Option<String>,
        keyring: Option<String>,
    },
    /// The provider refused the account's login or password ("" when not known).
    AuthFailed { account: String },
    /// The provider's host cannot be reached.
    Unreachable { host: String },
    /// A device answers but has reported no call since `since` (never, when absent):
    /// check its API address setting and that the listener is reachable from it.
    DeviceSilent {
        account: String,
        #[ts(type = "string | null")]
        since: Option<DateTime<Utc>>,
    },
    /// The provider throttled us; the next pass tries again.
    RateLimited,
    /// A recording link points at a host the account's config does not allow.
    HostNotAllowed { host: String },
    /// The provider no longer has this recording.
    RecordingGone,
    /// The config file cannot be used; `line` and `column` are 1-based.
    ConfigInvalid {
        file: String,
        line: Option<u32>,
        column: Option<u32>,
        detail: String,
    },
}

/// An error as it reaches the UI: a kind to react to, a message to show, the provider's
/// own code and message where a provider caused it, and the next step where known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub provider: Option<ProviderErrorInfo>,
    #[serde(default)]
    pub hint: Option<ErrorHint>,
}

impl ApiError {
    /// An error with no provider behind it and no hint.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            provider: None,
            hint: None,
        }
    }
}

/// How far a new account's history has been read back, in days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct BackfillProgress {
    pub done: u32,
    pub total: u32,
}

/// What an account's provider can do, so the UI offers only that (MTS has no
/// recordings; SpRecord's calls arrive by webhook, not by sync).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct AccountCapabilities {
    /// Its call history can be synced (and "sync now" means something).
    pub call_log: bool,
    /// Its calls' recordings can be played.
    pub recordings: bool,
}

/// Per-account sync status, shown as a badge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, ToSchema)]
pub struct AccountStatus {
    pub account: String,
    pub name: String,
    pub provider: ProviderKind,
    pub state: SyncState,
    #[ts(type = "string | null")]
    pub last_success: Option<DateTime<Utc>>,
    pub last_error: Option<ApiError>,
    /// Calls stored for this account.
    #[ts(type = "number")]
    pub calls_synced: u64,
    #[ts(type = "string | null")]
    pub next_attempt: Option<DateTime<Utc>>,
    /// Set while the account's history is being read back page by page.
    #[serde(default)]
    pub backfill: Option<BackfillProgress>,
    /// What the account offers, once its provider client is built (all false before).
    #[serde(default)]
    pub capabilities: AccountCapabilities,
}

/// What the UI needs to know about the backend it talks to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct AppInfo {
    pub version: String,
    /// True when wired to the built-in simulators rather than real accounts.
    pub demo: bool,
    pub accounts: u32,
    /// Why the app started without its accounts (a config file it could not use), shown
    /// in place of the history until fixed.
    #[serde(default)]
    pub startup_error: Option<ApiError>,
}
