use callboard_model::{ProviderErrorInfo, ProviderKind};

use crate::beeline::BeelineError;
use crate::mor::MorError;
use crate::mts::MtsError;
use crate::mtt::MttError;

/// What kind of failure a provider error is: what the core acts on (retry, back off, ask
/// the user), whatever the provider and its own code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The provider refused our credentials.
    Authentication,
    /// The provider throttled us.
    RateLimited,
    /// What was asked for does not exist (any more).
    NotFound,
    /// The provider refused the request as malformed or not allowed.
    InvalidRequest,
    /// The provider failed on its side.
    ProviderFault,
    /// The provider could not be reached.
    Transport,
    /// The provider answered something we cannot read.
    UnreadableAnswer,
}

impl ErrorKind {
    /// The kind an HTTP error status implies.
    pub fn from_status(status: u16) -> Self {
        match status {
            401 | 403 => Self::Authentication,
            404 | 410 => Self::NotFound,
            429 => Self::RateLimited,
            400..=499 => Self::InvalidRequest,
            _ => Self::ProviderFault,
        }
    }
}

/// A failure talking to a provider, keeping the provider's own error apart from transport.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error(transparent)]
    Mtt(#[from] MttError),
    #[error(transparent)]
    Mor(#[from] MorError),
    #[error(transparent)]
    Beeline(#[from] BeelineError),
    #[error(transparent)]
    Mts(#[from] MtsError),
    #[error("cannot reach {provider:?}: {}", chain(source))]
    Transport {
        provider: ProviderKind,
        #[source]
        source: reqwest::Error,
    },
    #[error("{provider:?} answered HTTP {status}: {body}")]
    Http {
        provider: ProviderKind,
        status: u16,
        body: String,
    },
    #[error("unexpected answer from {provider:?}: {detail}")]
    Decode {
        provider: ProviderKind,
        detail: String,
    },
    #[error("refusing to download {url}: {host:?} is not a host configured for {provider:?}")]
    ForbiddenHost {
        provider: ProviderKind,
        host: String,
        url: String,
    },
    #[error("cannot write the recording: {0}")]
    Io(#[from] std::io::Error),
}

impl ProviderError {
    /// The provider's own code and message, when the provider answered with an error.
    pub fn provider_info(&self) -> Option<ProviderErrorInfo> {
        match self {
            Self::Mtt(e) => e.provider_info(),
            Self::Mor(e) => e.provider_info(),
            Self::Beeline(e) => e.provider_info(),
            Self::Mts(e) => e.provider_info(),
            Self::Http {
                provider,
                status,
                body,
            } => Some(ProviderErrorInfo {
                provider: *provider,
                code: format!("HTTP {status}"),
                message: body.clone(),
            }),
            _ => None,
        }
    }

    /// The HTTP status of an error answer.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Self::Http { status, .. } | Self::Mtt(MttError::Http { status, .. }) => Some(*status),
            Self::Mor(e) => e.http_status(),
            Self::Beeline(e) => e.http_status(),
            Self::Mts(MtsError::Http { status, .. }) => Some(*status),
            _ => None,
        }
    }

    /// The host (and port) that could not be reached, for a failure to connect.
    pub fn unreachable_host(&self) -> Option<String> {
        let source = match self {
            Self::Transport { source, .. }
            | Self::Mtt(MttError::Transport(source))
            | Self::Mor(MorError::Transport(source))
            | Self::Beeline(BeelineError::Transport(source))
            | Self::Mts(MtsError::Transport(source)) => source,
            _ => return None,
        };
        if source.is_decode() || source.is_body() {
            return None;
        }
        let url = source.url()?;
        Some(url[url::Position::BeforeHost..url::Position::AfterPort].to_string())
    }

    /// What kind of failure this is, for the core to act on whatever the provider.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Mtt(e) => e.kind(),
            Self::Mor(e) => e.kind(),
            Self::Beeline(e) => e.kind(),
            Self::Mts(e) => e.kind(),
            Self::Transport { .. } => ErrorKind::Transport,
            Self::Http { status, .. } => ErrorKind::from_status(*status),
            Self::Decode { .. } => ErrorKind::UnreadableAnswer,
            // Our own refusals, not the provider's: a link outside the configured hosts,
            // a recording we could not write.
            Self::ForbiddenHost { .. } => ErrorKind::InvalidRequest,
            Self::Io(_) => ErrorKind::ProviderFault,
        }
    }

    /// True when the provider could not be reached or sent something unreadable,
    /// as opposed to answering with an error of its own.
    pub fn is_network(&self) -> bool {
        match self {
            Self::Mtt(e) => e.is_network(),
            Self::Mor(e) => e.is_network(),
            Self::Beeline(e) => e.is_network(),
            Self::Mts(e) => e.is_network(),
            Self::Transport { .. } | Self::Decode { .. } => true,
            _ => false,
        }
    }
}

/// An error with its causes, for reqwest errors whose own text omits the reason
/// ("error following redirect" without saying which rule refused it).
pub(crate) fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}
