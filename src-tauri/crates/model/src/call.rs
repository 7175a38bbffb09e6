use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use utoipa::ToSchema;

/// The five telephony providers callboard speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    Mtt,
    Beeline,
    Mts,
    Mor,
    Sprecord,
}

impl ProviderKind {
    pub const ALL: [ProviderKind; 5] = [
        Self::Mtt,
        Self::Beeline,
        Self::Mts,
        Self::Mor,
        Self::Sprecord,
    ];

    /// The stable lowercase name used in config files, SQLite and URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mtt => "mtt",
            Self::Beeline => "beeline",
            Self::Mts => "mts",
            Self::Mor => "mor",
            Self::Sprecord => "sprecord",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// Which way the call went, seen from the account's side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Incoming,
    Outgoing,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Incoming => "incoming",
            Self::Outgoing => "outgoing",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Incoming, Self::Outgoing]
            .into_iter()
            .find(|d| d.as_str() == s)
    }
}

/// How the call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Answered,
    Missed,
    Busy,
    Failed,
    Forwarded,
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [
        Self::Answered,
        Self::Missed,
        Self::Busy,
        Self::Failed,
        Self::Forwarded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Answered => "answered",
            Self::Missed => "missed",
            Self::Busy => "busy",
            Self::Failed => "failed",
            Self::Forwarded => "forwarded",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// A call record normalized across providers, as stored and as shown in the history table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, ToSchema)]
pub struct Call {
    /// Local row id.
    #[ts(type = "number")]
    pub id: i64,
    /// Account id from the config file.
    pub account: String,
    pub provider: ProviderKind,
    pub provider_call_id: String,
    pub direction: Direction,
    pub outcome: Outcome,
    /// E.164 (`+7…`) when the provider's number is recognisable, else as sent.
    pub caller: String,
    pub callee: String,
    /// Start of the call, UTC.
    #[ts(type = "string")]
    pub started_at: DateTime<Utc>,
    pub ring_secs: u32,
    pub talk_secs: u32,
    pub total_secs: u32,
    pub cost: Option<f64>,
    pub currency: Option<String>,
    /// Whether the provider holds a recording of this call (possibly in several parts).
    pub has_recording: bool,
}

/// A provider-specific field shown in the detail pane (`destination`, `disconnect_cause`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct Detail {
    pub label: String,
    pub value: String,
}

/// One part of a call's recording, playable in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, ToSchema)]
pub struct RecordingPart {
    pub index: u32,
    /// Whether the audio is already in the local cache.
    pub cached: bool,
    /// MIME type of the audio (`audio/wav`, `audio/mpeg`): what is served, once cached.
    pub mime: String,
    /// How the provider encoded it (`pcm_s16le`, `pcm_alaw`, `pcm_mulaw`, `mp3`), known
    /// once downloaded; A-law and µ-law are served as 16-bit PCM WAV.
    pub source_codec: Option<String>,
}

/// A call with everything the detail pane shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, ToSchema)]
pub struct CallDetail {
    pub call: Call,
    pub account_name: String,
    pub details: Vec<Detail>,
    pub recording: Vec<RecordingPart>,
}

/// A call as a provider client hands it to the store: normalized, without a local id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewCall {
    pub provider_call_id: String,
    pub direction: Direction,
    pub outcome: Outcome,
    pub caller: String,
    pub callee: String,
    pub started_at: DateTime<Utc>,
    pub ring_secs: u32,
    pub talk_secs: u32,
    pub total_secs: u32,
    pub cost: Option<f64>,
    pub currency: Option<String>,
    /// The provider's handle for the recording (MTT: `h323_conf_id`), when the call has one.
    pub recording_ref: Option<String>,
    pub details: Vec<Detail>,
}
