//! What providers push while calls happen, in one shape for the core: each provider's
//! webhook parser (MTT call-control and callback events, Beeline `callStatus`, SpRecord
//! `msg=1`/`msg=2`) turns one request into [`LiveEvent`]s, which the core stores (the
//! event's `key` makes a replay change nothing), folds into its live call model, and,
//! for a call that is over, into the history.

use callboard_model::{Detail, Direction, NewCall, Outcome};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One thing a provider said about one call (stored as JSON: see the core's store).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveEvent {
    /// The same for a replay of the same delivery, different for any other event: the
    /// store keeps one event per key. Providers that send no event id (MTT, SpRecord)
    /// get one built from what identifies the event (call id, type, side, time).
    pub key: String,
    /// The call the event belongs to, the same for all its events while it lasts (MTT:
    /// the normalized `h323_conf_id`; a callback: its id; Beeline: `SysID`; SpRecord:
    /// the device's channel, whose current call it is).
    pub call: String,
    /// The id the provider's call log gives this call, when the event carries it (MTT:
    /// the normalized `h323_conf_id`): the history row written when the call ends is
    /// then the very row a later poll brings.
    #[serde(default)]
    pub provider_call_id: Option<String>,
    /// When it happened (the provider's time when it sends one, converted from its zone;
    /// else the time it arrived).
    pub at: DateTime<Utc>,
    pub stage: Stage,
    /// E.164 where the provider sent a number.
    pub caller: Option<String>,
    pub callee: Option<String>,
    pub direction: Option<Direction>,
    /// The provider's own fields, for the detail pane (label, value).
    pub details: Vec<Detail>,
    /// The finished call as the history stores it, when the event carries all of it
    /// (SpRecord `msg=2`); its `provider_call_id` is the one a later poll would bring, so
    /// the two meet in one row.
    pub completed: Option<NewCall>,
}

/// Where a call stands after an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "stage", rename_all = "snake_case")]
pub enum Stage {
    /// A call arrived, or a leg started ringing (`target`: the number rung, when known).
    Ringing { target: Option<String> },
    /// Someone answered: the call is in conversation.
    Talking,
    /// The call is over.
    Ended {
        outcome: Outcome,
        /// Talk time in seconds, when the provider says.
        talk_secs: Option<u32>,
        /// The provider's reason (an ISUP cause, the side that hung up), as sent.
        cause: Option<String>,
    },
    /// Our routing answer refused the call (a blacklisted caller, a closed line): it is
    /// over for us, whatever the provider still reports of it.
    Rejected { reason: String },
    /// A step that changes no state but is worth showing (a prompt started, a DTMF
    /// choice, a callback leg's progress).
    Note { text: String },
}
