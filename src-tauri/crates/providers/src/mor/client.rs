//! The MOR client: `recordings_get` over POST with the SHA1 `hash`, and downloads of the
//! `mp3_url`s from the MOR server's own host.

use std::path::Path;
use std::time::Duration;

use callboard_model::{NewCall, ProviderKind};
use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use sha1::{Digest, Sha1};
use url::Url;

use super::normalize::normalize_recording;
use super::wire::{Recording, parse_answer};
use super::{DEFAULT_PATH_PREFIX, MorApiError, MorError};
use crate::download::{download_client, download_to, truncate};
use crate::{HostAllowList, ProviderError, RecordingFile};

/// Everything the client needs, resolved from the account's config.
#[derive(Debug, Clone)]
pub struct MorSettings {
    /// The MOR server (`http://<SERVER_IP>`); its host is also where recordings are
    /// downloaded from.
    pub server: Url,
    /// The API's path on the server, [`DEFAULT_PATH_PREFIX`] unless the install differs.
    pub path_prefix: String,
    /// The MOR user name (`u`).
    pub user: String,
    /// The API Secret Key.
    pub secret: SecretString,
    pub timeout: Duration,
}

impl MorSettings {
    /// Settings with the default path prefix.
    pub fn new(server: Url, user: String, secret: SecretString, timeout: Duration) -> Self {
        Self {
            server,
            path_prefix: DEFAULT_PATH_PREFIX.to_string(),
            user,
            secret,
            timeout,
        }
    }
}

/// The `hash` of a request: SHA1 (lowercase hex) over the values of `params`, in the
/// order given, then the secret. `u` must not be among them.
///
/// The spec does not say in what order values are concatenated ("order of parameters
/// while concatenating the hash_string"); the client hashes them in the order it sends
/// them, which is the order of the spec's parameter list (`date_from`, `date_till`,
/// `destination`, `source`, `user`, `device`, `uniqueid`, `callback_uniqueid`).
pub fn hash(params: &[(&str, &str)], secret: &str) -> String {
    let mut sha = Sha1::new();
    for (_, value) in params {
        sha.update(value.as_bytes());
    }
    sha.update(secret.as_bytes());
    hex::encode(sha.finalize())
}

pub struct MorClient {
    http: reqwest::Client,
    downloads: reqwest::Client,
    endpoint: Url,
    recording_hosts: HostAllowList,
    settings: MorSettings,
}

impl MorClient {
    pub fn new(settings: MorSettings) -> Result<Self, MorError> {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("callboard/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let endpoint = endpoint(&settings.server, &settings.path_prefix)?;
        let recording_hosts = HostAllowList::new(settings.server.host_str().map(str::to_string));
        let downloads = download_client(&recording_hosts)?;
        Ok(Self {
            http,
            downloads,
            endpoint,
            recording_hosts,
            settings,
        })
    }

    /// The `recordings_get` URL this client posts to.
    pub fn endpoint(&self) -> &Url {
        &self.endpoint
    }

    /// One `recordings_get` with `params` (spec names, in the spec's order; without `u`
    /// and `hash`, which are added). "No Recordings found" is an empty list.
    pub async fn recordings_get(
        &self,
        params: &[(&str, &str)],
    ) -> Result<Vec<Recording>, MorError> {
        let digest = hash(params, self.settings.secret.expose_secret());
        let mut form: Vec<(&str, &str)> = Vec::with_capacity(params.len() + 2);
        form.push(("u", &self.settings.user));
        form.extend_from_slice(params);
        form.push(("hash", &digest));
        tracing::debug!(params = ?params, "MOR recordings_get");
        let resp = self
            .http
            .post(self.endpoint.clone())
            .form(&form)
            .send()
            .await?;
        let status = resp.status();
        let text = resp.text().await?;
        if !status.is_success() {
            return Err(MorError::Http {
                status: status.as_u16(),
                body: truncate(&text, 300),
            });
        }
        match parse_answer(&text) {
            Err(MorError::Api(MorApiError::NoRecordings)) => Ok(Vec::new()),
            other => other,
        }
    }

    /// Every recorded call whose `date` is in `[from, to]`, both inclusive and cut to
    /// whole seconds (Unix time). A recording without a readable date is skipped with a
    /// warning, as it cannot be placed in the history.
    ///
    /// Recordings appear minutes after their call ends, under the call's start: re-read
    /// at least [`super::TRAILING_WINDOW`] before the last cursor.
    pub async fn recordings(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<NewCall>, MorError> {
        let date_from = from.timestamp().to_string();
        let date_till = to.timestamp().to_string();
        let rows = self
            .recordings_get(&[("date_from", &date_from), ("date_till", &date_till)])
            .await?;
        let mut calls = Vec::with_capacity(rows.len());
        for row in &rows {
            match normalize_recording(row) {
                Ok(call) => calls.push(call),
                Err(reason) => tracing::warn!(%reason, id = ?row.id, "skipping a MOR recording"),
            }
        }
        Ok(calls)
    }

    /// Downloads a recording (an `mp3_url`) to `dest`, only from the MOR server's host.
    pub async fn download(&self, url: &Url, dest: &Path) -> Result<RecordingFile, ProviderError> {
        download_to(
            &self.downloads,
            ProviderKind::Mor,
            &self.recording_hosts,
            url,
            dest,
        )
        .await
    }
}

/// `{server}{prefix}recordings_get`; the prefix is the whole path, with or without its
/// slashes.
fn endpoint(server: &Url, prefix: &str) -> Result<Url, MorError> {
    let inner = prefix.trim().trim_matches('/');
    let path = if inner.is_empty() {
        "/recordings_get".to_string()
    } else {
        format!("/{inner}/recordings_get")
    };
    let mut url = server.clone();
    if url.cannot_be_a_base() {
        return Err(MorError::Decode(format!(
            "{server} cannot be a MOR server URL"
        )));
    }
    url.set_path(&path);
    url.set_query(None);
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_spec_vector() {
        assert_eq!(
            hash(&[], "secret"),
            "e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4"
        );
    }

    #[test]
    fn values_then_secret_in_the_order_given() {
        let h = hash(&[("date_from", "1"), ("date_till", "2")], "s");
        assert_eq!(h, hex::encode(Sha1::digest(b"12s")));
        assert_ne!(h, hash(&[("date_till", "2"), ("date_from", "1")], "s"));
    }

    #[test]
    fn endpoints_take_the_prefix_in_any_form() {
        let server = Url::parse("http://10.0.0.1:8080").unwrap();
        for prefix in ["/billing/api/", "billing/api", "/billing/api"] {
            assert_eq!(
                endpoint(&server, prefix).unwrap().as_str(),
                "http://10.0.0.1:8080/billing/api/recordings_get"
            );
        }
        assert_eq!(
            endpoint(&server, "/api/").unwrap().as_str(),
            "http://10.0.0.1:8080/api/recordings_get"
        );
    }
}
