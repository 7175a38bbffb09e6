use callboard_model::{ProviderErrorInfo, ProviderKind};

use crate::ErrorKind;

/// The `<error>` strings of MOR's spec, each with what it means. MOR has no error codes:
/// the string is the code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MorApiError {
    /// "API Requests are disabled": the server's Allow API setting is off.
    ApiDisabled,
    /// "GET Requests are disabled": the Allow GET API setting is off.
    GetDisabled,
    /// "Access Denied": the user does not exist or may not call this method.
    AccessDenied,
    /// "Incorrect hash": wrong API secret key (or parameter order).
    IncorrectHash,
    /// "No Recordings found": nothing matches; `recordings` turns it into an empty list.
    NoRecordings,
    /// "Date from is incorrect format".
    DateFromFormat,
    /// "Date till is incorrect format".
    DateTillFormat,
    /// "Date from is greater than date till".
    DateFromAfterTill,
    /// Any other `<error>` text, kept as sent.
    Other(String),
}

impl MorApiError {
    /// Every error the spec lists, in its order.
    pub const KNOWN: [MorApiError; 8] = [
        Self::ApiDisabled,
        Self::GetDisabled,
        Self::AccessDenied,
        Self::IncorrectHash,
        Self::NoRecordings,
        Self::DateFromFormat,
        Self::DateTillFormat,
        Self::DateFromAfterTill,
    ];

    /// Reads an `<error>` text; MOR's own wording, so compared after trimming only.
    pub fn parse(text: &str) -> Self {
        let text = text.trim();
        Self::KNOWN
            .into_iter()
            .find(|e| e.as_str() == text)
            .unwrap_or_else(|| Self::Other(text.to_string()))
    }

    /// The `<error>` text as MOR sends it.
    pub fn as_str(&self) -> &str {
        match self {
            Self::ApiDisabled => "API Requests are disabled",
            Self::GetDisabled => "GET Requests are disabled",
            Self::AccessDenied => "Access Denied",
            Self::IncorrectHash => "Incorrect hash",
            Self::NoRecordings => "No Recordings found",
            Self::DateFromFormat => "Date from is incorrect format",
            Self::DateTillFormat => "Date till is incorrect format",
            Self::DateFromAfterTill => "Date from is greater than date till",
            Self::Other(s) => s,
        }
    }

    /// What the user can do about it, from the spec's explanations.
    pub fn explanation(&self) -> &str {
        match self {
            Self::ApiDisabled => "the MOR server's \"Allow API globally\" setting is unchecked",
            Self::GetDisabled => "the MOR server's \"Allow GET API\" setting is unchecked",
            Self::AccessDenied => {
                "the MOR user does not exist or may not use recordings_get; check the user name"
            }
            Self::IncorrectHash => "the hash was refused; check the API secret key",
            Self::NoRecordings => "there are no recordings with the given parameters",
            Self::DateFromFormat => "date_from must be a Unix time stamp",
            Self::DateTillFormat => "date_till must be a Unix time stamp",
            Self::DateFromAfterTill => "date_from can not be after date_till",
            Self::Other(s) => s,
        }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::AccessDenied | Self::IncorrectHash => ErrorKind::Authentication,
            Self::NoRecordings => ErrorKind::NotFound,
            // The API being switched off is the server admin's to fix, like a refused request.
            Self::ApiDisabled
            | Self::GetDisabled
            | Self::DateFromFormat
            | Self::DateTillFormat
            | Self::DateFromAfterTill => ErrorKind::InvalidRequest,
            Self::Other(_) => ErrorKind::ProviderFault,
        }
    }
}

/// MOR's errors: its `<error>` answers, plus HTTP, transport and decoding failures.
#[derive(Debug, thiserror::Error)]
pub enum MorError {
    /// An `<error>` answer.
    #[error("MOR error \"{}\": {}", .0.as_str(), .0.explanation())]
    Api(MorApiError),
    /// A non-200 HTTP answer (from MOR's web server or a proxy in front of it).
    #[error("MOR answered HTTP {status}: {body}")]
    Http { status: u16, body: String },
    #[error("cannot reach MOR: {}", crate::error::chain(.0))]
    Transport(#[from] reqwest::Error),
    #[error("unexpected answer from MOR: {0}")]
    Decode(String),
}

impl MorError {
    pub fn provider_info(&self) -> Option<ProviderErrorInfo> {
        let (code, message) = match self {
            Self::Api(e) => (e.as_str().to_string(), e.explanation().to_string()),
            Self::Http { status, body } => (format!("HTTP {status}"), body.clone()),
            Self::Transport(_) | Self::Decode(_) => return None,
        };
        Some(ProviderErrorInfo {
            provider: ProviderKind::Mor,
            code,
            message,
        })
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Api(e) => e.kind(),
            Self::Http { status, .. } => match status {
                401 | 403 => ErrorKind::Authentication,
                404 => ErrorKind::NotFound,
                429 => ErrorKind::RateLimited,
                400..=499 => ErrorKind::InvalidRequest,
                _ => ErrorKind::ProviderFault,
            },
            Self::Transport(_) => ErrorKind::Transport,
            Self::Decode(_) => ErrorKind::UnreadableAnswer,
        }
    }

    /// The HTTP status of an error answer.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Self::Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub fn is_network(&self) -> bool {
        matches!(self, Self::Transport(_) | Self::Decode(_))
    }
}
