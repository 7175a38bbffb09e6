//! Kolmisoft MOR `recordings_get` (`specs/mor-recordings-get.md`): SHA1-hashed POSTs,
//! XML answers with the recordings inside `<status>`, every error of the spec as
//! `<status> <error>…</error> </status>`, and the audio behind each `mp3_url`.
//! Recordings are published a few minutes after their call ends, as MOR's are.

mod api;
mod dataset;
mod hooks;
mod server;
mod spec;
mod xml;

pub use api::{HASHED_PARAMS, expected_hash};
pub use dataset::{
    MAX_CALL_SECS, MAX_PUBLISH_DELAY_SECS, MOR_USERS, MorCall, MorDataset, MorDirection,
};
pub use hooks::MorHook;
pub use server::{MorSim, MorSimOptions};
pub use spec::{MorSpecError, error_example, error_strings, recordings_example};
pub use xml::{DATE_FORMAT, moscow_date, mp3_path, render as render_recordings};
