use callboard_model::{ProviderErrorInfo, ProviderKind};

use crate::ErrorKind;

/// @втосекретарь's errors: the envelope's own, a bare HTTP failure, transport and
/// decoding failures.
#[derive(Debug, thiserror::Error)]
pub enum MtsError {
    /// An envelope whose `status_code` is not 2XX: 4XX for bad input ("repeating the
    /// request fails again"), 5XX for an API fault ("repeat once it is fixed").
    #[error("MTS error {status_code}: {status_msg}")]
    Api {
        status_code: i64,
        status_msg: String,
    },
    /// A non-2XX HTTP answer without a readable envelope.
    #[error("MTS answered HTTP {status}: {body}")]
    Http { status: u16, body: String },
    #[error("cannot reach MTS: {}", crate::error::chain(.0))]
    Transport(#[from] reqwest::Error),
    #[error("unexpected answer from MTS: {0}")]
    Decode(String),
    /// The account's settings cannot make a request (an API URL that is no base).
    #[error("MTS settings: {0}")]
    Config(String),
}

impl MtsError {
    /// The provider's own code and message, when MTS answered with an error.
    pub fn provider_info(&self) -> Option<ProviderErrorInfo> {
        let (code, message) = match self {
            Self::Api {
                status_code,
                status_msg,
            } => (status_code.to_string(), status_msg.clone()),
            Self::Http { status, body } => (format!("HTTP {status}"), body.clone()),
            Self::Transport(_) | Self::Decode(_) | Self::Config(_) => return None,
        };
        Some(ProviderErrorInfo {
            provider: ProviderKind::Mts,
            code,
            message,
        })
    }

    /// What the core should make of it, from the HTTP-style code MTS uses.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Api { status_code, .. } => u16::try_from(*status_code)
                .map(ErrorKind::from_status)
                .unwrap_or(ErrorKind::ProviderFault),
            Self::Http { status, .. } => ErrorKind::from_status(*status),
            Self::Transport(_) => ErrorKind::Transport,
            Self::Decode(_) => ErrorKind::UnreadableAnswer,
            Self::Config(_) => ErrorKind::InvalidRequest,
        }
    }

    /// True when MTS could not be reached or sent something unreadable.
    pub fn is_network(&self) -> bool {
        matches!(self, Self::Transport(_) | Self::Decode(_))
    }
}
