//! Tauri commands: each one a thin call into the service, errors as structured `ApiError`s.

use std::sync::Arc;

use callboard_core::Service;
use callboard_launch::Launched;
use callboard_model::{
    AccountStatus, ApiError, AppInfo, CallDetail, CallPage, CallQuery, ErrorCode, RecordingPart,
};
use tauri::{AppHandle, Manager, State};
use tauri_plugin_dialog::DialogExt;

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

/// What came of a save dialog.
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SaveOutcome {
    Saved,
    Cancelled,
}

/// Saves one part of a recording where the user chooses, through the native save dialog
/// (a webview download does nothing in WebKitGTK), pre-filled with `file_name` in the
/// user's downloads folder.
#[tauri::command]
pub async fn save_recording(
    app: AppHandle,
    b: State<'_, Backend>,
    id: i64,
    index: u32,
    file_name: String,
) -> Reply<SaveOutcome> {
    let (cached, _) = b
        .service
        .recording_file(id, index)
        .await
        .map_err(|e| e.to_api())?;
    let mut dialog = app
        .dialog()
        .file()
        .set_file_name(safe_file_name(&file_name));
    if let Ok(dir) = app.path().download_dir().or_else(|_| app.path().home_dir()) {
        dialog = dialog.set_directory(dir);
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    dialog.save_file(move |chosen| {
        let _ = tx.send(chosen);
    });
    let Some(chosen) = rx.await.ok().flatten() else {
        return Ok(SaveOutcome::Cancelled);
    };
    let target = chosen
        .into_path()
        .map_err(|e| ApiError::new(ErrorCode::InvalidInput, format!("not a file path: {e}")))?;
    tokio::fs::copy(&cached, &target).await.map_err(|e| {
        ApiError::new(
            ErrorCode::Internal,
            format!("cannot write {}: {e}", target.display()),
        )
    })?;
    tracing::info!(call = id, part = index, to = %target.display(), "recording saved");
    Ok(SaveOutcome::Saved)
}

/// `name` without path separators or control characters, never empty.
fn safe_file_name(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c == '/' || c == '\\' || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let safe = safe.trim_matches(|c: char| c == '.' || c.is_whitespace());
    if safe.is_empty() {
        "recording".into()
    } else {
        safe.into()
    }
}

#[tauri::command]
pub fn account_statuses(b: State<'_, Backend>) -> Vec<AccountStatus> {
    b.service.account_statuses()
}

#[cfg(test)]
mod tests {
    use super::safe_file_name;

    #[test]
    fn file_names_stay_in_the_chosen_folder() {
        assert_eq!(
            safe_file_name("2026-11-24_14-05-33_+79161234567_part2.wav"),
            "2026-11-24_14-05-33_+79161234567_part2.wav"
        );
        assert_eq!(safe_file_name("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(safe_file_name("a\\b\nc"), "a_b_c");
        assert_eq!(safe_file_name(" .. "), "recording");
    }
}
