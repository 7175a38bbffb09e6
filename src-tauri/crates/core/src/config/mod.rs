//! The TOML config: provider accounts, their hosts and where their secrets live.
//!
//! ```toml
//! data_dir = "/var/lib/callboard"          # optional; --data-dir wins
//! recordings_cache_mb = 1024               # optional; the recordings cache's cap
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

mod listener;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use callboard_model::ProviderKind;
use callboard_providers::provider;
use secrecy::SecretString;
use serde::Deserialize;
use url::Url;

pub use listener::{AccountListener, ListenerConfig, allowed};

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
    /// The recordings cache's size cap in MiB (default 1024); the least recently played
    /// recordings are evicted beyond it.
    pub recordings_cache_mb: Option<u64>,
    /// The webhook listener; absent, none runs (the demo runs one on loopback).
    pub listener: Option<ListenerConfig>,
    #[serde(default)]
    pub accounts: Vec<AccountConfig>,
}

#[derive(Debug, Clone)]
pub struct AccountConfig {
    pub id: String,
    pub provider: ProviderKind,
    pub name: String,
    pub numbers: Vec<String>,
    pub poll_interval_secs: u64,
    pub backfill_days: u32,
    pub credentials: Option<Credentials>,
    /// Overrides of the hosts the provider's spec names (see `callboard_providers::Provider::hosts`).
    pub hosts: BTreeMap<String, String>,
    /// Extra hosts recordings may be downloaded from, besides the provider's own.
    pub recording_hosts: Vec<String>,
    /// The `[accounts.<provider>]` section, which only the provider's module reads.
    pub section: Option<toml::Table>,
    /// How the account's webhook requests are authenticated.
    pub listener: AccountListener,
}

/// The fields every account has; the provider's own section is taken out first.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CommonFields {
    id: String,
    provider: ProviderKind,
    name: String,
    #[serde(default)]
    numbers: Vec<String>,
    #[serde(default = "default_poll")]
    poll_interval_secs: u64,
    #[serde(default = "default_backfill")]
    backfill_days: u32,
    credentials: Option<Credentials>,
    #[serde(default)]
    hosts: BTreeMap<String, String>,
    #[serde(default)]
    recording_hosts: Vec<String>,
    #[serde(default)]
    listener: AccountListener,
}

impl<'de> Deserialize<'de> for AccountConfig {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let mut table = toml::Table::deserialize(d)?;
        let provider = table
            .get("provider")
            .cloned()
            .map(ProviderKind::deserialize)
            .transpose()
            .map_err(|e| D::Error::custom(e.message()))?;
        let section = match provider.and_then(|p| table.remove(p.as_str())) {
            None => None,
            Some(toml::Value::Table(t)) => Some(t),
            Some(_) => {
                return Err(D::Error::custom(format!(
                    "[accounts.{}] must be a table",
                    provider.map(|p| p.as_str()).unwrap_or_default()
                )));
            }
        };
        let c = CommonFields::deserialize(toml::Value::Table(table))
            .map_err(|e| D::Error::custom(e.message()))?;
        Ok(Self {
            id: c.id,
            provider: c.provider,
            name: c.name,
            numbers: c.numbers,
            poll_interval_secs: c.poll_interval_secs,
            backfill_days: c.backfill_days,
            credentials: c.credentials,
            hosts: c.hosts,
            recording_hosts: c.recording_hosts,
            section,
            listener: c.listener,
        })
    }
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

/// Where a secret comes from (env, keyring, or memory for the demo): the providers'
/// own type, since their sections name secrets too.
pub use callboard_providers::SecretRef as SecretSource;

/// Resolving a [`SecretSource`], which only the core may do: it knows the keyring.
pub trait ResolveSecret {
    fn resolve(&self, account: &str) -> Result<SecretString, ConfigError>;
}

impl ResolveSecret for SecretSource {
    fn resolve(&self, account: &str) -> Result<SecretString, ConfigError> {
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

/// Where a run keeps its database, recordings and logs: a demo in its own `demo` folder
/// of the data dir, so it never mixes with real accounts' calls.
pub fn run_data_dir(data_dir: &Path, demo: bool) -> PathBuf {
    if demo {
        data_dir.join("demo")
    } else {
        data_dir.to_owned()
    }
}

impl Config {
    /// A run with this config is a demo (against the simulators) when it has no account.
    pub fn is_demo(&self) -> bool {
        self.accounts.is_empty()
    }

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

    /// The recordings cache's cap in bytes.
    pub fn recordings_cache_bytes(&self) -> u64 {
        self.recordings_cache_mb
            .map_or(crate::DEFAULT_RECORDINGS_CACHE_BYTES, |mb| {
                mb.saturating_mul(1024 * 1024)
            })
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.recordings_cache_mb == Some(0) {
            return Err(ConfigError::Invalid {
                account: "(top level)".into(),
                problem: "recordings_cache_mb must be at least 1".into(),
            });
        }
        if let Some(l) = &self.listener {
            l.validate().map_err(|problem| ConfigError::Invalid {
                account: "[listener]".into(),
                problem,
            })?;
        }
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
            let entry = provider(a.provider);
            for (key, value) in &a.hosts {
                if !entry.hosts.iter().any(|h| h.key == key) {
                    let names: Vec<_> = entry.hosts.iter().map(|h| h.key).collect();
                    return Err(invalid(format!(
                        "unknown host {key:?} for {:?}; known: {names:?}",
                        a.provider
                    )));
                }
                Url::parse(value).map_err(|e| invalid(format!("host {key} = {value:?}: {e}")))?;
            }
            (entry.check)(a.section.as_ref()).map_err(invalid)?;
            a.listener.validate().map_err(invalid)?;
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
        let default = provider(self.provider)
            .hosts
            .iter()
            .find(|h| h.key == key)
            .and_then(|h| h.default);
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

    #[test]
    fn the_recordings_cache_cap_is_read_in_mib() {
        let c = Config::parse(&format!("recordings_cache_mb = 5\n{EXAMPLE}"), "x").unwrap();
        assert_eq!(c.recordings_cache_bytes(), 5 * 1024 * 1024);
        let c = Config::parse(EXAMPLE, "x").unwrap();
        assert_eq!(
            c.recordings_cache_bytes(),
            crate::DEFAULT_RECORDINGS_CACHE_BYTES
        );
        assert!(Config::parse(&format!("recordings_cache_mb = 0\n{EXAMPLE}"), "x").is_err());
    }

    #[test]
    fn the_readme_example_is_a_valid_config() {
        let readme = include_str!("../../../../../README.md");
        let start = readme.find("```toml\n").expect("a TOML example") + "```toml\n".len();
        let len = readme[start..].find("```").expect("its end");
        let c = Config::parse(&readme[start..start + len], "README.md").unwrap();
        let providers: Vec<_> = c.accounts.iter().map(|a| a.provider).collect();
        assert_eq!(
            providers,
            [
                ProviderKind::Mtt,
                ProviderKind::Mor,
                ProviderKind::Beeline,
                ProviderKind::Mts,
                ProviderKind::Sprecord
            ]
        );
        let listener = c.listener.expect("the example's listener");
        assert!(listener.tls());
        assert!(c.accounts[0].listener.basic_login.is_some());
    }

    #[test]
    fn a_provider_section_is_checked_by_its_provider() {
        let bad = EXAMPLE.replace(
            "abonent_numbers = [\"9031234567\"]",
            "abonent_numbers = [\"9031234567\"]\nauth = \"certificate\"",
        );
        let e = Config::parse(&bad, "x").unwrap_err().to_string();
        assert!(e.contains("\"beeline\"") && e.contains("cert_file"), "{e}");
        let typo = EXAMPLE.replace("abonent_numbers", "abonent_number");
        let e = Config::parse(&typo, "x").unwrap_err().to_string();
        assert!(e.contains("abonent_number"), "{e}");
        let foreign = EXAMPLE.replace("[accounts.beeline]", "[accounts.mts]");
        let e = Config::parse(&foreign, "x").unwrap_err().to_string();
        assert!(e.contains("mts"), "{e}");
    }
}
