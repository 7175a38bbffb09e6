//! Recording parts: links asked of the provider on first play, audio cached on disk.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use callboard_model::RecordingPart;
use callboard_providers::{Recordings, mime_from_path};
use tokio::sync::OwnedMutexGuard;
use url::Url;

use crate::store::{Store, StoredPart};
use crate::{CoreError, blocking};

/// The on-disk cache of recording audio, one file per part.
pub(crate) struct RecordingCache {
    dir: PathBuf,
    /// One lock per call while its links are asked for or its parts downloaded, so the
    /// parallel requests of a player fetch each thing once.
    locks: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>,
}

impl RecordingCache {
    pub fn new(dir: PathBuf) -> Result<Self, CoreError> {
        std::fs::create_dir_all(&dir)
            .map_err(|e| CoreError::io(format!("creating {}", dir.display()), e))?;
        Ok(Self {
            dir,
            locks: Mutex::default(),
        })
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

    async fn lock_call(&self, call_id: i64) -> OwnedMutexGuard<()> {
        let lock = {
            let mut map = self.locks.lock().unwrap_or_else(|p| p.into_inner());
            // Drop the locks nobody holds, so the map stays as small as the calls in play.
            map.retain(|_, l| Arc::strong_count(l) > 1);
            map.entry(call_id).or_default().clone()
        };
        lock.lock_owned().await
    }

    /// The call's parts, asking the provider for the links the first time.
    pub async fn parts(
        &self,
        store: &Arc<Store>,
        call_id: i64,
        recording_ref: &str,
        source: &dyn Recordings,
    ) -> Result<Vec<StoredPart>, CoreError> {
        let _guard = self.lock_call(call_id).await;
        self.known_or_fetched(store, call_id, recording_ref, source)
            .await
    }

    /// The stored parts, or the provider's links when none are stored. Call it holding
    /// the call's lock.
    async fn known_or_fetched(
        &self,
        store: &Arc<Store>,
        call_id: i64,
        recording_ref: &str,
        source: &dyn Recordings,
    ) -> Result<Vec<StoredPart>, CoreError> {
        let known = blocking(store, move |s| s.recording_parts(call_id)).await?;
        if !known.is_empty() {
            return Ok(known);
        }
        self.fetch_links(store, call_id, recording_ref, source)
            .await
    }

    /// Asks the provider for the links and stores them in place of any older ones.
    async fn fetch_links(
        &self,
        store: &Arc<Store>,
        call_id: i64,
        recording_ref: &str,
        source: &dyn Recordings,
    ) -> Result<Vec<StoredPart>, CoreError> {
        let urls = source
            .recording_urls(recording_ref)
            .await
            .map_err(|e| gone_if_404(call_id, e.into()))?;
        if urls.is_empty() {
            return Err(CoreError::RecordingGone(call_id));
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

    /// The local file of one part and its MIME type, downloading it on first use. A link
    /// that fails (expired at the provider, or pointing at a simulator of an earlier run)
    /// is asked for anew, once, before the failure is reported.
    pub async fn file(
        &self,
        store: &Arc<Store>,
        call_id: i64,
        index: u32,
        recording_ref: &str,
        source: &dyn Recordings,
    ) -> Result<(PathBuf, String), CoreError> {
        let _guard = self.lock_call(call_id).await;
        let parts = self
            .known_or_fetched(store, call_id, recording_ref, source)
            .await?;
        let find = |parts: Vec<StoredPart>| {
            parts.into_iter().find(|p| p.index == index).ok_or_else(|| {
                CoreError::NotFound(format!("call {call_id} has no recording part {index}"))
            })
        };
        let part = find(parts)?;
        if let Some(path) = self.cached_path(&part) {
            return Ok((path, part.mime));
        }
        let failed = match self.download(store, call_id, &part, source).await {
            Ok(file) => return Ok(file),
            Err(e) => e,
        };
        tracing::info!(call_id, error = %failed, "recording download failed; asking for fresh links");
        let part = find(
            self.fetch_links(store, call_id, recording_ref, source)
                .await?,
        )?;
        self.download(store, call_id, &part, source)
            .await
            .map_err(|e| gone_if_404(call_id, e))
    }

    async fn download(
        &self,
        store: &Arc<Store>,
        call_id: i64,
        part: &StoredPart,
        source: &dyn Recordings,
    ) -> Result<(PathBuf, String), CoreError> {
        let url = Url::parse(&part.url).map_err(|e| {
            CoreError::Internal(format!("stored recording link {:?}: {e}", part.url))
        })?;
        let ext = if part.mime == "audio/mpeg" {
            "mp3"
        } else {
            "wav"
        };
        let index = part.index;
        let name = format!("{call_id}_{index}.{ext}");
        let dest = self.dir.join(&name);
        let file = source.download(&url, &dest).await?;
        let mime = file.mime.clone();
        blocking(store, move |s| {
            s.set_part_cached(call_id, index, &name, file.bytes, &file.mime)
        })
        .await?;
        Ok((dest, mime))
    }
}

/// A 404 for a recording (its links, or its audio) means the provider no longer has it.
fn gone_if_404(call_id: i64, e: CoreError) -> CoreError {
    match &e {
        CoreError::Provider(p) if p.http_status() == Some(404) => CoreError::RecordingGone(call_id),
        _ => e,
    }
}
