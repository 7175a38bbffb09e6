//! The Beeline offline client: commands as `multipart/form-data` with the JSON in the
//! part `api_form` (3.6, 4.x), the asynchronous CDR job (`REQCDR` → `STATCDR` → download,
//! 4.13–4.14) and recording downloads, all under Basic auth or a client certificate (3.4).

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use callboard_model::NewCall;
use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use url::Url;

use super::cdr::{CdrColumns, parse_cdr_file};
use super::wire::{self, field, moscow_text, text};
use super::{ApiErrorCode, BeelineError};
use crate::download::{SaveError, save_response, truncate};
use crate::{HostAllowList, RecordingFile};

/// How the client proves who it is (3.4 allows IP, client certificate, Basic, or a mix;
/// IP authorization needs nothing from us).
#[derive(Debug, Clone)]
pub enum BeelineAuth {
    /// HTTP Basic with the account's login and password.
    Basic {
        login: String,
        password: SecretString,
    },
    /// A TLS client certificate: the certificate chain and its PKCS#8 private key, both PEM.
    Certificate {
        cert_pem: String,
        key_pem: SecretString,
    },
}

/// Everything the client needs, resolved from the account's config.
#[derive(Debug, Clone)]
pub struct BeelineSettings {
    /// Base of the offline API (`https://cloudcc.beeline.ru`): commands go to
    /// `<api>/api/request`, downloads come from `<api>/api/download`.
    pub api: Url,
    pub auth: BeelineAuth,
    /// The CDR file's layout.
    pub cdr_columns: CdrColumns,
    /// Hosts besides the API's own that CDR files and recordings may be fetched from;
    /// our credentials go nowhere else.
    pub download_hosts: HostAllowList,
    /// Limit for one command.
    pub timeout: Duration,
    /// The longest call we expect. CDRs are selected by their end (4.13.5), so a window
    /// of start times is asked for with its end widened by this much.
    pub max_call: chrono::Duration,
}

impl BeelineSettings {
    /// Settings with the default CDR layout, no extra download hosts, a 30 s timeout
    /// and calls of up to [`DEFAULT_MAX_CALL_HOURS`] hours.
    pub fn new(api: Url, auth: BeelineAuth) -> Self {
        Self {
            api,
            auth,
            cdr_columns: CdrColumns::default(),
            download_hosts: HostAllowList::default(),
            timeout: Duration::from_secs(30),
            max_call: chrono::Duration::hours(DEFAULT_MAX_CALL_HOURS),
        }
    }
}

/// Default of [`BeelineSettings::max_call`].
pub const DEFAULT_MAX_CALL_HOURS: i64 = 4;

/// Slack on each edge of an end-time window: Beeline compares whole seconds and does
/// not say whether its bounds are inclusive.
pub const EDGE_MARGIN_SECS: i64 = 1;

/// How many times [`BeelineClient::fetch_calls`] orders a CDR again after its job
/// expired or was forgotten, before giving up.
pub const MAX_JOB_REQUESTS: u32 = 3;

/// A CDR job ordered with `REQCDR`: enough to poll it later, or to order it again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CdrJob {
    /// Beeline's `CDRID`.
    pub id: String,
    /// The end-time window asked for (UTC).
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// The B-numbers asked for; empty for all of the account's numbers.
    pub numbers: Vec<String>,
}

/// A CDR job ordered and not read yet, and how many times it has been ordered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingJob {
    pub job: CdrJob,
    pub orders: u32,
}

/// How far [`BeelineClient::advance_job`] got.
#[derive(Debug)]
pub enum JobStep {
    /// The file is read: the calls that ended in the job's window.
    Done(Vec<NewCall>),
    /// Still `NOT READY`: poll again later.
    Waiting(PendingJob),
}

/// What `STATCDR` says about a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CdrStatus {
    NotReady,
    Ready {
        url: Url,
    },
    /// Past its lifetime (4.13: the id "may have a limited lifetime"): order it again.
    Expired,
}

/// The Beeline offline API client.
pub struct BeelineClient {
    http: reqwest::Client,
    downloads: reqwest::Client,
    settings: BeelineSettings,
    next_request: AtomicU64,
}

impl BeelineClient {
    pub fn new(settings: BeelineSettings) -> Result<Self, BeelineError> {
        let identity = match &settings.auth {
            BeelineAuth::Certificate { cert_pem, key_pem } => Some(
                reqwest::Identity::from_pkcs8_pem(
                    cert_pem.as_bytes(),
                    key_pem.expose_secret().as_bytes(),
                )
                .map_err(|e| BeelineError::Certificate(crate::error::chain(&e)))?,
            ),
            BeelineAuth::Basic { .. } => None,
        };
        let agent = concat!("callboard/", env!("CARGO_PKG_VERSION"));
        let mut http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(agent);
        // Downloads may be long: only idle time is limited, and each redirect hop must
        // stay on a host our credentials may go to.
        let allowed = Allowed::of(&settings);
        let mut downloads = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .read_timeout(Duration::from_secs(30))
            .user_agent(agent)
            .redirect(reqwest::redirect::Policy::custom(move |attempt| {
                if attempt.previous().len() >= 5 {
                    attempt.error("too many redirects")
                } else if allowed.allows(attempt.url()) {
                    attempt.follow()
                } else {
                    let host = attempt.url().host_str().unwrap_or_default().to_string();
                    attempt.error(format!("redirect to {host:?}, not a Beeline host"))
                }
            }));
        if let Some(id) = identity {
            http = http.identity(id.clone());
            downloads = downloads.identity(id);
        }
        Ok(Self {
            http: http.build()?,
            downloads: downloads.build()?,
            settings,
            next_request: AtomicU64::new(1),
        })
    }

    /// The settings the client was made with.
    pub fn settings(&self) -> &BeelineSettings {
        &self.settings
    }

    fn endpoint(&self, path: &str) -> Result<Url, BeelineError> {
        let base = self.settings.api.as_str().trim_end_matches('/');
        Url::parse(&format!("{base}/{path}"))
            .map_err(|e| BeelineError::Decode(format!("API address {base:?}: {e}")))
    }

    fn authorize(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.settings.auth {
            BeelineAuth::Basic { login, password } => {
                req.basic_auth(login, Some(password.expose_secret()))
            }
            // The certificate is presented by the TLS layer.
            BeelineAuth::Certificate { .. } => req,
        }
    }

    /// A `RequestID` (1.7: unique, used only for Beeline's debugging).
    fn request_id(&self) -> String {
        format!(
            "callboard-{}-{}",
            Utc::now().timestamp_millis(),
            self.next_request.fetch_add(1, Ordering::Relaxed)
        )
    }

    /// Sends one command in the `api_form` part and returns the answer object; the 4.19
    /// error body becomes [`BeelineError::Api`], whatever the HTTP status.
    pub async fn command(&self, body: &Value) -> Result<Map<String, Value>, BeelineError> {
        let name = body.get("Command").and_then(Value::as_str).unwrap_or("?");
        tracing::debug!(command = name, "Beeline request");
        let form = reqwest::multipart::Form::new().text("api_form", body.to_string());
        let resp = self
            .authorize(self.http.post(self.endpoint("api/request")?))
            .multipart(form)
            .send()
            .await?;
        let status = resp.status();
        let text = resp.text().await?;
        if let Some(e) = wire::error_body(&text, status.as_u16()) {
            return Err(e);
        }
        if !status.is_success() {
            return Err(BeelineError::Http {
                status: status.as_u16(),
                body: truncate(&text, 300),
            });
        }
        wire::object(&text, name)
    }

    /// `REQCDR`: orders the CDRs of calls that *ended* in `[from, to]` (Moscow time on the
    /// wire, whole seconds), for `numbers` (4.13.1) or all numbers when empty (4.13.2).
    pub async fn request_cdr(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        numbers: &[String],
    ) -> Result<CdrJob, BeelineError> {
        let body = wire::reqcdr(
            &moscow_text(from),
            &moscow_text(to),
            numbers,
            &self.request_id(),
        );
        let answer = self.command(&body).await?;
        // 4.13 puts `CDRID` at the top; accept it inside `ConfData` too.
        let id = text(&answer, "CDRID")
            .or_else(|| match field(&answer, "ConfData") {
                Some(Value::Object(conf)) => text(conf, "CDRID"),
                _ => None,
            })
            .filter(|id| !id.trim().is_empty())
            .ok_or_else(|| {
                BeelineError::Decode(format!("REQCDR answer without CDRID: {answer:?}"))
            })?;
        Ok(CdrJob {
            id,
            from,
            to,
            numbers: numbers.to_vec(),
        })
    }

    /// `STATCDR`: whether the job's file is ready, and where.
    pub async fn cdr_status(&self, job: &CdrJob) -> Result<CdrStatus, BeelineError> {
        let answer = self.command(&wire::statcdr(&job.id)).await?;
        let conf = match field(&answer, "ConfData") {
            Some(Value::Object(conf)) => conf,
            _ => &answer,
        };
        let status = text(conf, "STATUS").unwrap_or_default();
        // `NOT READY` has a space (4.14); tolerate `NOT_READY` and stray spacing too.
        let words: Vec<String> = status
            .split(|c: char| c.is_whitespace() || c == '_')
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_uppercase)
            .collect();
        match words.join(" ").as_str() {
            "NOT READY" => Ok(CdrStatus::NotReady),
            "EXPIRED" => Ok(CdrStatus::Expired),
            "READY" => {
                let raw = text(conf, "URL").unwrap_or_default();
                let url = self
                    .settings
                    .api
                    .join(raw.trim())
                    .map_err(|e| BeelineError::Decode(format!("STATCDR URL {raw:?}: {e}")))?;
                Ok(CdrStatus::Ready { url })
            }
            _ => Err(BeelineError::Decode(format!(
                "STATCDR status {status:?} is none of NOT READY, READY, EXPIRED"
            ))),
        }
    }

    /// Downloads a ready CDR file and normalizes its rows.
    pub async fn download_cdr(&self, url: &Url) -> Result<Vec<NewCall>, BeelineError> {
        let resp = self.get(url).await?;
        let bytes = resp.bytes().await?;
        parse_cdr_file(&bytes, &self.settings.cdr_columns)
    }

    /// A GET on an allowed host with our credentials; any error answer becomes an error.
    async fn get(&self, url: &Url) -> Result<reqwest::Response, BeelineError> {
        if !Allowed::of(&self.settings).allows(url) {
            return Err(BeelineError::ForbiddenHost {
                host: url.host_str().unwrap_or_default().to_string(),
                url: url.to_string(),
            });
        }
        let resp = self
            .authorize(self.downloads.get(url.clone()))
            .send()
            .await?;
        let status = resp.status();
        let is_json = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("json"));
        if !status.is_success() || is_json {
            // Download errors are the same body as command errors (404.112, 404.113).
            let text = resp.text().await?;
            return Err(
                wire::error_body(&text, status.as_u16()).unwrap_or(BeelineError::Http {
                    status: status.as_u16(),
                    body: truncate(&text, 300),
                }),
            );
        }
        Ok(resp)
    }

    /// Runs a whole CDR job for the calls that *started* in `[from, to]`.
    ///
    /// Beeline selects by end time, so the job asks for ends in
    /// `[from - 1 s, to + max_call + 1 s]` and keeps the calls that started in the window:
    /// a call that began just before `to` and ended after it is not lost, and the extra
    /// second on each side covers Beeline's whole-second, maybe-exclusive bounds. A call
    /// still going on when this runs has no CDR yet; the next pass's overlap finds it.
    ///
    /// Polls every `poll_every`, at most `max_polls` times per job; an expired or unknown
    /// job (`EXPIRED`, 404.106, or its file gone, 404.113) is ordered again, up to
    /// [`MAX_JOB_REQUESTS`] times.
    pub async fn fetch_calls(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        numbers: &[String],
        poll_every: Duration,
        max_polls: u32,
    ) -> Result<Vec<NewCall>, BeelineError> {
        let margin = chrono::Duration::seconds(EDGE_MARGIN_SECS);
        let calls = self
            .run_cdr_job(
                from - margin,
                to + self.settings.max_call + margin,
                numbers,
                poll_every,
                max_polls,
            )
            .await?;
        Ok(calls
            .into_iter()
            .filter(|c| c.started_at >= from && c.started_at <= to)
            .collect())
    }

    /// Orders, polls and downloads the CDRs of calls that *ended* in `[from, to]`.
    pub async fn run_cdr_job(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        numbers: &[String],
        poll_every: Duration,
        max_polls: u32,
    ) -> Result<Vec<NewCall>, BeelineError> {
        match self
            .advance_job(from, to, numbers, None, poll_every, max_polls)
            .await?
        {
            JobStep::Done(calls) => Ok(calls),
            JobStep::Waiting(pending) => Err(BeelineError::JobNotReady {
                cdrid: pending.job.id,
                polls: max_polls.max(1),
            }),
        }
    }

    /// Moves a CDR job for ends in `[from, to]` as far as it goes now: orders it unless
    /// `pending` already did, polls it up to `max_polls` times, and downloads its file
    /// once ready. A job that expired or was forgotten (`EXPIRED`, 404.106, or its file
    /// gone, 404.113) is ordered again, up to [`MAX_JOB_REQUESTS`] times in all. A job
    /// still not ready comes back as [`JobStep::Waiting`], to be resumed later (after a
    /// restart too) instead of ordered again.
    pub async fn advance_job(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        numbers: &[String],
        pending: Option<PendingJob>,
        poll_every: Duration,
        max_polls: u32,
    ) -> Result<JobStep, BeelineError> {
        let (mut job, mut orders) = match pending {
            Some(p) => (p.job, p.orders),
            None => (self.request_cdr(from, to, numbers).await?, 1),
        };
        let mut polls = 0;
        loop {
            if polls >= max_polls.max(1) {
                return Ok(JobStep::Waiting(PendingJob { job, orders }));
            }
            if polls > 0 {
                tokio::time::sleep(poll_every).await;
            }
            polls += 1;
            let lost = match self.cdr_status(&job).await {
                Ok(CdrStatus::NotReady) => continue,
                Ok(CdrStatus::Ready { url }) => match self.download_cdr(&url).await {
                    Err(BeelineError::Api {
                        code: ApiErrorCode::FileNotFound,
                        ..
                    }) => None,
                    done => return done.map(JobStep::Done),
                },
                Ok(CdrStatus::Expired) => None,
                Err(
                    e @ BeelineError::Api {
                        code: ApiErrorCode::InvalidCdrId,
                        ..
                    },
                ) => Some(e),
                Err(e) => return Err(e),
            };
            if orders >= MAX_JOB_REQUESTS {
                return Err(lost.unwrap_or(BeelineError::JobLost {
                    cdrid: job.id.clone(),
                    attempts: orders,
                }));
            }
            tracing::info!(cdrid = %job.id, "Beeline CDR job lost; ordering it again");
            job = self.request_cdr(from, to, numbers).await?;
            orders += 1;
            polls = 0;
        }
    }

    /// The download link behind a call's `recording_ref` (the CDR file's link itself).
    pub fn recording_url(&self, recording_ref: &str) -> Result<Url, BeelineError> {
        self.settings
            .api
            .join(recording_ref.trim())
            .map_err(|e| BeelineError::Decode(format!("recording link {recording_ref:?}: {e}")))
    }

    /// Downloads a recording to `dest`: written to `dest.part`, then renamed, so a failure
    /// never leaves half a file in place. Only from the API's host or `download_hosts`.
    pub async fn download_recording(
        &self,
        url: &Url,
        dest: &Path,
    ) -> Result<RecordingFile, BeelineError> {
        let resp = self.get(url).await?;
        save_response(resp, url, dest).await.map_err(|e| match e {
            SaveError::Stream(source) => source.into(),
            SaveError::Io(e) => e.into(),
        })
    }
}

/// Where our credentials may go: the API's own host, and the configured extra hosts.
#[derive(Clone)]
struct Allowed {
    api_host: Option<String>,
    extra: HostAllowList,
}

impl Allowed {
    fn of(settings: &BeelineSettings) -> Self {
        Self {
            api_host: settings.api.host_str().map(str::to_ascii_lowercase),
            extra: settings.download_hosts.clone(),
        }
    }

    fn allows(&self, url: &Url) -> bool {
        let same_host = matches!(url.scheme(), "http" | "https")
            && url.host_str().map(str::to_ascii_lowercase) == self.api_host;
        same_host || self.extra.allows(url)
    }
}
