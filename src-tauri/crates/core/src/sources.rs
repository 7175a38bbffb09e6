//! Builds each account's provider capabilities from its config, through the providers'
//! registry: the core knows no provider by name.

use callboard_providers::{AccountEnv, Capabilities, SecretRef, SetupError, provider};
use secrecy::SecretString;
use url::Url;

use crate::config::ResolveSecret;
use crate::{AccountConfig, ConfigError, CoreError};

/// Whether the account's provider can be polled at all.
pub(crate) fn can_build(account: &AccountConfig) -> bool {
    provider(account.provider).build.is_some()
}

/// What the account's provider can do, built from the account's config.
pub(crate) fn build_capabilities(account: &AccountConfig) -> Result<Capabilities, CoreError> {
    let Some(build) = provider(account.provider).build else {
        return Ok(Capabilities::default());
    };
    build(&Env(account)).map_err(|e| match e {
        SetupError::Invalid(problem) => ConfigError::Invalid {
            account: account.id.clone(),
            problem,
        }
        .into(),
        SetupError::Environment(e) => match e.downcast::<ConfigError>() {
            Ok(config) => (*config).into(),
            Err(other) => ConfigError::Invalid {
                account: account.id.clone(),
                problem: other.to_string(),
            }
            .into(),
        },
        SetupError::Client(e) => CoreError::Provider(e),
    })
}

/// The account as its provider's module sees it.
struct Env<'a>(&'a AccountConfig);

impl Env<'_> {
    fn env_error(e: ConfigError) -> SetupError {
        SetupError::Environment(Box::new(e))
    }
}

impl AccountEnv for Env<'_> {
    fn id(&self) -> &str {
        &self.0.id
    }

    fn login(&self) -> Option<&str> {
        self.0.credentials.as_ref().map(|c| c.login.as_str())
    }

    fn password(&self) -> Result<SecretString, SetupError> {
        let creds = self.0.credentials.as_ref().ok_or_else(|| {
            SetupError::Invalid("[accounts.credentials] password is required".into())
        })?;
        creds.password.resolve(&self.0.id).map_err(Self::env_error)
    }

    fn secret(&self, source: &SecretRef) -> Result<SecretString, SetupError> {
        source.resolve(&self.0.id).map_err(Self::env_error)
    }

    fn host(&self, key: &str) -> Result<Url, SetupError> {
        self.0.host(key).map_err(|e| match e {
            ConfigError::Invalid { problem, .. } => SetupError::Invalid(problem),
            other => Self::env_error(other),
        })
    }

    fn recording_hosts(&self) -> &[String] {
        &self.0.recording_hosts
    }

    fn section(&self) -> Option<&toml::Table> {
        self.0.section.as_ref()
    }
}
