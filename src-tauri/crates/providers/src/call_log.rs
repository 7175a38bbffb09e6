//! The call-log capability: a provider's call records, read page by page from a cursor
//! the provider owns (a time window for MTT and MOR, a record id for MTS, a pending CDR
//! job for Beeline). The core stores the cursor as an opaque value in the same
//! transaction as the page's calls, so a kill between pages loses and repeats nothing.

use async_trait::async_trait;
use callboard_model::NewCall;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::ProviderError;

/// A provider's cursor, opaque to the core.
pub type CursorValue = serde_json::Value;

/// What a page is read against.
#[derive(Debug, Clone, Copy)]
pub struct PageContext {
    pub now: DateTime<Utc>,
    /// How far back a new account's history is read.
    pub backfill: Duration,
}

/// How far a backfill has come, in whole days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub done: u32,
    pub total: u32,
}

/// One step through a provider's call log.
#[derive(Debug)]
pub struct LogPage {
    pub calls: Vec<NewCall>,
    /// The cursor once this page is stored.
    pub cursor: CursorValue,
    /// Another page is due at once (a backfill, a paged answer); false once caught up.
    pub more: bool,
    /// Set while a backfill runs.
    pub progress: Option<Progress>,
    /// The time span the page covered, for logs and reports.
    pub window: (DateTime<Utc>, DateTime<Utc>),
}

/// A provider's call records.
#[async_trait]
pub trait CallLog: Send + Sync {
    /// The next page after `cursor` (`None`: an account never read, which starts with a
    /// backfill of `ctx.backfill`).
    async fn next_page(
        &self,
        cursor: Option<&CursorValue>,
        ctx: PageContext,
    ) -> Result<LogPage, ProviderError>;
}

/// The cursor of a log read by time windows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowCursor {
    /// Everything up to here has been read (less the records that appear late).
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub synced_to: DateTime<Utc>,
    /// A backfill under way, read from `synced_to` back in time.
    #[serde(default)]
    pub backfill: Option<Backfill>,
    /// When the last deep re-read ran.
    #[serde(default, with = "chrono::serde::ts_milliseconds_option")]
    pub deep_at: Option<DateTime<Utc>>,
}

/// How far back a backfill has read, and how far it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Backfill {
    /// Everything from here up to the cursor's `synced_to` is read.
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub low: DateTime<Utc>,
    /// The backfill ends here.
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub horizon: DateTime<Utc>,
}

impl WindowCursor {
    /// Reads a stored cursor; a bare number is the Unix-millisecond cursor of stores made
    /// before cursors were the provider's.
    pub fn parse(value: &CursorValue) -> Result<Self, String> {
        if let Some(ms) = value.as_i64() {
            let synced_to = DateTime::from_timestamp_millis(ms).ok_or("cursor out of range")?;
            return Ok(Self {
                synced_to,
                backfill: None,
                deep_at: None,
            });
        }
        serde_json::from_value(value.clone()).map_err(|e| e.to_string())
    }
}

/// How a time-window log re-reads: records appear only when a call ends, so each pass
/// reads `overlap` before its cursor, and every `deep_every` a whole `deep_overlap`.
#[derive(Debug, Clone, Copy)]
pub struct WindowPolicy {
    pub overlap: Duration,
    pub deep_overlap: Duration,
    pub deep_every: Duration,
    /// The span of one page of a backfill, committed on its own.
    pub page: Duration,
}

/// The window a time-window log reads next, and what follows from reading it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowPlan {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub next: WindowCursor,
    pub more: bool,
    pub progress: Option<Progress>,
}

impl WindowPolicy {
    /// Plans the next window. A new account reads its history newest first, a page at a
    /// time, so the top of the list fills at once and older calls arrive beneath it; then
    /// each pass reads everything since the cursor less the overlap, deep when one is due
    /// (the first pass after a backfill is, for calls that were under way when it began).
    pub fn plan(
        &self,
        cursor: Option<&CursorValue>,
        ctx: PageContext,
    ) -> Result<WindowPlan, String> {
        let horizon = ctx.now - ctx.backfill;
        let cursor = cursor.map(WindowCursor::parse).transpose()?;
        let (top, low, horizon, deep_at) = match &cursor {
            None => (ctx.now, ctx.now, horizon, None),
            Some(c) => match c.backfill {
                Some(b) => (c.synced_to, b.low, b.horizon, c.deep_at),
                None => return Ok(self.caught_up(c, horizon, ctx.now)),
            },
        };
        let from = (low - self.page).max(horizon);
        let backfill = (from > horizon).then_some(Backfill { low: from, horizon });
        Ok(WindowPlan {
            from,
            to: low,
            next: WindowCursor {
                synced_to: top,
                backfill,
                deep_at,
            },
            // After the last page, the calls since the backfill began are read at once.
            more: true,
            progress: Some(days_progress(horizon, from, top)),
        })
    }

    fn caught_up(
        &self,
        c: &WindowCursor,
        horizon: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> WindowPlan {
        let deep = c.deep_at.is_none_or(|t| now - t >= self.deep_every);
        let overlap = if deep {
            self.deep_overlap.max(self.overlap)
        } else {
            self.overlap
        };
        WindowPlan {
            from: (c.synced_to - overlap).max(horizon),
            to: now,
            next: WindowCursor {
                synced_to: now,
                backfill: None,
                deep_at: if deep { Some(now) } else { c.deep_at },
            },
            more: false,
            progress: None,
        }
    }
}

/// Days read of a backfill from `top` back to `horizon`, now at `low`.
fn days_progress(horizon: DateTime<Utc>, low: DateTime<Utc>, top: DateTime<Utc>) -> Progress {
    let days = |d: Duration| ((d.num_seconds() + 86_399) / 86_400).max(0) as u32;
    let total = days(top - horizon).max(1);
    Progress {
        done: days(top - low).min(total),
        total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    const POLICY: WindowPolicy = WindowPolicy {
        overlap: Duration::hours(1),
        deep_overlap: Duration::hours(24),
        deep_every: Duration::hours(1),
        page: Duration::days(1),
    };

    fn ctx(now: &str) -> PageContext {
        PageContext {
            now: t(now),
            backfill: Duration::days(3),
        }
    }

    fn json(c: &WindowCursor) -> CursorValue {
        serde_json::to_value(c).unwrap()
    }

    #[test]
    fn a_backfill_goes_back_a_day_a_page_newest_first_and_says_how_far() {
        let now = "2026-11-24T12:00:00Z";
        let first = POLICY.plan(None, ctx(now)).unwrap();
        assert_eq!((first.from, first.to), (t("2026-11-23T12:00:00Z"), t(now)));
        assert!(first.more);
        assert_eq!(first.progress, Some(Progress { done: 1, total: 3 }));
        let second = POLICY.plan(Some(&json(&first.next)), ctx(now)).unwrap();
        assert_eq!(
            second.to, first.from,
            "pages of long-ended calls follow without overlap"
        );
        assert_eq!(second.progress, Some(Progress { done: 2, total: 3 }));
        let third = POLICY.plan(Some(&json(&second.next)), ctx(now)).unwrap();
        assert_eq!(third.from, t("2026-11-21T12:00:00Z"), "down to the horizon");
        assert_eq!(third.progress, Some(Progress { done: 3, total: 3 }));
        assert_eq!(third.next.backfill, None);
        // Time passed while the backfill ran: the same pass reads on to now, deep.
        let later = "2026-11-24T12:05:00Z";
        let last = POLICY.plan(Some(&json(&third.next)), ctx(later)).unwrap();
        assert_eq!((last.from, last.to), (t("2026-11-23T12:00:00Z"), t(later)));
        assert!(!last.more);
        assert_eq!(last.progress, None);
        assert_eq!(last.next.deep_at, Some(t(later)));
    }

    #[test]
    fn caught_up_passes_re_read_the_overlap_and_a_whole_day_each_hour() {
        let c = WindowCursor {
            synced_to: t("2026-11-24T12:00:00Z"),
            backfill: None,
            deep_at: Some(t("2026-11-24T12:00:00Z")),
        };
        let short = POLICY
            .plan(Some(&json(&c)), ctx("2026-11-24T12:10:00Z"))
            .unwrap();
        assert_eq!(short.from, t("2026-11-24T11:00:00Z"));
        assert_eq!(short.next.deep_at, c.deep_at);
        assert_eq!(short.progress, None);
        let deep = POLICY
            .plan(Some(&json(&short.next)), ctx("2026-11-24T13:01:00Z"))
            .unwrap();
        assert_eq!(deep.from, t("2026-11-23T12:10:00Z"));
        assert_eq!(deep.next.deep_at, Some(t("2026-11-24T13:01:00Z")));
    }

    #[test]
    fn a_cursor_from_before_provider_cursors_still_reads() {
        let old = serde_json::json!(t("2026-11-24T12:00:00Z").timestamp_millis());
        let plan = POLICY
            .plan(Some(&old), ctx("2026-11-24T12:10:00Z"))
            .unwrap();
        assert_eq!(
            plan.from,
            t("2026-11-23T12:00:00Z"),
            "deep: no re-read is on record"
        );
        assert!(WindowCursor::parse(&serde_json::json!("garbage")).is_err());
    }
}
