//! An MTT account's `[accounts.mtt]` section and how its client is built.

use std::time::Duration;

use serde::Deserialize;

use super::{DEFAULT_RECORDING_HOSTS, MttClient, MttSettings};
use crate::setup::{AccountEnv, HostSpec, Provider, SetupError, log_and_recordings, parse_section};
use crate::{Capabilities, HostAllowList};

/// MTT in the registry: JSON-RPC history and REST recordings.
pub static PROVIDER: Provider = Provider {
    hosts: &[
        HostSpec {
            key: "webapicommon",
            default: Some("https://webapicommon.mtt.ru/index.php"),
        },
        HostSpec {
            key: "rc",
            default: Some("https://rc.mtt.ru"),
        },
        HostSpec {
            key: "gapi",
            default: Some("https://gapi.mtt.ru:6443/v1/api"),
        },
        HostSpec {
            key: "sb-api",
            default: Some("https://sb-api.mtt.ru"),
        },
        HostSpec {
            key: "msapi",
            default: Some("https://msapi.mtt.ru:443/"),
        },
    ],
    check: |section| MttSection::read(section).map(|_| ()),
    build: Some(build),
};

/// `[accounts.mtt]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MttSection {
    /// For `getServiceHistoryByCustomer` (the whole account).
    pub customer_name: Option<String>,
    /// For `getCallHistory`, one SIP id at a time, when there is no customer name.
    pub sip_ids: Vec<String>,
    /// MTT's request rate limit.
    pub requests_per_sec: u32,
}

impl Default for MttSection {
    fn default() -> Self {
        Self {
            customer_name: None,
            sip_ids: Vec::new(),
            requests_per_sec: 8,
        }
    }
}

impl MttSection {
    fn read(section: Option<&toml::Table>) -> Result<Self, String> {
        let s: Self = parse_section(section)?;
        if s.customer_name.is_none() && s.sip_ids.is_empty() {
            return Err("[accounts.mtt] needs customer_name or sip_ids".into());
        }
        if s.requests_per_sec == 0 {
            return Err("[accounts.mtt] requests_per_sec must be at least 1".into());
        }
        Ok(s)
    }
}

fn build(env: &dyn AccountEnv) -> Result<Capabilities, SetupError> {
    let section = MttSection::read(env.section()).map_err(SetupError::Invalid)?;
    let rc = env.host("rc")?;
    let hosts = DEFAULT_RECORDING_HOSTS
        .iter()
        .map(|h| h.to_string())
        .chain(rc.host_str().map(str::to_string))
        .chain(env.recording_hosts().iter().cloned());
    let settings = MttSettings {
        webapicommon: env.host("webapicommon")?,
        rc,
        recording_hosts: HostAllowList::new(hosts),
        login: env.required_login()?.to_string(),
        password: env.password()?,
        customer_name: section.customer_name,
        sip_ids: section.sip_ids,
        requests_per_sec: section.requests_per_sec,
        timeout: Duration::from_secs(30),
    };
    let client = MttClient::new(settings).map_err(|e| SetupError::Client(e.into()))?;
    Ok(log_and_recordings(client))
}
