//! How a page of calls is found. Every filter set is answered from an index whose cost
//! follows the page, not the size of the store:
//!
//! - the equality filters (account, provider, direction, outcome) select *facets* from the
//!   `facets` table; each facet is one time-ordered range of `calls_by_facet`, and the
//!   ranges are merged newest first (a combination no call has is answered without a
//!   query; without any, `calls_by_time` is walked);
//! - a number of 3 or more digits is looked up in the trigram index of distinct numbers;
//!   when the numbers found hold few calls, those calls are read from `calls_by_caller`
//!   and `calls_by_callee` and sorted; when they hold many, matches are dense and the walk
//!   above finds a page of them in a few entries, testing the digits in the index.
//!
//! Every index involved covers the filters and the digits, so only the rows of the page
//! are read from the table.

use std::rc::Rc;

use callboard_model::{CallQuery, Cursor, digits_of};
use rusqlite::Connection;
use rusqlite::types::{ToSql, Value};

use super::{StoreError, ms};

/// The most facet ranges merged in one query; beyond it the time index is walked (its
/// entries hold no filter column: each row is then read to test them).
const MAX_FACET_ARMS: usize = 64;

/// Runs of fewer digits match so many calls that they are always found by a walk.
const MIN_INDEXED_DIGITS: usize = 3;

/// How the calls of a page are found, decided per query from the facet and number counts.
#[derive(Debug, Clone, PartialEq)]
enum Path {
    /// No call can match: an impossible filter combination, or a number nobody called.
    Empty,
    /// Walk `calls_by_time` newest first, testing the digits in its entries.
    Time,
    /// Merge the time-ordered ranges of these facets of `calls_by_facet`.
    Facets(Vec<Facet>),
    /// Read and sort the calls of these numbers (each contains the digits searched).
    Numbers(Vec<String>),
}

/// One combination of the equality filters' columns, and how many calls it holds.
#[derive(Debug, Clone, PartialEq)]
struct Facet {
    account: String,
    provider: String,
    direction: String,
    outcome: String,
    calls: u64,
}

/// The SQL of one page: ids and start times of at most `limit` calls, then their rows.
pub(super) struct Plan {
    pub sql: String,
    pub args: Vec<Box<dyn ToSql>>,
}

/// A query's digits as stored: separators dropped, a leading trunk `8` of an 11-digit
/// number read as `7`. `None` when the query holds no digit.
pub(super) fn number_digits(input: &str) -> Option<String> {
    let mut digits = digits_of(input);
    if digits.is_empty() {
        return None;
    }
    if digits.len() == 11 && digits.starts_with('8') {
        digits.replace_range(0..1, "7");
    }
    Some(digits)
}

/// The plan for one page of `q`, `limit` rows (one more than the page, to tell whether
/// another follows); `None` when nothing can match. `columns` are the row's columns.
pub(super) fn plan(
    conn: &Connection,
    q: &CallQuery,
    columns: &str,
    limit: usize,
) -> Result<Option<Plan>, StoreError> {
    let mut facets = all_facets(conn)?;
    let total: u64 = facets.iter().map(|f| f.calls).sum();
    facets.retain(|f| {
        q.account.as_ref().is_none_or(|a| *a == f.account)
            && q.provider.is_none_or(|p| p.as_str() == f.provider)
            && q.direction.is_none_or(|d| d.as_str() == f.direction)
            && q.outcome.is_none_or(|o| o.as_str() == f.outcome)
    });
    let digits = q.number.as_deref().and_then(number_digits);
    let path = choose_path(conn, q, facets, total, digits.as_deref(), limit)?;

    let mut args: Vec<Box<dyn ToSql>> = Vec::new();
    let mut bind = |v: Value| {
        args.push(Box::new(v));
        format!("?{}", args.len())
    };
    // Time range and keyset: the same numbered parameters in every arm.
    let mut range = String::new();
    if let Some(from) = q.from {
        range += &format!(" AND started_at >= {}", bind(Value::Integer(ms(from))));
    }
    if let Some(to) = q.to {
        range += &format!(" AND started_at < {}", bind(Value::Integer(ms(to))));
    }
    if let Some(c) = q.cursor.as_deref() {
        let c = Cursor::decode(c)?;
        let (t, id) = (
            bind(Value::Integer(c.started_at_ms)),
            bind(Value::Integer(c.id)),
        );
        range += &format!(" AND (started_at, id) < ({t}, {id})");
    }
    let mut equal = String::new();
    let filters = [
        ("account", q.account.clone()),
        ("provider", q.provider.map(|p| p.as_str().to_owned())),
        ("direction", q.direction.map(|d| d.as_str().to_owned())),
        ("outcome", q.outcome.map(|o| o.as_str().to_owned())),
    ];
    // Facet arms test the facets' own values instead.
    let by_facet = matches!(path, Path::Facets(_));
    for (column, value) in filters.into_iter().filter(|_| !by_facet) {
        if let Some(v) = value {
            equal += &format!(" AND {column} = {}", bind(Value::Text(v)));
        }
    }
    let contains = match &digits {
        Some(d) if !matches!(path, Path::Numbers(_)) => {
            let d = bind(Value::Text(d.clone()));
            format!(" AND (instr(caller_digits, {d}) > 0 OR instr(callee_digits, {d}) > 0)")
        }
        _ => String::new(),
    };
    const NEWEST: &str = "ORDER BY started_at DESC, id DESC";

    let ids = match path {
        Path::Empty => return Ok(None),
        Path::Time => format!(
            "SELECT id, started_at FROM calls INDEXED BY calls_by_time \
             WHERE 1 = 1{equal}{range}{contains} {NEWEST} LIMIT {limit}"
        ),
        Path::Facets(facets) => {
            let arms: Vec<String> = facets
                .into_iter()
                .map(|f| {
                    let facet = format!(
                        "account = {} AND provider = {} AND direction = {} AND outcome = {}",
                        bind(Value::Text(f.account)),
                        bind(Value::Text(f.provider)),
                        bind(Value::Text(f.direction)),
                        bind(Value::Text(f.outcome)),
                    );
                    format!(
                        "SELECT id, started_at FROM calls INDEXED BY calls_by_facet \
                         WHERE {facet}{range}{contains}"
                    )
                })
                .collect();
            format!("{} {NEWEST} LIMIT {limit}", arms.join(" UNION ALL "))
        }
        Path::Numbers(numbers) => {
            let list: Rc<Vec<Value>> = Rc::new(numbers.into_iter().map(Value::Text).collect());
            args.push(Box::new(list));
            let list = format!("?{}", args.len());
            // A call whose both sides contain the digits comes from both arms: twice the
            // page keeps enough distinct calls, and `IN` below drops the repeats.
            format!(
                "SELECT id, started_at FROM calls INDEXED BY calls_by_caller \
                 WHERE caller_digits IN rarray({list}){equal}{range} \
                 UNION ALL SELECT id, started_at FROM calls INDEXED BY calls_by_callee \
                 WHERE callee_digits IN rarray({list}){equal}{range} {NEWEST} LIMIT {}",
                limit * 2
            )
        }
    };
    Ok(Some(Plan {
        sql: format!(
            "SELECT {columns} FROM calls WHERE id IN (SELECT id FROM ({ids})) {NEWEST} LIMIT {limit}"
        ),
        args,
    }))
}

/// Every facet that holds calls.
fn all_facets(conn: &Connection) -> Result<Vec<Facet>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT account, provider, direction, outcome, calls FROM facets WHERE calls > 0",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Facet {
            account: r.get(0)?,
            provider: r.get(1)?,
            direction: r.get(2)?,
            outcome: r.get(3)?,
            calls: r.get::<_, i64>(4)?.max(0) as u64,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn choose_path(
    conn: &Connection,
    q: &CallQuery,
    facets: Vec<Facet>,
    total: u64,
    digits: Option<&str>,
    limit: usize,
) -> Result<Path, StoreError> {
    if facets.is_empty() {
        return Ok(Path::Empty);
    }
    if let Some(digits) = digits.filter(|d| d.len() >= MIN_INDEXED_DIGITS) {
        // Reading the numbers' calls costs about their count; a walk finds `limit` of them
        // after about limit × total / count entries. Equal at √(limit × total).
        let cap = ((limit as f64) * (total as f64)).sqrt().max(1000.0) as u64;
        if let Some(numbers) = numbers_containing(conn, digits, cap)? {
            return Ok(if numbers.is_empty() {
                Path::Empty
            } else {
                Path::Numbers(numbers)
            });
        }
    }
    let filtered =
        q.account.is_some() || q.provider.is_some() || q.direction.is_some() || q.outcome.is_some();
    if !filtered || facets.len() > MAX_FACET_ARMS {
        return Ok(Path::Time);
    }
    Ok(Path::Facets(facets))
}

/// The stored numbers containing `digits`, or `None` once they hold more than `cap` calls.
fn numbers_containing(
    conn: &Connection,
    digits: &str,
    cap: u64,
) -> Result<Option<Vec<String>>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT n.digits, n.calls FROM numbers_fts AS f JOIN numbers AS n ON n.id = f.rowid \
         WHERE f.digits LIKE ?1",
    )?;
    let mut rows = stmt.query([format!("%{digits}%")])?;
    let (mut numbers, mut calls) = (Vec::new(), 0u64);
    while let Some(row) = rows.next()? {
        let n: i64 = row.get(1)?;
        if n <= 0 {
            continue;
        }
        calls += n as u64;
        if calls > cap {
            return Ok(None);
        }
        numbers.push(row.get(0)?);
    }
    Ok(Some(numbers))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use callboard_model::{Direction, NewCall, Outcome, ProviderKind};
    use chrono::{DateTime, Duration, TimeZone, Utc};
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    use super::*;
    use crate::Store;

    const ACCOUNTS: [(&str, ProviderKind); 3] = [
        ("mtt-1", ProviderKind::Mtt),
        ("mtt-2", ProviderKind::Mtt),
        ("beeline", ProviderKind::Beeline),
    ];
    /// Each account's own lines: in one call of two, so a search for one is dense.
    const OWN: [&str; 3] = ["74996480000", "74951230001", "79160000002"];

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 9, 1, 0, 0, 0).unwrap()
    }

    /// `n` calls per account over 30 days: clients from a pool of 300, skewed; some calls
    /// without a caller number; outgoing calls from the account's own line.
    fn seeded_store(dir: &Path, n: usize) -> Store {
        let store = Store::open(&dir.join("callboard.db")).unwrap();
        let mut rng = StdRng::seed_from_u64(7);
        let clients: Vec<String> = (0..300)
            .map(|_| format!("79{:09}", rng.gen_range(0..1_000_000_000u64)))
            .collect();
        for (a, (account, provider)) in ACCOUNTS.iter().enumerate() {
            let calls: Vec<NewCall> = (0..n)
                .map(|i| {
                    let client = if rng.gen_bool(0.03) {
                        String::new()
                    } else {
                        let k = (rng.r#gen::<f64>().powi(3) * clients.len() as f64) as usize;
                        format!("+{}", clients[k])
                    };
                    let own = format!("+{}", OWN[a]);
                    let incoming = rng.gen_bool(0.7);
                    let outcome = Outcome::ALL[rng.gen_range(0..Outcome::ALL.len())];
                    let (caller, callee) = if incoming {
                        (client, own)
                    } else {
                        (own, client)
                    };
                    NewCall {
                        provider_call_id: format!("{account}-{i}"),
                        direction: if incoming {
                            Direction::Incoming
                        } else {
                            Direction::Outgoing
                        },
                        outcome,
                        caller,
                        callee,
                        // Whole minutes: equal start times exercise the id tie-break.
                        started_at: t0() + Duration::minutes(rng.gen_range(0..30 * 24 * 60)),
                        ring_secs: 1,
                        talk_secs: 2,
                        total_secs: 3,
                        cost: None,
                        currency: None,
                        recording_ref: None,
                        details: Vec::new(),
                    }
                })
                .collect();
            store
                .upsert_calls(account, *provider, &calls, None)
                .unwrap();
        }
        store
    }

    /// Every call as (id, account, provider, direction, outcome, digits, started_at).
    type Row = (i64, String, String, String, String, [String; 2], i64);

    fn all_rows(store: &Store) -> Vec<Row> {
        let conn = store.readers.take();
        let mut stmt = conn
            .prepare(
                "SELECT id, account, provider, direction, outcome, caller_digits, callee_digits, \
                 started_at FROM calls",
            )
            .unwrap();
        stmt.query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                [r.get(5)?, r.get(6)?],
                r.get(7)?,
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    }

    /// The ids `q` selects, newest first, by testing every row.
    fn naive(rows: &[Row], q: &CallQuery) -> Vec<i64> {
        let digits = q.number.as_deref().and_then(number_digits);
        let mut hits: Vec<&Row> = rows
            .iter()
            .filter(|(_, account, provider, direction, outcome, numbers, at)| {
                q.account.as_ref().is_none_or(|a| a == account)
                    && q.provider.is_none_or(|p| p.as_str() == provider)
                    && q.direction.is_none_or(|d| d.as_str() == direction)
                    && q.outcome.is_none_or(|o| o.as_str() == outcome)
                    && q.from.is_none_or(|f| *at >= ms(f))
                    && q.to.is_none_or(|t| *at < ms(t))
                    && digits
                        .as_ref()
                        .is_none_or(|d| numbers.iter().any(|n| n.contains(d.as_str())))
            })
            .collect();
        hits.sort_by_key(|r| std::cmp::Reverse((r.6, r.0)));
        hits.into_iter().map(|r| r.0).collect()
    }

    /// Every page of `q`, followed by its cursors.
    fn paged(store: &Store, q: &CallQuery) -> Vec<i64> {
        let mut q = q.clone();
        let mut ids = Vec::new();
        loop {
            let page = store.list_calls(&q).unwrap();
            ids.extend(page.items.iter().map(|c| c.id));
            match page.next_cursor {
                Some(c) => q.cursor = Some(c),
                None => return ids,
            }
        }
    }

    /// Queries combining every filter with numbers found in many calls (an account's own
    /// line: the walk), in few (a client: the numbers index), in none, and too short to
    /// be indexed, in every form a number is typed.
    fn queries(rng: &mut StdRng, rows: &[Row]) -> Vec<CallQuery> {
        let some_client = |rng: &mut StdRng| loop {
            let r = &rows[rng.gen_range(0..rows.len())];
            let n = if r.3 == "incoming" { &r.5[0] } else { &r.5[1] };
            if !n.is_empty() {
                return n.clone();
            }
        };
        let mut out = Vec::new();
        for i in 0..400 {
            let client = some_client(rng);
            let number = match i % 9 {
                0 => None,
                1 => Some(client[client.len() - 4..].to_owned()),
                2 => Some(format!("+{client}")),
                3 => Some(format!(
                    "8 ({}) {}-{}",
                    &client[1..4],
                    &client[4..7],
                    &client[7..]
                )),
                4 => Some(client[1..].to_owned()),
                5 => Some(client[3..8].to_owned()),
                6 => Some(OWN[rng.gen_range(0..3)][7..].to_owned()),
                7 => Some(client[client.len() - 2..].to_owned()),
                _ => Some("5550199".to_owned()),
            };
            let day = |d: i64| t0() + Duration::days(d);
            out.push(CallQuery {
                number,
                account: rng
                    .gen_bool(0.3)
                    .then(|| ACCOUNTS[rng.gen_range(0..3)].0.to_owned()),
                provider: rng.gen_bool(0.3).then(|| {
                    [ProviderKind::Mtt, ProviderKind::Beeline, ProviderKind::Mts]
                        [rng.gen_range(0..3)]
                }),
                direction: rng
                    .gen_bool(0.3)
                    .then(|| [Direction::Incoming, Direction::Outgoing][rng.gen_range(0..2)]),
                outcome: rng
                    .gen_bool(0.3)
                    .then(|| Outcome::ALL[rng.gen_range(0..Outcome::ALL.len())]),
                from: rng.gen_bool(0.3).then(|| day(rng.gen_range(0..20))),
                to: rng.gen_bool(0.3).then(|| day(rng.gen_range(10..31))),
                limit: Some([1, 7, 50, 200][rng.gen_range(0..4)]),
                cursor: None,
            });
        }
        out
    }

    #[test]
    fn every_filter_combination_pages_through_exactly_the_matching_calls() {
        let dir = tempfile::tempdir().unwrap();
        let store = seeded_store(dir.path(), 1500);
        let rows = all_rows(&store);
        let mut rng = StdRng::seed_from_u64(11);
        let mut seen = std::collections::BTreeSet::new();
        for q in queries(&mut rng, &rows) {
            let want = naive(&rows, &q);
            let got = paged(&store, &q);
            assert_eq!(got, want, "{q:?}");
            seen.insert(path_name(&store, &q));
        }
        // Every way of finding a page was taken.
        assert_eq!(
            seen.into_iter().collect::<Vec<_>>(),
            ["empty", "facets", "numbers", "time"]
        );
    }

    fn path_name(store: &Store, q: &CallQuery) -> &'static str {
        let plan = store.explain(q).unwrap().join("\n");
        if plan.is_empty() {
            "empty"
        } else if plan.contains("calls_by_caller") {
            "numbers"
        } else if plan.contains("calls_by_facet") {
            "facets"
        } else {
            "time"
        }
    }

    #[test]
    fn no_filter_combination_scans_the_calls_table() {
        let dir = tempfile::tempdir().unwrap();
        let store = seeded_store(dir.path(), 1500);
        let rows = all_rows(&store);
        let cursor = store
            .list_calls(&CallQuery {
                limit: Some(10),
                ..Default::default()
            })
            .unwrap()
            .next_cursor;
        let numbers = [
            None,
            Some("99"),
            Some("0000"),
            Some(&rows[5].5[0][3..9]),
            Some("5550199"),
        ];
        let mut plans = 0;
        for mask in 0..(1u32 << 7) {
            for number in numbers {
                let on = |bit: u32| mask & (1 << bit) != 0;
                let q = CallQuery {
                    account: on(0).then(|| "mtt-2".to_owned()),
                    provider: on(1).then_some(ProviderKind::Mtt),
                    direction: on(2).then_some(Direction::Outgoing),
                    outcome: on(3).then_some(Outcome::Missed),
                    from: on(4).then(|| t0() + Duration::days(3)),
                    to: on(5).then(|| t0() + Duration::days(20)),
                    cursor: on(6).then(|| cursor.clone()).flatten(),
                    number: number.map(str::to_owned),
                    limit: Some(100),
                };
                let plan = store.explain(&q).unwrap();
                for step in &plan {
                    let table_scan =
                        step.starts_with("SCAN calls") && !step.contains("COVERING INDEX");
                    let row_search = step.starts_with("SEARCH calls")
                        && !step.contains("COVERING INDEX")
                        && !step.contains("INTEGER PRIMARY KEY");
                    assert!(!table_scan && !row_search, "{q:?}:\n{}", plan.join("\n"));
                }
                plans += 1;
            }
        }
        assert_eq!(plans, 128 * numbers.len());
    }

    #[test]
    fn a_changed_call_moves_in_the_number_index_and_the_facets() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("callboard.db")).unwrap();
        let mut call = NewCall {
            provider_call_id: "c1".into(),
            direction: Direction::Incoming,
            outcome: Outcome::Missed,
            caller: "+79161112233".into(),
            callee: "+74996480000".into(),
            started_at: t0(),
            ring_secs: 1,
            talk_secs: 0,
            total_secs: 1,
            cost: None,
            currency: None,
            recording_ref: None,
            details: Vec::new(),
        };
        store
            .upsert_calls("a", ProviderKind::Mtt, &[call.clone()], None)
            .unwrap();
        call.caller = "+79035554466".into();
        call.outcome = Outcome::Answered;
        store
            .upsert_calls("a", ProviderKind::Mtt, &[call], None)
            .unwrap();
        let found = |number: &str, outcome: Option<Outcome>| {
            let q = CallQuery {
                number: Some(number.into()),
                outcome,
                ..Default::default()
            };
            (
                store.list_calls(&q).unwrap().items.len(),
                path_name(&store, &q),
            )
        };
        assert_eq!(found("1112233", None), (0, "empty"));
        assert_eq!(found("5554466", None), (1, "numbers"));
        assert_eq!(found("5554466", Some(Outcome::Missed)), (0, "empty"));
        assert_eq!(found("5554466", Some(Outcome::Answered)), (1, "numbers"));
        assert_eq!(store.count_calls("a").unwrap(), 1);
    }
}
