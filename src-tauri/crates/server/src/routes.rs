//! `/api/...` handlers: each one is a thin call into the service.

use std::convert::Infallible;
use std::sync::Arc;

use axum::Json;
use axum::body::Body;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, Request, State};
use axum::http::header;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use callboard_core::{CallsCsv, Service};
use callboard_model::CallQuery;
use futures_util::Stream;
use std::str::FromStr;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use tower::ServiceExt;
use tower_http::services::ServeFile;
use utoipa::OpenApi;

use crate::{ApiDoc, HttpError};

type AppState = State<Arc<Service>>;

/// The operation table's side of the HTTP API, expanded from `with_operations!`: per
/// operation, a module holding its handler (with its OpenAPI path) and, when it has path
/// arguments, the struct they are read into by name.
macro_rules! http_operations {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident : $method:ident $path:literal
            $(path($p0:ident : $pt0:ty $(, $p:ident : $pt:ty)* $(,)?))?
            $(query($q:ident : $qt:ty))?
            $(body($b:ident : $bt:ty))?
            -> $ret:ty
            => |$s:ident| $call:expr;
    )*) => {
        pub(crate) mod ops {
            use super::*;

            $(
                pub(crate) mod $name {
                    use super::*;

                    /// The path's arguments, by their names in the route (none for
                    /// some operations: then unused).
                    #[derive(serde::Deserialize, utoipa::IntoParams)]
                    #[into_params(parameter_in = Path)]
                    #[allow(dead_code)]
                    pub(crate) struct PathArgs {
                        $(pub(crate) $p0: $pt0, $(pub(crate) $p: $pt,)*)?
                    }

                    $(#[doc = $doc])*
                    #[utoipa::path($method, path = $path, context_path = "/api",
                        operation_id = stringify!($name), tag = "operations",
                        params(PathArgs $(, $qt)?),
                        $(request_body = $bt,)?
                        responses((status = 200, body = $ret),
                            (status = "4XX", description = "refused: `ApiError`", body = callboard_model::ApiError),
                            (status = "5XX", description = "failed: `ApiError`", body = callboard_model::ApiError)))]
                    pub(crate) async fn handler(
                        State(service): AppState,
                        // Each extractor's result is named after an argument, which the
                        // value read from it then shadows.
                        $($p0: Result<Path<PathArgs>, PathRejection>,)?
                        $($q: Result<Query<$qt>, QueryRejection>,)?
                        $($b: Result<Json<$bt>, axum::extract::rejection::JsonRejection>,)?
                    ) -> Result<Json<$ret>, HttpError> {
                        $(
                            let Path(PathArgs { $p0, $($p,)* }) =
                                $p0.map_err(|e| HttpError::invalid(e.body_text()))?;
                        )?
                        $(let Query($q) = $q.map_err(|e| HttpError::invalid(e.body_text()))?;)?
                        $(let Json($b) = $b.map_err(|e| HttpError::invalid(e.body_text()))?;)?
                        Ok(Json(
                            callboard_core::ops::$name(&service, $($p0, $($p,)*)? $($q,)? $($b,)?)
                                .await?,
                        ))
                    }
                }
            )*

            /// Adds every operation's route to `router`.
            pub(crate) fn routes(router: axum::Router<Arc<Service>>) -> axum::Router<Arc<Service>> {
                router
                    $(.route($path, axum::routing::$method($name::handler)))*
            }

            /// The operations' OpenAPI paths (merged into [`crate::ApiDoc`]).
            #[derive(utoipa::OpenApi)]
            #[openapi(paths($($name::handler),*))]
            pub(crate) struct Paths;
        }
    };
}

callboard_core::with_operations!(http_operations);

/// The routes under `/api`; anything else there is a JSON 404, never the UI's page.
pub(crate) fn api() -> axum::Router<Arc<Service>> {
    // Before the table's routes: a literal segment wins over `/calls/{id}` anyway, but
    // the export is a stream and belongs with the other hand-written ones.
    ops::routes(axum::Router::new())
        .route("/calls/export.csv", get(export_calls))
        .route("/calls/{id}/recording/{index}", get(recording_file))
        .route("/events", get(events))
        .route("/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
        .fallback(|| async { HttpError::not_found("no such endpoint") })
}

/// Only the audio route, for the desktop's media server.
pub(crate) fn recordings_only() -> axum::Router<Arc<Service>> {
    axum::Router::new()
        .route("/calls/{id}/recording/{index}", get(recording_file))
        .fallback(|| async { HttpError::not_found("no such endpoint") })
}

/// One part's audio, cached on first play; honours `Range` so the player can seek.
#[utoipa::path(get, path = "/api/calls/{id}/recording/{index}",
    params(("id" = i64, Path), ("index" = u32, Path)),
    responses((status = 200, description = "audio", content_type = "audio/wav"),
        (status = 206, description = "a byte range of the audio"),
        (status = 404, body = callboard_model::ApiError)))]
pub(crate) async fn recording_file(
    State(s): AppState,
    Path((id, index)): Path<(i64, u32)>,
    req: Request,
) -> Result<Response, HttpError> {
    let (path, mime) = s.recording_file(id, index).await?;
    let mime: mime::Mime = mime
        .parse()
        .unwrap_or(mime::Mime::from_str("audio/wav").expect("valid MIME"));
    let Ok(served) = ServeFile::new_with_mime(&path, &mime).oneshot(req).await;
    Ok(served.into_response())
}

/// The whole filtered history (every page; `cursor` and `limit` are ignored) as a CSV
/// file for Excel, streamed as it is read from the store.
#[utoipa::path(get, path = "/api/calls/export.csv", params(CallQuery),
    responses((status = 200, description = "UTF-8 CSV with a byte-order mark, `;`-separated",
            content_type = "text/csv; charset=utf-8", body = String),
        (status = 400, body = callboard_model::ApiError)))]
pub(crate) async fn export_calls(
    State(s): AppState,
    q: Result<Query<CallQuery>, QueryRejection>,
) -> Result<Response, HttpError> {
    let Query(q) = q.map_err(|e| HttpError::invalid(e.body_text()))?;
    let csv = s.export_calls_csv(q)?;
    let chunks = futures_util::stream::unfold(csv, |mut csv| async move {
        let chunk = csv.next_chunk().await?;
        if let Err(e) = &chunk {
            // The status line has gone: the client sees a cut-off download, the log why.
            tracing::warn!(error = %e, "CSV export failed midway");
        }
        Some((chunk, csv))
    });
    let file_name = CallsCsv::file_name();
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        Body::from_stream(chunks),
    )
        .into_response())
}

/// Live events as server-sent events, one JSON `Event` per message.
#[utoipa::path(get, path = "/api/events",
    responses((status = 200, description = "text/event-stream of Event", body = callboard_model::Event)))]
pub(crate) async fn events(
    State(s): AppState,
) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    let closed = s.closed();
    let stream = BroadcastStream::new(s.subscribe()).map(|e| {
        // A client that fell behind is told so, and re-reads what it shows: nothing it
        // missed is silently lost.
        let e = e.unwrap_or_else(|BroadcastStreamRecvError::Lagged(missed)| {
            callboard_model::Event::Resync { missed }
        });
        Ok(SseEvent::default()
            .json_data(&e)
            .unwrap_or_else(|_| SseEvent::default().comment("unserializable")))
    });
    // Ends with the service, so a graceful shutdown does not wait on open browser tabs.
    let stream = futures_util::StreamExt::take_until(stream, closed);
    Sse::new(stream).keep_alive(KeepAlive::default())
}
