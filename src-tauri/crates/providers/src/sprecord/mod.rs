//! SpRecord M/MT call recorders (`shared/specs/sprecord-m-mt.md`): a device on the LAN
//! that posts a request when a call arrives (`msg=1`), when the caller's number is known,
//! and when the call ends (`msg=2`, with the recording's id), and answers HTTP requests
//! for its status, a recording, and recording on/off per channel.
//!
//! There is no call log to poll: the history comes from `msg=2` ([`parse_device_post`]
//! gives the finished call whole), and recordings from the device ([`SpRecordClient`]).
//! The spec stops after `get_status` (L54): the paths of the other device requests are
//! assumptions, configurable in `[accounts.sprecord]` ([`SpRecordSection`]).

mod client;
mod setup;
mod webhook;

pub use client::{DeviceStatus, SpRecordClient, SpRecordSettings};
pub use setup::{
    DEFAULT_CALLER_ID_MSG, DEFAULT_CHANNEL_RECORD_PATH, DEFAULT_RECORD_PATH, PROVIDER, STATUS_PATH,
    SpRecordSection,
};
pub use webhook::{SpRecordError, call_direction, device_fields, parse_device_post};
