//! Recording endpoints: `rc.mtt.ru`'s link lists and the direct file links.
//!
//! Link lists reproduce both shapes from the spec: a single part lives under
//! `/<customer>/<id bytes as hex pairs>/<ID>_1.wav`, while a split recording
//! comes back as `/%/<ID>_<n>.wav` with a literal, un-encoded `%` segment.
//! File links need no auth, as MTT's direct links don't.
//!
//! `.wav` links serve a WAV whose encoding (PCM, A-law or µ-law) is fixed by the
//! record id; `/v2/.../urls?format=mp3` lists `.mp3` links, which serve MP3.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::audio;
use crate::dataset::{CUSTOMER_NAME, SimCall};
use crate::hooks::FailureForm;
use crate::rpc::http_failure;
use crate::server::{AppState, authorized, challenge};

/// Counter / failure-injection name of the link-list endpoints (v1 and v2).
pub const URLS_METHOD: &str = "records_urls";
/// Counter / failure-injection name of the audio file links.
pub const FILE_METHOD: &str = "records_file";

fn json_error(status: StatusCode, msg: &str) -> Response {
    (status, Json(json!({ "error": msg }))).into_response()
}

/// Answers an armed failure on a REST endpoint, if any. Non-HTTP forms become
/// HTTP 200 with an error object where a list or file was expected.
fn injected(st: &AppState, method: &str) -> Option<Response> {
    let f = st.hooks.take(method)?;
    Some(match f.form {
        FailureForm::Http => http_failure(&f),
        FailureForm::Rpc | FailureForm::Result => {
            Json(json!({ "error": f.message, "code": f.code })).into_response()
        }
    })
}

/// The visible, recorded call behind a record id, if any.
fn recorded_call(st: &AppState, id: &str) -> Option<SimCall> {
    let call = st.dataset.find(id)?;
    (call.has_recording() && st.dataset.is_visible(&call, st.now())).then_some(call)
}

fn links(base: &str, call: &SimCall, ext: &str) -> Vec<String> {
    let rid = call.record_id();
    if call.recording_parts == 1 {
        let hex = rid.replace('_', "");
        let pairs: Vec<&str> = (0..hex.len() / 2)
            .filter_map(|i| hex.get(i * 2..i * 2 + 2))
            .collect();
        vec![format!(
            "{base}/{CUSTOMER_NAME}/{}/{rid}_1.{ext}",
            pairs.join("/")
        )]
    } else {
        (1..=call.recording_parts)
            .map(|n| format!("{base}/%/{rid}_{n}.{ext}"))
            .collect()
    }
}

fn url_list(
    st: &AppState,
    headers: &HeaderMap,
    id: Result<Path<String>, PathRejection>,
    // File extension to list; `None` when the requested format is unsupported.
    format: Option<&str>,
) -> Response {
    if !authorized(headers, st) {
        return challenge();
    }
    st.hooks.count(URLS_METHOD);
    if let Some(r) = injected(st, URLS_METHOD) {
        return r;
    }
    let Some(ext) = format else {
        return json_error(StatusCode::BAD_REQUEST, "format must be mp3");
    };
    // Path already percent-decoded `%20` into spaces; `find` takes either form.
    let Ok(Path(id)) = id else {
        return json_error(StatusCode::NOT_FOUND, "record not found");
    };
    match recorded_call(st, &id) {
        Some(call) => Json(links(&st.base_url, &call, ext)).into_response(),
        None => json_error(StatusCode::NOT_FOUND, "record not found"),
    }
}

/// `GET /v1/records/{id}/urls`: WAV links.
pub(crate) async fn urls_v1(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    url_list(&st, &headers, id, Some("wav"))
}

/// `GET /v2/records/{id}/urls?format=mp3`: MP3 links.
pub(crate) async fn urls_v2(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    query: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> Response {
    let format = query.ok().and_then(|Query(q)| q.get("format").cloned());
    url_list(&st, &headers, id, format.as_deref().filter(|f| *f == "mp3"))
}

/// Splits the last path segment `<ID>_<n>.<ext>` of a raw (undecoded) path.
fn parse_file_name(path: &str) -> Option<(&str, u32, &str)> {
    let name = path.rsplit('/').next()?;
    let (stem, ext) = name.rsplit_once('.')?;
    let (id, part) = stem.rsplit_once('_')?;
    Some((id, part.parse().ok()?, ext))
}

/// Fallback handler: serves `…/<ID>_<n>.wav` (or `.mp3`) under any prefix, including the
/// literal `/%/` one, which is why it reads the raw URI instead of a decoded
/// `Path` (`%/` is not valid percent-encoding and would be rejected).
pub(crate) async fn file(State(st): State<Arc<AppState>>, method: Method, uri: Uri) -> Response {
    let Some((id, part, ext)) = parse_file_name(uri.path()) else {
        return json_error(StatusCode::NOT_FOUND, "not found");
    };
    if ext != "wav" && ext != "mp3" {
        return json_error(StatusCode::NOT_FOUND, "not found");
    }
    if method != Method::GET && method != Method::HEAD {
        return json_error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed");
    }
    st.hooks.count(FILE_METHOD);
    if let Some(r) = injected(&st, FILE_METHOD) {
        return r;
    }
    let Some(call) = recorded_call(&st, id) else {
        return json_error(StatusCode::NOT_FOUND, "record not found");
    };
    if part == 0 || part > call.recording_parts {
        return json_error(StatusCode::NOT_FOUND, "record not found");
    }
    let rid = call.record_id();
    let format = if ext == "mp3" {
        audio::AudioFormat::Mp3
    } else {
        audio::AudioFormat::wav_for(&rid)
    };
    match audio_bytes(&st, &rid, part, format) {
        Ok(bytes) => {
            let len = HeaderValue::from(bytes.len());
            (
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static(format.mime()),
                    ),
                    (header::CONTENT_LENGTH, len),
                ],
                bytes,
            )
                .into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "audio synthesis failed");
            json_error(StatusCode::INTERNAL_SERVER_ERROR, "audio synthesis failed")
        }
    }
}

/// Synthesises or reuses a recently served part.
fn audio_bytes(
    st: &AppState,
    rid: &str,
    part: u32,
    format: audio::AudioFormat,
) -> Result<Bytes, audio::AudioError> {
    let key = (rid.to_string(), part, format);
    if let Some(hit) = st.audio_cache.get(&key) {
        return Ok(hit);
    }
    let bytes = Bytes::from(audio::synthesize_as(rid, part, format)?);
    st.audio_cache.put(key, bytes.clone());
    Ok(bytes)
}

/// A handful of recently served files, so a player's range/retry requests and
/// the waveform view fetching the same part don't resynthesise it each time.
/// Record id, part and format of a rendered file.
type AudioKey = (String, u32, audio::AudioFormat);

#[derive(Debug, Default)]
pub(crate) struct AudioCache {
    entries: std::sync::Mutex<std::collections::VecDeque<(AudioKey, Bytes)>>,
}

impl AudioCache {
    const CAPACITY: usize = 8;

    fn get(&self, key: &AudioKey) -> Option<Bytes> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, b)| b.clone())
    }

    fn put(&self, key: AudioKey, bytes: Bytes) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.retain(|(k, _)| *k != key);
        if entries.len() >= Self::CAPACITY {
            entries.pop_front();
        }
        entries.push_back((key, bytes));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_parse_from_raw_paths() {
        assert_eq!(
            parse_file_name("/%/AA7C6C7E_932911E9_B87E5CB9_01FED6FC_2.wav"),
            Some(("AA7C6C7E_932911E9_B87E5CB9_01FED6FC", 2, "wav"))
        );
        assert_eq!(parse_file_name("/favicon.ico"), None);
        assert_eq!(parse_file_name("/x/ID_z.wav"), None);
    }
}
