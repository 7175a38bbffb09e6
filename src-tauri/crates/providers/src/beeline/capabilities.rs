//! Beeline as callboard sees it: a call log read through CDR jobs whose pending job is
//! part of the cursor (a restart resumes polling it instead of ordering another), and
//! recordings linked from the CDR file.

use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use url::Url;

use super::{BeelineClient, BeelineError, EDGE_MARGIN_SECS, JobStep, PendingJob};
use crate::{
    CallLog, CursorValue, LogPage, PageContext, ProviderError, RecordingFile, Recordings,
    WindowCursor, WindowPlan, WindowPolicy,
};

/// A Beeline account's call log and recordings.
pub struct BeelineAccount {
    pub client: BeelineClient,
    /// B-numbers to ask CDRs for; empty: all of the account's.
    pub numbers: Vec<String>,
    /// Wait between `STATCDR` polls of a job.
    pub poll_every: Duration,
    /// Polls of one job per pass; a job still not ready waits for the next pass.
    pub max_polls: u32,
}

/// Calls are read by start time in day pages; each pass re-reads the longest call's span,
/// since a call's CDR exists only once it has ended, and a whole day every hour.
fn windows(max_call: chrono::Duration) -> WindowPolicy {
    WindowPolicy {
        overlap: max_call,
        deep_overlap: chrono::Duration::hours(24).max(max_call),
        deep_every: chrono::Duration::hours(1),
        page: chrono::Duration::days(1),
    }
}

/// Where the log stands: the window cursor, and a job ordered for the next window and
/// not read yet.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct BeelineCursor {
    #[serde(default)]
    window: Option<CursorValue>,
    #[serde(default)]
    pending: Option<Pending>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Pending {
    /// The window the job is for, and the cursor once it is read.
    plan: WindowPlan,
    job: PendingJob,
}

#[async_trait]
impl CallLog for BeelineAccount {
    async fn next_page(
        &self,
        cursor: Option<&CursorValue>,
        ctx: PageContext,
    ) -> Result<LogPage, ProviderError> {
        let state: BeelineCursor = match cursor {
            None => BeelineCursor::default(),
            Some(v) => serde_json::from_value(v.clone())
                .map_err(|e| BeelineError::Decode(format!("stored cursor: {e}")))?,
        };
        let max_call = self.client.settings().max_call;
        let (plan, pending) = match state.pending {
            Some(p) => (p.plan, Some(p.job)),
            None => (
                windows(max_call)
                    .plan(state.window.as_ref(), ctx)
                    .map_err(|e| BeelineError::Decode(format!("stored cursor: {e}")))?,
                None,
            ),
        };
        // Selected by end time (4.13.5): ends up to the longest call after the window,
        // and a second's slack on each edge for Beeline's whole-second bounds.
        let margin = chrono::Duration::seconds(EDGE_MARGIN_SECS);
        let step = self
            .client
            .advance_job(
                plan.from - margin,
                plan.to + max_call + margin,
                &self.numbers,
                pending,
                self.poll_every,
                self.max_polls,
            )
            .await?;
        let window = (plan.from, plan.to);
        Ok(match step {
            JobStep::Done(calls) => LogPage {
                calls: calls
                    .into_iter()
                    .filter(|c| c.started_at >= plan.from && c.started_at <= plan.to)
                    .collect(),
                cursor: cursor_value(&BeelineCursor {
                    window: Some(window_value(&plan.next)),
                    pending: None,
                }),
                more: plan.more,
                progress: plan.progress,
                window,
            },
            JobStep::Waiting(job) => {
                tracing::info!(cdrid = %job.job.id, "Beeline CDR not ready yet; polling it next pass");
                LogPage {
                    calls: Vec::new(),
                    progress: plan.progress,
                    cursor: cursor_value(&BeelineCursor {
                        window: state.window,
                        pending: Some(Pending { plan, job }),
                    }),
                    more: false,
                    window,
                }
            }
        })
    }
}

fn window_value(c: &WindowCursor) -> CursorValue {
    serde_json::to_value(c).expect("a cursor serializes")
}

fn cursor_value(c: &BeelineCursor) -> CursorValue {
    serde_json::to_value(c).expect("a cursor serializes")
}

#[async_trait]
impl Recordings for BeelineAccount {
    async fn recording_urls(&self, recording_ref: &str) -> Result<Vec<Url>, ProviderError> {
        Ok(vec![self.client.recording_url(recording_ref)?])
    }

    async fn download(&self, url: &Url, dest: &Path) -> Result<RecordingFile, ProviderError> {
        Ok(self.client.download_recording(url, dest).await?)
    }
}
