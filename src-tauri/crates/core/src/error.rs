use callboard_model::{ApiError, ErrorCode};
use callboard_providers::ProviderError;
use callboard_providers::mtt::MttError;

use crate::ConfigError;
use crate::store::StoreError;

/// Everything the service can fail with; [`CoreError::to_api`] is what the UI sees.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    InvalidInput(String),
    #[error(transparent)]
    Provider(#[from] ProviderError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
    #[error("internal error: {0}")]
    Internal(String),
}

impl CoreError {
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Self::Io {
            context: context.into(),
            source,
        }
    }

    /// The structured error the UI receives.
    pub fn to_api(&self) -> ApiError {
        let code = match self {
            Self::NotFound(_) | Self::Provider(ProviderError::Http { status: 404, .. }) => {
                ErrorCode::NotFound
            }
            Self::Provider(ProviderError::Mtt(MttError::Http { status: 404, .. })) => {
                ErrorCode::NotFound
            }
            // A download link outside the configured hosts: the config must name it.
            Self::Provider(ProviderError::ForbiddenHost { .. }) => ErrorCode::Config,
            Self::InvalidInput(_) | Self::Store(StoreError::BadCursor(_)) => {
                ErrorCode::InvalidInput
            }
            Self::Provider(e) if e.provider_info().is_some() => ErrorCode::Provider,
            Self::Provider(e) if e.is_network() => ErrorCode::Network,
            Self::Config(_) => ErrorCode::Config,
            Self::Provider(_) | Self::Store(_) | Self::Io { .. } | Self::Internal(_) => {
                ErrorCode::Internal
            }
        };
        let provider = match self {
            Self::Provider(e) => e.provider_info(),
            _ => None,
        };
        ApiError {
            code,
            message: self.to_string(),
            provider,
        }
    }
}

impl From<tokio::task::JoinError> for CoreError {
    fn from(e: tokio::task::JoinError) -> Self {
        Self::Internal(format!("background task failed: {e}"))
    }
}
