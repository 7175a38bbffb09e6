//! A Beeline account's `[accounts.beeline]` section and how its call log is built.
//!
//! ```toml
//! [accounts.beeline]
//! abonent_numbers = ["9031234567"]   # B-numbers to read; all of the account's when empty
//! auth = "basic"                     # or "certificate" (3.4 allows both)
//! cert_file = "/etc/callboard/beeline.pem"   # certificate: the chain, PEM
//! key = { env = "BEELINE_KEY_PEM" }          # certificate: its PKCS#8 key, PEM (or key_file)
//! max_call_hours = 4                 # longest call: how far past a window ends are read
//! poll_every_secs = 2                # STATCDR polls of a job...
//! max_polls = 15                     # ...per pass, before waiting for the next pass
//! [accounts.beeline.cdr_columns]     # the CDR file's header names (see CdrColumns)
//! started = "DT_BEGIN"
//! ```

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::{BeelineAuth, BeelineClient, BeelineSettings, CdrColumns, DEFAULT_MAX_CALL_HOURS};
use crate::setup::{
    AccountEnv, HostSpec, Provider, SecretRef, SetupError, log_and_recordings, parse_section,
};
use crate::{Capabilities, HostAllowList};

use super::capabilities::BeelineAccount;

/// Beeline cloud call center in the registry: CDR jobs and their recordings.
pub static PROVIDER: Provider = Provider {
    hosts: &[HostSpec {
        key: "api",
        default: Some(super::DEFAULT_API),
    }],
    check: |section| BeelineSection::read(section).map(|_| ()),
    build: Some(build),
};

/// How the account authenticates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthKind {
    /// HTTP Basic with `[accounts.credentials]`.
    #[default]
    Basic,
    /// A TLS client certificate (`cert_file` with `key` or `key_file`).
    Certificate,
}

/// `[accounts.beeline]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BeelineSection {
    pub abonent_numbers: Vec<String>,
    pub auth: AuthKind,
    pub cert_file: Option<PathBuf>,
    pub key: Option<SecretRef>,
    pub key_file: Option<PathBuf>,
    pub max_call_hours: i64,
    pub poll_every_secs: u64,
    pub max_polls: u32,
    pub cdr_columns: CdrColumns,
}

impl Default for BeelineSection {
    fn default() -> Self {
        Self {
            abonent_numbers: Vec::new(),
            auth: AuthKind::Basic,
            cert_file: None,
            key: None,
            key_file: None,
            max_call_hours: DEFAULT_MAX_CALL_HOURS,
            poll_every_secs: 2,
            max_polls: 15,
            cdr_columns: CdrColumns::default(),
        }
    }
}

impl BeelineSection {
    fn read(section: Option<&toml::Table>) -> Result<Self, String> {
        let s: Self = parse_section(section)?;
        if s.auth == AuthKind::Certificate {
            if s.cert_file.is_none() {
                return Err("[accounts.beeline] auth = \"certificate\" needs cert_file".into());
            }
            if s.key.is_some() == s.key_file.is_some() {
                return Err(
                    "[accounts.beeline] auth = \"certificate\" needs one of key or key_file".into(),
                );
            }
        }
        if !(1..=48).contains(&s.max_call_hours) {
            return Err("[accounts.beeline] max_call_hours must be 1 to 48".into());
        }
        if s.max_polls == 0 {
            return Err("[accounts.beeline] max_polls must be at least 1".into());
        }
        Ok(s)
    }
}

fn build(env: &dyn AccountEnv) -> Result<Capabilities, SetupError> {
    let s = BeelineSection::read(env.section()).map_err(SetupError::Invalid)?;
    let auth = match s.auth {
        AuthKind::Basic => BeelineAuth::Basic {
            login: env.required_login()?.to_string(),
            password: env.password()?,
        },
        AuthKind::Certificate => {
            let read = |path: &PathBuf, what: &str| {
                std::fs::read_to_string(path).map_err(|e| {
                    SetupError::Invalid(format!(
                        "[accounts.beeline] {what} {}: {e}",
                        path.display()
                    ))
                })
            };
            let cert_pem = read(s.cert_file.as_ref().expect("checked"), "cert_file")?;
            let key_pem = match (&s.key, &s.key_file) {
                (Some(key), _) => env.secret(key)?,
                (None, Some(path)) => read(path, "key_file")?.into(),
                (None, None) => unreachable!("checked"),
            };
            BeelineAuth::Certificate { cert_pem, key_pem }
        }
    };
    let mut settings = BeelineSettings::new(env.host("api")?, auth);
    settings.cdr_columns = s.cdr_columns;
    settings.download_hosts = HostAllowList::new(env.recording_hosts().iter().cloned());
    settings.max_call = chrono::Duration::hours(s.max_call_hours);
    let client = BeelineClient::new(settings).map_err(|e| SetupError::Client(e.into()))?;
    Ok(log_and_recordings(BeelineAccount {
        client,
        numbers: s.abonent_numbers,
        poll_every: Duration::from_secs(s.poll_every_secs),
        max_polls: s.max_polls,
    }))
}
