//! An SpRecord account's `[accounts.sprecord]` section and how its capabilities are built.
//!
//! ```toml
//! [accounts.hosts]
//! device = "http://192.168.0.50"          # required: the recorder's own address
//! [accounts.sprecord]
//! time_zone = "Europe/Moscow"             # the zone the device's clock shows
//! record_path = "/api/get_record?id={idr}"
//! channel_record_path = "/api/set_record?channel={channel}&state={on|off}"
//! status_interval_secs = 60
//! caller_id_msg = 3
//! channels = ["Line 1"]                   # accept posts from these channels only
//! ```
//!
//! `[accounts.credentials]`, when given, is sent as HTTP Basic to the device (the spec
//! names no authentication; a device behind a password-protected web UI needs it).

use std::sync::Arc;
use std::time::Duration;

use chrono_tz::Tz;
use serde::{Deserialize, Deserializer};

use super::{SpRecordClient, SpRecordSettings};
use crate::Capabilities;
use crate::setup::{AccountEnv, HostSpec, Provider, SetupError, parse_section};

/// SpRecord in the registry: its calls come by webhook, so it offers recordings only.
pub static PROVIDER: Provider = Provider {
    hosts: &[HostSpec {
        key: "device",
        default: None,
    }],
    check: |section| SpRecordSection::read(section).map(|_| ()),
    build: Some(build),
};

/// The status request, the one device path the spec gives (L54).
pub const STATUS_PATH: &str = "/api/get_status";

/// Where a recording is fetched by its `idr`. An assumption: the spec lists "Запрос
/// файла записи по идентификатору" (L21) and stops before describing it.
pub const DEFAULT_RECORD_PATH: &str = "/api/get_record?id={idr}";

/// How recording is switched on a channel. An assumption, like [`DEFAULT_RECORD_PATH`]:
/// the spec lists the on and off requests (L22–23) without their form.
pub const DEFAULT_CHANNEL_RECORD_PATH: &str = "/api/set_record?channel={channel}&state={on|off}";

/// The `msg` code of the caller-number request. The spec lists the request (L16, L26)
/// but gives no parameter section; 3 is the code after the two it documents.
pub const DEFAULT_CALLER_ID_MSG: u32 = 3;

/// `[accounts.sprecord]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SpRecordSection {
    /// The zone of the device's `datetime` fields: its own clock, which the spec gives
    /// no zone for (SPEC-NOTES §5). Moscow unless set.
    #[serde(deserialize_with = "zone")]
    pub time_zone: Tz,
    /// Path (and query) of a recording on the device; `{idr}` is replaced by the
    /// recording id, percent-encoded. See [`DEFAULT_RECORD_PATH`].
    pub record_path: String,
    /// Path (and query) that switches recording on a channel; `{channel}` is replaced
    /// by the channel name, `{on|off}` by `on` or `off`, `{1|0}` by `1` or `0`. See
    /// [`DEFAULT_CHANNEL_RECORD_PATH`].
    pub channel_record_path: String,
    /// How often the device's status is asked for.
    pub status_interval_secs: u64,
    /// Alert when the device has reported no call for this many hours (0: never).
    pub silence_alert_hours: u64,
    /// The `msg` code of the caller-number request ([`DEFAULT_CALLER_ID_MSG`]).
    pub caller_id_msg: u32,
    /// Channels (hardware or user names) whose posts are accepted; all when empty.
    pub channels: Vec<String>,
}

impl Default for SpRecordSection {
    fn default() -> Self {
        Self {
            time_zone: chrono_tz::Europe::Moscow,
            record_path: DEFAULT_RECORD_PATH.to_string(),
            channel_record_path: DEFAULT_CHANNEL_RECORD_PATH.to_string(),
            status_interval_secs: 60,
            silence_alert_hours: 24,
            caller_id_msg: DEFAULT_CALLER_ID_MSG,
            channels: Vec::new(),
        }
    }
}

fn zone<'de, D: Deserializer<'de>>(d: D) -> Result<Tz, D::Error> {
    let name = String::deserialize(d)?;
    name.trim().parse::<Tz>().map_err(|_| {
        serde::de::Error::custom(format!(
            "time_zone {name:?} is not an IANA zone name (such as \"Europe/Moscow\")"
        ))
    })
}

impl SpRecordSection {
    /// The section read and checked, its defaults when absent.
    pub fn read(section: Option<&toml::Table>) -> Result<Self, String> {
        let s: Self = parse_section(section)?;
        let path = |name: &str, value: &str, needs: &[&[&str]]| -> Result<(), String> {
            if !value.starts_with('/') {
                return Err(format!("[accounts.sprecord] {name} must start with /"));
            }
            for any in needs {
                if !any.iter().any(|p| value.contains(p)) {
                    return Err(format!(
                        "[accounts.sprecord] {name} must contain {}",
                        any.join(" or ")
                    ));
                }
            }
            Ok(())
        };
        path("record_path", &s.record_path, &[&["{idr}"]])?;
        path(
            "channel_record_path",
            &s.channel_record_path,
            &[&["{channel}"], &["{on|off}", "{1|0}"]],
        )?;
        if s.status_interval_secs == 0 {
            return Err("[accounts.sprecord] status_interval_secs must be at least 1".into());
        }
        if matches!(s.caller_id_msg, 1 | 2) {
            return Err(
                "[accounts.sprecord] caller_id_msg cannot be 1 or 2, the codes of call arrival and end"
                    .into(),
            );
        }
        Ok(s)
    }

    /// Whether a post from this channel is accepted.
    pub fn accepts(&self, hard_name: &str, user_name: &str) -> bool {
        // Compared without case, Cyrillic included: user names are typed in the web UI.
        let fold = |s: &str| s.trim().to_lowercase();
        let (hard, user) = (fold(hard_name), fold(user_name));
        self.channels.is_empty()
            || self
                .channels
                .iter()
                .map(|c| fold(c))
                .any(|c| !c.is_empty() && (c == hard || c == user))
    }
}

fn build(env: &dyn AccountEnv) -> Result<Capabilities, SetupError> {
    let section = SpRecordSection::read(env.section()).map_err(SetupError::Invalid)?;
    let basic = match env.login() {
        Some(login) => Some((login.to_string(), env.password()?)),
        None => None,
    };
    let settings = SpRecordSettings {
        device: env.host("device")?,
        section,
        basic,
        download_hosts: env.recording_hosts().to_vec(),
        timeout: Duration::from_secs(15),
    };
    let client = Arc::new(SpRecordClient::new(settings)?);
    Ok(Capabilities {
        // The history comes from the device's `msg=2` posts, through the listener.
        call_log: None,
        recordings: Some(client.clone()),
        health: Some(client),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(toml: &str) -> Result<SpRecordSection, String> {
        let t: toml::Table = toml::from_str(toml).unwrap();
        SpRecordSection::read(Some(&t))
    }

    #[test]
    fn defaults_and_overrides() {
        let d = SpRecordSection::read(None).unwrap();
        assert_eq!(d, SpRecordSection::default());
        assert_eq!(d.time_zone, chrono_tz::Europe::Moscow);
        let s = read(
            r#"time_zone = "Asia/Yekaterinburg"
               record_path = "/rec/{idr}.wav"
               channels = ["Line 1"]"#,
        )
        .unwrap();
        assert_eq!(s.time_zone, chrono_tz::Asia::Yekaterinburg);
        assert_eq!(s.record_path, "/rec/{idr}.wav");
        assert!(s.accepts("ch1", "line 1"));
        assert!(!s.accepts("ch2", "Line 2"));
        let ru = read(r#"channels = ["Приёмная"]"#).unwrap();
        assert!(ru.accepts("", "ПРИЁМНАЯ"));
    }

    /// An account as the core would present it.
    struct Env {
        section: Option<toml::Table>,
        login: Option<String>,
    }

    impl AccountEnv for Env {
        fn id(&self) -> &str {
            "rec"
        }
        fn login(&self) -> Option<&str> {
            self.login.as_deref()
        }
        fn password(&self) -> Result<secrecy::SecretString, SetupError> {
            Ok("pw".to_string().into())
        }
        fn secret(&self, _: &crate::setup::SecretRef) -> Result<secrecy::SecretString, SetupError> {
            unreachable!("SpRecord names no other secret")
        }
        fn host(&self, key: &str) -> Result<url::Url, SetupError> {
            assert_eq!(key, "device");
            Ok(url::Url::parse("http://192.168.0.50").unwrap())
        }
        fn recording_hosts(&self) -> &[String] {
            &[]
        }
        fn section(&self) -> Option<&toml::Table> {
            self.section.as_ref()
        }
    }

    #[test]
    fn the_registry_builds_recordings_and_no_call_log() {
        let p = crate::setup::provider(callboard_model::ProviderKind::Sprecord);
        assert_eq!(p.hosts.len(), 1);
        assert_eq!((p.hosts[0].key, p.hosts[0].default), ("device", None));
        assert!((p.check)(None).is_ok());
        let build = p.build.expect("SpRecord builds");
        for login in [None, Some("admin".to_string())] {
            let caps = build(&Env {
                section: None,
                login,
            })
            .unwrap_or_else(|e| panic!("{e}"));
            assert!(caps.call_log.is_none(), "calls come by webhook");
            assert!(caps.recordings.is_some());
        }
        let bad: toml::Table = toml::from_str("status_interval_secs = 0").unwrap();
        assert!(matches!(
            build(&Env {
                section: Some(bad),
                login: None
            }),
            Err(SetupError::Invalid(_))
        ));
    }

    #[test]
    fn mistakes_are_named() {
        for (toml, says) in [
            ("time_zone = \"Mars/Olympus\"", "time_zone"),
            ("record_path = \"/x\"", "{idr}"),
            ("record_path = \"x{idr}\"", "start with /"),
            ("channel_record_path = \"/set?c={channel}\"", "{on|off}"),
            ("status_interval_secs = 0", "status_interval_secs"),
            ("caller_id_msg = 2", "caller_id_msg"),
            ("device = \"http://x\"", "unknown field"),
        ] {
            let e = read(toml).unwrap_err();
            assert!(e.contains(says), "{toml}: {e}");
        }
    }
}
