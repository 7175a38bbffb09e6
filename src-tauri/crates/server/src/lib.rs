//! callboard over HTTP: JSON endpoints and server-sent events over the same [`Service`]
//! the desktop shell wraps, plus the built UI and the OpenAPI document.

mod error;
mod openapi;
mod routes;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::Request;
use axum::http::uri::Authority;
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::IntoResponse;
use axum::{Json, Router};
use callboard_core::Service;
use callboard_model::{ApiError, ErrorCode};
use tower_http::services::{ServeDir, ServeFile};

pub use error::HttpError;
pub use openapi::ApiDoc;

/// `listener` with TCP_NODELAY on each connection. Without it a response's headers and
/// body leave in two writes and the second waits for the client's delayed ACK (about 40 ms
/// on Linux): every seek of a player, which is a new Range request, would pay it.
pub fn no_delay(
    listener: tokio::net::TcpListener,
) -> impl axum::serve::Listener<Io = tokio::net::TcpStream, Addr = SocketAddr> {
    use axum::serve::ListenerExt;
    listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY");
        }
    })
}

/// The whole HTTP surface: `/api/...` and, when `ui_dir` is given, the UI at `/`.
pub fn router(service: Arc<Service>, ui_dir: Option<PathBuf>) -> Router {
    let app = Router::new().nest("/api", routes::api().with_state(service));
    match ui_dir {
        Some(dir) => {
            let index = dir.join("index.html");
            app.fallback_service(ServeDir::new(dir).fallback(ServeFile::new(index)))
        }
        None => app,
    }
}

/// Recording audio alone (`/api/calls/{id}/recording/{index}`, with Range), for a media
/// server that must not expose the rest of the API: the desktop window plays recordings
/// over loopback HTTP and needs nothing else there.
pub fn recordings_router(service: Arc<Service>) -> Router {
    Router::new().nest("/api", routes::recordings_only().with_state(service))
}

/// Answers only requests addressed to this machine by a loopback name or the address
/// it listens on, so a web page cannot reach the API through DNS rebinding. Listening
/// on an unspecified address (`0.0.0.0`) accepts any name.
pub fn with_host_check(app: Router, listen: SocketAddr) -> Router {
    if listen.ip().is_unspecified() {
        return app;
    }
    let mut allowed = vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "[::1]".to_string(),
    ];
    allowed.push(match listen.ip() {
        IpAddr::V6(ip) => format!("[{ip}]"),
        IpAddr::V4(ip) => ip.to_string(),
    });
    app.layer(middleware::from_fn(move |req: Request, next: Next| {
        let allowed = allowed.clone();
        async move {
            let host = req
                .headers()
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .and_then(|h| h.parse::<Authority>().ok());
            match host {
                Some(a) if allowed.iter().any(|h| h.eq_ignore_ascii_case(a.host())) => {
                    next.run(req).await
                }
                _ => {
                    tracing::warn!(host = ?req.headers().get(header::HOST), "request for another host refused");
                    let refusal = ApiError::new(ErrorCode::InvalidInput, "this server answers only requests addressed to it");
                    (StatusCode::FORBIDDEN, Json(refusal)).into_response()
                }
            }
        }
    }))
}
