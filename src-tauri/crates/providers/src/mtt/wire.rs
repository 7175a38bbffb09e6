//! MTT's JSON as it arrives: numbers sometimes as strings, `clid` beside `cld`, call ids
//! with spaces. Everything lenient is decided here, once.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// The history lists: the four of `getServiceHistoryByCustomer`, and `callback`
/// (click-to-call legs) of `getCallHistory`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HistoryKind {
    Incoming,
    Missed,
    Dialed,
    Forwarded,
    Callback,
}

impl HistoryKind {
    /// The types `getServiceHistoryByCustomer` takes.
    pub const ALL: [HistoryKind; 4] = [Self::Incoming, Self::Missed, Self::Dialed, Self::Forwarded];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Incoming => "incoming",
            Self::Missed => "missed",
            Self::Dialed => "dialed",
            Self::Forwarded => "forwarded",
            Self::Callback => "callback",
        }
    }
}

/// One call record of either history method.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct HistoryRow {
    #[serde(deserialize_with = "text")]
    pub cli: Option<String>,
    #[serde(deserialize_with = "text")]
    pub cld: Option<String>,
    /// Sent instead of `cld` by `getCallHistory` and by some accounts.
    #[serde(deserialize_with = "text")]
    pub clid: Option<String>,
    #[serde(deserialize_with = "text")]
    pub customer_local_time: Option<String>,
    #[serde(deserialize_with = "text")]
    pub connect_time: Option<String>,
    #[serde(deserialize_with = "number")]
    pub charged_time: Option<f64>,
    #[serde(deserialize_with = "number")]
    pub charged: Option<f64>,
    #[serde(deserialize_with = "text")]
    pub destination: Option<String>,
    #[serde(deserialize_with = "text")]
    pub curr: Option<String>,
    #[serde(deserialize_with = "number")]
    pub disconnect_cause: Option<f64>,
    #[serde(deserialize_with = "number")]
    pub used_quantity: Option<f64>,
    #[serde(deserialize_with = "number")]
    pub setup_time_ms: Option<f64>,
    #[serde(deserialize_with = "text")]
    pub account_id: Option<String>,
    #[serde(deserialize_with = "text")]
    pub h323_conf_id: Option<String>,
    #[serde(deserialize_with = "text")]
    pub h323_incoming_conf_id: Option<String>,
    #[serde(deserialize_with = "flag")]
    pub voice_record_exist: Option<bool>,
}

impl HistoryRow {
    /// The B-number, whichever key it came under.
    pub fn callee(&self) -> Option<&str> {
        self.cld.as_deref().or(self.clid.as_deref())
    }
}

/// `getCallHistory`'s answer: three lists for one SIP id.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct CallHistory {
    pub incoming: Vec<HistoryRow>,
    pub missed: Vec<HistoryRow>,
    pub dialed: Vec<HistoryRow>,
    pub callback: Vec<HistoryRow>,
}

/// A text field; blank counts as absent, so fallbacks (`customer_local_time`) apply.
fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) if s.trim().is_empty() => None,
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    })
}

fn number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().replace(',', ".").parse().ok(),
        _ => None,
    })
}

fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Bool(b) => Some(b),
        Value::Number(n) => Some(n.as_f64() != Some(0.0)),
        Value::String(s) => match s.trim() {
            "true" | "1" => Some(true),
            "false" | "0" | "" => Some(false),
            _ => None,
        },
        _ => None,
    })
}
