//! Recording downloads: only from the hosts a provider is configured with, streamed to a
//! temporary file and renamed into place so a crash never leaves half a recording cached.

use std::path::Path;
use std::time::Duration;

use callboard_model::ProviderKind;
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;
use url::Url;

use crate::{ProviderError, RecordingFile};

/// Hosts a provider's recordings may be downloaded from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostAllowList(Vec<String>);

impl HostAllowList {
    pub fn new(hosts: impl IntoIterator<Item = String>) -> Self {
        let mut v: Vec<String> = hosts.into_iter().map(|h| h.to_ascii_lowercase()).collect();
        v.sort();
        v.dedup();
        Self(v)
    }

    pub fn allows(&self, url: &Url) -> bool {
        matches!(url.scheme(), "http" | "https")
            && url
                .host_str()
                .is_some_and(|h| self.0.iter().any(|a| a.eq_ignore_ascii_case(h)))
    }
}

/// The HTTP client for recording downloads: every redirect hop must stay on an allowed
/// host, and only idle time is limited, since a long recording may take minutes.
pub(crate) fn download_client(allowed: &HostAllowList) -> reqwest::Result<reqwest::Client> {
    download_client_builder(allowed).build()
}

/// [`download_client`]'s builder, for a provider that adds to it (default headers).
pub(crate) fn download_client_builder(allowed: &HostAllowList) -> reqwest::ClientBuilder {
    let allowed = allowed.clone();
    reqwest::Client::builder()
        .user_agent(concat!("callboard/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(10))
        .read_timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= 5 {
                attempt.error("too many redirects")
            } else if allowed.allows(attempt.url()) {
                attempt.follow()
            } else {
                let refused = RedirectRefused {
                    host: attempt.url().host_str().unwrap_or_default().to_string(),
                    url: attempt.url().to_string(),
                };
                attempt.error(refused)
            }
        }))
}

/// A redirect to a host outside the allow-list, carried through reqwest's error so that it
/// reaches the user as the configuration matter it is, not as a network failure.
#[derive(Debug, thiserror::Error)]
#[error("redirect to {host:?}, not a host configured for recordings")]
struct RedirectRefused {
    host: String,
    url: String,
}

/// The allow-list's refusal inside a reqwest error, if that is what stopped it.
fn refused_redirect(e: &reqwest::Error) -> Option<&RedirectRefused> {
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        if let Some(r) = c.downcast_ref::<RedirectRefused>() {
            return Some(r);
        }
        cause = c.source();
    }
    None
}

/// Downloads `url` to `dest` after checking it against `allowed`; `http` must come from
/// [`download_client`] with the same list, so redirects are held to it too.
pub(crate) async fn download_to(
    http: &reqwest::Client,
    provider: ProviderKind,
    allowed: &HostAllowList,
    url: &Url,
    dest: &Path,
) -> Result<RecordingFile, ProviderError> {
    if !allowed.allows(url) {
        return Err(ProviderError::ForbiddenHost {
            provider,
            host: url.host_str().unwrap_or_default().to_string(),
            url: url.to_string(),
        });
    }
    let transport = |source: reqwest::Error| match refused_redirect(&source) {
        Some(r) => ProviderError::ForbiddenHost {
            provider,
            host: r.host.clone(),
            url: r.url.clone(),
        },
        None => ProviderError::Transport { provider, source },
    };
    let resp = http.get(url.clone()).send().await.map_err(transport)?;
    let status = resp.status();
    if !status.is_success() {
        let body = resp.text().await.unwrap_or_default();
        return Err(ProviderError::Http {
            provider,
            status: status.as_u16(),
            body: truncate(&body, 300),
        });
    }
    save_response(resp, url, dest).await.map_err(|e| match e {
        SaveError::Stream(source) => transport(source),
        SaveError::Io(e) => ProviderError::Io(e),
    })
}

/// Why saving a download failed: the answer's stream broke, or the disk refused.
pub(crate) enum SaveError {
    Stream(reqwest::Error),
    Io(std::io::Error),
}

impl From<std::io::Error> for SaveError {
    fn from(e: std::io::Error) -> Self {
        Self::Io(e)
    }
}

/// Streams a successful answer to `dest` through `dest.part`, renamed into place once
/// whole, so a failure never leaves half a recording; its type from the answer's header,
/// else from the URL's file name.
pub(crate) async fn save_response(
    resp: reqwest::Response,
    url: &Url,
    dest: &Path,
) -> Result<RecordingFile, SaveError> {
    let mime = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.split(';').next().unwrap_or(s).trim().to_string())
        .filter(|m| m.starts_with("audio/"))
        .unwrap_or_else(|| mime_from_path(url.path()).to_string());
    let tmp = dest.with_extension("part");
    let mut file = tokio::fs::File::create(&tmp).await?;
    let mut bytes = 0u64;
    let mut stream = resp.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = match chunk {
            Ok(c) => c,
            Err(e) => {
                drop(file);
                let _ = tokio::fs::remove_file(&tmp).await;
                return Err(SaveError::Stream(e));
            }
        };
        bytes += chunk.len() as u64;
        file.write_all(&chunk).await?;
    }
    file.sync_all().await?;
    drop(file);
    tokio::fs::rename(&tmp, dest).await?;
    Ok(RecordingFile { bytes, mime })
}

/// The audio type implied by a file name.
pub fn mime_from_path(path: &str) -> &'static str {
    if path.to_ascii_lowercase().ends_with(".mp3") {
        "audio/mpeg"
    } else {
        "audio/wav"
    }
}

pub(crate) fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_configured_hosts_are_allowed() {
        // The spec's multi-part links: `rs`, not `rc`, and a bare `%` in the path.
        let allow = HostAllowList::new(["rc.mtt.ru".to_string(), "RS.mtt.ru".to_string()]);
        assert!(allow.allows(&Url::parse("http://rs.mtt.ru/%/A_1.wav").unwrap()));
        assert!(allow.allows(&Url::parse("https://rc.mtt.ru/x.wav").unwrap()));
        assert!(!allow.allows(&Url::parse("https://evil.example/x.wav").unwrap()));
        assert!(!allow.allows(&Url::parse("file:///etc/passwd").unwrap()));
    }
}
