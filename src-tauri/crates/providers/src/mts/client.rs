//! The @втосекретарь client: UN numbers and settings, call records by time (every page)
//! and by record id (one page and where the next starts).

use std::collections::HashSet;

use callboard_model::NewCall;
use chrono::{DateTime, Duration, Utc};
use secrecy::ExposeSecret;
use serde::de::DeserializeOwned;
use serde_json::Value;
use url::Url;

use super::normalize::normalize_record;
use super::wire::{CdrRecord, Envelope, UnSettings};
use super::{MAX_PAGE, MtsAuth, MtsError, MtsSettings};
use crate::download::truncate;

/// One page of `cdr/byid`.
#[derive(Debug, Clone, PartialEq)]
pub struct MtsPage {
    /// The page's calls, in the API's order (by start time, not by record id).
    pub calls: Vec<NewCall>,
    /// The record the next page starts with (inclusive), from the answer's `links`;
    /// `None` when there is nothing more for now.
    pub next_start_id: Option<u64>,
    /// `(start, seqid)` of each record, in page order.
    positions: Vec<(DateTime<Utc>, u64)>,
}

impl MtsPage {
    /// Where a record-id cursor should resume, inclusive. While pages follow, that is
    /// [`Self::next_start_id`]. At the end it is the earliest record that started
    /// within `overlap` of the last one: records are written when a call ends but
    /// listed by its start, so a call still running now will later appear *before*
    /// the last record seen. `overlap` should cover the longest call. `None` for an
    /// empty last page: keep the previous cursor.
    pub fn resume_id(&self, overlap: Duration) -> Option<u64> {
        if self.next_start_id.is_some() {
            return self.next_start_id;
        }
        resume_point(&self.positions, overlap)
    }
}

/// Of records `(start, seqid)` in the API's order, the first that started within
/// `overlap` of the latest: where a record-id cursor resumes once caught up.
pub(crate) fn resume_point(positions: &[(DateTime<Utc>, u64)], overlap: Duration) -> Option<u64> {
    let last = positions.iter().map(|(t, _)| *t).max()?;
    positions
        .iter()
        .find(|(t, _)| *t >= last - overlap)
        .map(|(_, id)| *id)
}

pub struct MtsClient {
    http: reqwest::Client,
    settings: MtsSettings,
    /// `settings.api` with a trailing slash, so relative joins keep its path.
    api: Url,
}

impl MtsClient {
    pub fn new(settings: MtsSettings) -> Result<Self, MtsError> {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("callboard/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let mut api = settings.api.clone();
        if api.cannot_be_a_base() {
            return Err(MtsError::Config(format!("API URL {api} cannot be a base")));
        }
        if !api.path().ends_with('/') {
            api.set_path(&format!("{}/", api.path()));
        }
        Ok(Self {
            http,
            settings,
            api,
        })
    }

    pub fn settings(&self) -> &MtsSettings {
        &self.settings
    }

    /// `GET un`: the UN numbers the account may manage.
    pub async fn un_numbers(&self) -> Result<Vec<String>, MtsError> {
        let env = self.get("un", &[]).await?;
        decode::<Vec<Value>>(env.value, "un")?
            .into_iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.trim().to_string()),
                Value::Number(n) => Ok(n.to_string()),
                other => Err(MtsError::Decode(format!("UN number {other}"))),
            })
            .collect()
    }

    /// `GET un?phone=`: one UN's settings and destination numbers.
    pub async fn un_settings(&self, phone: &str) -> Result<UnSettings, MtsError> {
        let env = self.get("un", &[("phone", phone.to_string())]).await?;
        decode(env.value, "un settings")
    }

    /// Every call of `phone` that started in `[from, to)`, following `links` page by
    /// page. A page repeating one already read is an error rather than a loop.
    pub async fn calls_by_time(
        &self,
        phone: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<NewCall>, MtsError> {
        Ok(self
            .records_by_time(phone, from, to)
            .await?
            .into_iter()
            .map(|(call, _)| call)
            .collect())
    }

    /// As [`Self::calls_by_time`], each call with its record id (`seqid`), in page order.
    pub(crate) async fn records_by_time(
        &self,
        phone: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(NewCall, Option<u64>)>, MtsError> {
        let (begin, end) = self
            .settings
            .date_format
            .window(from, to, self.settings.time_zone);
        let mut query = vec![
            ("phone", phone.to_string()),
            ("begin", begin),
            ("end", end),
            ("limit", self.page_size(None).to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect::<Vec<_>>();
        let mut asked = HashSet::new();
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        loop {
            let pairs: Vec<(&str, String)> =
                query.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            let env = self.get("cdr/bytime", &pairs).await?;
            let next = env.next_page().map_err(MtsError::Decode)?;
            for (call, seqid) in self.records(env.value)? {
                // Whole-day date formats ask for more than the window.
                if call.started_at >= from
                    && call.started_at < to
                    && seen.insert(call.provider_call_id.clone())
                {
                    out.push((call, seqid));
                }
            }
            let Some(link) = next else { break };
            query = link.query_pairs().into_owned().collect();
            if !asked.insert(link.query().unwrap_or("").to_string()) {
                return Err(MtsError::Decode(format!(
                    "cdr/bytime links back to a page already read: {link}"
                )));
            }
        }
        Ok(out)
    }

    /// `cdr/byid`: one page of `phone`'s records from the record `start_id` (inclusive),
    /// at most `limit` (≤ 1000) of them.
    pub async fn calls_by_id(
        &self,
        phone: &str,
        start_id: u64,
        limit: u32,
    ) -> Result<MtsPage, MtsError> {
        let env = self
            .get(
                "cdr/byid",
                &[
                    ("phone", phone.to_string()),
                    ("start_id", start_id.to_string()),
                    ("limit", self.page_size(Some(limit)).to_string()),
                ],
            )
            .await?;
        let next_start_id = match env.next_page().map_err(MtsError::Decode)? {
            None => None,
            Some(link) => {
                let id = link
                    .query_pairs()
                    .find(|(k, _)| k == "start_id")
                    .and_then(|(_, v)| v.trim().parse::<u64>().ok())
                    .ok_or_else(|| {
                        MtsError::Decode(format!("cdr/byid link without a start_id: {link}"))
                    })?;
                // The next page starts after this one; naming this page's first record
                // again would loop.
                if id == start_id {
                    return Err(MtsError::Decode(format!(
                        "cdr/byid links back to start_id {start_id}"
                    )));
                }
                Some(id)
            }
        };
        let mut calls = Vec::new();
        let mut positions = Vec::new();
        for (call, seqid) in self.records(env.value)? {
            if let Some(id) = seqid {
                positions.push((call.started_at, id));
            }
            calls.push(call);
        }
        Ok(MtsPage {
            calls,
            next_start_id,
            positions,
        })
    }

    /// Every call in `[from, to)` on the configured UN numbers, or on all of the
    /// account's when none are configured.
    pub async fn fetch_calls(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<NewCall>, MtsError> {
        let numbers = self.numbers().await?;
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for un in &numbers {
            for call in self.calls_by_time(un, from, to).await? {
                if seen.insert(call.provider_call_id.clone()) {
                    out.push(call);
                }
            }
        }
        Ok(out)
    }

    /// The configured UN numbers, or every one the account has when none are.
    pub async fn numbers(&self) -> Result<Vec<String>, MtsError> {
        if self.settings.un_numbers.is_empty() {
            self.un_numbers().await
        } else {
            Ok(self.settings.un_numbers.clone())
        }
    }

    fn page_size(&self, asked: Option<u32>) -> u32 {
        asked.unwrap_or(self.settings.page_size).clamp(1, MAX_PAGE)
    }

    /// The records of a CDR answer, normalized, each with its `seqid`. A record without a
    /// readable time is skipped with a warning, as it cannot be placed in the history.
    fn records(&self, value: Value) -> Result<Vec<(NewCall, Option<u64>)>, MtsError> {
        let rows: Vec<CdrRecord> = match value {
            Value::Null => Vec::new(),
            v => decode(v, "cdr")?,
        };
        Ok(rows
            .iter()
            .filter_map(|r| match normalize_record(r, self.settings.time_zone) {
                Ok(call) => Some((call, r.seqid)),
                Err(reason) => {
                    tracing::warn!(%reason, seqid = ?r.seqid, "skipping an MTS record");
                    None
                }
            })
            .collect())
    }

    /// One GET of `path` under the API base; the envelope's error becomes [`MtsError`].
    async fn get(&self, path: &str, query: &[(&str, String)]) -> Result<Envelope, MtsError> {
        let mut url = self
            .api
            .join(path)
            .map_err(|e| MtsError::Config(format!("{path}: {e}")))?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        tracing::debug!(path, "MTS request");
        let req = match &self.settings.auth {
            MtsAuth::Basic { login, password } => self
                .http
                .get(url)
                .basic_auth(login, Some(password.expose_secret())),
            MtsAuth::Bearer { token } => self.http.get(url).bearer_auth(token.expose_secret()),
            MtsAuth::Header { name, value } => self
                .http
                .get(url)
                .header(name.as_str(), value.expose_secret()),
            MtsAuth::None => self.http.get(url),
        };
        let resp = req.send().await?;
        let status = resp.status();
        let text = resp.text().await?;
        let http_error = || MtsError::Http {
            status: status.as_u16(),
            body: truncate(&text, 300),
        };
        let env = match Envelope::parse(&text) {
            Ok(env) => env,
            Err(_) if !status.is_success() => return Err(http_error()),
            Err(e) => {
                return Err(MtsError::Decode(format!(
                    "{path}: {e}: {}",
                    truncate(&text, 200)
                )));
            }
        };
        match env.status_code {
            Some(code) if !(200..300).contains(&code) => Err(MtsError::Api {
                status_code: code,
                status_msg: env.status_msg.unwrap_or_default(),
            }),
            _ if !status.is_success() => Err(http_error()),
            _ => Ok(env),
        }
    }
}

fn decode<T: DeserializeOwned>(value: Value, what: &str) -> Result<T, MtsError> {
    serde_json::from_value(value).map_err(|e| MtsError::Decode(format!("{what}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cursor_resumes_before_calls_that_may_still_be_written() {
        let t = |m: i64| DateTime::<Utc>::UNIX_EPOCH + Duration::minutes(m);
        let page = MtsPage {
            calls: Vec::new(),
            next_start_id: None,
            positions: vec![(t(0), 50), (t(30), 12), (t(70), 40), (t(100), 31)],
        };
        assert_eq!(page.resume_id(Duration::minutes(60)), Some(40));
        assert_eq!(page.resume_id(Duration::minutes(100)), Some(50));
        assert_eq!(page.resume_id(Duration::zero()), Some(31));
        let more = MtsPage {
            next_start_id: Some(77),
            ..page
        };
        assert_eq!(more.resume_id(Duration::minutes(60)), Some(77));
    }
}
