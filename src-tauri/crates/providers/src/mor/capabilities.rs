//! MOR as callboard sees it: its recordings are its call log (only recorded calls
//! appear), read by time windows, and each recording's `mp3_url` is its one part.

use std::path::Path;

use async_trait::async_trait;
use url::Url;

use super::{MorClient, TRAILING_WINDOW};
use crate::{
    CallLog, CursorValue, LogPage, PageContext, ProviderError, RecordingFile, Recordings,
    WindowPolicy,
};

/// Recordings are listed minutes after their call ends, under the call's start: every
/// pass re-reads the trailing window, and once an hour a whole day.
const MOR_WINDOWS: WindowPolicy = WindowPolicy {
    overlap: TRAILING_WINDOW,
    deep_overlap: chrono::Duration::hours(24),
    deep_every: chrono::Duration::hours(1),
    page: chrono::Duration::days(1),
};

#[async_trait]
impl CallLog for MorClient {
    async fn next_page(
        &self,
        cursor: Option<&CursorValue>,
        ctx: PageContext,
    ) -> Result<LogPage, ProviderError> {
        let plan = MOR_WINDOWS
            .plan(cursor, ctx)
            .map_err(|e| super::MorError::Decode(format!("stored cursor: {e}")))?;
        Ok(LogPage {
            calls: self.recordings(plan.from, plan.to).await?,
            cursor: serde_json::to_value(&plan.next).expect("a cursor serializes"),
            more: plan.more,
            progress: plan.progress,
            window: (plan.from, plan.to),
        })
    }
}

#[async_trait]
impl Recordings for MorClient {
    async fn recording_urls(&self, recording_ref: &str) -> Result<Vec<Url>, ProviderError> {
        let url = Url::parse(recording_ref)
            .map_err(|e| super::MorError::Decode(format!("mp3_url {recording_ref:?}: {e}")))?;
        Ok(vec![url])
    }

    async fn download(&self, url: &Url, dest: &Path) -> Result<RecordingFile, ProviderError> {
        MorClient::download(self, url, dest).await
    }
}
