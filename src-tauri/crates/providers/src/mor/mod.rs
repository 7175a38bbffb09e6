//! Kolmisoft MOR `recordings_get`: POST with `u` and a SHA1 `hash`, Unix-time windows,
//! XML answers with the recordings inside `<status>`, `mp3_url` recordings. MOR lists
//! recorded calls only. See `shared/specs/mor-recordings-get.md`.

mod capabilities;
mod client;
mod error;
mod normalize;
mod setup;
mod wire;

pub use client::{MorClient, MorSettings, hash};
pub use error::{MorApiError, MorError};
pub use normalize::{normalize_recording, parse_date};
pub use setup::{MorSection, PROVIDER};
pub use wire::{Recording, parse_answer};

/// Where MOR serves its API (the spec's example: `/billing/api/recordings_get`).
pub const DEFAULT_PATH_PREFIX: &str = "/billing/api/";

/// How far back each pass must re-read: a recording is published minutes after its call
/// ends but listed under the call's start, so the window covers a long call plus the
/// publishing delay.
pub const TRAILING_WINDOW: chrono::TimeDelta = chrono::TimeDelta::hours(2);
