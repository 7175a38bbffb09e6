//! Provider clients. Each module knows one provider's wire format and normalizes its
//! call records into [`callboard_model::NewCall`]; none of them knows SQLite.
//!
//! MTT is implemented; Beeline, MTS, MOR and SpRecord get their modules as their
//! history sync lands, behind the same [`HistorySource`] trait.

mod download;
mod error;
pub mod mtt;
mod source;

pub use download::{HostAllowList, mime_from_path};
pub use error::{ErrorKind, ProviderError};
pub use source::{HistorySource, RecordingFile};
