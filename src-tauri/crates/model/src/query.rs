use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::{IntoParams, ToSchema};

use crate::{Call, Direction, Outcome, ProviderKind};

/// Filters for the call history, newest first, one page at a time.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
#[ts(optional_fields)]
pub struct CallQuery {
    /// Calls that started at or after this instant (UTC, RFC 3339).
    #[ts(optional, type = "string")]
    pub from: Option<DateTime<Utc>>,
    /// Calls that started before this instant (UTC, RFC 3339).
    #[ts(optional, type = "string")]
    pub to: Option<DateTime<Utc>>,
    pub account: Option<String>,
    pub provider: Option<ProviderKind>,
    pub direction: Option<Direction>,
    pub outcome: Option<Outcome>,
    /// Any run of digits found in the caller or the callee (e.g. the last four).
    pub number: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1..=1000 (default 200).
    pub limit: Option<u32>,
}

impl CallQuery {
    pub const DEFAULT_LIMIT: u32 = 200;
    pub const MAX_LIMIT: u32 = 1000;

    /// The page size asked for, clamped to the allowed range.
    pub fn page_size(&self) -> u32 {
        self.limit
            .unwrap_or(Self::DEFAULT_LIMIT)
            .clamp(1, Self::MAX_LIMIT)
    }
}

/// A plain list's paging: how many, and (for logs) before which row.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
#[ts(optional_fields)]
pub struct ListQuery {
    pub limit: Option<u32>,
    /// Rows before this id (the last id of the previous page).
    #[ts(optional, type = "number")]
    pub before: Option<i64>,
}

/// A call to ask the routing rules about.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct RouteProbe {
    /// The caller's number, in any form.
    pub caller: String,
    /// Our number that was called (a line).
    pub called: String,
}

/// What the routing rules would answer a call now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct RouteTest {
    /// The answer in a line (`forwarded to 79160000001 (VIP Anna)`, `rejected: …`).
    pub answer: String,
    /// Whether the rules could decide at all (they cannot while they do not compile).
    pub decided: bool,
}

/// One page of calls, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, ToSchema)]
pub struct CallPage {
    pub items: Vec<Call>,
    /// Pass back as `cursor` for the next (older) page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Keyset position in the newest-first order: the last row's start time and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub started_at_ms: i64,
    pub id: i64,
}

#[derive(Debug, thiserror::Error)]
#[error("invalid page cursor {0:?}")]
pub struct CursorError(pub String);

impl Cursor {
    pub fn encode(&self) -> String {
        format!("{}_{}", self.started_at_ms, self.id)
    }

    pub fn decode(s: &str) -> Result<Self, CursorError> {
        let bad = || CursorError(s.to_string());
        let (ms, id) = s.split_once('_').ok_or_else(bad)?;
        Ok(Self {
            started_at_ms: ms.parse().map_err(|_| bad())?,
            id: id.parse().map_err(|_| bad())?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_rejects_garbage() {
        let c = Cursor {
            started_at_ms: 1_700_000_000_123,
            id: 42,
        };
        assert_eq!(Cursor::decode(&c.encode()).unwrap(), c);
        assert!(Cursor::decode("nope").is_err());
        assert!(Cursor::decode("1_x").is_err());
    }

    #[test]
    fn page_size_is_clamped() {
        assert_eq!(CallQuery::default().page_size(), 200);
        assert_eq!(
            CallQuery {
                limit: Some(0),
                ..Default::default()
            }
            .page_size(),
            1
        );
        assert_eq!(
            CallQuery {
                limit: Some(50_000),
                ..Default::default()
            }
            .page_size(),
            1000
        );
    }
}
