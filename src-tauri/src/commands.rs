//! Tauri commands: each one a thin call into the service, errors as structured `ApiError`s.

use std::sync::Arc;

use callboard_core::Service;
use callboard_launch::Launched;
use callboard_model::{
    AccountStatus, ApiError, AppInfo, CallDetail, CallPage, CallQuery, RecordingPart,
};
use tauri::State;

use crate::media::MediaServer;

/// The running backend, kept for the window's lifetime.
pub struct Backend {
    pub service: Arc<Service>,
    /// Where the webview fetches recording audio (see `media.rs`).
    pub media: MediaServer,
    /// Keeps the demo simulators alive.
    pub _launched: Launched,
}

type Reply<T> = Result<T, ApiError>;

#[tauri::command]
pub fn app_info(b: State<'_, Backend>) -> AppInfo {
    b.service.info()
}

#[tauri::command]
pub async fn list_calls(b: State<'_, Backend>, query: CallQuery) -> Reply<CallPage> {
    b.service.list_calls(query).await.map_err(|e| e.to_api())
}

#[tauri::command]
pub async fn get_call(b: State<'_, Backend>, id: i64) -> Reply<CallDetail> {
    b.service.call_detail(id).await.map_err(|e| e.to_api())
}

#[tauri::command]
pub async fn recording_parts(b: State<'_, Backend>, id: i64) -> Reply<Vec<RecordingPart>> {
    b.service.recording_parts(id).await.map_err(|e| e.to_api())
}

/// A URL the webview's `<audio>` can play and seek in, after the part is cached (so a
/// provider error reaches the UI here, structured, rather than as a media error).
#[tauri::command]
pub async fn recording_url(b: State<'_, Backend>, id: i64, index: u32) -> Reply<String> {
    b.service
        .recording_file(id, index)
        .await
        .map_err(|e| e.to_api())?;
    Ok(b.media.recording_url(id, index))
}

#[tauri::command]
pub fn account_statuses(b: State<'_, Backend>) -> Vec<AccountStatus> {
    b.service.account_statuses()
}
