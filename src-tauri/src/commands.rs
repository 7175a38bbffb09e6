//! Tauri commands: each one a thin call into the service, errors as structured `ApiError`s.

use std::sync::Arc;

use callboard_core::Service;
use callboard_launch::Launched;
use callboard_model::{
    AccountStatus, ApiError, AppInfo, CallDetail, CallPage, CallQuery, RecordingPart,
};
use tauri::State;

/// The running backend, kept for the window's lifetime.
pub struct Backend {
    pub service: Arc<Service>,
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

/// The local path of one recording part; the UI plays it through the asset protocol.
#[tauri::command]
pub async fn recording_file(b: State<'_, Backend>, id: i64, index: u32) -> Reply<String> {
    let (path, _mime) = b
        .service
        .recording_file(id, index)
        .await
        .map_err(|e| e.to_api())?;
    Ok(path.to_string_lossy().into_owned())
}

#[tauri::command]
pub fn account_statuses(b: State<'_, Backend>) -> Vec<AccountStatus> {
    b.service.account_statuses()
}
