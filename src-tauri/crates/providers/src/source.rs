use std::path::Path;

use async_trait::async_trait;
use callboard_model::NewCall;
use chrono::{DateTime, Utc};
use url::Url;

use crate::ProviderError;

/// A recording part as downloaded into the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordingFile {
    pub bytes: u64,
    pub mime: String,
}

/// What the sync engine and the recording cache need from a provider.
#[async_trait]
pub trait HistorySource: Send + Sync {
    /// How far back each pass re-reads before its cursor: providers publish a call
    /// record only when the call ends, so records appear late.
    fn overlap(&self) -> chrono::Duration;

    /// Every call that started in `[from, to]`.
    async fn fetch_calls(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<NewCall>, ProviderError>;

    /// The download links of a recording, one per part, in playing order.
    async fn recording_urls(&self, recording_ref: &str) -> Result<Vec<Url>, ProviderError>;

    /// Downloads one part to `dest` (written whole or not at all).
    async fn download(&self, url: &Url, dest: &Path) -> Result<RecordingFile, ProviderError>;
}
