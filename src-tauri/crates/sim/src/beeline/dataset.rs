//! The simulated Beeline history: deterministic per `(seed, hour slot, index)` like MTT's,
//! drawn from the shared [`Population`] so the same clients call through every provider.
//!
//! Beeline selects CDRs by a call's *end* (4.13.5), so the queries here are by end time.

use chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::ids::mix_all;
use crate::population::Population;
use crate::traffic::{HOUR_WEIGHTS, poisson};

/// Our Beeline numbers (the spec's B-numbers): two Moscow lines and a toll-free one.
pub const OUR_NUMBERS: [&str; 3] = ["74957850000", "74957850001", "78005553535"];

const SECONDS_PER_SLOT: i64 = 3600;
/// Call ids are `slot * ID_SLOT_FACTOR + index`, so a recording link finds its call.
const ID_SLOT_FACTOR: i64 = 10_000;
const MAX_CALLS_PER_SLOT: u32 = (ID_SLOT_FACTOR - 1) as u32;

const TAG_BEELINE: u64 = 0xBEE1;
const TAG_SLOT: u64 = 0xBEE2;
const TAG_CALL: u64 = 0xBEE3;

/// Which way a call went, as the CDR file's `DIRECTION` says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BeelineDirection {
    /// A client called one of our numbers (`IN`).
    In,
    /// An operator called a client back through `InitCall` (`OUT`).
    Out,
}

impl BeelineDirection {
    /// `IN` / `OUT`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::In => "IN",
            Self::Out => "OUT",
        }
    }
}

/// How a call ended, as the CDR file's `STATUS` says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BeelineStatus {
    /// `ANSWERED`.
    Answered,
    /// `NO ANSWER`.
    NoAnswer,
    /// `BUSY`.
    Busy,
    /// `FAILED`.
    Failed,
}

impl BeelineStatus {
    /// The file's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Answered => "ANSWERED",
            Self::NoAnswer => "NO ANSWER",
            Self::Busy => "BUSY",
            Self::Failed => "FAILED",
        }
    }
}

/// One simulated call, holding what its CDR row is rendered from.
#[derive(Debug, Clone, PartialEq)]
pub struct BeelineCall {
    /// Unique, stable; also the recording's key.
    pub call_id: String,
    /// Which way it went.
    pub direction: BeelineDirection,
    /// How it ended.
    pub status: BeelineStatus,
    /// Which of [`OUR_NUMBERS`] it went through.
    pub our_number: String,
    /// The client in canonical `7XXXXXXXXXX` form.
    pub client_number: String,
    /// `ANUMBER` as the file shows it (the client may come with a `+`).
    pub a_number: String,
    /// `BNUMBER` as the file shows it.
    pub b_number: String,
    /// `RNUMBER`: the operator the call was put through to, empty if none.
    pub operator: String,
    /// Start (UTC, whole seconds).
    pub begin: DateTime<Utc>,
    /// End (UTC, whole seconds), the time REQCDR windows select on.
    pub end: DateTime<Utc>,
    /// Talk seconds, 0 when not answered.
    pub talk_secs: u32,
    /// Whether the file links a recording.
    pub recorded: bool,
}

/// The generator of the Beeline history; stores no calls.
#[derive(Debug, Clone)]
pub struct BeelineDataset {
    seed: u64,
    days: u32,
    calls_per_day: u32,
    population: Population,
    /// Per client: shown with a leading `+` (numbers formats are not specified).
    plus_form: Vec<bool>,
    operators: Vec<String>,
}

impl BeelineDataset {
    /// `days` bounds how far back (from `now`) calls are visible.
    pub fn new(seed: u64, days: u32, calls_per_day: u32) -> Self {
        let population = Population::new(seed);
        let mut rng = StdRng::seed_from_u64(mix_all(&[seed, TAG_BEELINE]));
        let plus_form = population
            .clients()
            .iter()
            .map(|_| rng.gen_bool(0.1))
            .collect();
        let operators = (0..5)
            .map(|_| format!("7903{:07}", rng.gen_range(0..10_000_000u64)))
            .collect();
        Self {
            seed,
            days,
            calls_per_day,
            population,
            plus_form,
            operators,
        }
    }

    /// Calls that *ended* in `[from, to]` (inclusive) and are visible at `now`, oldest
    /// end first.
    pub fn calls_ended(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Vec<BeelineCall> {
        let lo = from.max(self.horizon(now));
        let hi = to.min(now);
        if lo > hi {
            return Vec::new();
        }
        // A call ends less than an hour after it starts, so one slot back is enough.
        let first = lo.timestamp().div_euclid(SECONDS_PER_SLOT) - 1;
        let last = hi.timestamp().div_euclid(SECONDS_PER_SLOT);
        let mut out: Vec<BeelineCall> = (first.max(0)..=last)
            .flat_map(|slot| self.slot_calls(slot))
            .filter(|c| c.end >= lo && c.end <= hi)
            .collect();
        out.sort_by(|a, b| a.end.cmp(&b.end).then_with(|| a.call_id.cmp(&b.call_id)));
        out
    }

    /// Calls that *started* in `[from, to]` and have ended by `now`: what a client asking
    /// for a window of start times should get.
    pub fn calls_started(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Vec<BeelineCall> {
        self.calls_ended(from, to + Duration::hours(1), now)
            .into_iter()
            .filter(|c| c.begin >= from && c.begin <= to)
            .collect()
    }

    /// The call with this id if it is visible at `now`.
    pub fn find(&self, call_id: &str, now: DateTime<Utc>) -> Option<BeelineCall> {
        let id: i64 = call_id.parse().ok()?;
        let (slot, index) = (id / ID_SLOT_FACTOR, (id % ID_SLOT_FACTOR) as u32);
        if slot < 0 || index >= self.slot_count(slot) {
            return None;
        }
        let call = self.make_call(slot, index);
        (call.end <= now && call.end >= self.horizon(now)).then_some(call)
    }

    fn horizon(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - Duration::days(i64::from(self.days))
    }

    fn slot_calls(&self, slot: i64) -> Vec<BeelineCall> {
        (0..self.slot_count(slot))
            .map(|i| self.make_call(slot, i))
            .collect()
    }

    fn slot_count(&self, slot: i64) -> u32 {
        let moscow = slot + 3;
        let weekday = Utc
            .timestamp_opt(moscow * SECONDS_PER_SLOT, 0)
            .single()
            .map(|t| t.weekday().number_from_monday())
            .unwrap_or(1);
        let day = if weekday >= 6 { 0.5 } else { 1.2 };
        let total: f64 = HOUR_WEIGHTS.iter().sum();
        let lambda = f64::from(self.calls_per_day) * HOUR_WEIGHTS[moscow.rem_euclid(24) as usize]
            / total
            * day;
        let mut rng = StdRng::seed_from_u64(mix_all(&[self.seed, TAG_SLOT, slot as u64]));
        poisson(&mut rng, lambda).min(MAX_CALLS_PER_SLOT)
    }

    fn make_call(&self, slot: i64, index: u32) -> BeelineCall {
        let mut rng = StdRng::seed_from_u64(mix_all(&[
            self.seed,
            TAG_CALL,
            slot as u64,
            u64::from(index),
        ]));
        let begin = Utc
            .timestamp_opt(
                slot * SECONDS_PER_SLOT + rng.gen_range(0..SECONDS_PER_SLOT),
                0,
            )
            .single()
            .unwrap_or_default();
        let client_index = {
            let i = (rng.r#gen::<f64>().powi(2) * self.population.clients().len() as f64) as usize;
            i.min(self.population.clients().len() - 1)
        };
        let client_number = self.population.clients()[client_index].clone();
        let shown = if self.plus_form[client_index] {
            format!("+{client_number}")
        } else {
            client_number.clone()
        };
        let our_number = OUR_NUMBERS[rng.gen_range(0..OUR_NUMBERS.len())].to_string();
        let direction = if rng.gen_bool(0.7) {
            BeelineDirection::In
        } else {
            BeelineDirection::Out
        };
        let status = match rng.r#gen::<f64>() {
            r if r < 0.72 => BeelineStatus::Answered,
            r if r < 0.88 => BeelineStatus::NoAnswer,
            r if r < 0.96 => BeelineStatus::Busy,
            _ => BeelineStatus::Failed,
        };
        let ring = match status {
            BeelineStatus::Busy | BeelineStatus::Failed => rng.gen_range(1..5),
            _ => rng.gen_range(3..30),
        };
        let talk_secs = if status == BeelineStatus::Answered {
            let u: f64 = rng.gen_range(f64::EPSILON..1.0);
            (5.0 - u.ln() * 90.0).clamp(5.0, 1800.0) as u32
        } else {
            0
        };
        let operator = self.operators[rng.gen_range(0..self.operators.len())].clone();
        let (a_number, b_number) = match direction {
            BeelineDirection::In => (shown, our_number.clone()),
            BeelineDirection::Out => (our_number.clone(), shown),
        };
        let recorded = talk_secs > 0 && rng.gen_bool(0.6);
        BeelineCall {
            call_id: (slot * ID_SLOT_FACTOR + i64::from(index)).to_string(),
            direction,
            status,
            our_number,
            client_number,
            a_number,
            b_number,
            // Incoming calls reach an operator only if answered; callbacks always start there.
            operator: if direction == BeelineDirection::Out || talk_secs > 0 {
                operator
            } else {
                String::new()
            },
            begin,
            end: begin + Duration::seconds(i64::from(ring + talk_secs)),
            talk_secs,
            recorded,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn windows_cut_anywhere_see_the_same_calls() {
        let ds = BeelineDataset::new(1, 28, 150);
        let now = at("2026-03-04T12:00:00Z");
        let whole = ds.calls_ended(now - Duration::days(2), now, now);
        assert!(whole.len() > 100);
        let mid = now - Duration::hours(31) + Duration::seconds(17);
        let mut parts = ds.calls_ended(now - Duration::days(2), mid, now);
        parts.extend(ds.calls_ended(mid + Duration::seconds(1), now, now));
        assert_eq!(parts, whole);
        for c in &whole {
            assert_eq!(ds.find(&c.call_id, now).as_ref(), Some(c));
            assert!(c.end >= c.begin && c.end - c.begin < Duration::hours(1));
        }
        assert!(ds.find("12", now).is_none());
    }

    #[test]
    fn the_clients_are_the_shared_population() {
        let ds = BeelineDataset::new(1, 28, 150);
        let now = at("2026-03-04T12:00:00Z");
        let pool = Population::new(1);
        for c in ds.calls_ended(now - Duration::days(1), now, now) {
            assert!(pool.clients().contains(&c.client_number));
        }
    }
}
