//! The cache folder on disk: its size cap, least-recently-played eviction and the
//! leftovers of a crash.
//!
//! A file's modification time is its last play (set on every play), so the order survives
//! restarts without an index to keep in step. Files are written under a temporary name and
//! renamed into place, so a name without a temporary extension is always a whole file.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Extensions of files still being written: a provider download (`part`, `download`) or
/// a re-encoding (`tmp`). Whatever a crash leaves of them is removed at start.
const TEMP_EXTENSIONS: [&str; 3] = ["part", "download", "tmp"];

pub(crate) fn is_temp(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| TEMP_EXTENSIONS.contains(&e))
}

/// Removes the temporary files a crash left behind; returns how many.
pub(crate) fn remove_temp_files(dir: &Path) -> std::io::Result<usize> {
    let mut removed = 0;
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if is_temp(&path) && path.is_file() && std::fs::remove_file(&path).is_ok() {
            removed += 1;
        }
    }
    Ok(removed)
}

/// Marks a file as played now.
pub(crate) fn touch(path: &Path) -> std::io::Result<()> {
    // Write access: Windows needs it to set times; nothing is written.
    std::fs::File::options()
        .write(true)
        .open(path)?
        .set_modified(SystemTime::now())
}

/// The call a cached file belongs to, from its name `<call>_<part>.<ext>`.
pub(crate) fn call_of(path: &Path) -> Option<i64> {
    path.file_name()?.to_str()?.split('_').next()?.parse().ok()
}

/// Removes least-recently-played files until the folder holds at most `cap` bytes.
/// Files of the calls in `busy` (being downloaded or handed to a player right now) are
/// kept even if that leaves the folder over its cap. Returns the removed files.
pub(crate) fn evict(dir: &Path, cap: u64, busy: &HashSet<i64>) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut total = 0u64;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let Ok(meta) = entry.metadata() else { continue };
        if !meta.is_file() || is_temp(&path) {
            continue;
        }
        total += meta.len();
        let played = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
        files.push((played, meta.len(), path));
    }
    if total <= cap {
        return Ok(Vec::new());
    }
    files.sort();
    let mut removed = Vec::new();
    for (_, len, path) in files {
        if total <= cap {
            break;
        }
        if call_of(&path).is_some_and(|c| busy.contains(&c)) {
            continue;
        }
        // An open file may be removed on Unix (its reader keeps it); where the OS refuses
        // (Windows, while a player reads it), it stays until a later pass.
        match std::fs::remove_file(&path) {
            Ok(()) => {
                total -= len;
                removed.push(path);
            }
            Err(e) => tracing::debug!(path = %path.display(), error = %e, "cannot evict yet"),
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn file(dir: &Path, name: &str, len: usize, played_secs_ago: u64) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, vec![0u8; len]).unwrap();
        let f = std::fs::File::options().write(true).open(&p).unwrap();
        f.set_modified(SystemTime::now() - Duration::from_secs(played_secs_ago))
            .unwrap();
        p
    }

    #[test]
    fn evicts_least_recently_played_first_sparing_busy_calls() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let oldest_busy = file(d, "1_0.wav", 100, 500);
        let old = file(d, "2_0.mp3", 100, 400);
        let mid = file(d, "3_0.wav", 100, 300);
        let new = file(d, "4_0.wav", 100, 10);
        let tmp = file(d, "5_0.tmp", 1000, 1000);
        let removed = evict(d, 250, &HashSet::from([1])).unwrap();
        assert_eq!(removed, vec![old, mid.clone()]);
        assert!(oldest_busy.exists() && new.exists() && tmp.exists());
        assert!(!mid.exists());
        assert_eq!(remove_temp_files(d).unwrap(), 1);
        assert!(!tmp.exists());
    }
}
