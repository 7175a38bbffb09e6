//! Filling a new store with many calls at once (the seeded generator, imports): rows go in
//! bare, and the counts, their triggers and the read indexes are built once at the end,
//! sorted, instead of row by row. The result is the store [`Store::upsert_calls`] would
//! have made of the same calls, and it appears at its path only when complete.

use std::path::{Path, PathBuf};

use callboard_model::{NewCall, ProviderKind};
use chrono::Utc;
use rusqlite::Connection;

use super::{INSERT_CALL, Store, StoreError, configure, migrations, ms, with_call_params};

/// A store being filled; see [`BulkLoad::create`].
pub struct BulkLoad {
    conn: Connection,
    /// Where the store is built, beside `path`.
    building: PathBuf,
    path: PathBuf,
    now: i64,
}

impl BulkLoad {
    /// Starts a new store for `path`, which must not exist. It is built in a file beside it
    /// and renamed into place by [`BulkLoad::finish`]; an interrupted load leaves only that
    /// file (removed by the next load).
    pub fn create(path: &Path) -> Result<Self, StoreError> {
        if path.exists() {
            return Err(StoreError::BulkLoad(format!(
                "{} exists: a bulk load makes a new store",
                path.display()
            )));
        }
        let mut building = path.as_os_str().to_owned();
        building.push(".loading");
        let building = PathBuf::from(building);
        remove_database(&building)?;
        let mut conn = Connection::open(&building)?;
        migrations().to_latest(&mut conn)?;
        conn.execute_batch(include_str!("../../sql/bulk_load_begin.sql"))?;
        // Nothing to protect until the rename: no journal, no syncs; a large page cache and
        // both cores for the sorts that build the indexes.
        conn.execute_batch(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; \
             PRAGMA cache_size = -262144; PRAGMA threads = 2;",
        )?;
        Ok(Self {
            conn,
            building,
            path: path.to_owned(),
            now: ms(Utc::now()),
        })
    }

    /// Adds calls of one account in one transaction; a call whose (account, provider call
    /// id) is already loaded is skipped. Returns how many were added.
    pub fn insert(
        &mut self,
        account: &str,
        provider: ProviderKind,
        calls: &[NewCall],
    ) -> Result<u64, StoreError> {
        let tx = self.conn.transaction()?;
        let mut added = 0;
        {
            let mut insert = tx.prepare_cached(INSERT_CALL)?;
            for c in calls {
                added +=
                    with_call_params(account, provider, c, self.now, |args| insert.execute(args))?
                        as u64;
            }
        }
        tx.commit()?;
        Ok(added)
    }

    /// Builds the counts, their triggers and the read indexes, then puts the store at its
    /// path and opens it.
    pub fn finish(self) -> Result<Store, StoreError> {
        let Self {
            conn,
            building,
            path,
            ..
        } = self;
        conn.execute_batch(concat!(
            "BEGIN;",
            include_str!("../../sql/read_indexes.sql"),
            include_str!("../../sql/counts_from_calls.sql"),
            include_str!("../../sql/count_triggers.sql"),
            "COMMIT; PRAGMA analysis_limit = 400; ANALYZE;"
        ))?;
        configure(&conn)?;
        drop(conn);
        std::fs::rename(&building, &path).map_err(|e| {
            StoreError::BulkLoad(format!("cannot move the store to {}: {e}", path.display()))
        })?;
        Store::open(&path)
    }
}

/// Removes a database file and its journals, if present.
fn remove_database(path: &Path) -> Result<(), StoreError> {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        match std::fs::remove_file(PathBuf::from(p)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(StoreError::BulkLoad(format!(
                    "cannot remove {}: {e}",
                    path.display()
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use callboard_model::{CallQuery, Direction, Outcome};
    use chrono::{Duration, TimeZone};

    use super::*;

    fn calls(n: usize) -> Vec<NewCall> {
        let t0 = Utc.with_ymd_and_hms(2026, 9, 1, 0, 0, 0).unwrap();
        (0..n)
            .map(|i| NewCall {
                provider_call_id: format!("c{i}"),
                direction: [Direction::Incoming, Direction::Outgoing][i % 2],
                outcome: Outcome::ALL[i % Outcome::ALL.len()],
                caller: format!("+7916{:07}", i % 37),
                callee: "+74996480000".into(),
                started_at: t0 + Duration::seconds(i as i64 * 61),
                ring_secs: 1,
                talk_secs: 2,
                total_secs: 3,
                cost: Some(0.5),
                currency: Some("RUB".into()),
                recording_ref: Some(format!("r{i}")),
                details: Vec::new(),
            })
            .collect()
    }

    /// Everything a reader sees of a store: calls, counts, indexes, triggers.
    fn contents(path: &Path) -> Vec<String> {
        let conn = Connection::open(path).unwrap();
        let mut out = Vec::new();
        for sql in [
            "SELECT account, provider_call_id, caller_digits, callee_digits, started_at, details \
             FROM calls ORDER BY account, provider_call_id",
            "SELECT digits, calls FROM numbers ORDER BY digits",
            "SELECT account, provider, direction, outcome, calls FROM facets ORDER BY 1, 2, 3, 4",
            "SELECT type, name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_stat%' \
             ORDER BY name",
        ] {
            let mut s = conn.prepare(sql).unwrap();
            let n = s.column_count();
            let rows = s
                .query_map([], |r| {
                    (0..n)
                        .map(|i| {
                            r.get::<_, rusqlite::types::Value>(i)
                                .map(|v| format!("{v:?}"))
                        })
                        .collect::<Result<Vec<_>, _>>()
                })
                .unwrap();
            out.extend(rows.map(|r| r.unwrap().join("|")));
        }
        out
    }

    #[test]
    fn a_bulk_load_makes_the_store_upserts_make() {
        let dir = tempfile::tempdir().unwrap();
        let (bulk, upserted) = (dir.path().join("bulk.db"), dir.path().join("upsert.db"));
        let (a, b) = (calls(500), calls(300));
        let mut load = BulkLoad::create(&bulk).unwrap();
        assert!(!bulk.exists(), "only a finished load appears at the path");
        assert_eq!(load.insert("a", ProviderKind::Mtt, &a).unwrap(), 500);
        assert_eq!(load.insert("b", ProviderKind::Mts, &b).unwrap(), 300);
        assert_eq!(load.insert("b", ProviderKind::Mts, &b[..10]).unwrap(), 0);
        let store = load.finish().unwrap();
        let by_upsert = Store::open(&upserted).unwrap();
        by_upsert
            .upsert_calls("a", ProviderKind::Mtt, &a, None)
            .unwrap();
        by_upsert
            .upsert_calls("b", ProviderKind::Mts, &b, None)
            .unwrap();
        assert_eq!(contents(&bulk), contents(&upserted));
        // Searched and counted like any store, and kept counting afterwards.
        let q = CallQuery {
            number: Some("0000036".into()),
            ..Default::default()
        };
        assert_eq!(
            store.list_calls(&q).unwrap().items.len(),
            by_upsert.list_calls(&q).unwrap().items.len()
        );
        store
            .upsert_calls("c", ProviderKind::Mor, &calls(3), None)
            .unwrap();
        assert_eq!(store.count_calls("c").unwrap(), 3);
        assert!(
            BulkLoad::create(&bulk).is_err(),
            "never over an existing store"
        );
    }
}
