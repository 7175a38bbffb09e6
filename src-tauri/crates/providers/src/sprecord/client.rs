//! The device client: requests the server sends to the recorder (spec "Входящие
//! запросы", L18–23, L52–54) over plain HTTP on the LAN. Only `get_status` has a
//! documented path; the recording and channel paths come from the account's section.

use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use callboard_model::ProviderKind;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use super::{STATUS_PATH, SpRecordSection};
use crate::download::{download_client_builder, download_to, truncate};
use crate::{HostAllowList, ProviderError, RecordingFile, Recordings};

const PROVIDER: ProviderKind = ProviderKind::Sprecord;

/// Everything the client needs, resolved from the account's config.
#[derive(Debug, Clone)]
pub struct SpRecordSettings {
    /// The device's base URL (`http://192.168.0.50`); a path prefix is kept.
    pub device: Url,
    pub section: SpRecordSection,
    /// HTTP Basic login and password, when the account has credentials.
    pub basic: Option<(String, SecretString)>,
    /// Hosts besides the device's own that recordings may come from (the account's
    /// `recording_hosts`; a redirect elsewhere is refused).
    pub download_hosts: Vec<String>,
    /// Limit for one status or switch request (not for a recording's download).
    pub timeout: Duration,
}

/// The device's answer to a request whose answer format the spec does not give.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceStatus {
    /// The HTTP status.
    pub status: u16,
    /// The body as text (lossy UTF-8), at most 64 KiB.
    pub body: String,
    /// The body as JSON, when it is JSON.
    pub json: Option<serde_json::Value>,
}

impl DeviceStatus {
    /// Whether the device answered: any 2xx, whatever the body says.
    pub fn answers(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// An SpRecord device.
pub struct SpRecordClient {
    http: reqwest::Client,
    downloads: reqwest::Client,
    allowed: HostAllowList,
    settings: SpRecordSettings,
}

impl SpRecordClient {
    pub fn new(settings: SpRecordSettings) -> Result<Self, ProviderError> {
        let transport = |source| ProviderError::Transport {
            provider: PROVIDER,
            source,
        };
        if settings.device.cannot_be_a_base() || settings.device.host_str().is_none() {
            return Err(ProviderError::Decode {
                provider: PROVIDER,
                detail: format!("{} cannot be a device address", settings.device),
            });
        }
        // Our credentials go to the device only: the allow-list holds its host (and any
        // the account added), and reqwest drops `Authorization` on a redirect elsewhere.
        let allowed = HostAllowList::new(
            settings
                .device
                .host_str()
                .map(str::to_string)
                .into_iter()
                .chain(settings.download_hosts.iter().cloned()),
        );
        let headers = auth_headers(settings.basic.as_ref());
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("callboard/", env!("CARGO_PKG_VERSION")))
            .default_headers(headers.clone())
            .build()
            .map_err(transport)?;
        let downloads = download_client_builder(&allowed)
            .default_headers(headers)
            .build()
            .map_err(transport)?;
        Ok(Self {
            http,
            downloads,
            allowed,
            settings,
        })
    }

    /// The settings the client was made with.
    pub fn settings(&self) -> &SpRecordSettings {
        &self.settings
    }

    /// How often the device's status is to be asked for.
    pub fn status_interval(&self) -> Duration {
        Duration::from_secs(self.settings.section.status_interval_secs)
    }

    /// `path` (with its query) on the device.
    fn url(&self, path: &str) -> Result<Url, ProviderError> {
        let base = self.settings.device.as_str().trim_end_matches('/');
        Url::parse(&format!("{base}{path}")).map_err(|e| ProviderError::Decode {
            provider: PROVIDER,
            detail: format!("device path {path:?}: {e}"),
        })
    }

    /// `GET /api/get_status` (L54). Any HTTP answer is returned as it is (its format is
    /// not specified); only a device that cannot be reached is an error.
    pub async fn get_status(&self) -> Result<DeviceStatus, ProviderError> {
        self.get(self.url(STATUS_PATH)?).await
    }

    /// The URL of recording `idr` on the device, from the section's `record_path`.
    pub fn record_url(&self, idr: &str) -> Result<Url, ProviderError> {
        let idr = idr.trim();
        if idr.is_empty() {
            return Err(ProviderError::Decode {
                provider: PROVIDER,
                detail: "empty recording id".into(),
            });
        }
        self.url(
            &self
                .settings
                .section
                .record_path
                .replace("{idr}", &encode(idr)),
        )
    }

    /// Downloads recording `idr` to `dest` (written whole or not at all).
    pub async fn record_file(
        &self,
        idr: &str,
        dest: &Path,
    ) -> Result<RecordingFile, ProviderError> {
        let url = self.record_url(idr)?;
        self.download(&url, dest).await
    }

    /// The URL that switches recording on `channel`, from `channel_record_path`.
    pub fn channel_record_url(&self, channel: &str, on: bool) -> Result<Url, ProviderError> {
        let path = self
            .settings
            .section
            .channel_record_path
            .replace("{channel}", &encode(channel.trim()))
            .replace("{on|off}", if on { "on" } else { "off" })
            .replace("{1|0}", if on { "1" } else { "0" });
        self.url(&path)
    }

    /// Switches recording on `channel` (a GET, like the one documented request). A
    /// non-2xx answer is an error; a 2xx answer is returned as it is.
    pub async fn set_channel_recording(
        &self,
        channel: &str,
        on: bool,
    ) -> Result<DeviceStatus, ProviderError> {
        let answer = self.get(self.channel_record_url(channel, on)?).await?;
        if !answer.answers() {
            return Err(ProviderError::Http {
                provider: PROVIDER,
                status: answer.status,
                body: truncate(&answer.body, 300),
            });
        }
        Ok(answer)
    }

    async fn get(&self, url: Url) -> Result<DeviceStatus, ProviderError> {
        tracing::debug!(%url, "SpRecord request");
        let transport = |source| ProviderError::Transport {
            provider: PROVIDER,
            source,
        };
        let resp = self.http.get(url).send().await.map_err(transport)?;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await.map_err(transport)?;
        let bytes = &bytes[..bytes.len().min(64 * 1024)];
        let json = serde_json::from_slice(bytes).ok();
        Ok(DeviceStatus {
            status,
            body: String::from_utf8_lossy(bytes).into_owned(),
            json,
        })
    }

    /// Downloads `url` (one of [`Recordings::recording_urls`]) to `dest`, only from the
    /// device's host or the account's `recording_hosts`.
    pub async fn download(&self, url: &Url, dest: &Path) -> Result<RecordingFile, ProviderError> {
        download_to(&self.downloads, PROVIDER, &self.allowed, url, dest).await
    }
}

/// A recording's ref is its `idr` (as `msg=2` sent it); its one part is on the device.
#[async_trait]
impl Recordings for SpRecordClient {
    async fn recording_urls(&self, recording_ref: &str) -> Result<Vec<Url>, ProviderError> {
        Ok(vec![self.record_url(recording_ref)?])
    }

    async fn download(&self, url: &Url, dest: &Path) -> Result<RecordingFile, ProviderError> {
        SpRecordClient::download(self, url, dest).await
    }
}

fn auth_headers(basic: Option<&(String, SecretString)>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    if let Some((login, password)) = basic {
        use base64::Engine as _;
        let token = base64::engine::general_purpose::STANDARD
            .encode(format!("{login}:{}", password.expose_secret()));
        if let Ok(mut v) = HeaderValue::from_str(&format!("Basic {token}")) {
            v.set_sensitive(true);
            headers.insert(AUTHORIZATION, v);
        }
    }
    headers
}

/// Percent-encodes everything but RFC 3986's unreserved characters, so a value is safe
/// in a path segment and in a query alike.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
