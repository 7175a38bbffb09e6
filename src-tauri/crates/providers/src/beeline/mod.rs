//! Beeline cloud call center, offline part (`shared/specs/beeline-cloudcc.md`, part 2):
//! call records through the asynchronous CDR job and recordings through the links in
//! the CDR file. Commands are `multipart/form-data` POSTs to `/api/request` whose part
//! `api_form` holds the JSON; files come from `/api/download`; errors are the 4.19 table.
//!
//! The online part (part 1: `callStatus`, `AgentRequest` → `AgentInfo`) is in [`online`].

mod capabilities;
mod cdr;
mod client;
mod error;
pub mod online;
mod setup;
mod wire;

pub use capabilities::BeelineAccount;
pub use cdr::{CdrColumns, parse_cdr_file};
pub use client::{
    BeelineAuth, BeelineClient, BeelineSettings, CdrJob, CdrStatus, DEFAULT_MAX_CALL_HOURS,
    EDGE_MARGIN_SECS, JobStep, MAX_JOB_REQUESTS, PendingJob,
};
pub use error::{ApiErrorCode, BeelineError};
pub use online::{
    AgentInfo, AgentRequest, CallStatus, LegState, OnlineError, OnlineRequest, parse_agent_info,
    parse_online, render_agent_info,
};
pub use setup::{AuthKind, BeelineSection, PROVIDER};

/// The production API base (3.1–3.3).
pub const DEFAULT_API: &str = "https://cloudcc.beeline.ru";
