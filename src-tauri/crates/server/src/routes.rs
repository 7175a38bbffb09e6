//! `/api/...` handlers: each one is a thin call into the service.

use std::convert::Infallible;
use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, Request, State};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use callboard_core::Service;
use callboard_model::{AccountStatus, AppInfo, CallDetail, CallPage, CallQuery, RecordingPart};
use futures_util::Stream;
use std::str::FromStr;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;
use tower::ServiceExt;
use tower_http::services::ServeFile;
use utoipa::OpenApi;

use crate::{ApiDoc, HttpError};

type AppState = State<Arc<Service>>;

/// The routes under `/api`; anything else there is a JSON 404, never the UI's page.
pub(crate) fn api() -> axum::Router<Arc<Service>> {
    axum::Router::new()
        .route("/info", get(info))
        .route("/calls", get(list_calls))
        .route("/calls/{id}", get(get_call))
        .route("/calls/{id}/recording", get(recording_parts))
        .route("/calls/{id}/recording/{index}", get(recording_file))
        .route("/accounts", get(accounts))
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

/// Version, demo mode, number of accounts.
#[utoipa::path(get, path = "/api/info", responses((status = 200, body = AppInfo)))]
pub(crate) async fn info(State(s): AppState) -> Json<AppInfo> {
    Json(s.info())
}

/// Call history, newest first, keyset-paginated.
#[utoipa::path(get, path = "/api/calls", params(CallQuery),
    responses((status = 200, body = CallPage), (status = 400, body = callboard_model::ApiError)))]
pub(crate) async fn list_calls(
    State(s): AppState,
    q: Result<Query<CallQuery>, QueryRejection>,
) -> Result<Json<CallPage>, HttpError> {
    let Query(q) = q.map_err(|e| HttpError::invalid(e.body_text()))?;
    Ok(Json(s.list_calls(q).await?))
}

/// One call with its details and known recording parts.
#[utoipa::path(get, path = "/api/calls/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = CallDetail), (status = 404, body = callboard_model::ApiError)))]
pub(crate) async fn get_call(
    State(s): AppState,
    Path(id): Path<i64>,
) -> Result<Json<CallDetail>, HttpError> {
    Ok(Json(s.call_detail(id).await?))
}

/// The recording's parts in playing order (asks the provider on first use).
#[utoipa::path(get, path = "/api/calls/{id}/recording", params(("id" = i64, Path)),
    responses((status = 200, body = [RecordingPart]), (status = 502, body = callboard_model::ApiError)))]
pub(crate) async fn recording_parts(
    State(s): AppState,
    Path(id): Path<i64>,
) -> Result<Json<Vec<RecordingPart>>, HttpError> {
    Ok(Json(s.recording_parts(id).await?))
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

/// Every account's sync status.
#[utoipa::path(get, path = "/api/accounts", responses((status = 200, body = [AccountStatus])))]
pub(crate) async fn accounts(State(s): AppState) -> Json<Vec<AccountStatus>> {
    Json(s.account_statuses())
}

/// Live events as server-sent events, one JSON `Event` per message.
#[utoipa::path(get, path = "/api/events",
    responses((status = 200, description = "text/event-stream of Event", body = callboard_model::Event)))]
pub(crate) async fn events(
    State(s): AppState,
) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    let closed = s.closed();
    let stream = BroadcastStream::new(s.subscribe()).filter_map(|e| {
        // A slow client that lagged behind skips what it missed; the UI re-reads on the next event.
        let e = e.ok()?;
        Some(Ok(SseEvent::default().json_data(&e).unwrap_or_else(|_| {
            SseEvent::default().comment("unserializable")
        })))
    });
    // Ends with the service, so a graceful shutdown does not wait on open browser tabs.
    let stream = futures_util::StreamExt::take_until(stream, closed);
    Sse::new(stream).keep_alive(KeepAlive::default())
}
