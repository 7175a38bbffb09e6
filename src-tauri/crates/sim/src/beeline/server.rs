//! The running Beeline simulator: `/api/request` and `/api/download` on one loopback port,
//! plain HTTP (the real service is HTTPS on 443; client certificates are not checked here,
//! a client using one gets in by IP when `trust_loopback` is set).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};

use super::dataset::BeelineDataset;
use super::errors::{self, SpecError};
use super::examples::SpecExample;
use super::state::{Armed, SimState};
use super::{api, download};
use crate::serving::{Bound, Serving};

/// Login the simulator accepts by default.
pub const BEELINE_SIM_LOGIN: &str = "cloudcc-sim";

/// How to start a Beeline simulator.
#[derive(Debug, Clone)]
pub struct BeelineSimOptions {
    /// Loopback with port 0 by default, so parallel tests never collide.
    pub bind: SocketAddr,
    /// Same seed, same history; the callers come from [`crate::Population`] of this seed.
    pub seed: u64,
    /// How many days back calls stay visible.
    pub days: u32,
    /// Long-run average calls per day.
    pub calls_per_day: u32,
    /// Fixed clock for reproducible tests; `None` follows the wall clock.
    pub now: Option<DateTime<Utc>>,
    /// HTTP Basic credentials the simulator accepts.
    pub login: String,
    /// See `login`.
    pub password: String,
    /// Let loopback peers in without Basic (3.4's authorization by IP).
    pub trust_loopback: bool,
    /// How many STATCDR polls a new job answers `NOT READY` before `READY`.
    pub not_ready_polls: u32,
}

impl Default for BeelineSimOptions {
    fn default() -> Self {
        Self {
            bind: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            seed: 1,
            days: 28,
            calls_per_day: 150,
            now: None,
            login: BEELINE_SIM_LOGIN.to_string(),
            password: crate::SIM_PASSWORD.to_string(),
            trust_loopback: false,
            not_ready_polls: 1,
        }
    }
}

/// A running Beeline simulator. Dropping it stops the server; [`BeelineSim::shutdown`]
/// also waits for the port to be released.
#[derive(Debug)]
pub struct BeelineSim {
    server: Serving,
    state: Arc<SimState>,
}

impl BeelineSim {
    /// Binds `opts.bind` and serves in the background on the current runtime.
    pub async fn start(opts: BeelineSimOptions) -> std::io::Result<BeelineSim> {
        let bound = Bound::bind(opts.bind).await?;
        let state = Arc::new(SimState::new(
            BeelineDataset::new(opts.seed, opts.days, opts.calls_per_day),
            opts.seed,
            bound.base_url.clone(),
            opts.login,
            opts.password,
            opts.trust_loopback,
            opts.now,
            opts.not_ready_polls,
        ));
        let app = Router::new()
            .route("/api/request", post(api::handle))
            .route("/api/download", get(download::handle))
            .with_state(state.clone());
        let server = bound.serve(app, "Beeline", opts.seed);
        Ok(BeelineSim { server, state })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// `"http://127.0.0.1:PORT"`: the API base (`/api/request`, `/api/download`).
    pub fn base_url(&self) -> String {
        self.state.base_url.clone()
    }

    /// The generator behind the server, to compute expected answers in tests.
    pub fn dataset(&self) -> &BeelineDataset {
        &self.state.dataset
    }

    /// The simulator's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.state.now()
    }

    /// Requests seen for a command (`"REQCDR"`, `"STATCDR"`, ...), for
    /// [`super::CDR_FILE`] or for [`super::RECORDING`].
    pub fn request_count(&self, command: &str) -> u64 {
        self.state.request_count(command)
    }

    /// Answers the next `times` calls of `command` with an error of the 4.19 table.
    pub fn fail_next(&self, command: &str, error: &'static SpecError, times: u32) {
        self.state.arm(command, Armed::Error(error), times);
    }

    /// As [`BeelineSim::fail_next`], by code (the first row of `400.8`); `false` if the
    /// table has no such code.
    pub fn fail_next_code(&self, command: &str, code: &str, times: u32) -> bool {
        match SpecError::by_code(code) {
            Some(e) => {
                self.fail_next(command, e, times);
                true
            }
            None => false,
        }
    }

    /// Answers the next `times` calls of `command` with a spec example, byte for byte.
    pub fn serve_example_next(&self, command: &str, example: SpecExample, times: u32) {
        self.state.arm(command, Armed::Example(example), times);
    }

    /// Jobs opened from now on answer `NOT READY` to their first `polls` STATCDRs.
    pub fn keep_not_ready(&self, polls: u32) {
        self.state.set_not_ready_polls(polls);
    }

    /// Expires a job; `false` if there is no such job.
    pub fn expire_job(&self, cdrid: &str) -> bool {
        self.state.expire_job(cdrid)
    }

    /// The next `n` jobs opened are `EXPIRED` from their first STATCDR.
    pub fn expire_next_jobs(&self, n: u32) {
        self.state.expire_next_jobs(n);
    }

    /// Every `api_form` part received, in order, as sent.
    pub fn received_forms(&self) -> Vec<String> {
        self.state.forms()
    }

    /// The whole 4.19 table the simulator answers from.
    pub fn error_table(&self) -> &'static [SpecError] {
        errors::SPEC_ERRORS
    }

    /// Stops accepting, lets in-flight requests finish and waits for the task.
    pub async fn shutdown(self) {
        self.server.shutdown().await
    }
}
