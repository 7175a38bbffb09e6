//! @втосекретарь as callboard sees it: a call log (MTS has no recordings API) whose
//! cursor is a record id per UN number. A new account's history is read by time, a day
//! at a time, newest first (`cdr/bytime`); from then on each number resumes from its
//! record id (`cdr/byid`), re-reading from the first record that started within the
//! longest call of the last one, since records are listed by start but written at the end.

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::client::resume_point;
use super::{MtsClient, MtsError};
use crate::{CallLog, CursorValue, LogPage, PageContext, ProviderError, WindowPolicy};

/// An MTS account's call log.
pub struct MtsAccount {
    client: MtsClient,
    /// The longest call expected: how far before the last record a cursor resumes.
    max_call: chrono::Duration,
    /// The UN numbers as last read, and when: a backfill reads a page a day, and asking
    /// `GET un` before each would repeat one request per page.
    numbers: tokio::sync::Mutex<Option<(Instant, Vec<String>)>>,
}

/// How long a read list of UN numbers is used before it is read again.
const NUMBERS_FRESH_FOR: Duration = Duration::from_secs(600);

impl MtsAccount {
    pub fn new(client: MtsClient, max_call: chrono::Duration) -> Self {
        Self {
            client,
            max_call,
            numbers: tokio::sync::Mutex::new(None),
        }
    }

    /// The account's UN numbers, read again once [`NUMBERS_FRESH_FOR`] has passed.
    async fn numbers(&self) -> Result<Vec<String>, MtsError> {
        let mut cached = self.numbers.lock().await;
        if let Some((at, numbers)) = cached.as_ref()
            && at.elapsed() < NUMBERS_FRESH_FOR
        {
            return Ok(numbers.clone());
        }
        let numbers = self.client.numbers().await?;
        *cached = Some((Instant::now(), numbers.clone()));
        Ok(numbers)
    }
}

/// The windows of the backfill, and of numbers that have no record id yet.
fn windows(max_call: chrono::Duration) -> WindowPolicy {
    WindowPolicy {
        overlap: max_call,
        deep_overlap: max_call,
        deep_every: chrono::Duration::hours(1),
        page: chrono::Duration::days(1),
    }
}

/// Where the log stands.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct MtsCursor {
    /// The time-window cursor: the backfill, then the numbers without a record id.
    #[serde(default)]
    window: Option<CursorValue>,
    /// Per UN number, the record `cdr/byid` resumes from (inclusive).
    #[serde(default)]
    ids: BTreeMap<String, u64>,
}

#[async_trait]
impl CallLog for MtsAccount {
    async fn next_page(
        &self,
        cursor: Option<&CursorValue>,
        ctx: PageContext,
    ) -> Result<LogPage, ProviderError> {
        let mut state: MtsCursor = match cursor {
            None => MtsCursor::default(),
            Some(v) => serde_json::from_value(v.clone())
                .map_err(|e| MtsError::Decode(format!("stored cursor: {e}")))?,
        };
        let first = state.window.is_none();
        let plan = windows(self.max_call)
            .plan(state.window.as_ref(), ctx)
            .map_err(|e| MtsError::Decode(format!("stored cursor: {e}")))?;
        let backfilling = plan.progress.is_some();
        let numbers = self.numbers().await?;
        let mut calls = Vec::new();
        let mut seen = HashSet::new();
        let mut more = plan.more;
        for un in &numbers {
            let records = match state.ids.get(un) {
                Some(&start_id) if !backfilling => {
                    let page = self
                        .client
                        .calls_by_id(un, start_id, self.client.settings().page_size)
                        .await?;
                    more |= page.next_start_id.is_some();
                    if let Some(id) = page.resume_id(self.max_call) {
                        state.ids.insert(un.clone(), id);
                    }
                    calls.extend(
                        page.calls
                            .into_iter()
                            .filter(|c| seen.insert(c.provider_call_id.clone())),
                    );
                    continue;
                }
                _ => self.client.records_by_time(un, plan.from, plan.to).await?,
            };
            // A backfill's later pages go back in time: a record id comes from its first,
            // newest page, or once caught up from the first window with records.
            if !state.ids.contains_key(un) && (first || !backfilling) {
                let positions: Vec<_> = records
                    .iter()
                    .filter_map(|(c, id)| id.map(|id| (c.started_at, id)))
                    .collect();
                if let Some(id) = resume_point(&positions, self.max_call) {
                    state.ids.insert(un.clone(), id);
                }
            }
            calls.extend(
                records
                    .into_iter()
                    .map(|(c, _)| c)
                    .filter(|c| seen.insert(c.provider_call_id.clone())),
            );
        }
        state.window = Some(serde_json::to_value(&plan.next).expect("a cursor serializes"));
        Ok(LogPage {
            calls,
            cursor: serde_json::to_value(&state).expect("a cursor serializes"),
            more,
            progress: plan.progress,
            window: (plan.from, plan.to),
        })
    }
}
