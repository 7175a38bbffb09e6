//! The simulated @втосекретарь history: deterministic CDRs of two UN numbers.
//!
//! Calls are drawn per UTC hour of their start, from `(seed, UN, hour, index)` alone,
//! so any window sees the same calls however it is cut. A record is written when its
//! call ends, and its `seqid` follows that order; the API lists records by start
//! time, so a long call gets a higher `seqid` than shorter calls that started after
//! it. That is the trap a record-id cursor has to survive.

use chrono::{DateTime, Duration, TimeZone, Timelike, Utc};
use chrono_tz::Europe::Moscow;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::ids::mix_all;
use crate::population::Population;
use crate::traffic::{HOUR_WEIGHTS, poisson};

/// The UN numbers of the simulated account: the spec's own (`GET un`, L279).
pub const MTS_UN_NUMBERS: [&str; 2] = ["9854071111", "9854079998"];
/// The UN of the spec's examples (`un?phone=`, `cdr/bytime`): it answers them verbatim.
pub const MTS_SPEC_UN: &str = "4954071111";

const SECONDS_PER_SLOT: i64 = 3600;
/// Share of the day's calls each UN gets.
const UN_SHARE: [f64; 2] = [0.65, 0.35];
/// Calls per UN and hour slot; keeps every rank below [`SEQ_STRIDE`].
const MAX_CALLS_PER_SLOT: u32 = 2000;
/// Records ending in one hour get `seqid`s from one block of this size; gaps between
/// blocks stand for other customers' records on the same platform.
const SEQ_STRIDE: u64 = 10_000;
/// Longest call: ring 60 s + talk 1800 s, under an hour, so a call ends in its start
/// slot or the next one.
const MAX_TALK_SECS: u32 = 1800;
const MAX_RING_SECS: u32 = 60;

const TAG_CALL: u64 = 0x3773_0001;
const TAG_SLOT: u64 = 0x3773_0002;

/// One CDR as the simulator serves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MtsRecord {
    /// The UN the call came in on (10 digits).
    pub un: String,
    /// The caller (`an`, АОН), 10 digits as in the spec.
    pub an: String,
    /// The caller in canonical `7XXXXXXXXXX` form.
    pub client_number: String,
    /// Call id (`id`).
    pub id: u64,
    /// Record id (`seqid`): rises in the order records are written, at call end.
    pub seqid: u64,
    /// When the call arrived, whole seconds.
    pub start_time: DateTime<Utc>,
    /// Whole call, seconds.
    pub duration: u32,
    /// Talk, seconds; 0 when nobody answered.
    pub talk_duration: u32,
    /// Service trace; holds a line break, as the spec's example does.
    pub log: String,
}

impl MtsRecord {
    /// When the record is written and becomes visible.
    pub fn end_time(&self) -> DateTime<Utc> {
        self.start_time + Duration::seconds(i64::from(self.duration))
    }
}

/// A call before its `seqid` is known.
#[derive(Debug, Clone)]
struct Draft {
    un_index: usize,
    slot: i64,
    index: u32,
    start: i64,
    ring: u32,
    talk: u32,
    client: usize,
    no_dns: bool,
    dn: usize,
}

impl Draft {
    fn end(&self) -> i64 {
        self.start + i64::from(self.ring + self.talk)
    }
}

/// The generator of the simulated history; stores no calls.
#[derive(Debug, Clone)]
pub struct MtsDataset {
    seed: u64,
    days: u32,
    calls_per_day: u32,
    population: Population,
}

impl MtsDataset {
    /// `days` bounds how far back records are kept; `calls_per_day` is the long-run
    /// average over both UNs.
    pub fn new(seed: u64, days: u32, calls_per_day: u32) -> Self {
        Self {
            seed,
            days,
            calls_per_day,
            population: Population::new(seed),
        }
    }

    /// The account's UN numbers.
    pub fn un_numbers(&self) -> Vec<String> {
        MTS_UN_NUMBERS.iter().map(|s| s.to_string()).collect()
    }

    /// The destination numbers (DN) calls to `un` are forwarded to, in the spec's
    /// `8XXXXXXXXXX` form.
    pub fn dn_numbers(&self, un: &str) -> Vec<String> {
        let k = un_index(un).unwrap_or(0) as u64;
        (0..3)
            .map(|i| format!("8916100{:04}", 232 + k * 10 + i))
            .collect()
    }

    /// Records of `un` that started in `[from, to)` and were written by `now`, in the
    /// API's order: by start time, then by `seqid`.
    pub fn records(
        &self,
        un: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Vec<MtsRecord> {
        let Some(k) = un_index(un) else {
            return Vec::new();
        };
        let from = from.max(self.horizon(now));
        if from >= to {
            return Vec::new();
        }
        let first = from.timestamp().div_euclid(SECONDS_PER_SLOT);
        let last = (to.timestamp() - 1).div_euclid(SECONDS_PER_SLOT);
        let mut out: Vec<MtsRecord> = self
            .finished(first, last)
            .into_iter()
            .filter(|r| {
                r.un == MTS_UN_NUMBERS[k]
                    && r.start_time >= from
                    && r.start_time < to
                    && r.end_time() <= now
            })
            .collect();
        out.sort_by_key(|r| (r.start_time, r.seqid));
        out
    }

    /// Every record of `un` still kept at `now`, in the API's order.
    pub fn retained(&self, un: &str, now: DateTime<Utc>) -> Vec<MtsRecord> {
        self.records(un, self.horizon(now), now + Duration::seconds(1), now)
    }

    /// Start of the history kept at `now`.
    pub fn horizon(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - Duration::days(i64::from(self.days))
    }

    /// The record with this `seqid`, visible or not.
    pub fn find(&self, seqid: u64) -> Option<MtsRecord> {
        let end_slot = i64::try_from(seqid / SEQ_STRIDE).ok()?;
        let rank = usize::try_from(seqid % SEQ_STRIDE).ok()?;
        self.ending_in(end_slot).into_iter().nth(rank)
    }

    /// Records of calls that started in slots `first..=last`, with their `seqid`s.
    fn finished(&self, first: i64, last: i64) -> Vec<MtsRecord> {
        let mut out = Vec::new();
        // A call ends in its start slot or the next one.
        for end_slot in first..=last + 1 {
            out.extend(
                self.ending_in(end_slot)
                    .into_iter()
                    .filter(|r| (first..=last).contains(&slot_of(r.start_time))),
            );
        }
        out
    }

    /// The records written during one hour, in writing order (their `seqid`s).
    fn ending_in(&self, end_slot: i64) -> Vec<MtsRecord> {
        let mut drafts: Vec<Draft> = (end_slot - 1..=end_slot)
            .flat_map(|slot| (0..MTS_UN_NUMBERS.len()).flat_map(move |k| self.slot_drafts(k, slot)))
            .filter(|d| d.end().div_euclid(SECONDS_PER_SLOT) == end_slot)
            .collect();
        drafts.sort_by_key(|d| (d.end(), d.un_index, d.slot, d.index));
        drafts
            .into_iter()
            .enumerate()
            .map(|(rank, d)| self.finish(d, end_slot as u64 * SEQ_STRIDE + rank as u64))
            .collect()
    }

    fn slot_drafts(&self, k: usize, slot: i64) -> Vec<Draft> {
        if slot < 0 {
            return Vec::new();
        }
        let mut rng = StdRng::seed_from_u64(mix_all(&[self.seed, TAG_SLOT, k as u64, slot as u64]));
        let count = poisson(&mut rng, self.expected(slot) * UN_SHARE[k]).min(MAX_CALLS_PER_SLOT);
        (0..count).map(|i| self.draft(k, slot, i)).collect()
    }

    fn draft(&self, k: usize, slot: i64, index: u32) -> Draft {
        let mut rng = StdRng::seed_from_u64(mix_all(&[
            self.seed,
            TAG_CALL,
            k as u64,
            slot as u64,
            u64::from(index),
        ]));
        let start = slot * SECONDS_PER_SLOT + rng.gen_range(0..SECONDS_PER_SLOT);
        let clients = self.population.clients().len();
        let client = ((rng.r#gen::<f64>().powi(2) * clients as f64) as usize).min(clients - 1);
        let answered = rng.gen_bool(0.72);
        let no_dns = !answered && rng.gen_bool(0.25);
        let (ring, talk) = if answered {
            (rng.gen_range(3..=30), talk_seconds(&mut rng))
        } else if no_dns {
            (rng.gen_range(1..=3), 0)
        } else {
            (rng.gen_range(15..=MAX_RING_SECS), 0)
        };
        Draft {
            un_index: k,
            slot,
            index,
            start,
            ring,
            talk,
            client,
            no_dns,
            dn: rng.gen_range(0..3),
        }
    }

    fn finish(&self, d: Draft, seqid: u64) -> MtsRecord {
        let un = MTS_UN_NUMBERS[d.un_index].to_string();
        let client_number = self.population.clients()[d.client].clone();
        let an = client_number[1..].to_string();
        let gateway = ["mdd-mg1-1ld-msk2", "mdd-mg2-1ld-msk2"][d.index as usize % 2];
        let route = if d.no_dns {
            "-NO_DNS".to_string()
        } else {
            let dn = &self.dn_numbers(&un)[d.dn];
            let result = if d.talk > 0 { "ANSWER" } else { "NO_ANSWER" };
            format!("DN({dn})-{result}")
        };
        MtsRecord {
            log: format!("SIP:ANI({an}@{gateway}:5061)-\nDNIS({un}@11.241.37.199:5061)-{route}"),
            un,
            an,
            client_number,
            id: 30_000_000 + ((d.slot as u64 * 2 + d.un_index as u64) << 11) + u64::from(d.index),
            seqid,
            start_time: Utc.timestamp_opt(d.start, 0).single().unwrap_or_default(),
            duration: d.ring + d.talk,
            talk_duration: d.talk,
        }
    }

    fn expected(&self, slot: i64) -> f64 {
        let start = Utc
            .timestamp_opt(slot * SECONDS_PER_SLOT, 0)
            .single()
            .unwrap_or_default();
        let hour = start.with_timezone(&Moscow).hour() as usize;
        let total: f64 = HOUR_WEIGHTS.iter().sum();
        f64::from(self.calls_per_day) * HOUR_WEIGHTS[hour] / total
    }
}

fn un_index(un: &str) -> Option<usize> {
    MTS_UN_NUMBERS.iter().position(|u| *u == un)
}

fn slot_of(t: DateTime<Utc>) -> i64 {
    t.timestamp().div_euclid(SECONDS_PER_SLOT)
}

/// Talk time 5–1800 s: mostly short, with long calls that get written late.
fn talk_seconds(rng: &mut StdRng) -> u32 {
    let mean = if rng.gen_bool(0.75) { 60.0 } else { 420.0 };
    let u: f64 = rng.gen_range(f64::EPSILON..1.0);
    (5.0 - u.ln() * mean).clamp(5.0, f64::from(MAX_TALK_SECS)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 4, 12, 0, 0).unwrap()
    }

    #[test]
    fn seqids_are_unique_findable_and_follow_the_call_end() {
        let ds = MtsDataset::new(1, 7, 300);
        let mut all: Vec<MtsRecord> = MTS_UN_NUMBERS
            .iter()
            .flat_map(|un| ds.retained(un, now()))
            .collect();
        assert!(all.len() > 1000, "{}", all.len());
        for r in all.iter().step_by(37) {
            assert_eq!(ds.find(r.seqid).as_ref(), Some(r));
        }
        all.sort_by_key(|r| r.seqid);
        assert!(all.windows(2).all(|w| w[0].seqid < w[1].seqid));
        assert!(all.windows(2).all(|w| w[0].end_time() <= w[1].end_time()));
    }

    #[test]
    fn windows_cut_anywhere_see_the_same_records() {
        let ds = MtsDataset::new(1, 7, 300);
        let un = MTS_UN_NUMBERS[0];
        let (a, b) = (now() - Duration::days(2), now());
        let mid = a + Duration::seconds(86_400 + 1234);
        let whole = ds.records(un, a, b, now());
        let mut parts = ds.records(un, a, mid, now());
        parts.extend(ds.records(un, mid, b, now()));
        parts.sort_by_key(|r| (r.start_time, r.seqid));
        assert_eq!(whole, parts);
        let inversions = whole.windows(2).filter(|w| w[0].seqid > w[1].seqid).count();
        assert!(inversions > 0, "some ids must be out of time order");
    }
}
