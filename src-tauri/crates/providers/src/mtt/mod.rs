//! MTT Telecom API: JSON-RPC 2.0 over HTTPS POST with Basic auth (`webapicommon`), and
//! the REST recording service (`rc`). See `shared/specs/mtt-telecom-api.md`.

mod client;
mod error;
mod normalize;
mod setup;
mod wire;

pub use client::{MttClient, MttSettings, RecordFormat};
pub use error::MttError;
pub use normalize::{normalize_conf_id, normalize_row};
pub use setup::{MttSection, PROVIDER};
pub use wire::{CallHistory, HistoryKind, HistoryRow};

/// Hosts MTT hands out recording links on (`rc` answers with links on `rs` too, and
/// callback recordings come from `fuds`).
pub const DEFAULT_RECORDING_HOSTS: [&str; 4] =
    ["rc.mtt.ru", "rs.mtt.ru", "fuds.mtt.ru", "fuds1.mtt.ru"];

/// Most rows `getServiceHistoryByCustomer` returns in one call.
pub const ROW_CAP: usize = 1000;
