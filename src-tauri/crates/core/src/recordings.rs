//! Recording parts: links asked of the provider on first play, audio cached on disk.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use callboard_model::RecordingPart;
use callboard_providers::{HistorySource, mime_from_path};
use url::Url;

use crate::store::{Store, StoredPart};
use crate::{CoreError, blocking};

/// (call id, part index)
type PartKey = (i64, u32);

/// The on-disk cache of recording audio, one file per part.
pub(crate) struct RecordingCache {
    dir: PathBuf,
    /// One lock per part so parallel Range requests download it once.
    inflight: Mutex<HashMap<PartKey, Arc<tokio::sync::Mutex<()>>>>,
}

impl RecordingCache {
    pub fn new(dir: PathBuf) -> Result<Self, CoreError> {
        std::fs::create_dir_all(&dir)
            .map_err(|e| CoreError::io(format!("creating {}", dir.display()), e))?;
        Ok(Self {
            dir,
            inflight: Mutex::default(),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn cached_path(&self, part: &StoredPart) -> Option<PathBuf> {
        let path = self.dir.join(part.cached_file.as_deref()?);
        path.is_file().then_some(path)
    }

    pub fn describe(&self, parts: &[StoredPart]) -> Vec<RecordingPart> {
        parts
            .iter()
            .map(|p| RecordingPart {
                index: p.index,
                cached: self.cached_path(p).is_some(),
                mime: p.mime.clone(),
            })
            .collect()
    }

    /// The call's parts, asking the provider for the links the first time.
    pub async fn parts(
        &self,
        store: &Arc<Store>,
        call_id: i64,
        recording_ref: &str,
        source: &dyn HistorySource,
    ) -> Result<Vec<StoredPart>, CoreError> {
        let known = blocking(store, move |s| s.recording_parts(call_id)).await?;
        if !known.is_empty() {
            return Ok(known);
        }
        let urls = source.recording_urls(recording_ref).await?;
        if urls.is_empty() {
            return Err(CoreError::NotFound(format!(
                "the provider has no recording for call {call_id}"
            )));
        }
        let rows: Vec<(String, String)> = urls
            .iter()
            .map(|u| (u.to_string(), mime_from_path(u.path()).to_string()))
            .collect();
        blocking(store, move |s| {
            s.set_recording_parts(call_id, &rows)?;
            s.recording_parts(call_id)
        })
        .await
    }

    /// The local file of one part, downloading it on first use.
    pub async fn file(
        &self,
        store: &Arc<Store>,
        call_id: i64,
        part: &StoredPart,
        source: &dyn HistorySource,
    ) -> Result<(PathBuf, String), CoreError> {
        let lock = {
            let mut map = self.inflight.lock().unwrap_or_else(|p| p.into_inner());
            map.entry((call_id, part.index)).or_default().clone()
        };
        let _guard = lock.lock().await;
        let index = part.index;
        let fresh = blocking(store, move |s| s.recording_parts(call_id)).await?;
        let part = fresh
            .into_iter()
            .find(|p| p.index == index)
            .unwrap_or_else(|| part.clone());
        if let Some(path) = self.cached_path(&part) {
            return Ok((path, part.mime));
        }
        let url = Url::parse(&part.url).map_err(|e| {
            CoreError::Internal(format!("stored recording link {:?}: {e}", part.url))
        })?;
        let ext = if part.mime == "audio/mpeg" {
            "mp3"
        } else {
            "wav"
        };
        let name = format!("{call_id}_{index}.{ext}");
        let dest = self.dir.join(&name);
        let file = source.download(&url, &dest).await?;
        let mime = file.mime.clone();
        let stored_mime = mime.clone();
        blocking(store, move |s| {
            s.set_part_cached(call_id, index, &name, file.bytes, &stored_mime)
        })
        .await?;
        Ok((dest, mime))
    }
}
