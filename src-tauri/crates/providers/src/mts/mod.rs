//! MTS @втосекретарь: REST JSON over HTTPS in a `{value, status_code, status_msg}`
//! envelope; call history only (MTS has no recordings API). See
//! `shared/specs/mts-autosecretary.md`.

mod capabilities;
mod client;
mod error;
mod normalize;
mod repair;
mod settings;
mod setup;
mod wire;

pub use capabilities::MtsAccount;
pub use client::{MtsClient, MtsPage};
pub use error::MtsError;
pub use normalize::{normalize_record, parse_local_time};
pub use settings::{MtsAuth, MtsDateFormat, MtsSettings};
pub use setup::{MtsSection, PROVIDER};
pub use wire::{CdrRecord, DnEntry, Envelope, UnSettings, parse_link};

/// The production REST base.
pub const DEFAULT_API: &str = "https://aa.mts.ru/api/v1/";

/// Most records one CDR page holds ("не более чем 1000").
pub const MAX_PAGE: u32 = 1000;
