//! How an account's capabilities are built from its config, and the registry that says,
//! one line per provider, which hosts it names and what it can do.
//!
//! The core owns the shared part of an account (id, credentials, host overrides) and
//! where secrets come from; each provider module owns its own `[accounts.<provider>]`
//! section: its fields, defaults and validation.

use std::sync::Arc;

use callboard_model::ProviderKind;
use secrecy::SecretString;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use url::Url;

use crate::{CallLog, Capabilities, Recordings};

/// A host the provider's spec names, and its default (`None`: site-specific, must be set).
#[derive(Debug, Clone, Copy)]
pub struct HostSpec {
    pub key: &'static str,
    pub default: Option<&'static str>,
}

/// Where a secret comes from: never the config file itself, never SQLite.
#[derive(Debug, Clone)]
pub enum SecretRef {
    /// An environment variable.
    Env(String),
    /// An entry in the OS keyring (service `callboard`).
    Keyring(String),
    /// Held in memory only (the demo's simulators); a config file cannot say this.
    Memory(SecretString),
}

/// Reads `{ env = "VAR" }` or `{ keyring = "entry" }`. Anything else is refused with a
/// message that never repeats what was written, since that may be the secret itself.
impl<'de> Deserialize<'de> for SecretRef {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Table {
            env: Option<String>,
            keyring: Option<String>,
        }
        const EXPECTED: &str = "a secret must be { env = \"VARIABLE\" } or { keyring = \"entry\" }, never written in the file";
        let value = toml::Value::deserialize(d).map_err(|_| serde::de::Error::custom(EXPECTED))?;
        match Table::deserialize(value) {
            Ok(Table {
                env: Some(v),
                keyring: None,
            }) => Ok(Self::Env(v)),
            Ok(Table {
                env: None,
                keyring: Some(k),
            }) => Ok(Self::Keyring(k)),
            _ => Err(serde::de::Error::custom(EXPECTED)),
        }
    }
}

/// Why an account's capabilities could not be built.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// A field is missing or wrong; the text names the field.
    #[error("{0}")]
    Invalid(String),
    /// The environment refused (a secret not available); the core's own error, kept
    /// whole so it can say where the secret was looked for.
    #[error(transparent)]
    Environment(Box<dyn std::error::Error + Send + Sync>),
    /// The client could not be made (its TLS set-up, a certificate that does not load).
    #[error(transparent)]
    Client(#[from] crate::ProviderError),
}

/// What a provider may ask of the account it is being built for. The core implements
/// it over its config; secrets are resolved only when a provider asks for them.
pub trait AccountEnv {
    fn id(&self) -> &str;
    /// `[accounts.credentials] login`, when given.
    fn login(&self) -> Option<&str>;
    /// `[accounts.credentials] password`, resolved.
    fn password(&self) -> Result<SecretString, SetupError>;
    /// Any other secret the provider's section names.
    fn secret(&self, source: &SecretRef) -> Result<SecretString, SetupError>;
    /// The URL of a host the provider names: the account's override, else the default.
    fn host(&self, key: &str) -> Result<Url, SetupError>;
    /// Extra hosts recordings may be downloaded from (`recording_hosts`).
    fn recording_hosts(&self) -> &[String];
    /// The account's `[accounts.<provider>]` section, when present.
    fn section(&self) -> Option<&toml::Table>;
}

impl dyn AccountEnv + '_ {
    /// The login, which `provider` cannot do without.
    pub fn required_login(&self) -> Result<&str, SetupError> {
        self.login().ok_or_else(|| {
            SetupError::Invalid("[accounts.credentials] login is required".to_string())
        })
    }

    /// The provider's section read into `T` (its defaults when the section is absent).
    pub fn parse_section<T: DeserializeOwned + Default>(&self) -> Result<T, SetupError> {
        parse_section(self.section()).map_err(SetupError::Invalid)
    }
}

/// `section` read into `T`, the error naming the section's field.
pub fn parse_section<T: DeserializeOwned + Default>(
    section: Option<&toml::Table>,
) -> Result<T, String> {
    match section {
        None => Ok(T::default()),
        Some(t) => {
            T::deserialize(toml::Value::Table(t.clone())).map_err(|e| e.message().to_string())
        }
    }
}

/// Builds an account's capabilities from what the account offers.
pub type BuildFn = fn(&dyn AccountEnv) -> Result<Capabilities, SetupError>;

/// One provider as the core sees it.
pub struct Provider {
    /// The hosts its spec names.
    pub hosts: &'static [HostSpec],
    /// Checks an account's section at config load, without secrets or network.
    pub check: fn(Option<&toml::Table>) -> Result<(), String>,
    /// Builds an account's capabilities; `None` while the provider has none to offer.
    pub build: Option<BuildFn>,
}

/// The registry: one line per provider.
pub fn provider(kind: ProviderKind) -> &'static Provider {
    match kind {
        ProviderKind::Mtt => &crate::mtt::PROVIDER,
        ProviderKind::Beeline => &crate::beeline::PROVIDER,
        ProviderKind::Mts => &crate::mts::PROVIDER,
        ProviderKind::Mor => &crate::mor::PROVIDER,
        ProviderKind::Sprecord => &crate::sprecord::PROVIDER,
    }
}

/// The capabilities of a client that reads the call log and serves recordings.
pub fn log_and_recordings<C: CallLog + Recordings + 'static>(client: C) -> Capabilities {
    let client = Arc::new(client);
    Capabilities {
        call_log: Some(client.clone()),
        recordings: Some(client),
        health: None,
    }
}
