//! Provider clients. Each module knows one provider's wire format and normalizes its
//! call records into [`callboard_model::NewCall`]; none of them knows SQLite.
//!
//! A provider offers capabilities ([`CallLog`], [`Recordings`], and more to come), each a
//! trait of its own, gathered per account in [`Capabilities`].

pub mod beeline;
mod call_log;
mod download;
mod error;
pub mod live;
pub mod mor;
pub mod mts;
pub mod mtt;
mod recordings;
pub mod setup;
pub mod sprecord;

pub use call_log::{
    Backfill, CallLog, CursorValue, LogPage, PageContext, Progress, WindowCursor, WindowPlan,
    WindowPolicy,
};
pub use download::{HostAllowList, mime_from_path};
pub use error::{ErrorKind, ProviderError};
pub use live::{LiveEvent, Stage};
pub use recordings::{Capabilities, Health, RecordingFile, Recordings};
pub use setup::{AccountEnv, HostSpec, Provider, SecretRef, SetupError, provider};
