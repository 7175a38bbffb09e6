//! Builds each account's provider capabilities from its config.

use std::sync::Arc;
use std::time::Duration;

use callboard_model::ProviderKind;
use callboard_providers::mor::{DEFAULT_PATH_PREFIX, MorClient, MorSettings};
use callboard_providers::mtt::{DEFAULT_RECORDING_HOSTS, MttClient, MttSettings};
use callboard_providers::{Capabilities, HostAllowList};

use crate::{AccountConfig, ConfigError, CoreError};

/// Builds what an account's provider can do from the account's config.
pub(crate) type BuildCapabilities = fn(&AccountConfig) -> Result<Capabilities, CoreError>;

/// How to build the provider's capabilities, or `None` while it is not built yet.
pub(crate) fn capabilities_builder(provider: ProviderKind) -> Option<BuildCapabilities> {
    match provider {
        ProviderKind::Mtt => Some(|account| {
            let client = Arc::new(mtt(account)?);
            Ok(Capabilities {
                call_log: Some(client.clone()),
                recordings: Some(client),
            })
        }),
        ProviderKind::Mor => Some(|account| {
            let client = Arc::new(mor(account)?);
            Ok(Capabilities {
                call_log: Some(client.clone()),
                recordings: Some(client),
            })
        }),
        ProviderKind::Beeline | ProviderKind::Mts | ProviderKind::Sprecord => None,
    }
}

/// The account's credentials, which `provider` cannot do without.
fn credentials<'a>(
    account: &'a AccountConfig,
    provider: &str,
) -> Result<&'a crate::config::Credentials, ConfigError> {
    account
        .credentials
        .as_ref()
        .ok_or_else(|| ConfigError::Invalid {
            account: account.id.clone(),
            problem: format!("[accounts.credentials] is required for {provider}"),
        })
}

fn mor(account: &AccountConfig) -> Result<MorClient, CoreError> {
    let creds = credentials(account, "MOR")?;
    let mor = account.mor.clone().unwrap_or_default();
    let settings = MorSettings {
        server: account.host("server")?,
        path_prefix: mor
            .path_prefix
            .unwrap_or_else(|| DEFAULT_PATH_PREFIX.to_string()),
        user: creds.login.clone(),
        secret: creds.password.resolve(&account.id)?,
        timeout: Duration::from_secs(30),
    };
    MorClient::new(settings).map_err(|e| CoreError::Provider(e.into()))
}

fn mtt(account: &AccountConfig) -> Result<MttClient, CoreError> {
    let creds = credentials(account, "MTT")?;
    let rc = account.host("rc")?;
    let mtt = account.mtt.clone().unwrap_or_default();
    let hosts = DEFAULT_RECORDING_HOSTS
        .iter()
        .map(|h| h.to_string())
        .chain(rc.host_str().map(str::to_string))
        .chain(account.recording_hosts.iter().cloned());
    let settings = MttSettings {
        webapicommon: account.host("webapicommon")?,
        rc,
        recording_hosts: HostAllowList::new(hosts),
        login: creds.login.clone(),
        password: creds.password.resolve(&account.id)?,
        customer_name: mtt.customer_name,
        sip_ids: mtt.sip_ids,
        requests_per_sec: mtt.requests_per_sec,
        timeout: Duration::from_secs(30),
    };
    MttClient::new(settings).map_err(|e| CoreError::Provider(e.into()))
}
