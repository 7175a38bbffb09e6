//! The simulated call history: unbounded in time and fully deterministic.
//!
//! Calls are generated per UTC hour slot. The number of calls in a slot comes
//! only from `(seed, slot)` and each call only from `(seed, slot, index)`, so
//! any window query sees exactly the same calls however the window is cut —
//! which is what lets tests compare split windows against a whole one.

use chrono::{DateTime, Datelike, Duration, TimeZone, Timelike, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::ids::{ConfId, Feistel, format_conf_id, mix_all, mix64, parse_conf_id};
use crate::population::{CLIENT_POOL_SIZE, Population};
use crate::traffic::{HOUR_WEIGHTS, poisson};

/// The account (лицевой счёт) every simulated call belongs to.
pub const CUSTOMER_NAME: &str = "110011256";
/// Our own MTT numbers (SIP ids) the simulated calls go through.
pub const SIP_IDS: [&str; 3] = ["74996480000", "74996480001", "74996480002"];

const SECONDS_PER_SLOT: i64 = 3600;
/// Moscow is UTC+3 all year; the day/night curve follows the operators' clock.
const MOSCOW_OFFSET_HOURS: i64 = 3;
/// Weekday/weekend factors chosen so the weekly mean stays at `calls_per_day`
/// ((5 × 1.2 + 2 × 0.5) / 7 = 1).
const WEEKDAY_FACTOR: f64 = 1.2;
const WEEKEND_FACTOR: f64 = 0.5;
/// Index must fit the 16 bits reserved for it in the conf id.
const MAX_CALLS_PER_SLOT: u32 = u16::MAX as u32;

const TAG_SLOT: u64 = 0x5107;
const TAG_CALL: u64 = 0xCA11;
const TAG_MTT: u64 = 0x3717;

/// Which MTT history list a call lands in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CallKind {
    /// Inbound and answered.
    Incoming,
    /// Inbound and not answered.
    Missed,
    /// Outbound from one of our numbers (answered or not).
    Dialed,
    /// Inbound and forwarded to an employee's mobile.
    Forwarded,
}

impl CallKind {
    /// Every kind, in the order MTT lists them.
    pub const ALL: [CallKind; 4] = [
        CallKind::Incoming,
        CallKind::Missed,
        CallKind::Dialed,
        CallKind::Forwarded,
    ];

    /// The name MTT uses for the `type` parameter and the result key.
    pub fn as_str(self) -> &'static str {
        match self {
            CallKind::Incoming => "incoming",
            CallKind::Missed => "missed",
            CallKind::Dialed => "dialed",
            CallKind::Forwarded => "forwarded",
        }
    }

    /// Inverse of [`CallKind::as_str`]; `None` for anything MTT would reject.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One simulated call, holding exactly what the payloads are rendered from.
#[derive(Debug, Clone, PartialEq)]
pub struct SimCall {
    /// Decides which `type` list the call is reported in.
    pub kind: CallKind,
    /// `"07A9B59A 05F65003 13B136EE D90263EE"` form; unique; also the recording key.
    pub h323_conf_id: String,
    /// Id of the inbound leg; shares its last groups with other calls, like MTT's.
    pub h323_incoming_conf_id: String,
    /// UTC, whole seconds; also rendered as `customer_local_time`, as MTT does.
    pub connect_time: DateTime<Utc>,
    /// A-number as MTT reports it (may be in `8XXXXXXXXXX` form for some clients).
    pub cli: String,
    /// B-number as MTT reports it.
    pub cld: String,
    /// The client's number in canonical `7XXXXXXXXXX` form, whatever `cli`/`cld` show.
    pub client_number: String,
    /// Which of our numbers the call went through (`account_id` in payloads).
    pub sip_id: String,
    /// Talk seconds; 0 for unanswered calls.
    pub used_quantity: u32,
    /// Ringing/setup time, 500–15000 ms.
    pub setup_time_ms: u32,
    /// Cost in RUB, rounded to kopecks.
    pub charged: f64,
    /// Billed seconds (rounded up to whole minutes for per-minute tariffs; 0 if free).
    pub charged_time: u32,
    /// Q.850 cause: 16 normal, 17 busy, 19 no answer.
    pub disconnect_cause: u16,
    /// MTT's direction label, sometimes just `"."` or `" ."` as in the spec.
    pub destination: String,
    /// Number of recording files; 0 = not recorded.
    pub recording_parts: u32,
    /// MTT sometimes names the callee key `clid` instead of `cld`; fixed per call
    /// so repeated queries render identically.
    pub callee_key_is_clid: bool,
}

impl SimCall {
    /// Whether `/v1/records/{id}/urls` has something for this call.
    pub fn has_recording(&self) -> bool {
        self.recording_parts > 0
    }

    /// The id as used in recording URLs (groups joined by `_`).
    pub fn record_id(&self) -> String {
        self.h323_conf_id.replace(' ', "_")
    }
}

/// The generator of the simulated history; cheap to query, stores no calls.
#[derive(Debug, Clone)]
pub struct Dataset {
    seed: u64,
    days: u32,
    calls_per_day: u32,
    population: Population,
    /// Per client of the population: shown as `8XXXXXXXXXX` when it is the caller.
    eight_form: Vec<bool>,
    forward_targets: Vec<String>,
    feistel: Feistel,
    /// Groups 3–4 of `h323_incoming_conf_id`, constant per "media node" like MTT's.
    incoming_node: [u32; 2],
}

impl Dataset {
    /// `days` bounds how far back history is visible from `now`;
    /// `calls_per_day` is the long-run average volume.
    pub fn new(seed: u64, days: u32, calls_per_day: u32) -> Self {
        let population = Population::new(seed);
        let mut rng = StdRng::seed_from_u64(mix_all(&[seed, TAG_MTT]));
        // MTT shows some callers in the trunk form `8XXXXXXXXXX`, to exercise normalisation.
        let eight_form = population
            .clients()
            .iter()
            .map(|_| rng.gen_bool(0.06))
            .collect();
        let forward_targets = (0..3)
            .map(|_| format!("7916{:07}", rng.gen_range(0..10_000_000u64)))
            .collect();
        let incoming_node = [rng.r#gen(), rng.r#gen()];
        Self {
            seed,
            days,
            calls_per_day,
            population,
            eight_form,
            forward_targets,
            feistel: Feistel::new(seed),
            incoming_node,
        }
    }

    /// The seed the history derives from.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// How many days back from `now` calls stay visible.
    pub fn days(&self) -> u32 {
        self.days
    }

    /// All calls with connect_time in [from, to), newest first, visible at `now`
    /// (connect_time <= now and >= now - days).
    pub fn calls(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Vec<SimCall> {
        let lo = from.max(self.horizon(now));
        if lo >= to || lo > now {
            return Vec::new();
        }
        let first_slot = lo.timestamp().div_euclid(SECONDS_PER_SLOT).max(0);
        let last_slot = to
            .min(now)
            .timestamp()
            .div_euclid(SECONDS_PER_SLOT)
            .min(i64::from(u32::MAX));
        let mut out = Vec::new();
        for slot in (first_slot..=last_slot).rev() {
            out.extend(
                self.slot_calls(slot).into_iter().rev().filter(|c| {
                    c.connect_time >= lo && c.connect_time < to && c.connect_time <= now
                }),
            );
        }
        out
    }

    /// Whether `call` is part of the history MTT would show at `now`.
    pub fn is_visible(&self, call: &SimCall, now: DateTime<Utc>) -> bool {
        call.connect_time <= now && call.connect_time >= self.horizon(now)
    }

    /// Finds a call by its conf id in either spaced or underscored form,
    /// ignoring visibility; `None` if no simulated call ever had that id.
    pub fn find(&self, conf_id: &str) -> Option<SimCall> {
        let id = parse_conf_id(conf_id)?;
        let head = u64::from_be_bytes(id[..8].try_into().ok()?);
        let plain = self.feistel.decrypt(head);
        let slot = i64::from((plain >> 32) as u32);
        let index = ((plain >> 16) & 0xFFFF) as u32;
        if index >= self.slot_count(slot) {
            return None;
        }
        let call = self.make_call(slot, index);
        (parse_conf_id(&call.h323_conf_id)? == id).then_some(call)
    }

    fn horizon(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now.checked_sub_signed(Duration::days(i64::from(self.days)))
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    /// Calls of one hour slot, oldest first.
    fn slot_calls(&self, slot: i64) -> Vec<SimCall> {
        let mut calls: Vec<SimCall> = (0..self.slot_count(slot))
            .map(|i| self.make_call(slot, i))
            .collect();
        calls.sort_by(|a, b| {
            a.connect_time
                .cmp(&b.connect_time)
                .then_with(|| a.h323_conf_id.cmp(&b.h323_conf_id))
        });
        calls
    }

    fn expected_per_slot(&self, slot: i64) -> f64 {
        let local = slot + MOSCOW_OFFSET_HOURS;
        let hour = local.rem_euclid(24) as usize;
        let weekday = Utc
            .timestamp_opt(local * SECONDS_PER_SLOT, 0)
            .single()
            .map(|t| t.weekday().number_from_monday())
            .unwrap_or(1);
        let day_factor = if weekday >= 6 {
            WEEKEND_FACTOR
        } else {
            WEEKDAY_FACTOR
        };
        let total: f64 = HOUR_WEIGHTS.iter().sum();
        f64::from(self.calls_per_day) * HOUR_WEIGHTS[hour] / total * day_factor
    }

    fn slot_count(&self, slot: i64) -> u32 {
        if slot < 0 || slot > i64::from(u32::MAX) {
            return 0;
        }
        let mut rng = StdRng::seed_from_u64(mix_all(&[self.seed, TAG_SLOT, slot as u64]));
        poisson(&mut rng, self.expected_per_slot(slot)).min(MAX_CALLS_PER_SLOT)
    }

    fn make_call(&self, slot: i64, index: u32) -> SimCall {
        let mut rng = StdRng::seed_from_u64(mix_all(&[
            self.seed,
            TAG_CALL,
            slot as u64,
            u64::from(index),
        ]));
        let check: u16 = rng.r#gen();
        let tail: u64 = rng.r#gen();
        let head = self
            .feistel
            .encrypt(((slot as u64) << 32) | (u64::from(index) << 16) | u64::from(check));
        let mut conf: ConfId = [0; 16];
        conf[..8].copy_from_slice(&head.to_be_bytes());
        conf[8..].copy_from_slice(&tail.to_be_bytes());

        let connect_time = Utc
            .timestamp_opt(
                slot * SECONDS_PER_SLOT + rng.gen_range(0..SECONDS_PER_SLOT),
                0,
            )
            .single()
            .unwrap_or_default();

        let kind = match rng.r#gen::<f64>() {
            r if r < 0.50 => CallKind::Incoming,
            r if r < 0.70 => CallKind::Missed,
            r if r < 0.95 => CallKind::Dialed,
            _ => CallKind::Forwarded,
        };
        let sip_id = SIP_IDS[match rng.r#gen::<f64>() {
            r if r < 0.5 => 0,
            r if r < 0.8 => 1,
            _ => 2,
        }]
        .to_string();
        // Skewed pick so regular clients call again and again.
        let pick = (rng.r#gen::<f64>().powi(2) * CLIENT_POOL_SIZE as f64) as usize;
        let pick = pick.min(CLIENT_POOL_SIZE - 1);
        let canonical = &self.population.clients()[pick];
        let as_caller = if self.eight_form[pick] {
            format!("8{}", &canonical[1..])
        } else {
            canonical.clone()
        };

        let talk = talk_seconds(&mut rng);
        let (cli, cld, used_quantity, disconnect_cause, setup_time_ms, rate) = match kind {
            CallKind::Incoming => (
                as_caller,
                sip_id.clone(),
                talk,
                16,
                rng.gen_range(500..6000),
                0.0,
            ),
            CallKind::Missed => {
                let cause = if rng.gen_bool(0.65) { 19 } else { 16 };
                (
                    as_caller,
                    sip_id.clone(),
                    0,
                    cause,
                    rng.gen_range(3000..15_001),
                    0.0,
                )
            }
            CallKind::Dialed => {
                let rate = [0.0, 0.25, 0.33][rng.gen_range(0..3)];
                let (used, cause, setup) = match rng.r#gen::<f64>() {
                    r if r < 0.75 => (talk, 16, rng.gen_range(2000..12_000)),
                    r if r < 0.87 => (0, 17, rng.gen_range(500..3000)),
                    _ => (
                        0,
                        if rng.gen_bool(0.5) { 19 } else { 16 },
                        rng.gen_range(10_000..15_001),
                    ),
                };
                (sip_id.clone(), canonical.clone(), used, cause, setup, rate)
            }
            CallKind::Forwarded => {
                let target =
                    self.forward_targets[rng.gen_range(0..self.forward_targets.len())].clone();
                let (used, cause) = if rng.gen_bool(0.8) {
                    (talk, 16)
                } else {
                    (0, 19)
                };
                (
                    as_caller,
                    target,
                    used,
                    cause,
                    rng.gen_range(1500..15_001),
                    0.33,
                )
            }
        };

        let per_minute_billing = rng.gen_bool(0.3);
        let charged_time = if rate > 0.0 && used_quantity > 0 {
            if per_minute_billing {
                used_quantity.div_ceil(60) * 60
            } else {
                used_quantity
            }
        } else {
            0
        };
        let charged = (f64::from(charged_time) / 60.0 * rate * 100.0).round() / 100.0;

        let destination = match rng.r#gen::<f64>() {
            r if r < 0.6 => "RUSSIAN FEDERATION",
            r if r < 0.85 => ".",
            _ => " .",
        }
        .to_string();

        let recorded = used_quantity > 0 && rng.gen_bool(0.6);
        let recording_parts = match (recorded, rng.gen_bool(0.2)) {
            (false, _) => 0,
            (true, false) => 1,
            (true, true) => rng.gen_range(2..=3),
        };
        let callee_key_is_clid = rng.gen_bool(1.0 / 3.0);

        let incoming_head: u32 = rng.r#gen();
        let incoming_time = (mix64(slot as u64) >> 32) as u32;
        let h323_incoming_conf_id = format!(
            "{incoming_head:08X} {incoming_time:08X} {:08X} {:08X}",
            self.incoming_node[0], self.incoming_node[1]
        );

        SimCall {
            kind,
            h323_conf_id: format_conf_id(&conf),
            h323_incoming_conf_id,
            connect_time,
            cli,
            cld,
            client_number: canonical.clone(),
            sip_id,
            used_quantity,
            setup_time_ms,
            charged,
            charged_time,
            disconnect_cause,
            destination,
            recording_parts,
            callee_key_is_clid,
        }
    }
}

/// Talk time 5–900 s, mostly short with a long tail.
fn talk_seconds(rng: &mut StdRng) -> u32 {
    let mean = if rng.gen_bool(0.8) { 60.0 } else { 240.0 };
    let u: f64 = rng.gen_range(f64::EPSILON..1.0);
    (5.0 - u.ln() * mean).clamp(5.0, 900.0) as u32
}

/// Connect time truncated to whole seconds, as MTT renders it.
pub(crate) fn fmt_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// Hour of the day in Moscow, exposed for tests of the day/night curve.
pub fn moscow_hour(t: DateTime<Utc>) -> u32 {
    (t + Duration::hours(MOSCOW_OFFSET_HOURS)).hour()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("valid time")
            .with_timezone(&Utc)
    }

    #[test]
    fn find_roundtrips_every_call() {
        let ds = Dataset::new(3, 28, 150);
        let now = at("2026-03-04T12:00:00Z");
        let calls = ds.calls(now - Duration::days(2), now, now);
        assert!(!calls.is_empty());
        for c in &calls {
            assert_eq!(ds.find(&c.h323_conf_id).as_ref(), Some(c));
            assert_eq!(ds.find(&c.record_id()).as_ref(), Some(c));
        }
        assert_eq!(ds.find("00000000 00000000 00000000 00000000"), None);
    }

    #[test]
    fn night_is_quieter_than_day() {
        let ds = Dataset::new(1, 28, 150);
        let now = at("2026-03-04T12:00:00Z");
        let calls = ds.calls(now - Duration::days(28), now, now);
        let day = calls
            .iter()
            .filter(|c| (9..19).contains(&moscow_hour(c.connect_time)))
            .count();
        let night = calls
            .iter()
            .filter(|c| moscow_hour(c.connect_time) < 6)
            .count();
        assert!(day > night * 10, "day {day}, night {night}");
    }
}
