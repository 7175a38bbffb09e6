use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use url::Url;

use crate::{CallLog, ProviderError};

/// A recording part as downloaded into the cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordingFile {
    pub bytes: u64,
    pub mime: String,
}

/// The recordings capability: links to a call's recording and their download.
#[async_trait]
pub trait Recordings: Send + Sync {
    /// The download links of a recording, one per part, in playing order.
    async fn recording_urls(&self, recording_ref: &str) -> Result<Vec<Url>, ProviderError>;

    /// Downloads one part to `dest` (written whole or not at all).
    async fn download(&self, url: &Url, dest: &Path) -> Result<RecordingFile, ProviderError>;
}

/// What one account's provider can do. The core asks here what an account offers, never
/// which provider it is; capabilities to come (callbacks, forwarding, blacklists, prompts,
/// recording switches, account info, webhooks, routing) join as fields of their own.
#[derive(Clone, Default)]
pub struct Capabilities {
    pub call_log: Option<Arc<dyn CallLog>>,
    pub recordings: Option<Arc<dyn Recordings>>,
    /// A device whose calls arrive live only, checked on an interval instead of polled.
    pub health: Option<Arc<dyn Health>>,
}

/// A device (an SpRecord recorder) whose state is asked on an interval: the account's
/// status shows whether it answers.
#[async_trait]
pub trait Health: Send + Sync {
    /// Asks the device; `Ok` with a short summary when it answers.
    async fn check(&self) -> Result<String, ProviderError>;
    /// How often to ask.
    fn interval(&self) -> std::time::Duration;
    /// After how long without a call reported the device is taken to have stopped
    /// reporting (`None`: never).
    fn silence_alert(&self) -> Option<std::time::Duration>;
}
