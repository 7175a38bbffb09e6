//! callboard over HTTP: JSON endpoints and server-sent events over the same [`Service`]
//! the desktop shell wraps, plus the built UI and the OpenAPI document.

mod error;
mod openapi;
mod routes;

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use callboard_core::Service;
use tower_http::services::{ServeDir, ServeFile};

pub use error::HttpError;
pub use openapi::ApiDoc;

/// The whole HTTP surface: `/api/...` and, when `ui_dir` is given, the UI at `/`.
pub fn router(service: Arc<Service>, ui_dir: Option<PathBuf>) -> Router {
    let api = routes::api().with_state(service);
    match ui_dir {
        Some(dir) => {
            let index = dir.join("index.html");
            api.fallback_service(ServeDir::new(dir).fallback(ServeFile::new(index)))
        }
        None => api,
    }
}
