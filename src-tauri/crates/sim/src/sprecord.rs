//! An SpRecord M/MT recorder (`shared/specs/sprecord-m-mt.md`): answers `get_status`, the
//! recording of an `idr`, and recording on/off per channel. Its calls are posted by the
//! [`crate::live`] player, as a device posts them to the address set in its web UI.
//!
//! The spec stops after `get_status` (L54): the record and channel paths served here are
//! callboard's documented defaults (`/api/get_record?id=…`, `/api/set_record?…`).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::serving::{Bound, Serving};

/// The device's channels: hardware name and the name set in its web UI.
pub const SPRECORD_CHANNELS: [(&str, &str); 4] = [
    ("ch1", "Reception"),
    ("ch2", "Sales"),
    ("ch3", "Support"),
    ("ch4", "Director"),
];

/// A running recorder.
#[derive(Debug)]
pub struct SpRecordSim {
    serving: Serving,
    state: Arc<DeviceState>,
}

#[derive(Debug, Default)]
struct DeviceState {
    /// Recording switched off on these channels.
    off: Mutex<HashMap<String, bool>>,
}

impl SpRecordSim {
    /// Starts the device on a loopback port of its own.
    pub async fn start() -> std::io::Result<Self> {
        let bound = Bound::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let state = Arc::new(DeviceState::default());
        let app = Router::new()
            .route("/api/get_status", get(status))
            .route("/api/get_record", get(record))
            .route("/api/set_record", get(set_record))
            .with_state(state.clone());
        Ok(Self {
            serving: bound.serve(app, "SpRecord", 0),
            state,
        })
    }

    /// `http://127.0.0.1:PORT`, the account's `device` host.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.serving.addr())
    }

    /// Whether recording is on for `channel` (switched by `set_record`).
    pub fn recording_on(&self, channel: &str) -> bool {
        !self
            .state
            .off
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(channel)
            .copied()
            .unwrap_or(false)
    }

    /// Stops the device and waits until its port is released.
    pub async fn shutdown(self) {
        self.serving.shutdown().await;
    }
}

async fn status(State(s): State<Arc<DeviceState>>) -> Response {
    let off = s.off.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let channels: Vec<_> = SPRECORD_CHANNELS
        .iter()
        .map(|(hard, user)| {
            serde_json::json!({"hard_name": hard, "user_name": user,
                "recording": !off.get(*hard).copied().unwrap_or(false)})
        })
        .collect();
    axum::Json(serde_json::json!({"status": "ok", "model": "SpRecord MT (simulator)", "channels": channels}))
        .into_response()
}

async fn record(Query(q): Query<HashMap<String, String>>) -> Response {
    let Some(idr) = q.get("id").filter(|i| !i.is_empty()) else {
        return (StatusCode::BAD_REQUEST, "id is required").into_response();
    };
    match crate::audio::synthesize_wav(&format!("sprecord-{idr}"), 0) {
        Ok(wav) => ([(header::CONTENT_TYPE, "audio/wav")], wav).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

async fn set_record(
    State(s): State<Arc<DeviceState>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let (Some(channel), Some(state)) = (q.get("channel"), q.get("state")) else {
        return (StatusCode::BAD_REQUEST, "channel and state are required").into_response();
    };
    let off = match state.as_str() {
        "on" | "1" => false,
        "off" | "0" => true,
        other => return (StatusCode::BAD_REQUEST, format!("state {other:?}")).into_response(),
    };
    s.off
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(channel.clone(), off);
    "OK".into_response()
}
