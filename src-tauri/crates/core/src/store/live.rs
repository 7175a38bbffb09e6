//! What the webhook listener hands the store: live events (each written before it is
//! acknowledged, a replay ignored), the history rows of calls that ended live, the log
//! of refused requests, and the missed-not-called-back queue.

use callboard_model::{
    MissedCaller, MissedQueue, NewCall, ProviderKind, RefusedRequest, digits_of,
};
use callboard_providers::LiveEvent;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{INSERT_CALL, Store, StoreError, from_ms, lock, ms, with_call_params};

/// One delivery's events, for [`Store::record_live_batches`].
#[derive(Debug, Clone, Copy)]
pub struct LiveBatch<'a> {
    pub account: &'a str,
    pub provider: ProviderKind,
    pub events: &'a [LiveEvent],
    pub received: DateTime<Utc>,
}

/// An event as stored, with whose it is.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    pub account: String,
    pub provider: ProviderKind,
    pub received: DateTime<Utc>,
    pub event: LiveEvent,
}

/// How many calls a number has, and the latest one's outcome and start.
pub type CallerHistory = (u64, Option<(String, DateTime<Utc>)>);

/// A refused request, as the listener reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub at: DateTime<Utc>,
    pub source: String,
    pub method: String,
    pub path: String,
    pub account: Option<String>,
    pub status: u16,
    pub reason: String,
    pub head: String,
}

/// How long a live-made history row waits for a poll to take it over.
const LIVE_ROW_DAYS: i64 = 2;

/// How many refused requests the log keeps; older ones go first.
pub const REFUSED_CAP: i64 = 5_000;

impl Store {
    /// Writes `events` of `account` in one transaction, with the history row of each new
    /// event that carries a finished call, and answers which events were new (a replay's
    /// key is stored already: it changes nothing).
    pub fn record_live(
        &self,
        account: &str,
        provider: ProviderKind,
        events: &[LiveEvent],
        received: DateTime<Utc>,
    ) -> Result<Vec<bool>, StoreError> {
        let batch = LiveBatch {
            account,
            provider,
            events,
            received,
        };
        Ok(self.record_live_batches(&[batch])?.remove(0))
    }

    /// [`Store::record_live`] for several deliveries in one transaction (one commit for
    /// all the requests that arrived while the previous one was written).
    pub fn record_live_batches(
        &self,
        batches: &[LiveBatch<'_>],
    ) -> Result<Vec<Vec<bool>>, StoreError> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction()?;
        let mut out = Vec::with_capacity(batches.len());
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO live_events (key, account, provider, call, at, received, body) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (key) DO NOTHING",
            )?;
            let mut call = tx.prepare_cached(INSERT_CALL)?;
            for b in batches {
                let mut fresh = Vec::with_capacity(b.events.len());
                for e in b.events {
                    let body = serde_json::to_string(e).expect("live events serialize");
                    let new = insert.execute(params![
                        e.key,
                        b.account,
                        b.provider.as_str(),
                        e.call,
                        ms(e.at),
                        ms(b.received),
                        body
                    ])? == 1;
                    if new && let Some(c) = &e.completed {
                        with_call_params(b.account, b.provider, c, ms(b.received), |p| {
                            call.execute(p)
                        })?;
                    }
                    fresh.push(new);
                }
                out.push(fresh);
            }
        }
        tx.commit()?;
        Ok(out)
    }

    /// The events received since `since`, oldest first: what the live board is rebuilt
    /// from at start.
    pub fn live_events_since(&self, since: DateTime<Utc>) -> Result<Vec<StoredEvent>, StoreError> {
        let conn = self.readers.take();
        let mut stmt = conn.prepare_cached(
            "SELECT account, provider, received, body FROM live_events \
             WHERE received >= ?1 ORDER BY received, at",
        )?;
        let rows = stmt.query_map([ms(since)], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (account, provider, received, body) = row?;
            let corrupt = |problem: String| StoreError::Corrupt { id: 0, problem };
            let provider = ProviderKind::parse(&provider)
                .ok_or_else(|| corrupt(format!("live event of provider {provider:?}")))?;
            let event = serde_json::from_str(&body)
                .map_err(|e| corrupt(format!("live event {body:.80}: {e}")))?;
            out.push(StoredEvent {
                account,
                provider,
                received: from_ms(received),
                event,
            });
        }
        Ok(out)
    }

    /// Writes the history row of a call that ended live, unless the account already has
    /// that call (a poll was first): a poll's row is the provider's record and wins. The
    /// row's id is the provider's own when `own_id` (a poll then updates it in place);
    /// else the row is remembered as live-made, so that a later poll bringing the same
    /// call under the provider's id takes it over (see [`Store::upsert_calls`]) for two
    /// days. Answers the row's id.
    pub fn insert_live_call(
        &self,
        account: &str,
        provider: ProviderKind,
        call: &NewCall,
        own_id: bool,
    ) -> Result<i64, StoreError> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction()?;
        let now = ms(Utc::now());
        let inserted = {
            let mut insert = tx.prepare_cached(INSERT_CALL)?;
            with_call_params(account, provider, call, now, |p| insert.execute(p))? == 1
        };
        let id: i64 = tx.query_row(
            "SELECT id FROM calls WHERE account = ?1 AND provider_call_id = ?2",
            params![account, call.provider_call_id],
            |r| r.get(0),
        )?;
        tx.execute(
            "DELETE FROM live_rows WHERE started_at < ?1",
            [now - LIVE_ROW_DAYS * 86_400_000],
        )?;
        if inserted && !own_id {
            tx.execute(
                "INSERT INTO live_rows (call_id, account, caller_digits, callee_digits, started_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    id,
                    account,
                    digits_of(&call.caller),
                    digits_of(&call.callee),
                    ms(call.started_at)
                ],
            )?;
        }
        tx.commit()?;
        Ok(id)
    }

    /// Logs refused requests in one transaction, keeping the newest [`REFUSED_CAP`].
    pub fn log_refusals(&self, refusals: &[Refusal]) -> Result<(), StoreError> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction()?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO refused_requests (at, source, method, path, account, status, reason, head) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for r in refusals {
                insert.execute(params![
                    ms(r.at),
                    r.source,
                    r.method,
                    r.path,
                    r.account,
                    r.status,
                    r.reason,
                    r.head
                ])?;
            }
        }
        let last = tx.last_insert_rowid();
        tx.execute(
            "DELETE FROM refused_requests WHERE id <= ?1",
            [last - REFUSED_CAP],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The newest refused requests, before the row `before` when given.
    pub fn refused_requests(
        &self,
        limit: u32,
        before: Option<i64>,
    ) -> Result<Vec<RefusedRequest>, StoreError> {
        let conn = self.readers.take();
        let mut stmt = conn.prepare_cached(
            "SELECT id, at, source, method, path, account, status, reason, head \
             FROM refused_requests WHERE id < ?1 ORDER BY id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![before.unwrap_or(i64::MAX), limit], |r| {
            Ok(RefusedRequest {
                id: r.get(0)?,
                at: from_ms(r.get(1)?),
                source: r.get(2)?,
                method: r.get(3)?,
                path: r.get(4)?,
                account: r.get(5)?,
                status: r.get(6)?,
                reason: r.get(7)?,
                head: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Numbers with missed incoming calls since `since` and no answered call with them
    /// after those (either way), oldest first: at most `limit` of them, and how many
    /// there are in all.
    pub fn missed_queue(
        &self,
        since: DateTime<Utc>,
        limit: u32,
    ) -> Result<MissedQueue, StoreError> {
        let conn = self.readers.take();
        // The missed calls of the period come from each account's (incoming, missed) facet
        // range; each is tested against its number's later answered calls through the two
        // number indexes. The cost follows the period's missed calls, not the store.
        let mut stmt = conn.prepare_cached(
            "SELECT m.caller_digits, m.started_at, m.account, m.id \
             FROM calls AS m INDEXED BY calls_by_facet \
             WHERE m.account IN (SELECT account FROM facets WHERE direction = 'incoming' \
                   AND outcome = 'missed' AND calls > 0) \
               AND m.direction = 'incoming' AND m.outcome = 'missed' AND m.started_at >= ?1 \
               AND m.caller_digits <> '' \
               AND NOT EXISTS (SELECT 1 FROM calls AS a INDEXED BY calls_by_caller \
                   WHERE a.caller_digits = m.caller_digits AND a.started_at > m.started_at \
                   AND a.outcome = 'answered') \
               AND NOT EXISTS (SELECT 1 FROM calls AS b INDEXED BY calls_by_callee \
                   WHERE b.callee_digits = m.caller_digits AND b.started_at > m.started_at \
                   AND b.outcome = 'answered')",
        )?;
        let mut by_number: std::collections::HashMap<String, MissedCaller> =
            std::collections::HashMap::new();
        let mut rows = stmt.query([ms(since)])?;
        while let Some(r) = rows.next()? {
            let digits: String = r.get(0)?;
            let at = from_ms(r.get(1)?);
            let (account, id): (String, i64) = (r.get(2)?, r.get(3)?);
            let entry = by_number
                .entry(digits)
                .or_insert_with_key(|d| MissedCaller {
                    number: callboard_model::normalize_phone(d),
                    missed: 0,
                    first_missed_at: at,
                    last_missed_at: at,
                    account: account.clone(),
                    last_call_id: id,
                });
            entry.missed += 1;
            entry.first_missed_at = entry.first_missed_at.min(at);
            if (at, id) >= (entry.last_missed_at, entry.last_call_id) {
                entry.last_missed_at = at;
                entry.account = account;
                entry.last_call_id = id;
            }
        }
        let mut callers: Vec<MissedCaller> = by_number.into_values().collect();
        callers.sort_by(|a, b| (a.first_missed_at, &a.number).cmp(&(b.first_missed_at, &b.number)));
        let total = callers.len() as u32;
        callers.truncate(limit as usize);
        Ok(MissedQueue { callers, total })
    }

    /// How many calls have `digits` on either side, and the latest one's outcome and start.
    pub fn caller_history(&self, digits: &str) -> Result<CallerHistory, StoreError> {
        let conn = self.readers.take();
        let calls: i64 = conn
            .query_row(
                "SELECT calls FROM numbers WHERE digits = ?1",
                [digits],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(0);
        // The newest of each side's newest, both read from their number index.
        let last = conn
            .query_row(
                "SELECT outcome, started_at FROM ( \
                   SELECT outcome, started_at FROM (SELECT outcome, started_at FROM calls \
                     INDEXED BY calls_by_caller WHERE caller_digits = ?1 \
                     ORDER BY started_at DESC LIMIT 1) \
                   UNION ALL \
                   SELECT outcome, started_at FROM (SELECT outcome, started_at FROM calls \
                     INDEXED BY calls_by_callee WHERE callee_digits = ?1 \
                     ORDER BY started_at DESC LIMIT 1)) \
                 ORDER BY started_at DESC LIMIT 1",
                [digits],
                |r| Ok((r.get::<_, String>(0)?, from_ms(r.get(1)?))),
            )
            .optional()?;
        Ok((calls.max(0) as u64, last))
    }

    /// When `account`'s last live event arrived, if ever.
    pub fn last_live_event(&self, account: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        let conn = self.readers.take();
        let last: Option<i64> = conn.query_row(
            "SELECT max(received) FROM live_events WHERE account = ?1",
            [account],
            |r| r.get(0),
        )?;
        Ok(last.map(from_ms))
    }

    /// The id of `account`'s call `provider_call_id`, when stored.
    pub fn call_id_of(
        &self,
        account: &str,
        provider_call_id: &str,
    ) -> Result<Option<i64>, StoreError> {
        let conn = self.readers.take();
        Ok(conn
            .query_row(
                "SELECT id FROM calls WHERE account = ?1 AND provider_call_id = ?2",
                params![account, provider_call_id],
                |r| r.get(0),
            )
            .optional()?)
    }
}
