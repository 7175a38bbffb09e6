//! Tauri commands: each one a thin call into the service, errors as structured `ApiError`s.
//! The operation table's commands are generated; files and dialogs are written here.

use std::sync::Arc;

use callboard_core::Service;
use callboard_launch::Launched;
use callboard_model::{ApiError, CallQuery, ErrorCode};
use tauri::{AppHandle, Manager, State};
use tauri_plugin_dialog::DialogExt;
use tokio::io::AsyncWriteExt;

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

/// The operation table's commands, expanded from `with_operations!`: each one calls its
/// function in `callboard_core::ops`. [`invoke_handler`] lists them with the hand-written
/// commands (files, dialogs) below.
macro_rules! tauri_operations {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident : $method:ident $path:literal
            $(path($p0:ident : $pt0:ty $(, $p:ident : $pt:ty)* $(,)?))?
            $(query($q:ident : $qt:ty))?
            $(body($b:ident : $bt:ty))?
            -> $ret:ty
            => |$s:ident| $call:expr;
    )*) => {
        $(
            $(#[doc = $doc])*
            #[tauri::command]
            async fn $name(
                backend: State<'_, Backend>,
                $($p0: $pt0, $($p: $pt,)*)?
                $($q: $qt,)?
                $($b: $bt,)?
            ) -> Reply<$ret> {
                callboard_core::ops::$name(&backend.service, $($p0, $($p,)*)? $($q,)? $($b,)?)
                    .await
                    .map_err(|e| e.to_api())
            }
        )*

        /// Every command the window may invoke: the table's and the hand-written ones.
        pub fn invoke_handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            tauri::generate_handler![
                $($name,)*
                recording_url,
                save_recording,
                export_calls,
                desktop_status,
                set_notifications,
            ]
        }
    };
}

callboard_core::with_operations!(tauri_operations);

/// The tray's count and label and the notifications' state.
#[tauri::command]
pub fn desktop_status(d: State<'_, Arc<crate::desktop::Desktop>>) -> crate::desktop::DesktopStatus {
    d.status()
}

/// Turns incoming-call notifications on or off (kept across restarts).
#[tauri::command]
pub async fn set_notifications(
    d: State<'_, Arc<crate::desktop::Desktop>>,
    enabled: bool,
) -> Reply<crate::desktop::DesktopStatus> {
    d.set_notifications(enabled).map_err(|e| ApiError {
        code: ErrorCode::Internal,
        message: format!("the setting was not saved: {e}"),
        provider: None,
        hint: None,
    })?;
    Ok(d.status())
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

/// Saves one part of a recording where the user chooses (see [`choose_target`]).
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
    let Some(target) = choose_target(&app, &file_name, "recording").await? else {
        return Ok(SaveOutcome::Cancelled);
    };
    tokio::fs::copy(&cached, &target).await.map_err(|e| {
        ApiError::new(
            ErrorCode::Internal,
            format!("cannot write {}: {e}", target.display()),
        )
    })?;
    tracing::info!(call = id, part = index, to = %target.display(), "recording saved");
    Ok(SaveOutcome::Saved)
}

/// Writes the whole history matching `query`'s filters (every page) as CSV where the user
/// chooses, through the native save dialog pre-filled with `file_name`; a file left
/// half-written by a failure is removed.
#[tauri::command]
pub async fn export_calls(
    app: AppHandle,
    b: State<'_, Backend>,
    query: CallQuery,
    file_name: String,
) -> Reply<SaveOutcome> {
    // Refuse a bad filter before asking where to save.
    let mut csv = b.service.export_calls_csv(query).map_err(|e| e.to_api())?;
    let Some(target) = choose_target(&app, &file_name, "calls.csv").await? else {
        return Ok(SaveOutcome::Cancelled);
    };
    let written = async {
        let cannot = |e: std::io::Error| {
            ApiError::new(
                ErrorCode::Internal,
                format!("cannot write {}: {e}", target.display()),
            )
        };
        let mut file = tokio::fs::File::create(&target).await.map_err(cannot)?;
        while let Some(chunk) = csv.next_chunk().await {
            let chunk = chunk.map_err(|e| e.to_api())?;
            file.write_all(&chunk).await.map_err(cannot)?;
        }
        file.flush().await.map_err(cannot)
    }
    .await;
    if let Err(e) = written {
        let _ = tokio::fs::remove_file(&target).await;
        return Err(e);
    }
    tracing::info!(to = %target.display(), "calls exported");
    Ok(SaveOutcome::Saved)
}

/// Asks where to save through the native save dialog (a webview download does nothing in
/// WebKitGTK), pre-filled with `file_name` in the user's downloads folder; `None` when
/// the user cancels.
async fn choose_target(
    app: &AppHandle,
    file_name: &str,
    fallback: &str,
) -> Reply<Option<std::path::PathBuf>> {
    let mut dialog = app
        .dialog()
        .file()
        .set_file_name(safe_file_name(file_name, fallback));
    if let Ok(dir) = app.path().download_dir().or_else(|_| app.path().home_dir()) {
        dialog = dialog.set_directory(dir);
    }
    let (tx, rx) = tokio::sync::oneshot::channel();
    dialog.save_file(move |chosen| {
        let _ = tx.send(chosen);
    });
    let Some(chosen) = rx.await.ok().flatten() else {
        return Ok(None);
    };
    chosen
        .into_path()
        .map(Some)
        .map_err(|e| ApiError::new(ErrorCode::InvalidInput, format!("not a file path: {e}")))
}

/// `name` without path separators or control characters; `fallback` when nothing is left.
fn safe_file_name(name: &str, fallback: &str) -> String {
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
        fallback.into()
    } else {
        safe.into()
    }
}

#[cfg(test)]
mod tests {
    use super::safe_file_name;

    #[test]
    fn file_names_stay_in_the_chosen_folder() {
        assert_eq!(
            safe_file_name("2026-11-24_14-05-33_+79161234567_part2.wav", "recording"),
            "2026-11-24_14-05-33_+79161234567_part2.wav"
        );
        assert_eq!(
            safe_file_name("../../etc/passwd", "recording"),
            "_.._etc_passwd"
        );
        assert_eq!(safe_file_name("a\\b\nc", "recording"), "a_b_c");
        assert_eq!(safe_file_name(" .. ", "recording"), "recording");
    }
}
