//! Recording downloads: only from the hosts a provider is configured with, streamed to a
//! temporary file and renamed into place so a crash never leaves half a recording cached.

use std::path::Path;

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

    pub fn hosts(&self) -> &[String] {
        &self.0
    }
}

/// Downloads `url` to `dest` after checking it against `allowed`.
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
    let transport = |source| ProviderError::Transport { provider, source };
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
        let chunk = chunk.map_err(transport)?;
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
        let allow = HostAllowList::new(["rc.mtt.ru".to_string(), "RS.mtt.ru".to_string()]);
        assert!(allow.allows(&Url::parse("http://rs.mtt.ru/%/A_1.wav").unwrap()));
        assert!(allow.allows(&Url::parse("https://rc.mtt.ru/x.wav").unwrap()));
        assert!(!allow.allows(&Url::parse("https://evil.example/x.wav").unwrap()));
        assert!(!allow.allows(&Url::parse("file:///etc/passwd").unwrap()));
    }
}
