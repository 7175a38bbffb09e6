//! A MOR account's `[accounts.mor]` section and how its client is built.

use std::time::Duration;

use serde::Deserialize;

use super::{DEFAULT_PATH_PREFIX, MorClient, MorSettings};
use crate::Capabilities;
use crate::setup::{AccountEnv, HostSpec, Provider, SetupError, log_and_recordings, parse_section};

/// Kolmisoft MOR in the registry: its recordings are its call log.
pub static PROVIDER: Provider = Provider {
    hosts: &[HostSpec {
        key: "server",
        default: None,
    }],
    check: |section| parse_section::<MorSection>(section).map(|_| ()),
    build: Some(build),
};

/// `[accounts.mor]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MorSection {
    /// The API's path on the server ([`DEFAULT_PATH_PREFIX`], as in the spec's example).
    pub path_prefix: Option<String>,
}

fn build(env: &dyn AccountEnv) -> Result<Capabilities, SetupError> {
    let section: MorSection = env.parse_section()?;
    let settings = MorSettings {
        server: env.host("server")?,
        path_prefix: section
            .path_prefix
            .unwrap_or_else(|| DEFAULT_PATH_PREFIX.to_string()),
        user: env.required_login()?.to_string(),
        secret: env.password()?,
        timeout: Duration::from_secs(30),
    };
    let client = MorClient::new(settings).map_err(|e| SetupError::Client(e.into()))?;
    Ok(log_and_recordings(client))
}
