//! Recording parts: links asked of the provider on first play, audio decoded, made
//! playable and cached on disk under a size cap.

mod decode;
mod disk;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use callboard_model::RecordingPart;
use callboard_providers::{Recordings, mime_from_path};
use tokio::sync::OwnedMutexGuard;
use url::Url;

use crate::store::{CachedPart, Store, StoredPart};
use crate::{CoreError, blocking};
use decode::DecodeError;

/// The default cap of the recordings cache: about 70 hours of 8 kHz PCM, far more as MP3.
pub const DEFAULT_CACHE_BYTES: u64 = 1 << 30;

/// The on-disk cache of recording audio, one file per part.
pub(crate) struct RecordingCache {
    dir: PathBuf,
    /// Most bytes the folder may hold; the least recently played files go first.
    cap: u64,
    /// One eviction at a time, so two never count the same files.
    evicting: Arc<Mutex<()>>,
    /// One lock per call while its links are asked for or its parts downloaded, so the
    /// parallel requests of a player fetch each thing once.
    locks: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>,
}

impl RecordingCache {
    /// Opens the cache folder, removing what a crash left half-written and trimming it
    /// to `cap` (which may have shrunk since the last run).
    pub fn new(dir: PathBuf, cap: u64) -> Result<Self, CoreError> {
        std::fs::create_dir_all(&dir)
            .map_err(|e| CoreError::io(format!("creating {}", dir.display()), e))?;
        let removed = disk::remove_temp_files(&dir)
            .map_err(|e| CoreError::io(format!("cleaning {}", dir.display()), e))?;
        if removed > 0 {
            tracing::info!(removed, "removed unfinished recording downloads");
        }
        disk::evict(&dir, cap, &HashSet::new())
            .map_err(|e| CoreError::io(format!("trimming {}", dir.display()), e))?;
        Ok(Self {
            dir,
            cap,
            evicting: Arc::default(),
            locks: Mutex::default(),
        })
    }

    /// The part's cached file, if it is there and was made playable by this version (a
    /// part cached before the decoder was added has no source codec and is fetched anew).
    fn cached_path(&self, part: &StoredPart) -> Option<PathBuf> {
        part.source_codec.as_ref()?;
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
                source_codec: p.source_codec.clone(),
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

    /// The local file of one part and its MIME type, downloading it on first use; each
    /// play marks it as played. A link that fails (expired at the provider, or pointing at
    /// a simulator of an earlier run) is asked for anew, once, before the failure is
    /// reported. A file that does not decode is reported as such, not fetched again.
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
            if let Err(e) = disk::touch(&path) {
                tracing::warn!(path = %path.display(), error = %e, "cannot mark recording played");
            }
            return Ok((path, part.mime));
        }
        let failed = match self.download(store, call_id, &part, source).await {
            Ok(file) => return Ok(file),
            Err(e @ CoreError::UnplayableRecording { .. }) => return Err(e),
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
        let index = part.index;
        let stem = format!("{call_id}_{index}");
        // The provider writes `<stem>.part` and renames it to this when whole; decoding
        // then puts the playable file in place, so no reader sees either half-written.
        let download = self.dir.join(format!("{stem}.download"));
        source.download(&url, &download).await?;
        let playable = tokio::task::spawn_blocking(move || decode::make_playable(&download, &stem))
            .await?
            .map_err(|e| match e {
                DecodeError::Unplayable(reason) => {
                    tracing::warn!(call_id, index, %reason, "recording does not decode");
                    CoreError::UnplayableRecording {
                        call_id,
                        index,
                        reason,
                    }
                }
                DecodeError::Io { context, source } => CoreError::io(context, source),
            })?;
        let row = CachedPart {
            file: file_name(&playable.path),
            bytes: playable.bytes,
            mime: playable.mime.to_string(),
            source_codec: playable.source_codec,
        };
        blocking(store, move |s| s.set_part_cached(call_id, index, &row)).await?;
        self.trim().await;
        Ok((playable.path, playable.mime.to_string()))
    }

    /// Evicts least-recently-played files over the cap, sparing the calls in play (the
    /// one just downloaded included: its caller holds its lock).
    async fn trim(&self) {
        let busy: HashSet<i64> = {
            let map = self.locks.lock().unwrap_or_else(|p| p.into_inner());
            map.iter()
                .filter(|(_, l)| Arc::strong_count(l) > 1)
                .map(|(id, _)| *id)
                .collect()
        };
        let (dir, cap, evicting) = (self.dir.clone(), self.cap, self.evicting.clone());
        let result = tokio::task::spawn_blocking(move || {
            let _one = evicting.lock().unwrap_or_else(|p| p.into_inner());
            disk::evict(&dir, cap, &busy)
        })
        .await;
        match result {
            Ok(Ok(removed)) if !removed.is_empty() => {
                tracing::info!(
                    files = removed.len(),
                    "evicted least recently played recordings"
                );
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "cannot trim the recordings cache"),
            Err(e) => tracing::warn!(error = %e, "recordings cache trim failed"),
        }
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A 404 for a recording (its links, or its audio) means the provider no longer has it.
fn gone_if_404(call_id: i64, e: CoreError) -> CoreError {
    match &e {
        CoreError::Provider(p) if p.http_status() == Some(404) => CoreError::RecordingGone(call_id),
        _ => e,
    }
}
