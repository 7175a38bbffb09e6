//! An MTS account's `[accounts.mts]` section and how its call log is built. The spec
//! leaves authentication and the date format open: both are chosen here, with defaults
//! documented in the README.
//!
//! ```toml
//! [accounts.mts]
//! un_numbers = ["79161234567"]       # all of the account's when empty
//! auth = "basic"                     # basic (credentials) | bearer | header | none
//! token = { env = "MTS_TOKEN" }      # bearer: the token; header: the header's value
//! header = "X-Api-Key"               # header: its name
//! date_format = "iso"                # iso (2012-10-02T00:00:00) | dmy (01.10.2012) | a chrono pattern
//! time_zone = "Europe/Moscow"        # the zone of the API's times
//! page_size = 1000
//! max_call_hours = 4
//! ```

use std::time::Duration;

use serde::Deserialize;

use super::capabilities::MtsAccount;
use super::{MAX_PAGE, MtsAuth, MtsClient, MtsDateFormat, MtsSettings};
use crate::Capabilities;
use crate::setup::{AccountEnv, HostSpec, Provider, SecretRef, SetupError, parse_section};

/// MTS @втосекретарь in the registry: a call log, no recordings.
pub static PROVIDER: Provider = Provider {
    hosts: &[HostSpec {
        key: "api",
        default: Some(super::DEFAULT_API),
    }],
    check: |section| MtsSection::read(section).map(|_| ()),
    build: Some(build),
};

/// How requests authenticate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthKind {
    #[default]
    Basic,
    Bearer,
    Header,
    None,
}

/// `[accounts.mts]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MtsSection {
    pub un_numbers: Vec<String>,
    pub auth: AuthKind,
    pub token: Option<SecretRef>,
    pub header: Option<String>,
    /// `iso`, `dmy`, or a chrono pattern (whole days when it has no `%H`).
    pub date_format: String,
    pub time_zone: String,
    pub page_size: u32,
    pub max_call_hours: i64,
}

impl Default for MtsSection {
    fn default() -> Self {
        Self {
            un_numbers: Vec::new(),
            auth: AuthKind::Basic,
            token: None,
            header: None,
            date_format: "iso".into(),
            time_zone: "Europe/Moscow".into(),
            page_size: MAX_PAGE,
            max_call_hours: 4,
        }
    }
}

impl MtsSection {
    fn read(section: Option<&toml::Table>) -> Result<Self, String> {
        let s: Self = parse_section(section)?;
        match s.auth {
            AuthKind::Bearer | AuthKind::Header if s.token.is_none() => {
                return Err("[accounts.mts] this auth needs token".into());
            }
            AuthKind::Header if s.header.as_deref().is_none_or(str::is_empty) => {
                return Err("[accounts.mts] auth = \"header\" needs header (its name)".into());
            }
            _ => {}
        }
        s.zone()?;
        if !(1..=MAX_PAGE).contains(&s.page_size) {
            return Err(format!("[accounts.mts] page_size must be 1 to {MAX_PAGE}"));
        }
        if !(1..=48).contains(&s.max_call_hours) {
            return Err("[accounts.mts] max_call_hours must be 1 to 48".into());
        }
        Ok(s)
    }

    fn zone(&self) -> Result<chrono_tz::Tz, String> {
        self.time_zone.parse().map_err(|_| {
            format!(
                "[accounts.mts] time_zone {:?} is not a zone name",
                self.time_zone
            )
        })
    }

    fn date_format(&self) -> MtsDateFormat {
        match self.date_format.as_str() {
            "iso" => MtsDateFormat::IsoLocal,
            "dmy" => MtsDateFormat::DayMonthYear,
            pattern => MtsDateFormat::Custom {
                pattern: pattern.to_string(),
                whole_days: !pattern.contains("%H") && !pattern.contains("%T"),
            },
        }
    }
}

fn build(env: &dyn AccountEnv) -> Result<Capabilities, SetupError> {
    let s = MtsSection::read(env.section()).map_err(SetupError::Invalid)?;
    let auth = match s.auth {
        AuthKind::Basic => MtsAuth::Basic {
            login: env.required_login()?.to_string(),
            password: env.password()?,
        },
        AuthKind::Bearer => MtsAuth::Bearer {
            token: env.secret(s.token.as_ref().expect("checked"))?,
        },
        AuthKind::Header => MtsAuth::Header {
            name: s.header.clone().expect("checked"),
            value: env.secret(s.token.as_ref().expect("checked"))?,
        },
        AuthKind::None => MtsAuth::None,
    };
    let mut settings = MtsSettings::new(env.host("api")?, auth);
    settings.date_format = s.date_format();
    settings.time_zone = s.zone().map_err(SetupError::Invalid)?;
    settings.page_size = s.page_size;
    settings.un_numbers = s.un_numbers.clone();
    settings.timeout = Duration::from_secs(30);
    let client = MtsClient::new(settings).map_err(|e| SetupError::Client(e.into()))?;
    Ok(Capabilities {
        call_log: Some(std::sync::Arc::new(MtsAccount::new(
            client,
            chrono::Duration::hours(s.max_call_hours),
        ))),
        recordings: None,
        health: None,
    })
}
