//! The listener's routes and what every request goes through before its provider's
//! parser sees it: the client's address (through trusted proxies), the account and its
//! credentials, the body within its size and time limits. Whatever is refused gets a 4xx
//! with the reason and lands in the refused-requests log.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use callboard_core::Service;
use callboard_core::config::allowed;
use callboard_model::ProviderKind;
use callboard_providers::LiveEvent;
use chrono::Utc;
use ipnet::IpNet;
use url::Url;

use crate::auth::{AccountAuth, Denied, Presented};
use crate::refusals::Refusals;
use crate::serve::ConnInfo;

/// What the routes share.
pub(crate) struct Shared {
    pub service: Arc<Service>,
    pub accounts: HashMap<String, AccountAuth>,
    pub trusted_proxies: Vec<IpNet>,
    pub max_body: usize,
    pub body_timeout: Duration,
    /// Where providers reach the listener (for the URLs it hands out).
    pub public_url: Url,
    pub refusals: Refusals,
    /// Each SpRecord account's parsed section.
    pub sprecord: HashMap<String, callboard_providers::sprecord::SpRecordSection>,
}

/// A request that passed the checks: its account, client and body.
pub(crate) struct Accepted {
    pub account: String,
    pub client: IpAddr,
    pub method: Method,
    pub headers: HeaderMap,
    pub query: Option<String>,
    pub body: Bytes,
    /// The path with its token masked, for logs.
    pub path: String,
}

/// Which route a request came by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hook {
    MttRoute,
    MttEvents,
    MttCallback,
    MttVoice,
    MttIvr,
    Beeline,
    Sprecord,
}

impl Hook {
    fn provider(self) -> ProviderKind {
        match self {
            Self::Beeline => ProviderKind::Beeline,
            Self::Sprecord => ProviderKind::Sprecord,
            _ => ProviderKind::Mtt,
        }
    }

    fn routing(self) -> bool {
        matches!(self, Self::MttRoute | Self::Beeline)
    }

    fn mtt(kind: &str) -> Option<Self> {
        Some(match kind {
            "route" => Self::MttRoute,
            "events" => Self::MttEvents,
            "callback" => Self::MttCallback,
            "voice" => Self::MttVoice,
            "ivr" => Self::MttIvr,
            _ => return None,
        })
    }
}

pub(crate) fn routes(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/mtt/{account}/{token}/{kind}", any(mtt))
        .route("/beeline/{account}/{token}", any(beeline))
        // Beeline is given a host and port, no path (spec 1.4): its account is found by
        // the credentials the request brings.
        .route("/", any(beeline_bare))
        .route("/sprecord/{account}/{token}", any(sprecord))
        .fallback(unknown)
        .with_state(shared)
}

async fn mtt(
    State(s): State<Arc<Shared>>,
    Path((account, token, kind)): Path<(String, String, String)>,
    req: Request,
) -> Response {
    let Some(hook) = Hook::mtt(&kind) else {
        return s
            .refuse(
                req,
                Some(&account),
                Denied::new(404, format!("no MTT route {kind:?}")),
            )
            .await;
    };
    match s.accept(req, hook, &account, Some(&token)).await {
        Ok(a) => crate::mtt::handle(&s, hook, a).await,
        Err(r) => r,
    }
}

async fn beeline(
    State(s): State<Arc<Shared>>,
    Path((account, token)): Path<(String, String)>,
    req: Request,
) -> Response {
    match s.accept(req, Hook::Beeline, &account, Some(&token)).await {
        Ok(a) => crate::beeline::handle(&s, a).await,
        Err(r) => r,
    }
}

async fn beeline_bare(State(s): State<Arc<Shared>>, req: Request) -> Response {
    // The Beeline account whose credentials the request carries (client certificate,
    // Basic, source address); without exactly one, nobody's.
    let candidates: Vec<&AccountAuth> = s
        .accounts
        .values()
        .filter(|a| a.provider == ProviderKind::Beeline && a.has_tokenless_auth())
        .filter(|a| a.check(&s.presented(&req, None, true)).is_ok())
        .collect();
    let account = match candidates.as_slice() {
        [one] => one.id.clone(),
        [] => {
            return s
                .refuse(
                    req,
                    None,
                    Denied::new(403, "no account matches this request's credentials"),
                )
                .await;
        }
        _ => {
            return s
                .refuse(
                    req,
                    None,
                    Denied::new(
                        409,
                        "several Beeline accounts match: give each its own path or credentials",
                    ),
                )
                .await;
        }
    };
    match s.accept(req, Hook::Beeline, &account, None).await {
        Ok(a) => crate::beeline::handle(&s, a).await,
        Err(r) => r,
    }
}

async fn sprecord(
    State(s): State<Arc<Shared>>,
    Path((account, token)): Path<(String, String)>,
    req: Request,
) -> Response {
    match s.accept(req, Hook::Sprecord, &account, Some(&token)).await {
        Ok(a) => crate::sprecord::handle(&s, a).await,
        Err(r) => r,
    }
}

async fn unknown(State(s): State<Arc<Shared>>, req: Request) -> Response {
    s.refuse(req, None, Denied::new(404, "no such webhook path"))
        .await
}

impl Shared {
    fn conn(req: &Request) -> ConnInfo {
        req.extensions()
            .get::<ConnInfo>()
            .cloned()
            .unwrap_or(ConnInfo {
                peer: ([0, 0, 0, 0], 0).into(),
                client_cert: None,
                tls: false,
            })
    }

    /// The client's address: the peer's, or when the peer is a trusted proxy, the
    /// nearest address in `X-Forwarded-For` that is not one.
    pub fn client(&self, req: &Request) -> IpAddr {
        let peer = Self::conn(req).peer.ip();
        if !allowed(&self.trusted_proxies, peer) {
            return peer;
        }
        let forwarded: Vec<IpAddr> = req
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map_while(|a| a.trim().parse().ok())
            .collect();
        let mut client = peer;
        for addr in forwarded.into_iter().rev() {
            client = addr;
            if !allowed(&self.trusted_proxies, addr) {
                break;
            }
        }
        client
    }

    fn presented<'a>(
        &self,
        req: &'a Request,
        token: Option<&'a str>,
        routing: bool,
    ) -> Presented<'a> {
        Presented {
            token,
            authorization: req
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok()),
            client: self.client(req),
            client_cert: req
                .extensions()
                .get::<ConnInfo>()
                .and_then(|c| c.client_cert.as_ref()),
            routing,
        }
    }

    /// Checks `req` for `account` and reads its body; a refusal is answered and logged.
    async fn accept(
        &self,
        req: Request,
        hook: Hook,
        account: &str,
        token: Option<&str>,
    ) -> Result<Accepted, Response> {
        let Some(auth) = self
            .accounts
            .get(account)
            .filter(|a| a.provider == hook.provider())
        else {
            // Whether the account exists is not told to strangers.
            return Err(self
                .refuse(req, None, Denied::new(403, crate::auth::UNKNOWN))
                .await);
        };
        if let Err(d) = auth.check(&self.presented(&req, token, hook.routing())) {
            return Err(self.refuse(req, Some(account), d).await);
        }
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        if declared.is_some_and(|n| n > self.max_body) {
            let d = Denied::new(
                413,
                format!(
                    "body of {} bytes over the {} byte limit",
                    declared.unwrap_or(0),
                    self.max_body
                ),
            );
            return Err(self.refuse(req, Some(account), d).await);
        }
        let client = self.client(&req);
        let path = mask_token(req.uri().path());
        let (parts, body) = req.into_parts();
        let body = match tokio::time::timeout(
            self.body_timeout,
            axum::body::to_bytes(body, self.max_body),
        )
        .await
        {
            Ok(Ok(b)) => b,
            Ok(Err(_)) => {
                let d = Denied::new(
                    413,
                    format!("body over the {} byte limit, or cut off", self.max_body),
                );
                return Err(self.refused(&parts.method, &path, client, Some(account), d, &[]));
            }
            Err(_) => {
                let d = Denied::new(408, "body not received in time");
                return Err(self.refused(&parts.method, &path, client, Some(account), d, &[]));
            }
        };
        Ok(Accepted {
            account: account.to_owned(),
            client,
            method: parts.method,
            query: parts.uri.query().map(str::to_owned),
            headers: parts.headers,
            body,
            path,
        })
    }

    /// Answers and logs a refusal of a request whose body was not read yet: its first
    /// bytes are read for the log, for a moment at most.
    async fn refuse(&self, req: Request, account: Option<&str>, d: Denied) -> Response {
        let (method, path, client) = (
            req.method().clone(),
            mask_token(req.uri().path()),
            self.client(&req),
        );
        let head = head_of(req.into_body(), HEAD_BYTES, HEAD_WAIT).await;
        self.refused(&method, &path, client, account, d, &head)
    }

    /// Answers and logs a refusal; `head` is the body's start, when it was read.
    pub fn refused(
        &self,
        method: &Method,
        path: &str,
        client: IpAddr,
        account: Option<&str>,
        d: Denied,
        head: &[u8],
    ) -> Response {
        self.refusals.log(callboard_core::Refusal {
            at: Utc::now(),
            source: client.to_string(),
            method: method.to_string(),
            path: path.to_owned(),
            account: account.map(str::to_owned),
            status: d.status,
            reason: d.reason.clone(),
            head: String::from_utf8_lossy(&head[..head.len().min(HEAD_BYTES)]).into_owned(),
        });
        let status = StatusCode::from_u16(d.status).unwrap_or(StatusCode::BAD_REQUEST);
        (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            d.reason,
        )
            .into_response()
    }

    /// Refuses an accepted request whose body its parser could not read.
    pub fn unreadable(&self, a: &Accepted, reason: String) -> Response {
        self.refused(
            &a.method,
            &a.path,
            a.client,
            Some(&a.account),
            Denied::new(400, reason),
            &a.body,
        )
    }

    /// Stores `events`, then answers 200 with `ack`: nothing is acknowledged before it is
    /// written. A store that fails answers 500, so the provider may send it again.
    pub async fn ingest(&self, a: &Accepted, events: Vec<LiveEvent>, ack: Response) -> Response {
        match self.service.ingest_live(&a.account, events).await {
            Ok(_) => ack,
            Err(e) => {
                tracing::error!(account = %a.account, error = %e, "listener: events not stored");
                self.refused(
                    &a.method,
                    &a.path,
                    a.client,
                    Some(&a.account),
                    Denied::new(500, format!("not stored: {e}")),
                    &a.body,
                )
            }
        }
    }

    /// The public URL of one of `account`'s routes (`kind` after its token).
    pub fn hook_url(&self, provider: ProviderKind, account: &str, kind: Option<&str>) -> String {
        let token = self.accounts.get(account).map_or("", |a| a.token.as_str());
        hook_url(&self.public_url, provider, account, token, kind)
    }
}

/// How many bytes of a refused body the log keeps.
const HEAD_BYTES: usize = 256;
/// How long a refused request's first bytes are waited for.
const HEAD_WAIT: Duration = Duration::from_millis(500);

/// Up to `max` bytes of `body`, as many as arrive within `wait`.
async fn head_of(body: axum::body::Body, max: usize, wait: Duration) -> Vec<u8> {
    use futures_util::StreamExt;
    let mut stream = body.into_data_stream();
    let mut head = Vec::new();
    let _ = tokio::time::timeout(wait, async {
        while head.len() < max {
            match stream.next().await {
                Some(Ok(chunk)) => {
                    head.extend_from_slice(&chunk[..chunk.len().min(max - head.len())])
                }
                _ => break,
            }
        }
    })
    .await;
    head
}

/// `/mtt/<account>/<token>/…` with the token replaced by `…`.
pub(crate) fn mask_token(path: &str) -> String {
    let parts: Vec<&str> = path.split('/').collect();
    match parts.as_slice() {
        ["", "mtt" | "beeline" | "sprecord", _, _, ..] => {
            let mut masked: Vec<&str> = parts.clone();
            masked[3] = "…";
            masked.join("/")
        }
        _ => path.chars().take(200).collect(),
    }
}

/// A webhook URL: `<public>/<provider>/<account>/<token>[/<kind>]`.
pub fn hook_url(
    public: &Url,
    provider: ProviderKind,
    account: &str,
    token: &str,
    kind: Option<&str>,
) -> String {
    let base = public.as_str().trim_end_matches('/');
    match kind {
        Some(k) => format!("{base}/{}/{account}/{token}/{k}", provider.as_str()),
        None => format!("{base}/{}/{account}/{token}", provider.as_str()),
    }
}

/// Where a call that asked to be routed stands once answered: refused, ringing `target`,
/// or handed to the provider's own forwarding (no rule, or no decision), which tells us
/// nothing more of it, so it ends here as forwarded.
pub(crate) fn arrival_stage(
    decision: &Result<callboard_routing::Decision, String>,
    target: Option<&str>,
    note: &str,
) -> callboard_providers::Stage {
    use callboard_providers::Stage;
    use callboard_routing::Decision;
    match decision {
        Ok(Decision::Reject { .. }) => Stage::Rejected {
            reason: note.to_owned(),
        },
        Ok(Decision::Forward { .. }) => Stage::Ringing {
            target: target.map(callboard_model::normalize_phone),
        },
        Ok(Decision::ProviderDefault { .. }) | Err(_) => Stage::Ended {
            outcome: callboard_model::Outcome::Forwarded,
            talk_secs: None,
            cause: Some(note.to_owned()),
        },
    }
}

/// A plain 200 answer.
pub(crate) fn ok(body: &'static str) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body,
    )
        .into_response()
}
