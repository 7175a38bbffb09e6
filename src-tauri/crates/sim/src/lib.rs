//! `callboard-sim`: deterministic simulators of the telephony providers (MTT, Beeline,
//! MTS, MOR, an SpRecord recorder), each with its wire format and quirks, started alone
//! or as a [`Fleet`], and a [`LivePlayer`] that plays their live traffic.
//!
//! They let the backend, demo mode and integration tests run against real
//! payload shapes and quirks on loopback, with no account, no network and the
//! same history for the same seed.

#![warn(missing_docs)]

mod audio;
pub mod beeline;
mod config;
mod dataset;
mod fill;
mod fleet;
mod hooks;
mod ids;
pub mod live;
pub mod mor;
pub mod mts;
mod population;
mod records;
mod rpc;
mod server;
mod serving;
pub mod sprecord;
mod traffic;

pub use audio::{SAMPLE_RATE, synthesize_wav};
pub use beeline::{BeelineSim, BeelineSimOptions};
pub use config::config_toml;
pub use dataset::{CUSTOMER_NAME, CallKind, Dataset, SIP_IDS, SimCall, moscow_hour};
pub use fill::{
    DEFAULT_FILL_DAYS, FILL_BATCH, FillAccount, FillOptions, FillReport, FillTarget,
    default_accounts, fill, fill_in_batches, fill_target, store_holds_calls,
};
pub use fleet::{Fleet, FleetAccount, FleetOptions};
pub use hooks::{FailureForm, InjectedFailure};
pub use ids::{ConfId, format_conf_id, parse_conf_id, record_id};
pub use live::{Exchange, LivePlayer, LiveProvider, LiveTargets, Played, ScriptedCall};
pub use mor::{MorHook, MorSim, MorSimOptions, MorSpecError};
pub use mts::{MtsEndpoint, MtsFailure, MtsSim, MtsSimAuth, MtsSimOptions};
pub use population::{CLIENT_POOL_SIZE, Population};
pub use records::{FILE_METHOD, URLS_METHOD};
pub use rpc::{RECORD_LIMIT, render_service_history};
pub use server::{MttSim, SIM_PASSWORD, SimAccount, SimOptions};
pub use sprecord::{SPRECORD_CHANNELS, SpRecordSim};
