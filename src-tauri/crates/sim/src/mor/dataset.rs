//! The simulated MOR history: recorded calls only, since `recordings_get` is all MOR's
//! API shows of its calls.
//!
//! Like the MTT dataset it is generated per UTC hour slot from `(seed, slot, index)`, so
//! any window sees the same recordings however it is cut, and a recording is found from
//! its `uniqueid` without storing anything.

use chrono::{DateTime, Duration, TimeZone, Timelike, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::ids::mix_all;
use crate::population::Population;
use crate::traffic::{HOUR_WEIGHTS, poisson};

const SECONDS_PER_SLOT: i64 = 3600;
/// A slot's index is part of the recording id (`slot * 1000 + index`).
const MAX_CALLS_PER_SLOT: u32 = 999;
const MOSCOW_OFFSET_HOURS: i64 = 3;
/// Longest simulated call; clients re-read a trailing window longer than this.
pub const MAX_CALL_SECS: u32 = 40 * 60;
/// Recordings are converted and published this long after the call ends, at most.
pub const MAX_PUBLISH_DELAY_SECS: i64 = 5 * 60;

const TAG_SLOT: u64 = 0x3052;
const TAG_CALL: u64 = 0x30CA;
const TAG_FORM: u64 = 0x30F0;

/// Our MOR users, each with one device and one outside number (`user_id`, `device_id`, number).
pub const MOR_USERS: [(u32, u32, &str); 3] = [
    (2, 5, "74952550100"),
    (3, 6, "74952550101"),
    (4, 7, "74952550102"),
];

const COMMENTS: [&str; 4] = [
    "перезвонить",
    "жалоба на доставку",
    "VIP",
    "запись по просьбе",
];

/// Which way a recorded call went, seen from our MOR users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MorDirection {
    /// A client called one of our numbers.
    Incoming,
    /// One of our devices dialled out.
    Outgoing,
}

/// One recorded call, holding exactly what its `<recording>` is rendered from.
#[derive(Debug, Clone, PartialEq)]
pub struct MorCall {
    /// MOR's recording id; unique.
    pub id: u64,
    /// Asterisk's call id (`<epoch>.<n>`), unique; also the file name in `mp3_url`.
    pub uniqueid: String,
    /// Start of the call, UTC, whole seconds; rendered in Moscow time.
    pub date: DateTime<Utc>,
    /// Talk time in seconds.
    pub duration: u32,
    /// Decides which user and device ids are set.
    pub direction: MorDirection,
    /// The calling number as MOR shows it (`+7…`, `8…` or `7…` for clients).
    pub source: String,
    /// The called number as MOR shows it.
    pub destination: String,
    /// The client's number in canonical `7XXXXXXXXXX` form, whichever side it is on.
    pub client_number: String,
    /// Our user who placed the call (0 for a client's call).
    pub user_id: u32,
    /// Our user who took the call (0 for an outgoing call).
    pub dst_user_id: u32,
    /// Our device that placed the call (0 for a client's call).
    pub src_device_id: u32,
    /// Our device that took the call (0 for an outgoing call).
    pub dst_device_id: u32,
    /// An operator's note, mostly empty.
    pub comment: String,
    /// File size in bytes, as an 8 kbit/s MP3 of `duration` would be.
    pub size: u64,
    /// When `recordings_get` starts listing it: a few minutes after the call ended.
    pub published_at: DateTime<Utc>,
}

impl MorCall {
    /// When the call ended.
    pub fn ended_at(&self) -> DateTime<Utc> {
        self.date + Duration::seconds(i64::from(self.duration))
    }

    /// Whether `recordings_get` lists it at `now`.
    pub fn is_published(&self, now: DateTime<Utc>) -> bool {
        self.published_at <= now
    }
}

/// The generator of the simulated MOR recordings; cheap to query, stores nothing.
#[derive(Debug, Clone)]
pub struct MorDataset {
    seed: u64,
    days: u32,
    calls_per_day: u32,
    population: Population,
    /// Per client: how MOR shows the number when the client calls (0 `7…`, 1 `+7…`, 2 `8…`).
    caller_form: Vec<u8>,
}

impl MorDataset {
    /// `days` bounds how far back recordings stay visible from `now`; `calls_per_day` is
    /// the long-run average of recorded calls.
    pub fn new(seed: u64, days: u32, calls_per_day: u32) -> Self {
        let population = Population::new(seed);
        let mut rng = StdRng::seed_from_u64(mix_all(&[seed, TAG_FORM]));
        let caller_form = population
            .clients()
            .iter()
            .map(|_| match rng.r#gen::<f64>() {
                r if r < 0.7 => 0,
                r if r < 0.9 => 1,
                _ => 2,
            })
            .collect();
        Self {
            seed,
            days,
            calls_per_day,
            population,
            caller_form,
        }
    }

    /// Every recorded call that started in `[from, to]` (inclusive), oldest first,
    /// within the visible history at `now`, published or not.
    pub fn calls(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Vec<MorCall> {
        let lo = from.max(self.horizon(now));
        let hi = to.min(now);
        if lo > hi {
            return Vec::new();
        }
        let mut out = Vec::new();
        for slot in lo.timestamp().div_euclid(SECONDS_PER_SLOT)
            ..=hi.timestamp().div_euclid(SECONDS_PER_SLOT)
        {
            out.extend(
                self.slot_calls(slot)
                    .into_iter()
                    .filter(|c| c.date >= lo && c.date <= hi),
            );
        }
        out
    }

    /// What `recordings_get` lists for `[from, to]` at `now`: the published recordings.
    pub fn recordings(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Vec<MorCall> {
        let mut calls = self.calls(from, to, now);
        calls.retain(|c| c.is_published(now));
        calls
    }

    /// The recording with this `uniqueid`, visible and published at `now`.
    pub fn find(&self, uniqueid: &str, now: DateTime<Utc>) -> Option<MorCall> {
        let (epoch, n) = uniqueid.split_once('.')?;
        let epoch: i64 = epoch.parse().ok()?;
        let n: u32 = n.parse().ok()?;
        let slot = epoch.div_euclid(SECONDS_PER_SLOT);
        if n >= self.slot_count(slot) {
            return None;
        }
        let call = self.make_call(slot, n);
        (call.uniqueid == uniqueid && call.is_published(now) && call.date >= self.horizon(now))
            .then_some(call)
    }

    fn horizon(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now.checked_sub_signed(Duration::days(i64::from(self.days)))
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    fn slot_calls(&self, slot: i64) -> Vec<MorCall> {
        let mut calls: Vec<MorCall> = (0..self.slot_count(slot))
            .map(|i| self.make_call(slot, i))
            .collect();
        calls.sort_by(|a, b| a.date.cmp(&b.date).then(a.id.cmp(&b.id)));
        calls
    }

    fn slot_count(&self, slot: i64) -> u32 {
        if slot < 0 || slot > i64::from(u32::MAX) {
            return 0;
        }
        let local = slot + MOSCOW_OFFSET_HOURS;
        let hour = Utc
            .timestamp_opt(local * SECONDS_PER_SLOT, 0)
            .single()
            .map(|t| t.hour() as usize)
            .unwrap_or(0);
        let total: f64 = HOUR_WEIGHTS.iter().sum();
        let lambda = f64::from(self.calls_per_day) * HOUR_WEIGHTS[hour] / total;
        let mut rng = StdRng::seed_from_u64(mix_all(&[self.seed, TAG_SLOT, slot as u64]));
        poisson(&mut rng, lambda).min(MAX_CALLS_PER_SLOT)
    }

    fn make_call(&self, slot: i64, index: u32) -> MorCall {
        let mut rng = StdRng::seed_from_u64(mix_all(&[
            self.seed,
            TAG_CALL,
            slot as u64,
            u64::from(index),
        ]));
        let date = Utc
            .timestamp_opt(
                slot * SECONDS_PER_SLOT + rng.gen_range(0..SECONDS_PER_SLOT),
                0,
            )
            .single()
            .unwrap_or_default();
        let duration = talk_seconds(&mut rng);
        let direction = if rng.gen_bool(0.6) {
            MorDirection::Incoming
        } else {
            MorDirection::Outgoing
        };
        let (user, device, ours) = MOR_USERS[rng.gen_range(0..MOR_USERS.len())];
        let pick = self.population.pick(&mut rng).to_string();
        let form = self
            .population
            .clients()
            .iter()
            .position(|c| *c == pick)
            .map(|i| self.caller_form[i])
            .unwrap_or(0);
        let national = &pick[1..];
        let (source, destination, user_id, dst_user_id, src_device_id, dst_device_id) =
            match direction {
                MorDirection::Incoming => {
                    let shown = match form {
                        1 => format!("+7{national}"),
                        2 => format!("8{national}"),
                        _ => pick.clone(),
                    };
                    (shown, ours.to_string(), 0, user, 0, device)
                }
                // Operators dial the trunk prefix now and then, as typed.
                MorDirection::Outgoing => {
                    let dialled = if rng.gen_bool(0.3) {
                        format!("8{national}")
                    } else {
                        pick.clone()
                    };
                    (ours.to_string(), dialled, user, 0, device, 0)
                }
            };
        let comment = if rng.gen_bool(0.15) {
            COMMENTS[rng.gen_range(0..COMMENTS.len())].to_string()
        } else {
            String::new()
        };
        let delay = rng.gen_range(60..=MAX_PUBLISH_DELAY_SECS);
        let published_at = date + Duration::seconds(i64::from(duration) + delay);
        MorCall {
            id: slot as u64 * 1000 + u64::from(index),
            uniqueid: format!("{}.{index}", date.timestamp()),
            date,
            duration,
            direction,
            source,
            destination,
            client_number: pick,
            user_id,
            dst_user_id,
            src_device_id,
            dst_device_id,
            comment,
            size: u64::from(duration) * 1000,
            published_at,
        }
    }
}

fn talk_seconds(rng: &mut StdRng) -> u32 {
    let mean = if rng.gen_bool(0.8) { 60.0 } else { 300.0 };
    let u: f64 = rng.gen_range(f64::EPSILON..1.0);
    (5.0 - u.ln() * mean).clamp(5.0, f64::from(MAX_CALL_SECS)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 4, 12, 0, 0).unwrap()
    }

    #[test]
    fn find_roundtrips_and_windows_cut_cleanly() {
        let ds = MorDataset::new(1, 28, 300);
        let week = ds.calls(now() - Duration::days(7), now(), now());
        assert!(week.len() > 1000, "{}", week.len());
        for c in week.iter().filter(|c| c.is_published(now())) {
            assert_eq!(ds.find(&c.uniqueid, now()).as_ref(), Some(c));
        }
        let mid = now() - Duration::days(3);
        let mut halves = ds.calls(now() - Duration::days(7), mid, now());
        halves.extend(ds.calls(mid + Duration::seconds(1), now(), now()));
        assert_eq!(halves, week);
        assert_eq!(ds.find("1772625600.999", now()), None);
        assert_eq!(ds.find("garbage", now()), None);
    }

    #[test]
    fn calls_come_from_the_shared_population() {
        let ds = MorDataset::new(1, 28, 300);
        let pool = Population::new(1);
        for c in ds.calls(now() - Duration::days(1), now(), now()) {
            assert!(pool.clients().contains(&c.client_number));
            assert!(c.published_at > c.ended_at());
        }
    }
}
