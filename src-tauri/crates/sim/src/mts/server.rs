//! The running @втосекретарь simulator: one axum router on one loopback port.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::RawQuery;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, SubsecRound, Utc};

use super::endpoints;
use super::hooks::Hooks;
use super::{MtsDataset, MtsEndpoint, MtsFailure, SpecExample};
use crate::serving::{Bound, Serving};

/// Login the simulator accepts by default.
pub const MTS_SIM_LOGIN: &str = "callboard";
/// Password (and token) the simulator accepts by default; not a secret, it guards nothing real.
pub const MTS_SIM_PASSWORD: &str = "sim-secret";

/// The credentials the simulator demands. The spec leaves authentication open, so the
/// client's choice is configurable and the simulator enforces whichever a test picks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MtsSimAuth {
    /// HTTP Basic (the default, with [`MTS_SIM_LOGIN`] / [`MTS_SIM_PASSWORD`]).
    Basic {
        /// User name.
        login: String,
        /// Password.
        password: String,
    },
    /// `Authorization: Bearer <token>`.
    Bearer {
        /// The token.
        token: String,
    },
    /// A header of its own, such as `X-Api-Key`.
    Header {
        /// Header name.
        name: String,
        /// Header value.
        value: String,
    },
    /// No authentication.
    None,
}

impl Default for MtsSimAuth {
    fn default() -> Self {
        Self::Basic {
            login: MTS_SIM_LOGIN.to_string(),
            password: MTS_SIM_PASSWORD.to_string(),
        }
    }
}

/// How to start an @втосекретарь simulator.
#[derive(Debug, Clone)]
pub struct MtsSimOptions {
    /// Loopback with port 0 by default so parallel tests never collide.
    pub bind: SocketAddr,
    /// Same seed, same history (and the same callers as the other simulators).
    pub seed: u64,
    /// How many days back records are kept.
    pub days: u32,
    /// Long-run average number of calls per day, over both UNs.
    pub calls_per_day: u32,
    /// Fixed clock for reproducible tests; `None` follows the wall clock.
    pub now: Option<DateTime<Utc>>,
    /// What the simulator demands of each request.
    pub auth: MtsSimAuth,
}

impl Default for MtsSimOptions {
    fn default() -> Self {
        Self {
            bind: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            seed: 1,
            days: 28,
            calls_per_day: 150,
            now: None,
            auth: MtsSimAuth::default(),
        }
    }
}

/// State shared by all handlers.
#[derive(Debug)]
pub(crate) struct AppState {
    pub(crate) dataset: MtsDataset,
    pub(crate) hooks: Hooks,
    pub(crate) base_url: String,
    auth: MtsSimAuth,
    fixed_now: Mutex<Option<DateTime<Utc>>>,
}

impl AppState {
    /// The simulator's clock, in whole seconds like the API's times.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        let fixed = *self.fixed_now.lock().unwrap_or_else(|e| e.into_inner());
        fixed.unwrap_or_else(Utc::now).trunc_subsecs(0)
    }

    /// Counts the request, then checks credentials, then fires any armed answer: the
    /// answer to send instead of the endpoint's own, if any.
    pub(crate) fn gate(
        &self,
        endpoint: MtsEndpoint,
        headers: &HeaderMap,
        query: &RawQuery,
    ) -> Option<Response> {
        self.hooks
            .record(endpoint, query.0.as_deref().unwrap_or(""));
        if !self.authorized(headers) {
            let mut resp = endpoints::answer(
                StatusCode::UNAUTHORIZED,
                super::render::error(401, "Unauthorized"),
            );
            let challenge = match &self.auth {
                MtsSimAuth::Basic { .. } => Some("Basic realm=\"MTS autosecretary (simulator)\""),
                MtsSimAuth::Bearer { .. } => Some("Bearer"),
                _ => None,
            };
            if let Some(c) = challenge {
                resp.headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(c));
            }
            return Some(resp);
        }
        if let Some(example) = self.hooks.take_example(endpoint) {
            return Some(endpoints::answer(StatusCode::OK, example.body()));
        }
        if let Some(f) = self.hooks.take_failure(endpoint) {
            let status = StatusCode::from_u16(f.http_status.unwrap_or(f.status_code))
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return Some(endpoints::answer(
                status,
                super::render::error(f.status_code, &f.status_msg),
            ));
        }
        None
    }

    fn authorized(&self, headers: &HeaderMap) -> bool {
        let header_text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let authorization = || {
            let (scheme, rest) = header_text(header::AUTHORIZATION.as_str())?
                .trim()
                .split_once(' ')?;
            Some((scheme.to_ascii_lowercase(), rest.trim().to_string()))
        };
        match &self.auth {
            MtsSimAuth::None => true,
            MtsSimAuth::Basic { login, password } => authorization()
                .filter(|(scheme, _)| scheme == "basic")
                .and_then(|(_, token)| BASE64.decode(token).ok())
                .and_then(|raw| String::from_utf8(raw).ok())
                .is_some_and(|pair| pair == format!("{login}:{password}")),
            MtsSimAuth::Bearer { token } => {
                authorization().is_some_and(|(scheme, t)| scheme == "bearer" && t == *token)
            }
            MtsSimAuth::Header { name, value } => header_text(name) == Some(value.as_str()),
        }
    }
}

fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/api/v1/un", get(endpoints::un))
        .route("/api/v1/cdr/bytime", get(endpoints::cdr_by_time))
        .route("/api/v1/cdr/byid", get(endpoints::cdr_by_id))
        .fallback(endpoints::not_found)
        .with_state(state)
}

/// A running simulator. Dropping it stops the server too; prefer
/// [`MtsSim::shutdown`] to also wait until the port is released.
#[derive(Debug)]
pub struct MtsSim {
    server: Serving,
    state: Arc<AppState>,
}

impl MtsSim {
    /// Binds `opts.bind` and serves in the background on the current runtime.
    pub async fn start(opts: MtsSimOptions) -> std::io::Result<MtsSim> {
        let bound = Bound::bind(opts.bind).await?;
        let state = Arc::new(AppState {
            dataset: MtsDataset::new(opts.seed, opts.days, opts.calls_per_day),
            hooks: Hooks::default(),
            base_url: bound.base_url.clone(),
            auth: opts.auth,
            fixed_now: Mutex::new(opts.now),
        });
        let app = router(state.clone());
        let server = bound.serve(app, "MTS", opts.seed);
        Ok(MtsSim { server, state })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// `"http://127.0.0.1:PORT"`.
    pub fn base_url(&self) -> String {
        self.state.base_url.clone()
    }

    /// `"http://127.0.0.1:PORT/api/v1/"`, the counterpart of `https://aa.mts.ru/api/v1/`.
    pub fn api_url(&self) -> String {
        format!("{}/api/v1/", self.state.base_url)
    }

    /// The generator behind the server, to compute expected answers in tests.
    pub fn dataset(&self) -> &MtsDataset {
        &self.state.dataset
    }

    /// The simulator's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.state.now()
    }

    /// Moves the fixed clock (records written meanwhile appear), or follows the wall
    /// clock again with `None`.
    pub fn set_now(&self, now: Option<DateTime<Utc>>) {
        *self
            .state
            .fixed_now
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = now;
    }

    /// Requests seen on `endpoint`, failed ones included.
    pub fn request_count(&self, endpoint: MtsEndpoint) -> u64 {
        self.state.hooks.request_count(endpoint)
    }

    /// The raw query strings of every request seen on `endpoint`, in order.
    pub fn queries(&self, endpoint: MtsEndpoint) -> Vec<String> {
        self.state.hooks.queries(endpoint)
    }

    /// Answers the next `f.times` requests of `f.endpoint` with an error envelope.
    pub fn fail_next(&self, f: MtsFailure) {
        self.state.hooks.arm_failure(f);
    }

    /// Answers the next `times` requests of the example's endpoint with the example,
    /// byte for byte.
    pub fn serve_example(&self, example: SpecExample, times: u32) {
        self.state.hooks.arm_example(example, times);
    }

    /// Stops accepting, lets in-flight requests finish and waits for the task.
    pub async fn shutdown(self) {
        self.server.shutdown().await
    }
}
