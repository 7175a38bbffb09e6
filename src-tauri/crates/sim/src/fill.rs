//! `callboard-sim fill`: a callboard store filled with many realistic calls, fast, for
//! benchmarks of number search and of the history list on a store of production size. A
//! new store is bulk-loaded ([`BulkLoad`]: the same rows, counts and indexes, built once
//! at the end); calls appended to an existing one go through [`Store::upsert_calls`].
//!
//! The calls follow the simulators' shapes: a Moscow office day, weekdays busier than
//! weekends, a client population in which regular clients call again and again (so some
//! last-4 suffixes are common and others rare), each provider's own call ids and detail
//! fields. The same options give exactly the same rows.
//!
//! A generator thread builds batches of calls and hands them to the writer (the calling
//! thread) through a bounded channel; the writer hands each written batch back, and the
//! generator overwrites it in place, so it hardly allocates and the writer, which only
//! calls the store, is the one bottleneck.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use callboard_core::store::{BulkLoad, StoreError};
use callboard_core::{Config, Store, run_data_dir};
use callboard_model::{
    CallQuery, Detail, Direction, NewCall, Outcome, ProviderKind, normalize_phone,
};
use chrono::{DateTime, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::ids::{mix_all, mix64};
use crate::traffic::HOUR_WEIGHTS;

/// Calls per store transaction (a bulk-load insert or an upsert). The fastest measured, on
/// 500k calls: 2k 32k calls/s, 5k 46k, 10k 49k, 20k 47k, 50k 35k.
pub const FILL_BATCH: usize = 10_000;
/// Batches the generator may run ahead of the writer.
const CHANNEL_BATCHES: usize = 4;

/// Default history span, in days back from now.
pub const DEFAULT_FILL_DAYS: u32 = 90;
/// About one distinct client number per this many calls.
const CALLS_PER_CLIENT: u64 = 7;
const MIN_CLIENTS: u64 = 1000;

const SECONDS_PER_SLOT: i64 = 3600;
/// Moscow is UTC+3 all year; the office day follows its clock.
const MOSCOW_OFFSET_HOURS: i64 = 3;
/// Weekday/weekend volume factors, as the simulators use.
const WEEKDAY_FACTOR: f64 = 1.2;
const WEEKEND_FACTOR: f64 = 0.5;

const TAG_POPULATION: u64 = 0xF111_0001;
const TAG_CALLS: u64 = 0xF111_0002;
const TAG_ACCOUNT: u64 = 0xF111_0003;
const TAG_CONF_ID: u64 = 0xF111_0004;

/// What to generate.
#[derive(Debug, Clone)]
pub struct FillOptions {
    /// How many calls, over all accounts.
    pub calls: u64,
    /// Same seed (and other options), same rows.
    pub seed: u64,
    /// Calls start within this many days before `now`.
    pub days: u32,
    /// The end of the history; every call starts before it.
    pub now: DateTime<Utc>,
    /// The accounts the calls belong to, each with its share of them.
    pub accounts: Vec<FillAccount>,
}

/// An account to fill: its config id, its provider, and its share of the calls
/// (relative; shares need not sum to 1).
#[derive(Debug, Clone, PartialEq)]
pub struct FillAccount {
    /// The account's id, as in the config (`[[accounts]] id`).
    pub id: String,
    /// Its provider: decides the call ids, detail fields and recording references.
    pub provider: ProviderKind,
    /// Its share of the calls, relative to the other accounts'.
    pub share: f64,
}

/// What a fill wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct FillReport {
    /// Calls inserted (generated calls whose id the store already held are not counted).
    pub calls: u64,
    /// Accounts filled.
    pub accounts: usize,
    /// Distinct client numbers among the generated calls (company numbers not counted).
    pub distinct_numbers: u64,
    /// The whole fill: population, generation and writing.
    pub elapsed: Duration,
    /// Of which inside the store (inserts and, for a new store, building its indexes);
    /// the rest is the writer waiting for the generator (and opening the store).
    pub in_store: Duration,
}

impl FillReport {
    /// Inserted calls per second of the whole fill.
    pub fn calls_per_sec(&self) -> f64 {
        self.calls as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// The demo's own accounts (see [`crate::Fleet`]), so a filled demo store shows the calls
/// under the accounts demo mode configures.
pub fn default_accounts() -> Vec<FillAccount> {
    [
        ("mtt-sim", ProviderKind::Mtt, 0.5),
        ("beeline-sim", ProviderKind::Beeline, 0.3),
        ("mts-sim", ProviderKind::Mts, 0.2),
    ]
    .into_iter()
    .map(|(id, provider, share)| FillAccount {
        id: id.to_string(),
        provider,
        share,
    })
    .collect()
}

/// Where `callboard-sim fill` writes, and for which accounts.
#[derive(Debug, Clone, PartialEq)]
pub struct FillTarget {
    /// The database file `callboard-server --data-dir DIR [--config FILE]` opens.
    pub db_path: PathBuf,
    /// The accounts to fill: the config's, or the demo's.
    pub accounts: Vec<FillAccount>,
    /// Whether that is the demo's store (`DIR/demo`).
    pub demo: bool,
}

/// The launcher's rule (`callboard_launch::prepare`): a config with accounts means
/// `DIR/callboard.db` with those accounts (equal shares); no config, or one without
/// accounts, means demo mode, `DIR/demo/callboard.db` with [`default_accounts`].
pub fn fill_target(data_dir: &Path, config: Option<&Config>) -> FillTarget {
    match config.filter(|c| !c.is_demo()) {
        Some(config) => FillTarget {
            db_path: run_data_dir(data_dir, false).join("callboard.db"),
            accounts: config
                .accounts
                .iter()
                .map(|a| FillAccount {
                    id: a.id.clone(),
                    provider: a.provider,
                    share: 1.0,
                })
                .collect(),
            demo: false,
        },
        None => FillTarget {
            db_path: run_data_dir(data_dir, true).join("callboard.db"),
            accounts: default_accounts(),
            demo: true,
        },
    }
}

/// Whether the store at `db_path` exists and holds at least one call.
pub fn store_holds_calls(db_path: &Path) -> anyhow::Result<bool> {
    if !db_path.exists() {
        return Ok(false);
    }
    let store =
        Store::open(db_path).with_context(|| format!("cannot open {}", db_path.display()))?;
    let page = store.list_calls(&CallQuery {
        limit: Some(1),
        ..Default::default()
    })?;
    Ok(!page.items.is_empty())
}

/// Generates `opts.calls` calls and writes them to the store at `db_path` (created, with
/// its folder, if missing) in batches of [`FILL_BATCH`] (bulk-loaded when new).
pub fn fill(db_path: &Path, opts: &FillOptions) -> anyhow::Result<FillReport> {
    fill_in_batches(db_path, opts, FILL_BATCH)
}

/// [`fill`] with another batch size, for measuring which is fastest.
#[doc(hidden)]
pub fn fill_in_batches(
    db_path: &Path,
    opts: &FillOptions,
    batch: usize,
) -> anyhow::Result<FillReport> {
    let started = Instant::now();
    validate(opts)?;
    ensure!(batch > 0, "the batch size must be at least 1");
    if let Some(dir) = db_path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut sink = if db_path.exists() {
        Sink::Store(
            Store::open(db_path).with_context(|| format!("cannot open {}", db_path.display()))?,
        )
    } else {
        Sink::Bulk(
            BulkLoad::create(db_path)
                .with_context(|| format!("cannot create {}", db_path.display()))?,
        )
    };

    let (batches_tx, batches_rx) = mpsc::sync_channel::<(usize, Vec<NewCall>)>(CHANNEL_BATCHES);
    let (spent_tx, spent_rx) = mpsc::channel::<Vec<NewCall>>();
    let mut in_store = Duration::ZERO;
    let (inserted, distinct) = std::thread::scope(|scope| -> anyhow::Result<(u64, u64)> {
        let generator = std::thread::Builder::new()
            .name("fill-generator".into())
            .spawn_scoped(scope, move || {
                let mut g = Generator::new(opts);
                g.run(batch, &batches_tx, &spent_rx);
                g.distinct_clients()
            })
            .context("cannot start the generator thread")?;
        let mut inserted = 0u64;
        let mut failure = None;
        for (account, calls) in batches_rx.iter() {
            let a = &opts.accounts[account];
            let writing = Instant::now();
            let written = sink.write(&a.id, a.provider, &calls);
            in_store += writing.elapsed();
            match written {
                Ok(n) => inserted += n,
                Err(e) => {
                    failure = Some(anyhow::Error::new(e).context(format!(
                        "cannot write calls of {} to {}",
                        a.id,
                        db_path.display()
                    )));
                    break;
                }
            }
            // Back to the generator, which refills it in place; gone once it has finished.
            let _ = spent_tx.send(calls);
        }
        // Unblocks a generator waiting to send after a failure.
        drop(batches_rx);
        let distinct = generator
            .join()
            .map_err(|_| anyhow::anyhow!("the generator thread panicked"))?;
        match failure {
            Some(e) => Err(e),
            None => Ok((inserted, distinct)),
        }
    })?;
    let finishing = Instant::now();
    if let Sink::Bulk(load) = sink {
        load.finish()
            .with_context(|| format!("cannot index {}", db_path.display()))?;
    }
    in_store += finishing.elapsed();
    Ok(FillReport {
        calls: inserted,
        accounts: opts.accounts.len(),
        distinct_numbers: distinct,
        elapsed: started.elapsed(),
        in_store,
    })
}

/// Where calls go: a new store is bulk-loaded (indexes built once at the end), an existing
/// one takes them through [`Store::upsert_calls`].
enum Sink {
    Bulk(BulkLoad),
    Store(Store),
}

impl Sink {
    fn write(
        &mut self,
        account: &str,
        provider: ProviderKind,
        calls: &[NewCall],
    ) -> Result<u64, StoreError> {
        match self {
            Sink::Bulk(load) => load.insert(account, provider, calls),
            Sink::Store(store) => Ok(u64::from(
                store.upsert_calls(account, provider, calls, None)?.inserted,
            )),
        }
    }
}

fn validate(opts: &FillOptions) -> anyhow::Result<()> {
    ensure!(!opts.accounts.is_empty(), "no accounts to fill");
    ensure!(opts.days >= 1, "--days must be at least 1");
    let mut ids = HashSet::new();
    for a in &opts.accounts {
        if !(a.share.is_finite() && a.share > 0.0) {
            bail!("account {}: share must be a positive number", a.id);
        }
        ensure!(ids.insert(&a.id), "account {} is listed twice", a.id);
    }
    Ok(())
}

/// The client population: canonical numbers drawn once, most frequent callers first.
struct Population {
    /// E.164, as the providers' clients store numbers (`+79…`).
    numbers: Vec<String>,
}

impl Population {
    fn new(seed: u64, size: usize) -> Self {
        let mut rng = StdRng::seed_from_u64(mix_all(&[seed, TAG_POPULATION]));
        let mut seen = HashSet::with_capacity(size);
        let mut numbers = Vec::with_capacity(size);
        while numbers.len() < size {
            let r: f64 = rng.r#gen();
            let canonical = if r < 0.82 {
                79_000_000_000 + rng.gen_range(0..1_000_000_000u64)
            } else if r < 0.92 {
                74_950_000_000 + rng.gen_range(1_000_000..10_000_000u64)
            } else {
                78_120_000_000 + rng.gen_range(1_000_000..10_000_000u64)
            };
            if seen.insert(canonical) {
                numbers.push(normalize_phone(&canonical.to_string()));
            }
        }
        Self { numbers }
    }

    /// A client index, skewed hard towards the start (u³): regulars call again and again.
    fn pick(&self, rng: &mut StdRng) -> usize {
        let u: f64 = rng.r#gen();
        ((u * u * u * self.numbers.len() as f64) as usize).min(self.numbers.len() - 1)
    }
}

/// One account as the generator sees it.
struct AccountGen {
    provider: ProviderKind,
    /// The account's own numbers, E.164; the first takes the most calls.
    company: Vec<String>,
    /// Employees' mobiles calls are put through or forwarded to, E.164.
    operators: Vec<String>,
    /// Numeric ids (Beeline `CALL_ID`, MTS `seqid`, MOR `id`) start here; derived from
    /// the seed so fills with other seeds can be appended.
    id_base: u64,
    /// Hex ids (MTT's conference ids) are this plus the call's sequence number in their
    /// first 64 bits; also derived from the seed.
    hex_base: u64,
    /// Calls generated so far.
    seq: u64,
}

impl AccountGen {
    fn new(seed: u64, index: usize, account: &FillAccount, ordinal: u64) -> Self {
        let key = mix_all(&[seed, TAG_ACCOUNT, index as u64]);
        let base: u64 = match account.provider {
            ProviderKind::Mtt => 74_996_480_000,
            ProviderKind::Beeline => 74_951_230_000,
            ProviderKind::Mts => 79_160_000_000,
            ProviderKind::Mor => 78_123_450_000,
            ProviderKind::Sprecord => 74_957_770_000,
        } + 10 * ordinal;
        let count = 2 + (key & 1);
        let company = (0..count)
            .map(|k| normalize_phone(&(base + k).to_string()))
            .collect();
        let mut rng = StdRng::seed_from_u64(key);
        let operators = (0..12)
            .map(|_| normalize_phone(&format!("7903{:07}", rng.gen_range(0..10_000_000u64))))
            .collect();
        Self {
            provider: account.provider,
            company,
            operators,
            id_base: (10 + mix64(key) % 9_999_990) * 100_000_000,
            hex_base: (mix_all(&[key, TAG_CONF_ID]) & 0xFF_FFFF) << 40,
            seq: 0,
        }
    }

    fn pick_company(&self, rng: &mut StdRng) -> usize {
        let r: f64 = rng.r#gen();
        match self.company.len() {
            2 => usize::from(r >= 0.65),
            _ => {
                if r < 0.5 {
                    0
                } else if r < 0.8 {
                    1
                } else {
                    2
                }
            }
        }
    }
}

/// Builds the calls, hour slot by hour slot, oldest first.
struct Generator<'a> {
    opts: &'a FillOptions,
    population: Population,
    accounts: Vec<AccountGen>,
    /// Cumulative normalized shares, for drawing an account.
    cumulative_share: Vec<f64>,
    rng: StdRng,
    /// Which clients have called (for the report).
    called: Vec<bool>,
}

impl<'a> Generator<'a> {
    fn new(opts: &'a FillOptions) -> Self {
        let size = (opts.calls / CALLS_PER_CLIENT).max(MIN_CLIENTS) as usize;
        let mut ordinals = std::collections::HashMap::<ProviderKind, u64>::new();
        let accounts = opts
            .accounts
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let ordinal = ordinals.entry(a.provider).or_default();
                let g = AccountGen::new(opts.seed, i, a, *ordinal);
                *ordinal += 1;
                g
            })
            .collect();
        let total: f64 = opts.accounts.iter().map(|a| a.share).sum();
        let mut acc = 0.0;
        let cumulative_share = opts
            .accounts
            .iter()
            .map(|a| {
                acc += a.share / total;
                acc
            })
            .collect();
        Self {
            opts,
            population: Population::new(opts.seed, size),
            accounts,
            cumulative_share,
            rng: StdRng::seed_from_u64(mix_all(&[opts.seed, TAG_CALLS])),
            called: vec![false; size],
        }
    }

    fn distinct_clients(&self) -> u64 {
        self.called.iter().filter(|c| **c).count() as u64
    }

    fn pick_account(&mut self) -> usize {
        let r: f64 = self.rng.r#gen();
        self.cumulative_share
            .iter()
            .position(|c| r < *c)
            .unwrap_or(self.cumulative_share.len() - 1)
    }

    /// Sends every call, in batches of `batch` per account, until done or the writer
    /// hangs up.
    fn run(
        &mut self,
        batch: usize,
        out: &mpsc::SyncSender<(usize, Vec<NewCall>)>,
        spent: &mpsc::Receiver<Vec<NewCall>>,
    ) {
        let mut pending: Vec<(Vec<NewCall>, usize)> =
            (0..self.accounts.len()).map(|_| (Vec::new(), 0)).collect();
        let mut starts: Vec<i64> = Vec::new();
        for (lo, hi, count) in slot_counts(self.opts) {
            starts.clear();
            starts.extend((0..count).map(|_| self.rng.gen_range(lo..hi)));
            starts.sort_unstable();
            for &start in &starts {
                let a = self.pick_account();
                let (calls, len) = &mut pending[a];
                if calls.is_empty() && *len == 0 {
                    *calls = spent.try_recv().unwrap_or_default();
                }
                if *len == calls.len() {
                    calls.push(blank_call());
                }
                let client = write_call(
                    &mut self.rng,
                    &self.population,
                    &mut self.accounts[a],
                    start,
                    &mut calls[*len],
                );
                self.called[client] = true;
                *len += 1;
                if *len == batch {
                    let mut full = std::mem::take(calls);
                    full.truncate(*len);
                    *len = 0;
                    if out.send((a, full)).is_err() {
                        return;
                    }
                }
            }
        }
        for (a, (mut calls, len)) in pending.into_iter().enumerate() {
            if len > 0 {
                calls.truncate(len);
                if out.send((a, calls)).is_err() {
                    return;
                }
            }
        }
    }
}

/// The calls per hour slot: `(first second, end second, count)`, oldest slot first,
/// counts following the Moscow office day and summing to exactly `opts.calls`.
fn slot_counts(opts: &FillOptions) -> Vec<(i64, i64, u64)> {
    let to = opts.now.timestamp();
    let from = to - i64::from(opts.days) * 86_400;
    let slots: Vec<(i64, i64, f64)> = (from.div_euclid(SECONDS_PER_SLOT)
        ..=(to - 1).div_euclid(SECONDS_PER_SLOT))
        .map(|slot| {
            let lo = (slot * SECONDS_PER_SLOT).max(from);
            let hi = (slot * SECONDS_PER_SLOT + SECONDS_PER_SLOT).min(to);
            let moscow = slot + MOSCOW_OFFSET_HOURS;
            let hour = moscow.rem_euclid(24) as usize;
            // 1970-01-01 was a Thursday: day 0 is weekday 3 counting from Monday = 0.
            let weekday = (moscow.div_euclid(24) + 3).rem_euclid(7);
            let day = if weekday >= 5 {
                WEEKEND_FACTOR
            } else {
                WEEKDAY_FACTOR
            };
            let fraction = (hi - lo) as f64 / SECONDS_PER_SLOT as f64;
            (lo, hi, HOUR_WEIGHTS[hour] * day * fraction)
        })
        .collect();
    let total: f64 = slots.iter().map(|s| s.2).sum();
    let mut cumulative = 0.0;
    let mut given = 0u64;
    let last = slots.len() - 1;
    slots
        .into_iter()
        .enumerate()
        .map(|(i, (lo, hi, w))| {
            cumulative += w;
            let upto = if i == last {
                opts.calls
            } else {
                ((cumulative / total * opts.calls as f64).round() as u64).min(opts.calls)
            };
            let count = upto.saturating_sub(given);
            given = given.max(upto);
            (lo, hi, count)
        })
        .collect()
}

fn blank_call() -> NewCall {
    NewCall {
        provider_call_id: String::new(),
        direction: Direction::Incoming,
        outcome: Outcome::Answered,
        caller: String::new(),
        callee: String::new(),
        started_at: DateTime::<Utc>::UNIX_EPOCH,
        ring_secs: 0,
        talk_secs: 0,
        total_secs: 0,
        cost: None,
        currency: None,
        recording_ref: None,
        details: Vec::new(),
    }
}

fn set(s: &mut String, v: &str) {
    s.clear();
    s.push_str(v);
}

/// The `i`-th detail, labelled `label`, its value cleared for writing.
fn detail<'d>(details: &'d mut Vec<Detail>, i: usize, label: &str) -> &'d mut String {
    if details.len() <= i {
        details.push(Detail {
            label: String::new(),
            value: String::new(),
        });
    }
    let d = &mut details[i];
    set(&mut d.label, label);
    d.value.clear();
    &mut d.value
}

/// An `Option<String>` set to `Some`, reusing its buffer.
fn some(s: &mut Option<String>) -> &mut String {
    let s = s.get_or_insert_with(String::new);
    s.clear();
    s
}

/// Talk time: mostly short calls, a fifth longer ones, capped at an hour.
fn talk_seconds(rng: &mut StdRng) -> u32 {
    let mean = if rng.gen_bool(0.8) { 60.0 } else { 240.0 };
    let u: f64 = rng.gen_range(f64::EPSILON..1.0);
    (5.0 - u.ln() * mean).clamp(5.0, 3600.0) as u32
}

/// Overwrites `c` with the account's next call, starting at `start` (Unix seconds).
/// Returns the client's index in the population.
fn write_call(
    rng: &mut StdRng,
    population: &Population,
    account: &mut AccountGen,
    start: i64,
    c: &mut NewCall,
) -> usize {
    let seq = account.seq;
    account.seq += 1;
    let client = population.pick(rng);
    let client_number = &population.numbers[client];
    let company = account.pick_company(rng);
    let company_number = &account.company[company];

    let incoming = rng.gen_bool(0.7);
    let r: f64 = rng.r#gen();
    let outcome = if incoming {
        match r {
            r if r < 0.70 => Outcome::Answered,
            r if r < 0.90 => Outcome::Missed,
            r if r < 0.97 => Outcome::Forwarded,
            _ => Outcome::Busy,
        }
    } else {
        match r {
            r if r < 0.60 => Outcome::Answered,
            r if r < 0.85 => Outcome::Missed,
            r if r < 0.95 => Outcome::Busy,
            _ => Outcome::Failed,
        }
    };
    let (ring, talk) = match outcome {
        Outcome::Answered if incoming => (rng.gen_range(1..=20), talk_seconds(rng)),
        Outcome::Answered => (rng.gen_range(3..=25), talk_seconds(rng)),
        Outcome::Forwarded => (rng.gen_range(10..=30), talk_seconds(rng)),
        Outcome::Missed => (rng.gen_range(5..=60), 0),
        Outcome::Busy => (rng.gen_range(0..=2), 0),
        Outcome::Failed => (0, 0),
    };

    c.direction = if incoming {
        Direction::Incoming
    } else {
        Direction::Outgoing
    };
    c.outcome = outcome;
    let (caller, callee) = if incoming {
        (client_number, company_number)
    } else {
        (company_number, client_number)
    };
    set(&mut c.caller, caller);
    set(&mut c.callee, callee);
    c.started_at = DateTime::from_timestamp(start, 0).unwrap_or_default();
    c.ring_secs = ring;
    c.talk_secs = talk;
    c.total_secs = ring + talk;
    if outcome == Outcome::Answered && !incoming {
        // Per started minute: local lines cheapest, mobiles dearest.
        let rate = match client_number.as_bytes().get(2) {
            Some(b'9') => 1.5,
            Some(b'4') => 0.25,
            _ => 0.9,
        };
        c.cost = Some((f64::from(talk.div_ceil(60)) * rate * 100.0).round() / 100.0);
        set(c.currency.get_or_insert_with(String::new), "RUB");
    } else {
        c.cost = None;
        c.currency = None;
    }

    let answered = outcome == Outcome::Answered;
    // What the call went through to (an employee's mobile), when it was put through.
    let operator = &account.operators[(mix64(seq) % account.operators.len() as u64) as usize];
    let id = &mut c.provider_call_id;
    id.clear();
    let d = &mut c.details;
    let used = match account.provider {
        ProviderKind::Mtt => {
            // A counter in front, like the spec's `0000B3A4 55F311E4 …`, and the rest
            // hashed. Ids that rise with time, as the calls are written, append to the
            // store's unique index: random ones (the simulator's) made a 2M fill twice
            // as slow, the writer reading and rewriting index pages all over the file.
            let hi = account.hex_base + seq;
            let lo = mix64(hi ^ account.id_base);
            let _ = write!(
                id,
                "{:08X} {:08X} {:08X} {:08X}",
                hi >> 32,
                hi as u32,
                lo >> 32,
                lo as u32
            );
            let (list, cause) = match outcome {
                Outcome::Answered if incoming => ("incoming", 16),
                Outcome::Forwarded => ("forwarded", 16),
                Outcome::Missed if incoming => ("missed", 19),
                Outcome::Busy if incoming => ("missed", 17),
                Outcome::Answered => ("dialed", 16),
                Outcome::Missed => ("dialed", 19),
                Outcome::Busy => ("dialed", 17),
                _ => ("dialed", 34),
            };
            set(detail(d, 0, "list"), list);
            let _ = write!(detail(d, 1, "disconnect_cause"), "{cause}");
            set(detail(d, 2, "account_id"), &company_number[1..]);
            let _ = write!(
                detail(d, 3, "setup_time_ms"),
                "{}",
                ring * 1000 + (mix64(seq) % 1000) as u32
            );
            4
        }
        ProviderKind::Beeline => {
            let _ = write!(id, "{}", account.id_base + seq);
            let status = match outcome {
                Outcome::Answered => "ANSWERED",
                Outcome::Missed => "NO ANSWER",
                Outcome::Busy => "BUSY",
                Outcome::Failed => "FAILED",
                Outcome::Forwarded => "FORWARDED",
            };
            set(detail(d, 0, "STATUS"), status);
            if answered || outcome == Outcome::Forwarded {
                set(detail(d, 1, "RNUMBER"), &operator[1..]);
                2
            } else {
                1
            }
        }
        ProviderKind::Mts => {
            let _ = write!(id, "{}", account.id_base + seq);
            let _ = write!(detail(d, 0, "call_id"), "{}", 30_000_000 + seq);
            set(detail(d, 1, "seqid"), id);
            set(detail(d, 2, "un"), &company_number[2..]);
            let log = detail(d, 3, "log");
            let gateway = ["mdd-mg1-1ld-msk2", "mdd-mg2-1ld-msk2"][(seq % 2) as usize];
            let result = if talk > 0 { "ANSWER" } else { "NO_ANSWER" };
            let _ = write!(
                log,
                "SIP:ANI({}@{gateway}:5061)-\nDNIS({}@11.241.37.199:5061)-DN(8{})-{result}",
                &caller[2..],
                &callee[2..],
                &operator[2..]
            );
            4
        }
        ProviderKind::Mor => {
            let _ = write!(id, "{start}.{}", account.id_base + seq);
            let _ = write!(detail(d, 0, "recording_id"), "{}", account.id_base + seq);
            set(detail(d, 1, "uniqueid"), id);
            let _ = write!(detail(d, 2, "user_id"), "{}", 2 + company);
            let device = if incoming {
                "dst_device_id"
            } else {
                "src_device_id"
            };
            let _ = write!(detail(d, 3, device), "{}", 100 + company);
            4
        }
        ProviderKind::Sprecord => {
            let _ = write!(id, "{:016x}", account.hex_base + seq);
            set(detail(d, 0, "line"), &company_number[1..]);
            let _ = write!(detail(d, 1, "record"), "{}", account.id_base + seq);
            2
        }
    };
    d.truncate(used);

    if answered && account.provider != ProviderKind::Mts {
        let id = &c.provider_call_id;
        let r = some(&mut c.recording_ref);
        match account.provider {
            ProviderKind::Beeline => {
                let _ = write!(r, "https://cloudcc.beeline.ru/api/download?record={id}");
            }
            ProviderKind::Mor => {
                let _ = write!(r, "https://mor.example.net/billing/recordings/{id}.mp3");
            }
            _ => r.push_str(id),
        }
    } else {
        // MTS has no recordings API: its calls never have one.
        c.recording_ref = None;
    }
    client
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use chrono::TimeZone;

    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, 14, 12, 30, 0).unwrap()
    }

    fn options(calls: u64, seed: u64) -> FillOptions {
        FillOptions {
            calls,
            seed,
            days: 30,
            now: now(),
            accounts: default_accounts(),
        }
    }

    fn rows(db: &Path) -> Vec<(String, String, String, i64)> {
        let conn = rusqlite::Connection::open(db).unwrap();
        let mut stmt = conn
            .prepare("SELECT provider_call_id, caller, callee, started_at FROM calls ORDER BY id")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn twenty_thousand_calls_have_the_shape_of_a_call_center() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("nested").join("callboard.db");
        let opts = options(20_000, 7);
        let report = fill(&db, &opts).unwrap();
        assert_eq!(report.calls, 20_000);
        assert_eq!(report.accounts, 3);

        let store = Store::open(&db).unwrap();
        let counts: Vec<u64> = opts
            .accounts
            .iter()
            .map(|a| store.count_calls(&a.id).unwrap())
            .collect();
        assert_eq!(counts.iter().sum::<u64>(), 20_000);
        for (a, n) in opts.accounts.iter().zip(&counts) {
            let share = *n as f64 / 20_000.0;
            assert!((share - a.share).abs() < 0.02, "{}: {share}", a.id);
        }

        let conn = rusqlite::Connection::open(&db).unwrap();
        let mut stmt = conn
            .prepare(
                "SELECT direction, outcome, caller, callee, started_at, talk_secs, ring_secs, \
                 total_secs, cost, recording_ref, details, provider FROM calls",
            )
            .unwrap();
        let mut kinds = HashSet::new();
        let mut per_client: HashMap<String, u64> = HashMap::new();
        let (from, to) = (
            (now() - chrono::Duration::days(30)).timestamp_millis(),
            now().timestamp_millis(),
        );
        let mut rows = stmt.query([]).unwrap();
        let mut incoming = 0;
        let mut weekday_hours = [0u64; 24];
        while let Some(r) = rows.next().unwrap() {
            let direction: String = r.get(0).unwrap();
            let outcome: String = r.get(1).unwrap();
            let caller: String = r.get(2).unwrap();
            let callee: String = r.get(3).unwrap();
            let started: i64 = r.get(4).unwrap();
            let talk: u32 = r.get(5).unwrap();
            let ring: u32 = r.get(6).unwrap();
            let total: u32 = r.get(7).unwrap();
            let cost: Option<f64> = r.get(8).unwrap();
            let recording: Option<String> = r.get(9).unwrap();
            let details: String = r.get(10).unwrap();
            let provider: String = r.get(11).unwrap();
            assert!(
                started >= from && started < to,
                "{started} outside the window"
            );
            assert_eq!(total, ring + talk);
            for n in [&caller, &callee] {
                assert_eq!(n, &normalize_phone(n), "stored as the providers store it");
                assert!(n.starts_with("+7") && n.len() == 12, "{n}");
            }
            let client = if direction == "incoming" {
                incoming += 1;
                caller
            } else {
                callee
            };
            *per_client.entry(client).or_default() += 1;
            if outcome == "answered" {
                assert!(talk > 0);
                assert_eq!(recording.is_some(), provider != "mts");
            } else {
                assert!(recording.is_none());
            }
            if outcome == "missed" {
                assert_eq!(talk, 0);
            }
            assert_eq!(
                cost.is_some(),
                outcome == "answered" && direction == "outgoing"
            );
            let details: Vec<Detail> = serde_json::from_str(&details).unwrap();
            assert!((1..=4).contains(&details.len()), "{details:?}");
            let t = Utc.timestamp_millis_opt(started).unwrap();
            let moscow = t + chrono::Duration::hours(3);
            use chrono::{Datelike, Timelike};
            if moscow.weekday().number_from_monday() <= 5 {
                weekday_hours[moscow.hour() as usize] += 1;
            }
            kinds.insert((direction, outcome));
        }
        for (direction, outcomes) in [
            ("incoming", ["answered", "missed", "forwarded", "busy"]),
            ("outgoing", ["answered", "missed", "busy", "failed"]),
        ] {
            for o in outcomes {
                assert!(
                    kinds.contains(&(direction.to_string(), o.to_string())),
                    "{direction} {o}"
                );
            }
        }
        let incoming_share = f64::from(incoming) / 20_000.0;
        assert!((incoming_share - 0.7).abs() < 0.02, "{incoming_share}");
        // An office day: 11:00 Moscow is far busier than 03:00.
        assert!(
            weekday_hours[11] > 10 * weekday_hours[3],
            "{weekday_hours:?}"
        );

        // About one client per 7 calls (the pool is 2857; the rarest are sometimes missed).
        let distinct = per_client.len() as u64;
        assert_eq!(distinct, report.distinct_numbers);
        assert!((2000..=2857).contains(&distinct), "{distinct}");
        // Each account's ids rise as its calls were written (so the fill appends to the
        // store's unique index), and MTT's look like MTT's.
        let mut by_account = conn
            .prepare("SELECT account, provider_call_id FROM calls ORDER BY id")
            .unwrap();
        let mut last: HashMap<String, String> = HashMap::new();
        let mut ids = by_account
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .unwrap();
        while let Some((account, id)) = ids.next().transpose().unwrap() {
            if account == "mtt-sim" {
                let groups: Vec<&str> = id.split(' ').collect();
                assert_eq!(groups.len(), 4, "{id}");
                assert!(groups.iter().all(|g| {
                    g.len() == 8
                        && g.chars()
                            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase())
                }));
            }
            if let Some(prev) = last.insert(account, id.clone()) {
                assert!(prev < id, "{prev} then {id}");
            }
        }

        let mut freq: Vec<u64> = per_client.values().copied().collect();
        freq.sort_unstable();
        let (median, top) = (freq[freq.len() / 2], *freq.last().unwrap());
        assert!(top > 50 * median, "top {top}, median {median}");
    }

    #[test]
    fn the_same_seed_gives_the_same_rows_and_another_seed_others() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b, c) = (
            dir.path().join("a.db"),
            dir.path().join("b.db"),
            dir.path().join("c.db"),
        );
        fill(&a, &options(3000, 11)).unwrap();
        fill(&b, &options(3000, 11)).unwrap();
        fill(&c, &options(3000, 12)).unwrap();
        let rows_a = rows(&a);
        assert_eq!(rows_a.len(), 3000);
        assert_eq!(rows_a, rows(&b));
        let rows_c = rows(&c);
        assert_ne!(rows_a, rows_c);
        // No call id of one seed is another's, so fills of two seeds can be appended.
        let ids: HashSet<&String> = rows_a.iter().map(|r| &r.0).collect();
        assert!(rows_c.iter().all(|r| !ids.contains(&r.0)));
    }

    #[test]
    fn a_store_with_calls_is_seen_and_appending_a_seed_again_adds_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("callboard.db");
        assert!(!store_holds_calls(&db).unwrap());
        fill(&db, &options(500, 1)).unwrap();
        assert!(store_holds_calls(&db).unwrap());
        assert_eq!(fill(&db, &options(500, 1)).unwrap().calls, 0);
        assert_eq!(fill(&db, &options(500, 2)).unwrap().calls, 500);
    }

    #[test]
    fn every_provider_and_batch_size_gives_the_same_calls() {
        let dir = tempfile::tempdir().unwrap();
        let accounts: Vec<FillAccount> = ProviderKind::ALL
            .iter()
            .map(|p| FillAccount {
                id: format!("{}-x", p.as_str()),
                provider: *p,
                share: 1.0,
            })
            .collect();
        let opts = FillOptions {
            accounts,
            ..options(2000, 5)
        };
        let (a, b) = (dir.path().join("a.db"), dir.path().join("b.db"));
        assert_eq!(fill_in_batches(&a, &opts, 7).unwrap().calls, 2000);
        assert_eq!(fill_in_batches(&b, &opts, 500).unwrap().calls, 2000);
        let sorted = |db: &Path| {
            let mut r = rows(db);
            r.sort();
            r
        };
        assert_eq!(sorted(&a), sorted(&b));
        let store = Store::open(&a).unwrap();
        for p in ProviderKind::ALL {
            assert!(store.count_calls(&format!("{}-x", p.as_str())).unwrap() > 250);
        }
    }

    #[test]
    fn slots_cover_the_window_and_sum_to_the_calls() {
        let opts = options(123_457, 1);
        let slots = slot_counts(&opts);
        assert_eq!(slots.iter().map(|s| s.2).sum::<u64>(), 123_457);
        assert_eq!(slots[0].0, (now() - chrono::Duration::days(30)).timestamp());
        assert_eq!(slots.last().unwrap().1, now().timestamp());
        // Weekdays busier than weekends: Mon 2025-03-10 vs Sun 2025-03-09, Moscow noon.
        let at = |y, m, d| {
            let t = Utc.with_ymd_and_hms(y, m, d, 9, 0, 0).unwrap().timestamp();
            slots.iter().find(|s| s.0 == t).unwrap().2
        };
        assert!(at(2025, 3, 10) > 2 * at(2025, 3, 9));
    }

    #[test]
    fn the_destination_follows_the_launchers_rule() {
        let data = Path::new("/data");
        let demo = fill_target(data, None);
        assert_eq!(demo.db_path, Path::new("/data/demo/callboard.db"));
        assert_eq!(demo.accounts, default_accounts());
        assert!(demo.demo);

        let empty = Config::parse("recordings_cache_mb = 10\n", "test").unwrap();
        assert_eq!(fill_target(data, Some(&empty)), demo);

        let config = Config::parse(
            r#"
[[accounts]]
id = "office"
provider = "mtt"
name = "Office"

[accounts.credentials]
login = "user"
password = { env = "X_PASSWORD" }

[accounts.mtt]
customer_name = "c"
sip_ids = ["74996480000"]

[[accounts]]
id = "sales"
provider = "mts"
name = "Sales"

[accounts.credentials]
login = "user"
password = { env = "Y_PASSWORD" }
"#,
            "test",
        )
        .unwrap();
        let real = fill_target(data, Some(&config));
        assert_eq!(real.db_path, Path::new("/data/callboard.db"));
        assert!(!real.demo);
        assert_eq!(
            real.accounts
                .iter()
                .map(|a| (a.id.as_str(), a.provider, a.share))
                .collect::<Vec<_>>(),
            [
                ("office", ProviderKind::Mtt, 1.0),
                ("sales", ProviderKind::Mts, 1.0)
            ]
        );
    }
}
