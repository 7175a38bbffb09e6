//! The TOML config: provider accounts, their hosts and where their secrets live.
//!
//! ```toml
//! data_dir = "/var/lib/callboard"          # optional; --data-dir wins
//!
//! [[accounts]]
//! id = "mtt-main"                          # stable key in the store
//! provider = "mtt"                         # mtt | beeline | mts | mor | sprecord
//! name = "MTT main line"
//! numbers = ["74996480000"]
//! poll_interval_secs = 60
//! backfill_days = 30
//!
//! [accounts.credentials]
//! login = "110011256"
//! password = { env = "CALLBOARD_MTT_MAIN_PASSWORD" }   # or { keyring = "mtt-main" }
//!
//! [accounts.mtt]
//! customer_name = "110011256"
//! sip_ids = ["74996480000"]
//!
//! [accounts.hosts]                         # any host the spec names, overridden
//! webapicommon = "https://webapicommon.mtt.ru/index.php"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use callboard_model::ProviderKind;
use secrecy::SecretString;
use serde::Deserialize;
use url::Url;

/// Why a config could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config {path}: {source}")]
    Parse {
        path: String,
        /// 1-based line and column of the error, when the parser names a place.
        at: Option<(u32, u32)>,
        source: Box<toml::de::Error>,
    },
    #[error("account {account:?}: {problem}")]
    Invalid { account: String, problem: String },
    #[error("account {account:?}: secret not available: {problem}")]
    Secret {
        account: String,
        problem: String,
        /// Where the secret was looked for: the variable to set, or the keyring entry.
        env: Option<String>,
        keyring: Option<String>,
    },
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub data_dir: Option<PathBuf>,
    #[serde(default)]
    pub accounts: Vec<AccountConfig>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountConfig {
    pub id: String,
    pub provider: ProviderKind,
    pub name: String,
    #[serde(default)]
    pub numbers: Vec<String>,
    #[serde(default = "default_poll")]
    pub poll_interval_secs: u64,
    #[serde(default = "default_backfill")]
    pub backfill_days: u32,
    pub credentials: Option<Credentials>,
    /// Overrides of the hosts the provider's spec names (see [`known_hosts`]).
    #[serde(default)]
    pub hosts: BTreeMap<String, String>,
    /// Extra hosts recordings may be downloaded from, besides the provider's own.
    #[serde(default)]
    pub recording_hosts: Vec<String>,
    pub mtt: Option<MttAccount>,
    pub beeline: Option<BeelineAccount>,
    pub mts: Option<MtsAccount>,
    pub mor: Option<MorAccount>,
    pub sprecord: Option<SprecordAccount>,
}

fn default_poll() -> u64 {
    60
}
fn default_backfill() -> u32 {
    30
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credentials {
    pub login: String,
    pub password: SecretSource,
}

/// Where a secret comes from. Never the config file itself, never SQLite.
#[derive(Debug, Clone)]
pub enum SecretSource {
    /// An environment variable.
    Env(String),
    /// An entry in the OS keyring (service `callboard`).
    Keyring(String),
    /// Held in memory only (the demo's simulator); a config file cannot say this.
    Memory(SecretString),
}

/// Reads `{ env = "VAR" }` or `{ keyring = "entry" }`. Anything else is refused with
/// a message that never repeats what was written, since that may be the password.
impl<'de> Deserialize<'de> for SecretSource {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
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

impl SecretSource {
    pub fn resolve(&self, account: &str) -> Result<SecretString, ConfigError> {
        let err = |problem: String| ConfigError::Secret {
            account: account.to_string(),
            problem,
            env: match self {
                Self::Env(var) => Some(var.clone()),
                _ => None,
            },
            keyring: match self {
                Self::Keyring(entry) => Some(entry.clone()),
                _ => None,
            },
        };
        match self {
            Self::Env(var) => std::env::var(var)
                .map(SecretString::from)
                .map_err(|_| err(format!("environment variable {var} is not set"))),
            Self::Keyring(entry) => keyring::Entry::new("callboard", entry)
                .and_then(|e| e.get_password())
                .map(SecretString::from)
                .map_err(|e| err(format!("keyring entry {entry:?}: {e}"))),
            Self::Memory(s) => Ok(s.clone()),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MttAccount {
    pub customer_name: Option<String>,
    #[serde(default)]
    pub sip_ids: Vec<String>,
    #[serde(default = "default_mtt_rate")]
    pub requests_per_sec: u32,
}

fn default_mtt_rate() -> u32 {
    8
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BeelineAccount {
    /// Numbers of the cloud call center (`ABONENT_NUMBER`).
    #[serde(default)]
    pub abonent_numbers: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MtsAccount {
    /// UN numbers of the autosecretary.
    #[serde(default)]
    pub un_numbers: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MorAccount {
    /// Limit recordings to these sources (`s_source`), all when empty.
    #[serde(default)]
    pub sources: Vec<String>,
    /// The API's path on the server (`/billing/api/` by default, as the spec's example).
    pub path_prefix: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SprecordAccount {
    /// Recorder channels to show, all when empty.
    #[serde(default)]
    pub channels: Vec<String>,
}

/// The hosts each provider's spec names, with their defaults (`None`: site-specific, must be set).
pub fn known_hosts(provider: ProviderKind) -> &'static [(&'static str, Option<&'static str>)] {
    match provider {
        ProviderKind::Mtt => &[
            (
                "webapicommon",
                Some("https://webapicommon.mtt.ru/index.php"),
            ),
            ("rc", Some("https://rc.mtt.ru")),
            ("gapi", Some("https://gapi.mtt.ru:6443/v1/api")),
            ("sb-api", Some("https://sb-api.mtt.ru")),
            ("msapi", Some("https://msapi.mtt.ru:443/")),
        ],
        ProviderKind::Beeline => &[("api", Some("https://cloudcc.beeline.ru/api"))],
        ProviderKind::Mts => &[("api", Some("https://aa.mts.ru/api/v1"))],
        ProviderKind::Mor => &[("server", None)],
        ProviderKind::Sprecord => &[("device", None)],
    }
}

impl Config {
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Parses and validates config text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Self, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: origin.to_string(),
            at: e.span().map(|span| line_and_column(text, span.start)),
            source: Box::new(e),
        })?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let mut seen = std::collections::HashSet::new();
        for a in &self.accounts {
            let invalid = |problem: String| ConfigError::Invalid {
                account: a.id.clone(),
                problem,
            };
            if a.id.trim().is_empty() {
                return Err(invalid("id must not be empty".into()));
            }
            if !seen.insert(a.id.as_str()) {
                return Err(invalid("two accounts share this id".into()));
            }
            if a.poll_interval_secs == 0 {
                return Err(invalid("poll_interval_secs must be at least 1".into()));
            }
            let known = known_hosts(a.provider);
            for (key, value) in &a.hosts {
                if !known.iter().any(|(k, _)| k == key) {
                    let names: Vec<_> = known.iter().map(|(k, _)| *k).collect();
                    return Err(invalid(format!(
                        "unknown host {key:?} for {:?}; known: {names:?}",
                        a.provider
                    )));
                }
                Url::parse(value).map_err(|e| invalid(format!("host {key} = {value:?}: {e}")))?;
            }
            let sections = [
                (ProviderKind::Mtt, a.mtt.is_some()),
                (ProviderKind::Beeline, a.beeline.is_some()),
                (ProviderKind::Mts, a.mts.is_some()),
                (ProviderKind::Mor, a.mor.is_some()),
                (ProviderKind::Sprecord, a.sprecord.is_some()),
            ];
            if let Some((other, _)) = sections
                .iter()
                .find(|(p, present)| *present && *p != a.provider)
            {
                return Err(invalid(format!(
                    "has a [{}] section but provider is {:?}",
                    other.as_str(),
                    a.provider
                )));
            }
            if a.provider == ProviderKind::Mtt {
                let mtt = a.mtt.clone().unwrap_or_default();
                if mtt.customer_name.is_none() && mtt.sip_ids.is_empty() {
                    return Err(invalid(
                        "[accounts.mtt] needs customer_name or sip_ids".into(),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// The 1-based line and column (in characters) of byte `offset` in `text`.
fn line_and_column(text: &str, offset: usize) -> (u32, u32) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line as u32, column as u32)
}

impl AccountConfig {
    /// The account's URL for a named host: the override, else the spec's default.
    pub fn host(&self, key: &str) -> Result<Url, ConfigError> {
        let invalid = |problem: String| ConfigError::Invalid {
            account: self.id.clone(),
            problem,
        };
        let default = known_hosts(self.provider)
            .iter()
            .find(|(k, _)| *k == key)
            .and_then(|(_, d)| *d);
        let raw = self
            .hosts
            .get(key)
            .map(String::as_str)
            .or(default)
            .ok_or_else(|| invalid(format!("hosts.{key} must be set")))?;
        Url::parse(raw).map_err(|e| invalid(format!("hosts.{key}: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"
[[accounts]]
id = "mtt-main"
provider = "mtt"
name = "MTT main"
numbers = ["74996480000"]
[accounts.credentials]
login = "110011256"
password = { env = "CALLBOARD_TEST_NEVER_SET" }
[accounts.mtt]
customer_name = "110011256"
[accounts.hosts]
rc = "http://127.0.0.1:9/"

[[accounts]]
id = "beeline"
provider = "beeline"
name = "Beeline"
[accounts.beeline]
abonent_numbers = ["9031234567"]

[[accounts]]
id = "mts"
provider = "mts"
name = "MTS"

[[accounts]]
id = "mor"
provider = "mor"
name = "MOR"
[accounts.hosts]
server = "http://10.0.0.5"

[[accounts]]
id = "rec"
provider = "sprecord"
name = "Recorder"
[accounts.hosts]
device = "http://192.168.1.20"
"#;

    #[test]
    fn all_five_providers_are_accepted_and_hosts_default() {
        let c = Config::parse(EXAMPLE, "example").unwrap();
        assert_eq!(c.accounts.len(), 5);
        let mtt = &c.accounts[0];
        assert_eq!(mtt.poll_interval_secs, 60);
        assert_eq!(mtt.host("rc").unwrap().as_str(), "http://127.0.0.1:9/");
        assert_eq!(
            mtt.host("webapicommon").unwrap().as_str(),
            "https://webapicommon.mtt.ru/index.php"
        );
        assert!(c.accounts[4].host("device").is_ok());
    }

    #[test]
    fn mistakes_are_named() {
        let bad_host = EXAMPLE.replace("rc = ", "rcc = ");
        let e = Config::parse(&bad_host, "x").unwrap_err().to_string();
        assert!(e.contains("unknown host \"rcc\""), "{e}");
        let dup = EXAMPLE.replace("id = \"mts\"", "id = \"mor\"");
        assert!(
            Config::parse(&dup, "x")
                .unwrap_err()
                .to_string()
                .contains("share this id")
        );
        let typo = EXAMPLE.replace("numbers = [", "numberz = [");
        assert!(
            Config::parse(&typo, "x")
                .unwrap_err()
                .to_string()
                .contains("numberz")
        );
        let inline_secret =
            EXAMPLE.replace("{ env = \"CALLBOARD_TEST_NEVER_SET\" }", "\"hunter2\"");
        assert!(
            Config::parse(&inline_secret, "x").is_err(),
            "a plain password in the file is refused"
        );
    }

    #[test]
    fn a_missing_env_secret_is_a_clear_error() {
        let c = Config::parse(EXAMPLE, "example").unwrap();
        let e = c.accounts[0]
            .credentials
            .as_ref()
            .unwrap()
            .password
            .resolve("mtt-main")
            .unwrap_err();
        assert!(e.to_string().contains("CALLBOARD_TEST_NEVER_SET"), "{e}");
        assert!(
            matches!(&e, ConfigError::Secret { env: Some(v), keyring: None, .. } if v == "CALLBOARD_TEST_NEVER_SET"),
            "{e:?}"
        );
    }

    #[test]
    fn a_syntax_error_names_its_line_and_column() {
        let broken = EXAMPLE.replacen("name = \"MTT main\"", "name = \"MTT main", 1);
        let line = broken
            .lines()
            .position(|l| l.starts_with("name = \"MTT main"))
            .unwrap() as u32
            + 1;
        let e = Config::parse(&broken, "callboard.toml").unwrap_err();
        let ConfigError::Parse { path, at, .. } = &e else {
            panic!("{e:?}")
        };
        assert_eq!(path, "callboard.toml");
        let (l, c) = at.expect("a place");
        assert_eq!(l, line, "{e}");
        assert!(c > 1, "{e}");
        assert_eq!(line_and_column("ab\ncd\nй=x", 8), (3, 2));
    }
}
