//! Beeline's error table (spec 4.19) as a type, and the client's error enum.

use callboard_model::{ProviderErrorInfo, ProviderKind};

use crate::ErrorKind;

/// Declares every row of the 4.19 table once: the variant, its code, its documented text
/// (verbatim, PDF line-break artefacts included) and the kind the core acts on.
macro_rules! error_table {
    ($($(#[$doc:meta])* $variant:ident = $code:literal, $text:literal, $kind:ident;)*) => {
        /// A code of the error table (4.19). `400.8` has two rows (two texts), so two variants.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum ApiErrorCode {
            $($(#[$doc])* $variant,)*
            /// A code the table does not list, kept as sent.
            Other(String),
        }

        impl ApiErrorCode {
            /// Every row of the table, in the spec's order.
            pub const ALL: &'static [ApiErrorCode] = &[$(ApiErrorCode::$variant),*];

            /// The code as Beeline sends it in `ERR_CODE` (`"404.106"`).
            pub fn code(&self) -> &str {
                match self {
                    $(Self::$variant => $code,)*
                    Self::Other(code) => code,
                }
            }

            /// The documented `ERR_DESCRIPTION`; `None` for a code the table lacks.
            pub fn text(&self) -> Option<&'static str> {
                match self {
                    $(Self::$variant => Some($text),)*
                    Self::Other(_) => None,
                }
            }

            fn table_kind(&self) -> Option<ErrorKind> {
                match self {
                    $(Self::$variant => Some(ErrorKind::$kind),)*
                    Self::Other(_) => None,
                }
            }
        }
    };
}

error_table! {
    BadConfData = "400.1", "Bad [ConfData] Field", InvalidRequest;
    InvalidJson = "400.2", "Invalid JSON", InvalidRequest;
    InvalidDateFormat = "400.3", "Invalid Date Format", InvalidRequest;
    InvalidDateValue = "400.4", "Invalid Date Value", InvalidRequest;
    IncorrectComment = "400.5", "Incorrect [COMMENT] Field", InvalidRequest;
    NoCommand = "400.6", "No [COMMAND] field", InvalidRequest;
    BadContentType = "400.7", "Bad Content-Type (No Line for multipart/form- data;boundary=)", InvalidRequest;
    /// `400.8`, first row: the POST carries no form.
    NoFormPart = "400.8", "Bad Content (No Form part)", InvalidRequest;
    /// `400.8`, second row: the form cannot be read.
    IncorrectForm = "400.8", "Bad Content (Incorrect Form)", InvalidRequest;
    InvalidCtn = "400.9", "Invalid [CTN] Field", InvalidRequest;
    InvalidAtomicity = "400.10", "Invalid [ATOMICITY] Field", InvalidRequest;
    InvalidOrderId = "400.11", "Invalid [OrderID] value", InvalidRequest;
    UnknownCredentials = "401.1", "Unknown UserName or Password", Authentication;
    InvalidBNumber = "404.100", "Invalid BNumber(s)", InvalidRequest;
    MissingRNumber = "404.101", "Missing RNumber(s)", InvalidRequest;
    InvalidANumber = "404.102", "Invalid ANumber(s)", InvalidRequest;
    /// Documented as reserved: if it ever comes, nothing we sent explains it.
    Reserved = "404.103", "Reserved", ProviderFault;
    VoiceFileNotFound = "404.104", "Voice File(s) not Found", NotFound;
    InvalidListId = "404.105", "Invalid ListID", InvalidRequest;
    /// An unknown (or forgotten) CDR job: request it again.
    InvalidCdrId = "404.106", "Invalid CDRID", NotFound;
    MissingOrIncorrectListId = "404.107", "Missing or Incorrect ListID", InvalidRequest;
    MissingOrIncorrectANumber = "404.108", "Missing or Incorrect ANumber(s)", InvalidRequest;
    MissingVoiceFile = "404.109", "Missing Voice File(s)", InvalidRequest;
    MissingOrIncorrectBNumber = "404.110", "Missing or Incorrect BNumber(s)", InvalidRequest;
    MissingCdrId = "404.111", "Missing CDRID", InvalidRequest;
    InvalidUrl = "404.112", "Invalid URL", InvalidRequest;
    FileNotFound = "404.113", "Requested File Not Found", NotFound;
    MissingCtn = "404.114", "Missing CTN", InvalidRequest;
    ReservationNotFound = "404.115", "Reservation Not Found", NotFound;
    AllVoiceFilesInUse = "409.1", "All Voice Files in use", InvalidRequest;
    MultipleReservations = "409.2", "Multiple Reservations Not Allowed", InvalidRequest;
    DataTooBig = "413.1", "Data size too big", InvalidRequest;
    BlackListFull = "413.2", "Too many records in Black List", InvalidRequest;
    InvalidVoiceFileFormat = "415.1", "Invalid Voice File Format", InvalidRequest;
    ExecutionError = "500.1", "Execution Error", ProviderFault;
    ServerException = "500.2", "Server Exception Error", ProviderFault;
    DbConnectionError = "500.3", "DB Connection Error", ProviderFault;
    CommandNotFound = "501.1", "Command Not Found", InvalidRequest;
}

impl ApiErrorCode {
    /// The row for `code`; `text` tells the two `400.8` rows apart (the first when it
    /// matches neither).
    pub fn from_wire(code: &str, text: &str) -> Self {
        let code = code.trim();
        let rows: Vec<&ApiErrorCode> = Self::ALL.iter().filter(|c| c.code() == code).collect();
        match rows.as_slice() {
            [] => Self::Other(code.to_string()),
            [only] => (*only).clone(),
            [first, ..] => rows
                .iter()
                .find(|c| {
                    c.text()
                        .is_some_and(|t| t.eq_ignore_ascii_case(text.trim()))
                })
                .copied()
                .unwrap_or(first)
                .clone(),
        }
    }

    /// What the core does about it; a code outside the table goes by its HTTP class.
    pub fn kind(&self) -> ErrorKind {
        self.table_kind().unwrap_or_else(|| {
            match self.code().split('.').next().and_then(|c| c.parse().ok()) {
                Some(status) => kind_of_status(status),
                None => ErrorKind::UnreadableAnswer,
            }
        })
    }
}

/// The kind of a bare HTTP status.
pub(crate) fn kind_of_status(status: u16) -> ErrorKind {
    match status {
        401 | 403 => ErrorKind::Authentication,
        404 | 410 => ErrorKind::NotFound,
        429 => ErrorKind::RateLimited,
        400..=499 => ErrorKind::InvalidRequest,
        _ => ErrorKind::ProviderFault,
    }
}

/// Everything that can go wrong talking to Beeline's offline API.
#[derive(Debug, thiserror::Error)]
pub enum BeelineError {
    /// The spec's error body, `{"STATUS":"ERROR","ERR_CODE",...}` (4.19).
    #[error("Beeline error {}: {message}{}", code.code(), command.as_deref().map(|c| format!(" ({c})")).unwrap_or_default())]
    Api {
        code: ApiErrorCode,
        /// `ERR_DESCRIPTION` as sent.
        message: String,
        /// `COMMAND`, the function that failed.
        command: Option<String>,
        /// `AUXCODE`, Beeline's debugging aid.
        auxcode: Option<String>,
        /// The HTTP status it came with.
        status: u16,
    },
    /// A non-200 answer without the error body.
    #[error("Beeline answered HTTP {status}: {body}")]
    Http { status: u16, body: String },
    #[error("cannot reach Beeline: {}", crate::error::chain(.0))]
    Transport(#[from] reqwest::Error),
    #[error("unexpected answer from Beeline: {0}")]
    Decode(String),
    /// The client certificate or key could not be loaded.
    #[error("cannot use the Beeline client certificate: {0}")]
    Certificate(String),
    /// A CDR job stayed `NOT READY` for every poll we were allowed.
    #[error("Beeline CDR job {cdrid} was still NOT READY after {polls} polls")]
    JobNotReady { cdrid: String, polls: u32 },
    /// Every job we requested expired or was forgotten before we could read it.
    #[error("Beeline lost the CDR job {attempts} times in a row (last id {cdrid})")]
    JobLost { cdrid: String, attempts: u32 },
    /// A link outside the configured hosts: we never send our credentials there.
    #[error("refusing to download {url}: {host:?} is not a host configured for Beeline")]
    ForbiddenHost { host: String, url: String },
    #[error("cannot write the recording: {0}")]
    Io(#[from] std::io::Error),
}

impl BeelineError {
    /// The provider's own code and text, when Beeline answered with an error.
    pub fn provider_info(&self) -> Option<ProviderErrorInfo> {
        let (code, message) = match self {
            Self::Api { code, message, .. } => (code.code().to_string(), message.clone()),
            Self::Http { status, body } => (format!("HTTP {status}"), body.clone()),
            _ => return None,
        };
        Some(ProviderErrorInfo {
            provider: ProviderKind::Beeline,
            code,
            message,
        })
    }

    /// What the core does about it.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Api { code, .. } => code.kind(),
            Self::Http { status, .. } => kind_of_status(*status),
            Self::Transport(e) if e.is_decode() || e.is_body() => ErrorKind::UnreadableAnswer,
            Self::Transport(_) => ErrorKind::Transport,
            Self::Decode(_) => ErrorKind::UnreadableAnswer,
            Self::Certificate(_) => ErrorKind::Authentication,
            Self::JobNotReady { .. } | Self::JobLost { .. } => ErrorKind::ProviderFault,
            Self::ForbiddenHost { .. } => ErrorKind::InvalidRequest,
            Self::Io(_) => ErrorKind::Transport,
        }
    }

    /// True when Beeline could not be reached or sent something unreadable.
    pub fn is_network(&self) -> bool {
        matches!(self, Self::Transport(_) | Self::Decode(_))
    }

    /// The HTTP status of an error answer.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } | Self::Http { status, .. } => Some(*status),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_400_8_rows_are_told_apart_by_text() {
        assert_eq!(
            ApiErrorCode::from_wire("400.8", "Bad Content (Incorrect Form)"),
            ApiErrorCode::IncorrectForm
        );
        assert_eq!(
            ApiErrorCode::from_wire("400.8", "Bad Content (No Form part)"),
            ApiErrorCode::NoFormPart
        );
        assert_eq!(
            ApiErrorCode::from_wire("400.8", "something else"),
            ApiErrorCode::NoFormPart
        );
    }

    #[test]
    fn codes_outside_the_table_go_by_their_http_class() {
        let c = ApiErrorCode::from_wire("503.7", "x");
        assert_eq!(c, ApiErrorCode::Other("503.7".into()));
        assert_eq!(c.kind(), ErrorKind::ProviderFault);
        assert_eq!(
            ApiErrorCode::from_wire("401.9", "").kind(),
            ErrorKind::Authentication
        );
        assert_eq!(
            ApiErrorCode::from_wire("err_code", "").kind(),
            ErrorKind::UnreadableAnswer
        );
        assert_eq!(ApiErrorCode::ALL.len(), 38, "38 rows, 37 codes");
    }
}
