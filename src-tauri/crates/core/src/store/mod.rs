//! The SQLite store: calls of every provider, recording parts, sync cursors.
//!
//! One writer connection and a pool of reader connections (WAL lets reads run beside a
//! sync's write, and beside each other). Methods are blocking; async callers run them on
//! the blocking pool. How a page is found is in [`search`].

mod bulk;
mod live;
mod pool;
mod rules;
mod search;

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

pub use bulk::BulkLoad;
use callboard_model::{
    ApiError, Call, CallPage, CallQuery, Cursor, Detail, Direction, NewCall, Outcome, ProviderKind,
    digits_of,
};
use chrono::{DateTime, TimeZone, Utc};
pub use live::{LiveBatch, REFUSED_CAP, Refusal, StoredEvent};
use pool::{ReaderPool, reader_pool_size};
pub use rules::RuleKind;
use rusqlite::{Connection, OptionalExtension, Row, named_params, params, params_from_iter};
use rusqlite_migration::{M, Migrations};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database migration: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("{0}")]
    BadCursor(#[from] callboard_model::CursorError),
    #[error("bulk load: {0}")]
    BulkLoad(String),
    #[error("corrupt row {id}: {problem}")]
    Corrupt { id: i64, problem: String },
}

/// What one upsert changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UpsertStats {
    pub inserted: u32,
    pub updated: u32,
}

/// A recording part row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPart {
    pub index: u32,
    pub url: String,
    pub mime: String,
    pub cached_file: Option<String>,
    /// The provider's encoding, once downloaded and probed (see `recordings::decode`).
    pub source_codec: Option<String>,
}

/// A part's file in the recordings cache, as [`Store::set_part_cached`] records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedPart {
    /// File name inside the cache folder.
    pub file: String,
    pub bytes: u64,
    /// The type of the file as served (`audio/wav`, `audio/mpeg`).
    pub mime: String,
    pub source_codec: String,
}

/// A call with what only the detail view and the recording cache need.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredCall {
    pub call: Call,
    pub details: Vec<Detail>,
    pub recording_ref: Option<String>,
}

/// An account's saved sync state.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncRecord {
    /// The provider's own cursor, opaque here.
    pub cursor: Option<serde_json::Value>,
    pub last_success: Option<DateTime<Utc>>,
    pub last_error: Option<ApiError>,
}

pub struct Store {
    writer: Mutex<Connection>,
    /// Readers never wait on the writer (WAL) nor, up to the pool's size, on each other:
    /// a slow search holds one connection while first pages use the others.
    readers: ReaderPool,
}

fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("../../migrations/0001_calls.sql")),
        M::up(include_str!("../../migrations/0002_search_index.sql")),
        M::up(include_str!("../../migrations/0003_provider_cursor.sql")),
        M::up(include_str!("../../migrations/0004_recording_codec.sql")),
        M::up(concat!(
            include_str!("../../migrations/0005_number_index.sql"),
            include_str!("../../sql/read_indexes.sql"),
            include_str!("../../sql/counts_from_calls.sql"),
            include_str!("../../sql/count_triggers.sql"),
        )),
        M::up(include_str!("../../migrations/0006_live.sql")),
    ])
}

fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

fn from_ms(v: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(v).single().unwrap_or_default()
}

/// Inserts a call unless its (account, provider call id) is stored; named parameters of
/// [`with_call_params`].
const INSERT_CALL: &str = "INSERT INTO calls (account, provider, provider_call_id, direction, outcome, \
     caller, callee, caller_digits, callee_digits, started_at, ring_secs, talk_secs, total_secs, cost, \
     currency, recording_ref, details, synced_at) \
     VALUES (:account, :provider, :call_id, :direction, :outcome, :caller, :callee, :caller_digits, \
     :callee_digits, :started_at, :ring, :talk, :total, :cost, :currency, :recording_ref, :details, :now) \
     ON CONFLICT (account, provider_call_id) DO NOTHING";

/// Runs `f` with a call's named parameters, as [`INSERT_CALL`] and the upsert's update take
/// them (built once per call for both).
fn with_call_params<T>(
    account: &str,
    provider: ProviderKind,
    c: &NewCall,
    now: i64,
    f: impl FnOnce(&[(&str, &dyn rusqlite::ToSql)]) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    let details = serde_json::to_string(&c.details).expect("details serialize");
    f(named_params! {
        ":account": account,
        ":provider": provider.as_str(),
        ":call_id": c.provider_call_id,
        ":direction": c.direction.as_str(),
        ":outcome": c.outcome.as_str(),
        ":caller": c.caller,
        ":callee": c.callee,
        ":caller_digits": digits_of(&c.caller),
        ":callee_digits": digits_of(&c.callee),
        ":started_at": ms(c.started_at),
        ":ring": c.ring_secs,
        ":talk": c.talk_secs,
        ":total": c.total_secs,
        ":cost": c.cost,
        ":currency": c.currency,
        ":recording_ref": c.recording_ref,
        ":details": details,
        ":now": now,
    })
}

const CALL_COLUMNS: &str = "id, account, provider, provider_call_id, direction, outcome, caller, callee, \
     started_at, ring_secs, talk_secs, total_secs, cost, currency, recording_ref, details";

fn lock(m: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // A panic while holding the lock cannot leave SQLite inconsistent (transactions roll back).
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Store {
    /// Opens (creating and migrating) the database at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let mut writer = Connection::open(path)?;
        configure(&writer)?;
        migrations().to_latest(&mut writer)?;
        // Statistics for the planner where they are missing or stale, bounded in cost.
        writer.execute_batch("PRAGMA analysis_limit = 400; PRAGMA optimize = 0x10002;")?;
        let readers = (0..reader_pool_size())
            .map(|_| {
                let reader = Connection::open(path)?;
                configure(&reader)?;
                // `rarray()`: the numbers a search found, bound as one parameter.
                rusqlite::vtab::array::load_module(&reader)?;
                // Each facet count of merged ranges is its own statement.
                reader.set_prepared_statement_cache_capacity(64);
                Ok(reader)
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Self {
            writer: Mutex::new(writer),
            readers: ReaderPool::new(readers),
        })
    }

    /// Inserts new calls and updates changed ones, keyed by (account, provider call id),
    /// and saves the account's cursor in the same transaction.
    pub fn upsert_calls(
        &self,
        account: &str,
        provider: ProviderKind,
        calls: &[NewCall],
        cursor: Option<&serde_json::Value>,
    ) -> Result<UpsertStats, StoreError> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction()?;
        let mut stats = UpsertStats::default();
        let now = ms(Utc::now());
        {
            // Both statements take the same named parameters, built once per call.
            let mut insert = tx.prepare_cached(INSERT_CALL)?;
            // Touches the row only when something the provider sent has changed.
            let mut update = tx.prepare_cached(
                "UPDATE calls SET direction = :direction, outcome = :outcome, caller = :caller, callee = :callee, \
                 caller_digits = :caller_digits, callee_digits = :callee_digits, started_at = :started_at, \
                 ring_secs = :ring, talk_secs = :talk, total_secs = :total, cost = :cost, currency = :currency, \
                 recording_ref = :recording_ref, details = :details, synced_at = :now \
                 WHERE account = :account AND provider = :provider AND provider_call_id = :call_id \
                 AND (direction, outcome, caller, callee, started_at, ring_secs, talk_secs, total_secs, cost, \
                 currency, recording_ref, details) IS NOT (:direction, :outcome, :caller, :callee, :started_at, \
                 :ring, :talk, :total, :cost, :currency, :recording_ref, :details)",
            )?;
            // A call that ended live may be stored under a live id already: a new call
            // of the poll takes such a row over (same numbers, start within two minutes)
            // instead of adding a second one. Asked only while the account has such rows.
            let live_rows: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM live_rows WHERE account = ?1)",
                [account],
                |r| r.get(0),
            )?;
            let mut take_over = tx.prepare_cached(
                "UPDATE calls SET provider_call_id = :call_id, direction = :direction, outcome = :outcome, \
                 caller = :caller, callee = :callee, caller_digits = :caller_digits, callee_digits = :callee_digits, \
                 started_at = :started_at, ring_secs = :ring, talk_secs = :talk, total_secs = :total, cost = :cost, \
                 currency = :currency, recording_ref = :recording_ref, details = :details, synced_at = :now \
                 WHERE provider = :provider AND id = (SELECT call_id FROM live_rows WHERE account = :account \
                 AND caller_digits = :caller_digits AND callee_digits = :callee_digits \
                 AND started_at BETWEEN :started_at - 120000 AND :started_at + 120000 \
                 ORDER BY abs(started_at - :started_at) LIMIT 1) \
                 AND NOT EXISTS (SELECT 1 FROM calls WHERE account = :account AND provider_call_id = :call_id)",
            )?;
            for c in calls {
                let (inserted, updated) = with_call_params(account, provider, c, now, |args| {
                    Ok(if live_rows && take_over.execute(args)? == 1 {
                        (0, 1)
                    } else if insert.execute(args)? == 1 {
                        (1, 0)
                    } else {
                        (0, update.execute(args)? as u32)
                    })
                })?;
                stats.inserted += inserted;
                stats.updated += updated;
            }
            if let Some(cursor) = cursor {
                tx.execute(
                    "INSERT INTO sync_state (account, cursor) VALUES (?1, ?2) \
                     ON CONFLICT (account) DO UPDATE SET cursor = excluded.cursor",
                    params![account, cursor.to_string()],
                )?;
            }
        }
        tx.commit()?;
        Ok(stats)
    }

    /// One page of calls, newest first, keyset-paginated.
    pub fn list_calls(&self, q: &CallQuery) -> Result<CallPage, StoreError> {
        let limit = q.page_size() as usize;
        let conn = self.readers.take();
        let Some(plan) = search::plan(&conn, q, CALL_COLUMNS, limit + 1)? else {
            return Ok(CallPage {
                items: Vec::new(),
                next_cursor: None,
            });
        };
        let mut stmt = conn.prepare_cached(&plan.sql)?;
        let mut items = stmt
            .query_map(params_from_iter(plan.args.iter()), read_call)?
            .map(|r| r.map_err(StoreError::from).and_then(|c| c.map(|s| s.call)))
            .collect::<Result<Vec<_>, _>>()?;
        let next_cursor = if items.len() > limit {
            items.truncate(limit);
            items.last().map(|c| {
                Cursor {
                    started_at_ms: ms(c.started_at),
                    id: c.id,
                }
                .encode()
            })
        } else {
            None
        };
        Ok(CallPage { items, next_cursor })
    }

    /// SQLite's plan for the page [`Store::list_calls`] would read for `q`, one line per
    /// step (`SEARCH calls USING COVERING INDEX …`); empty when no query is needed.
    pub fn explain(&self, q: &CallQuery) -> Result<Vec<String>, StoreError> {
        let conn = self.readers.take();
        let limit = q.page_size() as usize + 1;
        let Some(plan) = search::plan(&conn, q, CALL_COLUMNS, limit)? else {
            return Ok(Vec::new());
        };
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {}", plan.sql))?;
        let lines = stmt.query_map(params_from_iter(plan.args.iter()), |r| {
            r.get::<_, String>(3)
        })?;
        Ok(lines.collect::<Result<_, _>>()?)
    }

    /// Every call matching `filter` (its `cursor` and `limit` ignored), newest first,
    /// `batch` rows at a time: each batch is one short keyset query, so a long export
    /// neither holds the reader nor all rows at once.
    pub fn call_batches(self: &Arc<Self>, filter: &CallQuery, batch: u32) -> CallBatches {
        CallBatches {
            store: self.clone(),
            query: CallQuery {
                cursor: None,
                limit: Some(batch),
                ..filter.clone()
            },
            done: false,
        }
    }

    pub fn call(&self, id: i64) -> Result<Option<StoredCall>, StoreError> {
        let conn = self.readers.take();
        let mut stmt =
            conn.prepare_cached(&format!("SELECT {CALL_COLUMNS} FROM calls WHERE id = ?1"))?;
        stmt.query_row([id], read_call).optional()?.transpose()
    }

    pub fn count_calls(&self, account: &str) -> Result<u64, StoreError> {
        let conn = self.readers.take();
        Ok(conn.query_row(
            "SELECT coalesce(sum(calls), 0) FROM facets WHERE account = ?1",
            [account],
            |r| r.get::<_, i64>(0),
        )? as u64)
    }

    pub fn recording_parts(&self, call_id: i64) -> Result<Vec<StoredPart>, StoreError> {
        let conn = self.readers.take();
        let mut stmt =
            conn.prepare_cached("SELECT idx, url, mime, cached_file, source_codec FROM recording_parts WHERE call_id = ?1 ORDER BY idx")?;
        let rows = stmt.query_map([call_id], |r| {
            Ok(StoredPart {
                index: r.get(0)?,
                url: r.get(1)?,
                mime: r.get(2)?,
                cached_file: r.get(3)?,
                source_codec: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records the links a provider gave for a call's recording, replacing older ones.
    pub fn set_recording_parts(
        &self,
        call_id: i64,
        parts: &[(String, String)],
    ) -> Result<(), StoreError> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction()?;
        tx.execute("DELETE FROM recording_parts WHERE call_id = ?1", [call_id])?;
        for (i, (url, mime)) in parts.iter().enumerate() {
            tx.execute(
                "INSERT INTO recording_parts (call_id, idx, url, mime) VALUES (?1, ?2, ?3, ?4)",
                params![call_id, i as i64, url, mime],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Records a part's cached file: its name, size and type as served, and the
    /// provider's encoding it was made from.
    pub fn set_part_cached(
        &self,
        call_id: i64,
        index: u32,
        file: &CachedPart,
    ) -> Result<(), StoreError> {
        lock(&self.writer).execute(
            "UPDATE recording_parts SET cached_file = ?3, bytes = ?4, mime = ?5, source_codec = ?6 \
             WHERE call_id = ?1 AND idx = ?2",
            params![
                call_id,
                index,
                file.file,
                file.bytes as i64,
                file.mime,
                file.source_codec
            ],
        )?;
        Ok(())
    }

    pub fn sync_record(&self, account: &str) -> Result<SyncRecord, StoreError> {
        let conn = self.readers.take();
        let row = conn
            .query_row(
                "SELECT cursor, last_success, last_error FROM sync_state WHERE account = ?1",
                [account],
                |r| {
                    Ok((
                        r.get::<_, Option<String>>(0)?,
                        r.get::<_, Option<i64>>(1)?,
                        r.get::<_, Option<String>>(2)?,
                    ))
                },
            )
            .optional()?;
        Ok(row
            .map(|(c, s, e)| SyncRecord {
                cursor: c.and_then(|c| serde_json::from_str(&c).ok()),
                last_success: s.map(from_ms),
                last_error: e.and_then(|e| serde_json::from_str(&e).ok()),
            })
            .unwrap_or_default())
    }

    /// Saves the outcome of a sync pass (the cursor moves with the calls, not here).
    pub fn save_sync_outcome(
        &self,
        account: &str,
        success_at: Option<DateTime<Utc>>,
        error: Option<&ApiError>,
    ) -> Result<(), StoreError> {
        let error = error.map(|e| serde_json::to_string(e).expect("ApiError serializes"));
        lock(&self.writer).execute(
            "INSERT INTO sync_state (account, last_success, last_error) VALUES (?1, ?2, ?3) \
             ON CONFLICT (account) DO UPDATE SET last_success = coalesce(excluded.last_success, last_success), \
             last_error = excluded.last_error",
            params![account, success_at.map(ms), error],
        )?;
        Ok(())
    }
}

/// Batches of calls from [`Store::call_batches`]; blocking, one query per `next`.
pub struct CallBatches {
    store: Arc<Store>,
    /// The filter with the keyset position of the next batch as its cursor.
    query: CallQuery,
    done: bool,
}

impl Iterator for CallBatches {
    type Item = Result<Vec<Call>, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let page = match self.store.list_calls(&self.query) {
            Ok(p) => p,
            Err(e) => {
                self.done = true;
                return Some(Err(e));
            }
        };
        self.query.cursor = page.next_cursor;
        self.done = self.query.cursor.is_none();
        (!page.items.is_empty()).then_some(Ok(page.items))
    }
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // WAL + NORMAL: a killed process loses no committed transaction.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

fn read_call(r: &Row<'_>) -> rusqlite::Result<Result<StoredCall, StoreError>> {
    let id: i64 = r.get(0)?;
    let corrupt = |problem: String| StoreError::Corrupt { id, problem };
    let provider: String = r.get(2)?;
    let direction: String = r.get(4)?;
    let outcome: String = r.get(5)?;
    let details: String = r.get(15)?;
    let recording_ref: Option<String> = r.get(14)?;
    let (Some(provider), Some(direction), Some(outcome)) = (
        ProviderKind::parse(&provider),
        Direction::parse(&direction),
        Outcome::parse(&outcome),
    ) else {
        return Ok(Err(corrupt(format!(
            "unknown enum value in {provider}/{direction}/{outcome}"
        ))));
    };
    let details: Vec<Detail> = match serde_json::from_str(&details) {
        Ok(d) => d,
        Err(e) => return Ok(Err(corrupt(format!("details: {e}")))),
    };
    Ok(Ok(StoredCall {
        call: Call {
            id,
            account: r.get(1)?,
            provider,
            provider_call_id: r.get(3)?,
            direction,
            outcome,
            caller: r.get(6)?,
            callee: r.get(7)?,
            started_at: from_ms(r.get(8)?),
            ring_secs: r.get(9)?,
            talk_secs: r.get(10)?,
            total_secs: r.get(11)?,
            cost: r.get(12)?,
            currency: r.get(13)?,
            has_recording: recording_ref.is_some(),
        },
        details,
        recording_ref,
    }))
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_reader_busy_with_a_slow_query_leaves_others_free() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(&dir.path().join("callboard.db")).unwrap());
        assert!(reader_pool_size() >= 2);
        // One connection held, as by a long search: a first page must still be answered.
        let held = store.readers.take();
        let (tx, rx) = std::sync::mpsc::channel();
        let other = store.clone();
        std::thread::spawn(move || {
            let _ = tx.send(
                other
                    .list_calls(&CallQuery::default())
                    .map(|p| p.items.len()),
            );
        });
        // Only a guard against a deadlock (the single-reader store waited here for good).
        let answered = rx.recv_timeout(std::time::Duration::from_secs(30));
        assert_eq!(
            answered.expect("answered while a reader is held").unwrap(),
            0
        );
        drop(held);
        // Every connection went back: all can be taken again at once.
        let all: Vec<_> = (0..reader_pool_size())
            .map(|_| store.readers.take())
            .collect();
        assert_eq!(all.len(), reader_pool_size());
    }
    use super::*;

    #[test]
    fn migrations_are_valid() {
        migrations().validate().unwrap();
    }

    #[test]
    fn a_time_cursor_of_version_2_is_kept_as_a_number() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("callboard.db");
        {
            let mut c = Connection::open(&path).unwrap();
            migrations().to_version(&mut c, 2).unwrap();
            c.execute(
                "INSERT INTO sync_state (account, cursor) VALUES ('a', 1700000000000)",
                [],
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        assert_eq!(
            store.sync_record("a").unwrap().cursor,
            Some(serde_json::json!(1_700_000_000_000i64))
        );
    }

    #[test]
    fn a_version_1_database_upgrades_with_its_calls() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("callboard.db");
        {
            let mut c = Connection::open(&path).unwrap();
            migrations().to_version(&mut c, 1).unwrap();
            c.execute(
                "INSERT INTO calls (account, provider, provider_call_id, direction, outcome, caller, \
                 callee, caller_digits, callee_digits, started_at, ring_secs, talk_secs, total_secs, \
                 synced_at) VALUES ('a', 'mtt', 'x1', 'incoming', 'answered', '+79161234567', \
                 '+74996480000', '79161234567', '74996480000', 1700000000000, 1, 2, 3, 1700000000000)",
                [],
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        let page = store
            .list_calls(&CallQuery {
                number: Some("4567".into()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(page.items.len(), 1);
        assert_eq!(page.items[0].provider_call_id, "x1");
        // The counts the migration took of the calls already stored.
        assert_eq!(store.count_calls("a").unwrap(), 1);
        assert!(
            store
                .explain(&CallQuery {
                    number: Some("4567".into()),
                    ..Default::default()
                })
                .unwrap()
                .iter()
                .any(|step| step.contains("calls_by_caller"))
        );
    }
}
