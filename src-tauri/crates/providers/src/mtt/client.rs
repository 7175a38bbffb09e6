//! The MTT client: JSON-RPC history calls with the 1000-row cap handled, recording links,
//! and a client-side rate limit (MTT throttles at about 10 requests a second).

use std::num::NonZeroU32;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use callboard_model::{NewCall, ProviderKind};
use chrono::{DateTime, SubsecRound, Utc};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use url::Url;

use super::normalize::normalize_row;
use super::wire::{CallHistory, HistoryKind, HistoryRow};
use super::{MttError, ROW_CAP};
use crate::download::{download_client, download_to, truncate};
use crate::{
    CallLog, CursorValue, HostAllowList, LogPage, PageContext, ProviderError, RecordingFile,
    Recordings, WindowPolicy,
};

/// Everything the client needs, resolved from the account's config.
#[derive(Debug, Clone)]
pub struct MttSettings {
    /// JSON-RPC endpoint (`https://webapicommon.mtt.ru/index.php`).
    pub webapicommon: Url,
    /// Recording service base (`https://rc.mtt.ru`).
    pub rc: Url,
    /// Hosts recording files may be downloaded from.
    pub recording_hosts: HostAllowList,
    pub login: String,
    pub password: SecretString,
    /// For `getServiceHistoryByCustomer` (whole account); without it, `getCallHistory` per SIP id.
    pub customer_name: Option<String>,
    pub sip_ids: Vec<String>,
    pub requests_per_sec: u32,
    pub timeout: Duration,
}

/// Recording format: `v1` links are WAV, `v2 ?format=mp3` links are MP3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordFormat {
    Wav,
    Mp3,
}

pub struct MttClient {
    http: reqwest::Client,
    downloads: reqwest::Client,
    settings: MttSettings,
    limiter: DefaultDirectRateLimiter,
    next_id: AtomicU64,
}

const SERVICE_TIME: &str = "%Y-%m-%d %H:%M:%S";
const CALL_HISTORY_TIME: &str = "%d.%m.%Y %H:%M:%S";

impl MttClient {
    pub fn new(settings: MttSettings) -> Result<Self, MttError> {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("callboard/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let downloads = download_client(&settings.recording_hosts)?;
        let rate = NonZeroU32::new(settings.requests_per_sec.max(1)).expect("max(1) is non-zero");
        Ok(Self {
            http,
            downloads,
            limiter: RateLimiter::direct(Quota::per_second(rate)),
            settings,
            next_id: AtomicU64::new(1),
        })
    }

    /// One JSON-RPC call; both of MTT's error forms become [`MttError`].
    pub async fn rpc<T: DeserializeOwned>(
        &self,
        method: &str,
        params: Value,
    ) -> Result<T, MttError> {
        self.limiter.until_ready().await;
        let id = self.next_id.fetch_add(1, Ordering::Relaxed).to_string();
        let body = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params });
        tracing::debug!(method, "MTT request");
        let resp = self
            .http
            .post(self.settings.webapicommon.clone())
            .basic_auth(
                &self.settings.login,
                Some(self.settings.password.expose_secret()),
            )
            .json(&body)
            .send()
            .await?;
        let status = resp.status();
        let text = resp.text().await?;
        let parsed: Option<Value> = serde_json::from_str(&text).ok();
        if let Some(err) = parsed
            .as_ref()
            .and_then(|v| v.get("error"))
            .filter(|e| e.is_object())
        {
            return Err(rpc_error(err));
        }
        if !status.is_success() {
            return Err(MttError::Http {
                status: status.as_u16(),
                body: truncate(&text, 300),
            });
        }
        let mut envelope = parsed
            .ok_or_else(|| MttError::Decode(format!("not JSON: {}", truncate(&text, 200))))?;
        let result = envelope
            .get_mut("result")
            .map(Value::take)
            .ok_or_else(|| MttError::Decode("no result".into()))?;
        if let Some(flag) = result
            .get("error")
            .filter(|f| !matches!(f, Value::Null | Value::Bool(false)) && f.as_i64() != Some(0))
        {
            let message = ["message", "error_description"]
                .iter()
                .find_map(|k| result.get(*k).and_then(Value::as_str))
                .map(str::to_string)
                .unwrap_or_else(|| format!("error {flag}"));
            return Err(MttError::Result { message });
        }
        serde_json::from_value(result).map_err(|e| MttError::Decode(format!("{method}: {e}")))
    }

    /// `getServiceHistoryByCustomer`: one list of the whole account, at most 1000 rows.
    pub async fn service_history(
        &self,
        kind: HistoryKind,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<HistoryRow>, MttError> {
        let customer = self.settings.customer_name.as_deref().ok_or_else(|| {
            MttError::Decode(
                "getServiceHistoryByCustomer needs customer_name in the account config".into(),
            )
        })?;
        let mut result: Value = self
            .rpc(
                "getServiceHistoryByCustomer",
                json!({
                    "type": kind.as_str(),
                    "customer_name": customer,
                    "date_from": from.format(SERVICE_TIME).to_string(),
                    "date_to": to.format(SERVICE_TIME).to_string(),
                    "record_count": ROW_CAP,
                }),
            )
            .await?;
        match result.get_mut(kind.as_str()).map(Value::take) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(list) => serde_json::from_value(list)
                .map_err(|e| MttError::Decode(format!("{}: {e}", kind.as_str()))),
        }
    }

    /// `getCallHistory` for one SIP id.
    pub async fn call_history(
        &self,
        sip_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<CallHistory, MttError> {
        self.rpc(
            "getCallHistory",
            json!({
                "sip_id": sip_id,
                "date_from": from.format(CALL_HISTORY_TIME).to_string(),
                "date_to": to.format(CALL_HISTORY_TIME).to_string(),
            }),
        )
        .await
    }

    /// Every row of `kind` in `[from, to]`: a window that hits the 1000-row cap is cut in
    /// halves until each part is under it.
    pub async fn service_history_all(
        &self,
        kind: HistoryKind,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<HistoryRow>, MttError> {
        let mut out = Vec::new();
        let mut windows = vec![(from.trunc_subsecs(0), to.trunc_subsecs(0))];
        while let Some((a, b)) = windows.pop() {
            let rows = self.service_history(kind, a, b).await?;
            match split(a, b, rows.len())? {
                Some((left, right)) => {
                    windows.push(right);
                    windows.push(left);
                }
                None => out.extend(rows),
            }
        }
        Ok(out)
    }

    /// Every row of all three lists of one SIP id in `[from, to]`, split like
    /// [`Self::service_history_all`] when any list hits the cap.
    pub async fn call_history_all(
        &self,
        sip_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<CallHistory, MttError> {
        let mut out = CallHistory::default();
        let mut windows = vec![(from.trunc_subsecs(0), to.trunc_subsecs(0))];
        while let Some((a, b)) = windows.pop() {
            let h = self.call_history(sip_id, a, b).await?;
            let biggest = [&h.incoming, &h.missed, &h.dialed, &h.callback]
                .iter()
                .map(|l| l.len())
                .max()
                .unwrap_or(0);
            match split(a, b, biggest)? {
                Some((left, right)) => {
                    windows.push(right);
                    windows.push(left);
                }
                None => {
                    out.incoming.extend(h.incoming);
                    out.missed.extend(h.missed);
                    out.dialed.extend(h.dialed);
                    out.callback.extend(h.callback);
                }
            }
        }
        Ok(out)
    }

    /// The download links of a recording, one per part (`v1` WAV or `v2` MP3).
    pub async fn record_urls(
        &self,
        conf_id: &str,
        format: RecordFormat,
    ) -> Result<Vec<Url>, MttError> {
        self.limiter.until_ready().await;
        let id = super::normalize_conf_id(conf_id).replace(' ', "_");
        let base = self.settings.rc.as_str().trim_end_matches('/');
        let url = match format {
            RecordFormat::Wav => format!("{base}/v1/records/{id}/urls"),
            RecordFormat::Mp3 => format!("{base}/v2/records/{id}/urls?format=mp3"),
        };
        let resp = self
            .http
            .get(&url)
            .basic_auth(
                &self.settings.login,
                Some(self.settings.password.expose_secret()),
            )
            .send()
            .await?;
        let status = resp.status();
        let text = resp.text().await?;
        if !status.is_success() {
            return Err(MttError::Http {
                status: status.as_u16(),
                body: truncate(&text, 300),
            });
        }
        let links: Vec<String> = serde_json::from_str(&text).map_err(|e| {
            MttError::Decode(format!("recording links: {e}: {}", truncate(&text, 200)))
        })?;
        links
            .iter()
            .map(|l| {
                Url::parse(l.trim())
                    .map_err(|e| MttError::Decode(format!("recording link {l:?}: {e}")))
            })
            .collect()
    }
}

/// Where a capped answer must be re-asked in two halves (`None`: the answer is whole).
/// Windows are inclusive and MTT counts in whole seconds, so the halves do not overlap.
/// A single second still at the cap cannot be split: that is an error rather than a
/// silent loss, since the cursor would move past the missing rows.
type Window = (DateTime<Utc>, DateTime<Utc>);
fn split(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    rows: usize,
) -> Result<Option<(Window, Window)>, MttError> {
    if rows < ROW_CAP {
        return Ok(None);
    }
    let span = (to - from).num_seconds();
    if span < 1 {
        return Err(MttError::CapInOneSecond { second: from, rows });
    }
    let mid = from + chrono::Duration::seconds(span / 2);
    Ok(Some((
        (from, mid),
        (mid + chrono::Duration::seconds(1), to),
    )))
}

fn rpc_error(err: &Value) -> MttError {
    let text = |k: &str| match err.get(k) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Null) | None => None,
        Some(other) => Some(other.to_string()),
    };
    MttError::Rpc {
        code: err
            .get("code")
            .and_then(|c| c.as_i64().or_else(|| c.as_str()?.trim().parse().ok()))
            .unwrap_or(0),
        message: text("message").unwrap_or_else(|| "unknown error".into()),
        data: text("data"),
    }
}

fn normalize_all(kind: HistoryKind, rows: &[HistoryRow], out: &mut Vec<NewCall>) {
    for row in rows {
        match normalize_row(kind, row) {
            Ok(call) => out.push(call),
            Err(reason) => {
                tracing::warn!(list = kind.as_str(), %reason, "skipping an MTT history row")
            }
        }
    }
}

/// How MTT's history is re-read: a call's record appears only when the call ends, so each
/// pass reads an hour back, and once an hour a whole day for calls longer than that.
const MTT_WINDOWS: WindowPolicy = WindowPolicy {
    overlap: chrono::Duration::hours(1),
    deep_overlap: chrono::Duration::hours(24),
    deep_every: chrono::Duration::hours(1),
    page: chrono::Duration::days(1),
};

impl MttClient {
    /// Every call of the account (all lists, or every SIP id's) that started in `[from, to]`.
    pub async fn fetch_calls(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<NewCall>, ProviderError> {
        let mut calls = Vec::new();
        if self.settings.customer_name.is_some() {
            for kind in HistoryKind::ALL {
                let rows = self.service_history_all(kind, from, to).await?;
                normalize_all(kind, &rows, &mut calls);
            }
        } else {
            for sip in &self.settings.sip_ids {
                let h = self.call_history_all(sip, from, to).await?;
                normalize_all(HistoryKind::Incoming, &h.incoming, &mut calls);
                normalize_all(HistoryKind::Missed, &h.missed, &mut calls);
                normalize_all(HistoryKind::Dialed, &h.dialed, &mut calls);
                normalize_all(HistoryKind::Callback, &h.callback, &mut calls);
            }
        }
        // One call in two lists (incoming and forwarded, or between two of our SIP ids)
        // is stored once: the later list wins, the same way on every pass.
        let mut seen = std::collections::HashSet::new();
        let mut calls: Vec<NewCall> = calls
            .into_iter()
            .rev()
            .filter(|c| seen.insert(c.provider_call_id.clone()))
            .collect();
        calls.reverse();
        Ok(calls)
    }
}

#[async_trait]
impl CallLog for MttClient {
    async fn next_page(
        &self,
        cursor: Option<&CursorValue>,
        ctx: PageContext,
    ) -> Result<LogPage, ProviderError> {
        let plan = MTT_WINDOWS
            .plan(cursor, ctx)
            .map_err(|e| MttError::Decode(format!("stored cursor: {e}")))?;
        Ok(LogPage {
            calls: self.fetch_calls(plan.from, plan.to).await?,
            cursor: serde_json::to_value(&plan.next).expect("a cursor serializes"),
            more: plan.more,
            progress: plan.progress,
            window: (plan.from, plan.to),
        })
    }
}

#[async_trait]
impl Recordings for MttClient {
    async fn recording_urls(&self, recording_ref: &str) -> Result<Vec<Url>, ProviderError> {
        Ok(self.record_urls(recording_ref, RecordFormat::Wav).await?)
    }

    async fn download(&self, url: &Url, dest: &Path) -> Result<RecordingFile, ProviderError> {
        download_to(
            &self.downloads,
            ProviderKind::Mtt,
            &self.settings.recording_hosts,
            url,
            dest,
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn split_halves_without_overlap_and_stops_at_one_second() {
        assert!(
            split(t("2024-01-01T00:00:00Z"), t("2024-01-02T00:00:00Z"), 999)
                .unwrap()
                .is_none()
        );
        let (l, r) = split(t("2024-01-01T00:00:00Z"), t("2024-01-01T00:00:10Z"), 1000)
            .unwrap()
            .unwrap();
        assert_eq!(l, (t("2024-01-01T00:00:00Z"), t("2024-01-01T00:00:05Z")));
        assert_eq!(r, (t("2024-01-01T00:00:06Z"), t("2024-01-01T00:00:10Z")));
        let e = split(t("2024-01-01T00:00:00Z"), t("2024-01-01T00:00:00Z"), 1000).unwrap_err();
        // Never a silent loss, and never mistaken for a network failure.
        assert!(
            matches!(e, MttError::CapInOneSecond { rows: 1000, .. }),
            "{e:?}"
        );
        assert!(!e.is_network());
        assert_eq!(e.kind(), crate::ErrorKind::ProviderFault);
        assert!(e.provider_info().is_some_and(|i| i.code == "1000-row cap"));
    }

    #[test]
    fn rpc_errors_keep_code_message_and_data() {
        let e = rpc_error(
            &json!({"code": -32602, "message": "Invalid params", "data": "Invalid begin date"}),
        );
        let info = e.provider_info().unwrap();
        assert_eq!(info.code, "-32602");
        assert_eq!(info.message, "Invalid params: Invalid begin date");
    }
}
