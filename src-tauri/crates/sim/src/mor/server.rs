//! The running MOR simulator: `recordings_get` under a configurable prefix, and the
//! recordings' audio, on one loopback port.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::routing::{any, get};
use chrono::{DateTime, SubsecRound, Utc};

use super::api;
use super::dataset::MorDataset;
use super::hooks::{Hooks, MorHook};
use crate::serving::{Bound, Serving};

/// How to start a MOR simulator.
#[derive(Debug, Clone)]
pub struct MorSimOptions {
    /// Same seed, same recordings (and the same callers as the other simulators).
    pub seed: u64,
    /// How many days back recordings are visible.
    pub days: u32,
    /// Long-run average number of recorded calls per day.
    pub calls_per_day: u32,
    /// Fixed clock for reproducible tests; `None` follows the wall clock.
    pub now: Option<DateTime<Utc>>,
    /// Loopback with port 0 by default so parallel tests never collide.
    pub bind: SocketAddr,
    /// The API Secret Key the hash is checked with.
    pub secret: String,
    /// The one user (`u`) allowed to call the API.
    pub user: String,
    /// Where the API lives (`/billing/api/`, so `/billing/api/recordings_get`).
    pub path_prefix: String,
}

impl Default for MorSimOptions {
    fn default() -> Self {
        Self {
            seed: 1,
            days: 28,
            calls_per_day: 120,
            now: None,
            bind: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            secret: "sim-secret".into(),
            user: "admin".into(),
            path_prefix: "/billing/api/".into(),
        }
    }
}

#[derive(Debug)]
pub(crate) struct MorState {
    pub(crate) dataset: MorDataset,
    pub(crate) hooks: Hooks,
    pub(crate) base_url: String,
    pub(crate) user: String,
    pub(crate) secret: String,
    clock: Mutex<Option<DateTime<Utc>>>,
}

impl MorState {
    /// The simulator's clock, in whole seconds like MOR's time stamps.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .unwrap_or_else(Utc::now)
            .trunc_subsecs(0)
    }
}

/// `/billing/api/` from `billing/api`, `/billing/api` or `/billing/api/`.
fn normalized_prefix(prefix: &str) -> String {
    let inner = prefix.trim().trim_matches('/');
    if inner.is_empty() {
        "/".into()
    } else {
        format!("/{inner}/")
    }
}

/// A running MOR simulator. Dropping it stops the server; [`MorSim::shutdown`] also
/// waits until the port is released.
#[derive(Debug)]
pub struct MorSim {
    server: Serving,
    prefix: String,
    state: Arc<MorState>,
}

impl MorSim {
    /// Binds `opts.bind` and serves in the background on the current runtime.
    pub async fn start(opts: MorSimOptions) -> std::io::Result<MorSim> {
        let bound = Bound::bind(opts.bind).await?;
        let prefix = normalized_prefix(&opts.path_prefix);
        let state = Arc::new(MorState {
            dataset: MorDataset::new(opts.seed, opts.days, opts.calls_per_day),
            hooks: Hooks::default(),
            base_url: bound.base_url.clone(),
            user: opts.user,
            secret: opts.secret,
            clock: Mutex::new(opts.now),
        });
        let app = Router::new()
            .route(&format!("{prefix}recordings_get"), any(api::recordings_get))
            .route("/billing/recordings/{file}", get(api::recording_file))
            .with_state(state.clone());
        let server = bound.serve(app, "MOR", opts.seed);
        Ok(MorSim {
            server,
            prefix,
            state,
        })
    }

    /// The bound address (the real port when `bind` asked for port 0).
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// `"http://127.0.0.1:PORT"`: the MOR server, without the API prefix.
    pub fn base_url(&self) -> String {
        self.state.base_url.clone()
    }

    /// The full `recordings_get` URL.
    pub fn endpoint(&self) -> String {
        format!("{}{}recordings_get", self.state.base_url, self.prefix)
    }

    /// The generator behind the server, to compute expected answers in tests.
    pub fn dataset(&self) -> &MorDataset {
        &self.state.dataset
    }

    /// The simulator's current time.
    pub fn now(&self) -> DateTime<Utc> {
        self.state.now()
    }

    /// Moves the clock (and freezes it there), so recordings get published in a test.
    pub fn set_now(&self, now: DateTime<Utc>) {
        *self.state.clock.lock().unwrap_or_else(|e| e.into_inner()) = Some(now);
    }

    /// Answers the next `times` `recordings_get` requests with `hook`.
    pub fn arm(&self, hook: MorHook, times: u32) {
        self.state.hooks.arm(hook, times);
    }

    /// `recordings_get` requests seen, whatever their answer.
    pub fn request_count(&self) -> u64 {
        self.state.hooks.requests()
    }

    /// Audio file requests seen.
    pub fn file_request_count(&self) -> u64 {
        self.state.hooks.files()
    }

    /// Stops accepting, lets in-flight requests finish and waits for the task.
    pub async fn shutdown(self) {
        self.server.shutdown().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_normalized() {
        assert_eq!(normalized_prefix("/billing/api/"), "/billing/api/");
        assert_eq!(normalized_prefix("billing/api"), "/billing/api/");
        assert_eq!(normalized_prefix("/api"), "/api/");
        assert_eq!(normalized_prefix(""), "/");
    }
}
