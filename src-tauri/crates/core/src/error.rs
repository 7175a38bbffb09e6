use callboard_model::{ApiError, ErrorCode, ErrorHint};
use callboard_providers::{ErrorKind, ProviderError};

use crate::ConfigError;
use crate::store::StoreError;

/// Everything the service can fail with; [`CoreError::to_api`] is what the UI sees.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("{0}")]
    NotFound(String),
    /// The provider has no recording (or no longer has it) for this call.
    #[error("the provider has no recording for call {0}")]
    RecordingGone(i64),
    /// The provider sent a file that does not decode as audio; the reason says how.
    #[error("the recording of call {call_id} (part {index}) cannot be played: {reason}")]
    UnplayableRecording {
        call_id: i64,
        index: u32,
        reason: String,
    },
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
    /// A device that answers but has reported no call for longer than its silence
    /// period (its posts may no longer reach the listener).
    #[error("account {account:?} has reported no call {}", match since { Some(t) => format!("since {}", t.format("%Y-%m-%d %H:%M UTC")), None => "since callboard started".to_owned() })]
    Silent {
        account: String,
        since: Option<chrono::DateTime<chrono::Utc>>,
    },
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
        self.to_api_for(None)
    }

    /// As [`CoreError::to_api`], naming the account the error happened to in its hint.
    pub fn to_api_for(&self, account: Option<&str>) -> ApiError {
        let code = match self {
            Self::NotFound(_) | Self::RecordingGone(_) => ErrorCode::NotFound,
            Self::InvalidInput(_) | Self::Store(StoreError::BadCursor(_)) => {
                ErrorCode::InvalidInput
            }
            // A download link outside the configured hosts: the config must name it.
            Self::Config(_) | Self::Provider(ProviderError::ForbiddenHost { .. }) => {
                ErrorCode::Config
            }
            Self::Provider(ProviderError::Io(_)) => ErrorCode::Internal,
            // What the provider sent is at fault.
            Self::UnplayableRecording { .. } | Self::Silent { .. } => ErrorCode::Provider,
            Self::Provider(e) => match e.kind() {
                ErrorKind::NotFound => ErrorCode::NotFound,
                ErrorKind::Transport | ErrorKind::UnreadableAnswer => ErrorCode::Network,
                ErrorKind::Authentication
                | ErrorKind::RateLimited
                | ErrorKind::InvalidRequest
                | ErrorKind::ProviderFault => ErrorCode::Provider,
            },
            Self::Store(_) | Self::Io { .. } | Self::Internal(_) => ErrorCode::Internal,
        };
        let provider = match self {
            Self::Provider(e) => e.provider_info(),
            _ => None,
        };
        ApiError {
            code,
            message: self.to_string(),
            provider,
            hint: self.hint(account),
        }
    }

    /// What the user can do about it, where that is known.
    fn hint(&self, account: Option<&str>) -> Option<ErrorHint> {
        let account = || account.unwrap_or_default().to_string();
        Some(match self {
            Self::RecordingGone(_) => ErrorHint::RecordingGone,
            Self::Silent { account, since } => ErrorHint::DeviceSilent {
                account: account.clone(),
                since: *since,
            },
            Self::Config(ConfigError::Secret {
                account,
                env,
                keyring,
                ..
            }) => ErrorHint::SecretMissing {
                account: account.clone(),
                env: env.clone(),
                keyring: keyring.clone(),
            },
            Self::Config(ConfigError::Parse { path, at, source }) => ErrorHint::ConfigInvalid {
                file: path.clone(),
                line: at.map(|(l, _)| l),
                column: at.map(|(_, c)| c),
                detail: source.message().to_string(),
            },
            Self::Config(ConfigError::Read { path, source }) => ErrorHint::ConfigInvalid {
                file: path.display().to_string(),
                line: None,
                column: None,
                detail: source.to_string(),
            },
            Self::Config(ConfigError::Invalid { problem, .. }) => ErrorHint::ConfigInvalid {
                file: String::new(),
                line: None,
                column: None,
                detail: problem.clone(),
            },
            Self::Provider(ProviderError::ForbiddenHost { host, .. }) => {
                ErrorHint::HostNotAllowed { host: host.clone() }
            }
            Self::Provider(e) => match e.kind() {
                ErrorKind::Authentication => ErrorHint::AuthFailed { account: account() },
                ErrorKind::RateLimited => ErrorHint::RateLimited,
                _ => ErrorHint::Unreachable {
                    host: e.unreachable_host()?,
                },
            },
            _ => return None,
        })
    }
}

impl From<tokio::task::JoinError> for CoreError {
    fn from(e: tokio::task::JoinError) -> Self {
        Self::Internal(format!("background task failed: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use callboard_model::ProviderKind;
    use callboard_providers::mtt::MttError;

    use super::*;

    fn http(status: u16) -> CoreError {
        CoreError::Provider(ProviderError::Http {
            provider: ProviderKind::Mtt,
            status,
            body: "refused".into(),
        })
    }

    #[test]
    fn refusals_say_what_to_do() {
        let auth = ErrorHint::AuthFailed {
            account: "office".into(),
        };
        assert_eq!(http(401).to_api_for(Some("office")).hint, Some(auth));
        let mtt = CoreError::Provider(ProviderError::Mtt(MttError::Http {
            status: 403,
            body: "forbidden".into(),
        }));
        assert!(matches!(
            mtt.to_api().hint,
            Some(ErrorHint::AuthFailed { .. })
        ));
        assert_eq!(http(429).to_api().hint, Some(ErrorHint::RateLimited));
        assert_eq!(http(500).to_api().hint, None, "nothing the user can do");
        let secret = CoreError::Config(ConfigError::Secret {
            account: "office".into(),
            problem: "not set".into(),
            env: Some("CALLBOARD_OFFICE_PASSWORD".into()),
            keyring: None,
        });
        let api = secret.to_api();
        assert_eq!(api.code, ErrorCode::Config);
        assert_eq!(
            api.hint,
            Some(ErrorHint::SecretMissing {
                account: "office".into(),
                env: Some("CALLBOARD_OFFICE_PASSWORD".into()),
                keyring: None,
            })
        );
    }

    #[tokio::test]
    async fn an_unreachable_host_is_named() {
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = closed.local_addr().unwrap().port();
        drop(closed);
        let source = reqwest::get(format!("http://127.0.0.1:{port}/index.php"))
            .await
            .unwrap_err();
        let e = CoreError::Provider(ProviderError::Transport {
            provider: ProviderKind::Mtt,
            source,
        });
        let api = e.to_api();
        assert_eq!(api.code, ErrorCode::Network);
        assert_eq!(
            api.hint,
            Some(ErrorHint::Unreachable {
                host: format!("127.0.0.1:{port}")
            })
        );
    }
}
