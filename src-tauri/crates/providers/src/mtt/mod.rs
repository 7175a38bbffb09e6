//! MTT Telecom API: JSON-RPC 2.0 over HTTPS POST with Basic auth (`webapicommon`), and
//! the REST recording service (`rc`). See `shared/specs/mtt-telecom-api.md`.
//!
//! Inbound, pure parsing and rendering for a listener to call with the raw request: the
//! live routing question ([`parse_routing_request`], [`render_routing_answer`]),
//! call-control and callback events ([`parse_call_event`], [`parse_callback_event`]) and
//! the sb-api voice and IVR events ([`parse_voice_event`], [`parse_ivr_event`]), each
//! read into a [`crate::LiveEvent`] or refused with a [`WebhookError`].

mod client;
mod error;
mod events;
mod normalize;
mod routing;
mod sb_events;
mod setup;
mod webhook;
mod wire;

pub use client::{MttClient, MttSettings, RecordFormat};
pub use error::MttError;
pub use events::{parse_call_event, parse_callback_event};
pub use normalize::{normalize_conf_id, normalize_row};
pub use routing::{
    FollowTarget, ROUTING_METHOD, RedirectType, RoutingAnswer, RoutingRequest,
    parse_routing_request, render_routing_answer,
};
pub use sb_events::{parse_ivr_event, parse_voice_event};
pub use setup::{MttSection, PROVIDER};
pub use webhook::WebhookError;
pub use wire::{CallHistory, HistoryKind, HistoryRow};

/// Hosts MTT hands out recording links on (`rc` answers with links on `rs` too, and
/// callback recordings come from `fuds`).
pub const DEFAULT_RECORDING_HOSTS: [&str; 4] =
    ["rc.mtt.ru", "rs.mtt.ru", "fuds.mtt.ru", "fuds1.mtt.ru"];

/// Most rows `getServiceHistoryByCustomer` returns in one call.
pub const ROW_CAP: usize = 1000;
