//! The running simulator: one axum router on one loopback port.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, SubsecRound, Utc};
use serde_json::json;

use crate::dataset::{CUSTOMER_NAME, Dataset, SIP_IDS};
use crate::hooks::{FailureForm, Hooks, InjectedFailure};
use crate::records::{self, AudioCache};
use crate::rpc;
use crate::serving::{Bound, Serving};

/// Password the simulator accepts; not a secret, it guards nothing real.
pub const SIM_PASSWORD: &str = "sim-secret";

/// How to start a simulator.
#[derive(Debug, Clone)]
pub struct SimOptions {
    /// Loopback with port 0 by default so parallel tests never collide.
    pub bind: SocketAddr,
    /// Same seed, same history: tests compute expectations from [`Dataset`].
    pub seed: u64,
    /// How many days back history is visible.
    pub days: u32,
    /// Long-run average number of calls per day.
    pub calls_per_day: u32,
    /// Fixed clock for reproducible tests; `None` follows the wall clock so
    /// new calls keep appearing for live demos and sync loops.
    pub now: Option<DateTime<Utc>>,
}

impl Default for SimOptions {
    fn default() -> Self {
        Self {
            bind: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            seed: 1,
            days: 28,
            calls_per_day: 150,
            now: None,
        }
    }
}

/// Everything a client needs to log into the simulated MTT account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimAccount {
    /// `customer_name` for `getServiceHistoryByCustomer`.
    pub customer_name: String,
    /// Our numbers, valid `sip_id`s for `getCallHistory`.
    pub sip_ids: Vec<String>,
    /// HTTP Basic user name.
    pub login: String,
    /// HTTP Basic password.
    pub password: String,
}

impl SimAccount {
    /// The one fixed account the simulator serves.
    pub fn fixed() -> Self {
        Self {
            customer_name: CUSTOMER_NAME.to_string(),
            sip_ids: SIP_IDS.iter().map(|s| s.to_string()).collect(),
            login: CUSTOMER_NAME.to_string(),
            password: SIM_PASSWORD.to_string(),
        }
    }
}

/// State shared by all handlers.
#[derive(Debug)]
pub(crate) struct AppState {
    pub(crate) dataset: Arc<Dataset>,
    pub(crate) hooks: Hooks,
    pub(crate) base_url: String,
    pub(crate) audio_cache: AudioCache,
    account: SimAccount,
    fixed_now: Option<DateTime<Utc>>,
}

impl AppState {
    /// The simulator's clock, in whole seconds like MTT's timestamps.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.fixed_now.unwrap_or_else(Utc::now).trunc_subsecs(0)
    }
}

/// Whether the request carries the account's HTTP Basic credentials.
pub(crate) fn authorized(headers: &HeaderMap, st: &AppState) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("basic").then_some(token.trim())
        })
        .and_then(|token| BASE64.decode(token).ok())
        .and_then(|raw| String::from_utf8(raw).ok())
        .is_some_and(|pair| {
            pair.split_once(':').is_some_and(|(login, password)| {
                login == st.account.login && password == st.account.password
            })
        })
}

/// The 401 answer with a Basic challenge, so HTTP clients know to send credentials.
pub(crate) fn challenge() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"MTT Telecom API (simulator)\""),
        )],
        Json(json!({ "error": "unauthorized" })),
    )
        .into_response()
}

/// `POST /_sim/fail`: arms a failure over HTTP for out-of-process clients.
async fn arm_failure(
    State(st): State<Arc<AppState>>,
    body: Result<Json<InjectedFailure>, JsonRejection>,
) -> Response {
    let f = match body {
        Ok(Json(f)) => f,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({ "error": e.body_text() })),
            )
                .into_response();
        }
    };
    if f.form == FailureForm::Http && !(100..=599).contains(&f.code) {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": "form http needs an HTTP status code (100-599)" })),
        )
            .into_response();
    }
    tracing::info!(method = %f.method, form = ?f.form, times = f.times, "failure armed");
    st.hooks.arm(f);
    Json(json!({ "armed": true })).into_response()
}

/// `GET /_sim/stats`: request counters per method.
async fn stats(State(st): State<Arc<AppState>>) -> Json<serde_json::Value> {
    let requests: BTreeMap<String, u64> = st.hooks.snapshot();
    Json(json!({ "requests": requests }))
}

fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/index.php", post(rpc::handle))
        .route("/v1/records/{id}/urls", get(records::urls_v1))
        .route("/v2/records/{id}/urls", get(records::urls_v2))
        .route("/_sim/fail", post(arm_failure))
        .route("/_sim/stats", get(stats))
        .fallback(records::file)
        .with_state(state)
}

/// A running simulator. Dropping it stops the server too; prefer
/// [`MttSim::shutdown`] to also wait until the port is released.
#[derive(Debug)]
pub struct MttSim {
    server: Serving,
    state: Arc<AppState>,
}

impl MttSim {
    /// Binds `opts.bind` and serves in the background on the current runtime.
    pub async fn start(opts: SimOptions) -> std::io::Result<MttSim> {
        let bound = Bound::bind(opts.bind).await?;
        let state = Arc::new(AppState {
            dataset: Arc::new(Dataset::new(opts.seed, opts.days, opts.calls_per_day)),
            hooks: Hooks::default(),
            base_url: bound.base_url.clone(),
            audio_cache: AudioCache::default(),
            account: SimAccount::fixed(),
            fixed_now: opts.now,
        });
        let app = router(state.clone());
        let server = bound.serve(app, "MTT", opts.seed);
        Ok(MttSim { server, state })
    }

    /// The bound address (the real port when `bind` asked for port 0).
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// `"http://127.0.0.1:PORT"`, the base for both `webapicommon` and `rc` hosts.
    pub fn base_url(&self) -> String {
        self.state.base_url.clone()
    }

    /// Credentials and ids a client needs for this simulator.
    pub fn account(&self) -> SimAccount {
        self.state.account.clone()
    }

    /// The generator behind the server, to compute expected answers in tests.
    pub fn dataset(&self) -> &Dataset {
        &self.state.dataset
    }

    /// Requests seen for a JSON-RPC method, `"records_urls"` or `"records_file"`;
    /// lets tests assert on retries and on window splitting.
    pub fn request_count(&self, method: &str) -> u64 {
        self.state.hooks.request_count(method)
    }

    /// Arms a failure for the next `f.times` calls of `f.method`. Unlike
    /// `POST /_sim/fail` it can't reject input, so an `Http` form whose `code`
    /// is no HTTP status answers 500.
    pub fn fail_next(&self, f: InjectedFailure) {
        self.state.hooks.arm(f);
    }

    /// Stops accepting, lets in-flight requests finish and waits for the task.
    pub async fn shutdown(self) {
        self.server.shutdown().await
    }
}
