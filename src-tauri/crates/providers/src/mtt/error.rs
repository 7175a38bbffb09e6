use callboard_model::{ProviderErrorInfo, ProviderKind};

use crate::ErrorKind;

/// MTT's errors: both of its error forms, plus transport and decoding failures.
#[derive(Debug, thiserror::Error)]
pub enum MttError {
    /// A JSON-RPC `error` object (`-32602` invalid params, `-32001` data not found, ...).
    #[error("MTT error {code}: {message}{}", data.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Rpc {
        code: i64,
        message: String,
        data: Option<String>,
    },
    /// HTTP 200 with `result: {error: 1, message}` (or `error_description`).
    #[error("MTT error: {message}")]
    Result { message: String },
    /// A non-200 HTTP answer (401 on bad credentials, 404 on unknown recordings, ...).
    #[error("MTT answered HTTP {status}: {body}")]
    Http { status: u16, body: String },
    #[error("cannot reach MTT: {}", crate::error::chain(.0))]
    Transport(#[from] reqwest::Error),
    #[error("unexpected answer from MTT: {0}")]
    Decode(String),
    /// A single second holds MTT's whole 1000-row cap: the window cannot be cut further,
    /// and reading on would lose rows.
    #[error(
        "MTT returned {rows} rows, its cap, for the single second {second}: cannot split further"
    )]
    CapInOneSecond {
        second: chrono::DateTime<chrono::Utc>,
        rows: usize,
    },
}

impl MttError {
    pub fn provider_info(&self) -> Option<ProviderErrorInfo> {
        let (code, message) = match self {
            Self::Rpc {
                code,
                message,
                data,
            } => (
                code.to_string(),
                match data {
                    Some(d) if !d.is_empty() => format!("{message}: {d}"),
                    _ => message.clone(),
                },
            ),
            Self::Result { message } => ("result.error".to_string(), message.clone()),
            Self::Http { status, body } => (format!("HTTP {status}"), body.clone()),
            Self::CapInOneSecond { rows, .. } => (format!("{rows}-row cap"), self.to_string()),
            Self::Transport(_) | Self::Decode(_) => return None,
        };
        Some(ProviderErrorInfo {
            provider: ProviderKind::Mtt,
            code,
            message,
        })
    }

    /// What kind of failure this is: MTT's JSON-RPC codes, then the HTTP status.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Rpc { code: -32602, .. } => ErrorKind::InvalidRequest,
            Self::Rpc { code: -32001, .. } => ErrorKind::NotFound,
            Self::Rpc { code: -32002, .. } => ErrorKind::Authentication,
            Self::Rpc { .. } | Self::Result { .. } | Self::CapInOneSecond { .. } => {
                ErrorKind::ProviderFault
            }
            Self::Http { status, .. } => ErrorKind::from_status(*status),
            Self::Transport(_) => ErrorKind::Transport,
            Self::Decode(_) => ErrorKind::UnreadableAnswer,
        }
    }

    pub fn is_network(&self) -> bool {
        matches!(self, Self::Transport(_) | Self::Decode(_))
    }
}
