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
use crate::{Health, HostAllowList, ProviderError, RecordingFile, Recordings};

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

/// The device answers when `get_status` does with a 2xx; anything else is its error.
#[async_trait]
impl Health for SpRecordClient {
    async fn check(&self) -> Result<String, ProviderError> {
        let status = self.get_status().await?;
        if status.answers() {
            Ok(truncate(status.body.trim(), 200))
        } else {
            Err(ProviderError::Http {
                provider: PROVIDER,
                status: status.status,
                body: truncate(status.body.trim(), 200),
            })
        }
    }

    fn interval(&self) -> Duration {
        self.status_interval()
    }

    fn silence_alert(&self) -> Option<Duration> {
        let hours = self.settings.section.silence_alert_hours;
        (hours > 0).then(|| Duration::from_secs(hours * 3600))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use axum::extract::State;
    use axum::http::{HeaderMap as Headers, StatusCode, Uri, header};
    use axum::response::{IntoResponse, Response};

    use super::*;

    /// What the stand-in device was asked: path with query, and the Authorization header.
    type Log = Arc<Mutex<Vec<(String, Option<String>)>>>;

    /// A WAV file: a 44-byte header and 8 samples of 16-bit silence at 8 kHz.
    fn wav() -> Vec<u8> {
        let data = 16u32;
        let mut v = Vec::new();
        v.extend_from_slice(b"RIFF");
        v.extend_from_slice(&(36 + data).to_le_bytes());
        v.extend_from_slice(b"WAVEfmt ");
        v.extend_from_slice(&16u32.to_le_bytes());
        v.extend_from_slice(&1u16.to_le_bytes());
        v.extend_from_slice(&1u16.to_le_bytes());
        v.extend_from_slice(&8000u32.to_le_bytes());
        v.extend_from_slice(&16000u32.to_le_bytes());
        v.extend_from_slice(&2u16.to_le_bytes());
        v.extend_from_slice(&16u16.to_le_bytes());
        v.extend_from_slice(b"data");
        v.extend_from_slice(&data.to_le_bytes());
        v.extend_from_slice(&[0; 16]);
        v
    }

    async fn device(State(log): State<Log>, uri: Uri, headers: Headers) -> Response {
        let path_and_query = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
        let auth = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        log.lock().unwrap().push((path_and_query.to_string(), auth));
        match (uri.path(), uri.query().unwrap_or("")) {
            ("/api/get_status" | "/dev/api/get_status", _) => (
                [(header::CONTENT_TYPE, "application/json")],
                r#"{"status":"ok","channels":4}"#,
            )
                .into_response(),
            ("/broken/api/get_status", _) => {
                (StatusCode::SERVICE_UNAVAILABLE, "busy").into_response()
            }
            ("/api/get_record", "id=000123") | ("/records/000123.wav", _) => {
                ([(header::CONTENT_TYPE, "audio/x-wav")], wav()).into_response()
            }
            ("/api/get_record", "id=away") => (
                StatusCode::FOUND,
                [(header::LOCATION, "http://elsewhere.invalid/x.wav")],
            )
                .into_response(),
            ("/api/get_record", _) => (StatusCode::NOT_FOUND, "no such record").into_response(),
            ("/api/set_record", q) if q.starts_with("channel=") => "OK".into_response(),
            ("/api/rec", _) => "1".into_response(),
            _ => StatusCode::NOT_FOUND.into_response(),
        }
    }

    /// A stand-in device on 127.0.0.1, and the log of what it was asked.
    async fn serve() -> (Url, Log) {
        let log = Log::default();
        let app = axum::Router::new().fallback(device).with_state(log.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (Url::parse(&format!("http://{addr}")).unwrap(), log)
    }

    fn client(device: Url, section: SpRecordSection) -> SpRecordClient {
        SpRecordClient::new(SpRecordSettings {
            device,
            section,
            basic: None,
            download_hosts: Vec::new(),
            timeout: Duration::from_secs(5),
        })
        .unwrap()
    }

    fn asked(log: &Log) -> Vec<String> {
        log.lock().unwrap().iter().map(|(p, _)| p.clone()).collect()
    }

    #[tokio::test]
    async fn get_status_returns_any_answer_as_it_is() {
        let (url, log) = serve().await;
        let c = client(url.clone(), SpRecordSection::default());
        let s = c.get_status().await.unwrap();
        assert!(s.answers());
        assert_eq!(s.status, 200);
        assert_eq!(s.json.unwrap()["channels"], 4);

        let broken = client(url.join("/broken/").unwrap(), SpRecordSection::default());
        let s = broken.get_status().await.unwrap();
        assert!(!s.answers());
        assert_eq!((s.status, s.body.as_str(), s.json), (503, "busy", None));

        // A device behind a path prefix keeps it.
        let prefixed = client(url.join("/dev").unwrap(), SpRecordSection::default());
        assert!(prefixed.get_status().await.unwrap().answers());
        assert_eq!(
            asked(&log),
            [
                "/api/get_status",
                "/broken/api/get_status",
                "/dev/api/get_status"
            ]
        );
    }

    #[tokio::test]
    async fn recordings_come_from_the_record_path() {
        let (url, log) = serve().await;
        let c = client(url.clone(), SpRecordSection::default());
        let dir = tempfile::tempdir().unwrap();

        // Through the capability, as the core asks.
        let rec: &dyn Recordings = &c;
        let urls = rec.recording_urls("000123").await.unwrap();
        assert_eq!(urls, [url.join("/api/get_record?id=000123").unwrap()]);
        let dest = dir.path().join("a.wav");
        let file = rec.download(&urls[0], &dest).await.unwrap();
        assert_eq!(file.bytes, 60);
        assert_eq!(file.mime, "audio/x-wav");
        assert_eq!(std::fs::read(&dest).unwrap(), wav());

        // A record the device does not have.
        let err = c
            .record_file("nope", &dir.path().join("b.wav"))
            .await
            .unwrap_err();
        assert_eq!(err.http_status(), Some(404));
        assert!(!dir.path().join("b.wav").exists());

        // Another template; the id escaped.
        let section = SpRecordSection {
            record_path: "/records/{idr}.wav".into(),
            ..SpRecordSection::default()
        };
        let c2 = client(url.clone(), section);
        c2.record_file("000123", &dir.path().join("c.wav"))
            .await
            .unwrap();
        assert_eq!(
            c2.record_url("a b/ё").unwrap().as_str(),
            format!("{url}records/a%20b%2F%D1%91.wav")
        );
        assert_eq!(
            asked(&log),
            [
                "/api/get_record?id=000123",
                "/api/get_record?id=nope",
                "/records/000123.wav"
            ]
        );
        assert!(c.record_url(" ").is_err());
    }

    #[tokio::test]
    async fn downloads_stay_on_the_device() {
        let (url, _log) = serve().await;
        let c = client(url.clone(), SpRecordSection::default());
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("x.wav");
        let elsewhere = Url::parse("http://elsewhere.invalid/x.wav").unwrap();
        let err = c.download(&elsewhere, &dest).await.unwrap_err();
        assert!(matches!(err, ProviderError::ForbiddenHost { .. }), "{err}");
        let err = c.record_file("away", &dest).await.unwrap_err();
        assert!(
            matches!(&err, ProviderError::ForbiddenHost { host, .. } if host == "elsewhere.invalid"),
            "{err}"
        );
        assert!(!dest.exists());
    }

    #[tokio::test]
    async fn channel_recording_is_switched_by_its_template() {
        let (url, log) = serve().await;
        let c = client(url.clone(), SpRecordSection::default());
        c.set_channel_recording("ch 1", true).await.unwrap();
        let answer = c.set_channel_recording("ch 1", false).await.unwrap();
        assert_eq!(answer.body, "OK");
        let numeric = SpRecordSection {
            channel_record_path: "/api/rec?ch={channel}&on={1|0}".into(),
            ..SpRecordSection::default()
        };
        client(url.clone(), numeric)
            .set_channel_recording("2", true)
            .await
            .unwrap();
        // A device that refuses: an error with its status.
        let refusing = SpRecordSection {
            channel_record_path: "/api/unknown?c={channel}&s={on|off}".into(),
            ..SpRecordSection::default()
        };
        let err = client(url, refusing)
            .set_channel_recording("2", true)
            .await
            .unwrap_err();
        assert_eq!(err.http_status(), Some(404));
        assert_eq!(
            asked(&log),
            [
                "/api/set_record?channel=ch%201&state=on",
                "/api/set_record?channel=ch%201&state=off",
                "/api/rec?ch=2&on=1",
                "/api/unknown?c=2&s=on"
            ]
        );
    }

    #[tokio::test]
    async fn credentials_go_with_every_request() {
        let (url, log) = serve().await;
        let c = SpRecordClient::new(SpRecordSettings {
            device: url,
            section: SpRecordSection::default(),
            basic: Some(("admin".into(), "s3cret".to_string().into())),
            download_hosts: Vec::new(),
            timeout: Duration::from_secs(5),
        })
        .unwrap();
        c.get_status().await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        c.record_file("000123", &dir.path().join("a.wav"))
            .await
            .unwrap();
        let expected = format!(
            "Basic {}",
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, "admin:s3cret")
        );
        let auths: Vec<Option<String>> =
            log.lock().unwrap().iter().map(|(_, a)| a.clone()).collect();
        assert_eq!(auths, [Some(expected.clone()), Some(expected)]);
    }

    #[tokio::test]
    async fn an_unreachable_device_is_a_transport_error() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let c = client(
            Url::parse(&format!("http://{addr}")).unwrap(),
            SpRecordSection::default(),
        );
        let err = c.get_status().await.unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Transport, "{err}");
        assert_eq!(err.unreachable_host(), Some(addr.to_string()));
    }
}
