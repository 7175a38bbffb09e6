//! Where an incoming call goes, answered from memory while the caller waits.
//!
//! MTT (`getControlCallFollowMe`) and Beeline (`AgentRequest`) ask the app to route each
//! incoming call before it rings anywhere. The webhook listener holds a [`Router`]
//! compiled from the operators' [`RoutingRules`] and calls [`Router::route`]: no I/O, no
//! clock (the time is an argument), a few hash lookups whatever the size of the lists.
//!
//! # Decision order
//!
//! 1. A blacklist entry matching the caller rejects the call (with the reject prompt, if
//!    set). An exact entry wins over a prefix entry, a longer prefix over a shorter one.
//!    An entry stops matching at its `expires_at` (a call at that instant passes).
//! 2. A VIP caller goes to its operator (single mode), at any hour, on any line.
//! 3. The called line's plan: inside its schedule its targets ring; outside, its
//!    after-hours action applies (reject, forward elsewhere, or the provider's default).
//!    Schedules are wall-clock times in `settings.time_zone` (DST included: `09:00` in
//!    Europe/Berlin is 08:00 UTC in winter and 07:00 UTC in summer); start inclusive, end
//!    exclusive, to the minute.
//! 4. No plan for the line and no VIP: [`Decision::ProviderDefault`] with
//!    [`DefaultWhy::NoRule`]; the listener answers so that the provider's own forwarding
//!    applies.
//!
//! # Numbers
//!
//! Providers send one number in many forms (`+79161234567`, `79161234567`,
//! `89161234567`, `9161234567`, with spaces, or with the `+` decoded into a space as in
//! MTT's `" 79586488002"`). Rules and requests are both reduced to one digit string:
//!
//! - A whole number (caller, line, exact pattern, VIP, target; [`canonical_number`]):
//!   its digits, except that without a leading `+`, eleven digits starting with `8` become
//!   `7…` (the Russian trunk prefix) and ten digits get `7` prepended (a Russian national
//!   number). So every Russian form is `7` + 10 digits, as `normalize_phone` in the model
//!   gives minus its `+`; other numbers (`+380…`, an extension `101`) keep their digits.
//!   Unlike `normalize_phone`, any ten-digit or `8` + ten-digit number counts as +7
//!   (Kazakhstan's included), since providers send +7-zone numbers in those forms.
//! - A prefix pattern ([`canonical_prefix`]): with `+`, international digits as written;
//!   without, a leading `8` is the trunk prefix (`8` → `7`), a leading `7` is kept, and any
//!   other leading digit starts a national number (`7` prepended). `495`, `8495`, `7495`
//!   and `+7495` are one prefix; `+380` is Ukraine; a national `101` means `7101`.
//!
//! Rule numbers may hold digits, spaces, a leading `+`, dashes, brackets and dots;
//! anything else (`495*`) is refused rather than read as other digits. Targets are handed back in canonical form
//! (`79161234567`, what MTT's `REDIRECT_NUMBER` takes).
//!
//! # Refusals
//!
//! [`Router::compile`] checks every rule and refuses the whole set on the first fault,
//! with a [`RuleError`] naming the rule, the field and the [`Problem`]; the caller keeps
//! routing with its previous router. Refused: an unknown time zone; a number with no
//! digits, stray characters or more than 15 digits; a time that is not `HH:MM` (`24:00`
//! only as an end); a slot with no days; a plan or after-hours forward with no targets,
//! or with several in single mode; a ring timeout outside 5–600 s; two rules of one kind
//! with the same id, or on the same canonical number (two plans for one line, one number
//! blocked twice, `495` and `8495` as two prefixes).

mod error;
mod number;
mod schedule;

use std::collections::HashSet;
use std::collections::hash_map::Entry;
use std::sync::Arc;

use callboard_model::{AfterHours, BlockedNumber, ForwardingPlan, MatchKind, VipCaller};
use chrono::{DateTime, Datelike, Timelike, Utc};
use chrono_tz::Tz;

pub use callboard_model::{RingMode, RoutingRules, Target};
pub use error::{Problem, RuleError, RuleRef};
pub use number::{MAX_DIGITS, canonical_number, canonical_prefix};

use number::{KeyMap, Probe, key_of, stray_char};
use schedule::{MINUTES_PER_DAY, Week};

/// Ring timeouts a target may have, in seconds: shorter than a few rings is a mistake,
/// and providers give up on a call long before ten minutes.
pub const TIMEOUT_SECS: std::ops::RangeInclusive<u32> = 5..=600;

/// One incoming call, as a provider asks about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteRequest<'a> {
    /// The caller's number in any form (MTT `numberA`, Beeline `A1`).
    pub caller: &'a str,
    /// Our number that was called (MTT `sip_id`, Beeline `B1`).
    pub called: &'a str,
    /// When the call arrived; schedules and expiries are judged at this instant.
    pub at: DateTime<Utc>,
}

/// What to tell the provider about a call. Every variant carries why, for the call's
/// log and for the operator who wonders where a call went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Hang up, after playing `prompt` (a provider prompt id) if there is one.
    Reject {
        why: RejectWhy,
        prompt: Option<Arc<str>>,
    },
    /// Ring `targets` (numbers in canonical form) the `mode` way.
    Forward {
        mode: RingMode,
        targets: Arc<[Target]>,
        why: ForwardWhy,
    },
    /// Say nothing specific, so the provider's own forwarding applies.
    ProviderDefault { why: DefaultWhy },
}

/// Which rule rejected a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RejectWhy {
    Blacklisted { id: i64, reason: Arc<str> },
    AfterHours { plan_id: i64 },
}

/// Which rule chose the targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForwardWhy {
    Vip { id: i64, name: Arc<str> },
    Plan { id: i64 },
    AfterHours { plan_id: i64 },
}

/// Why the call is left to the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DefaultWhy {
    /// No plan for the called line and the caller is not a VIP.
    NoRule,
    /// The line's plan is closed and leaves after-hours calls to the provider.
    AfterHours { plan_id: i64 },
}

/// Rules compiled for lookups: hash maps keyed by canonical numbers, schedules as
/// minute-of-week runs, answers pre-built so that routing only clones `Arc`s.
pub struct Router {
    tz: Tz,
    reject_prompt: Option<Arc<str>>,
    blocked_exact: KeyMap<Blocked>,
    blocked_prefix: KeyMap<Blocked>,
    /// Bit `n` set: some prefix entry has `n` digits (only those lengths are probed).
    prefix_lengths: u32,
    vips: KeyMap<Vip>,
    plans: KeyMap<Plan>,
}

/// Counts, not the 100,000 entries a log line would otherwise print.
impl std::fmt::Debug for Router {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Router")
            .field("time_zone", &self.tz.name())
            .field("blocked_exact", &self.blocked_exact.len())
            .field("blocked_prefix", &self.blocked_prefix.len())
            .field("vips", &self.vips.len())
            .field("plans", &self.plans.len())
            .finish_non_exhaustive()
    }
}

#[derive(Debug)]
struct Blocked {
    id: i64,
    reason: Arc<str>,
    expires_at: Option<DateTime<Utc>>,
}

impl Blocked {
    fn live_at(&self, at: DateTime<Utc>) -> bool {
        self.expires_at.is_none_or(|end| at < end)
    }
}

#[derive(Debug)]
struct Vip {
    id: i64,
    name: Arc<str>,
    operator: Arc<[Target]>,
}

#[derive(Debug)]
struct Plan {
    id: i64,
    mode: RingMode,
    targets: Arc<[Target]>,
    /// `None`: always open.
    open: Option<Week>,
    after_hours: Closed,
}

#[derive(Debug)]
enum Closed {
    Reject,
    Forward(RingMode, Arc<[Target]>),
    ProviderDefault,
}

impl Router {
    /// Checks and compiles a whole rule set; see the crate doc for what is refused.
    pub fn compile(rules: &RoutingRules) -> Result<Router, RuleError> {
        let settings = &rules.settings;
        let tz: Tz = settings.time_zone.parse().map_err(|_| RuleError {
            rule: RuleRef::Settings,
            field: "time_zone".into(),
            problem: Problem::UnknownTimeZone {
                value: settings.time_zone.clone(),
            },
        })?;
        let exact = rules
            .blacklist
            .iter()
            .filter(|b| b.match_kind == MatchKind::Exact)
            .count();
        let mut router = Router {
            tz,
            // A cleared text field in the UI means no prompt.
            reject_prompt: settings
                .reject_prompt
                .as_deref()
                .filter(|p| !p.trim().is_empty())
                .map(Arc::from),
            blocked_exact: KeyMap::with_capacity_and_hasher(exact, Default::default()),
            blocked_prefix: KeyMap::with_capacity_and_hasher(
                rules.blacklist.len() - exact,
                Default::default(),
            ),
            prefix_lengths: 0,
            vips: KeyMap::with_capacity_and_hasher(rules.vip.len(), Default::default()),
            plans: KeyMap::with_capacity_and_hasher(rules.plans.len(), Default::default()),
        };
        let mut ids = HashSet::with_capacity(rules.blacklist.len());
        for entry in &rules.blacklist {
            router.add_blocked(entry, &mut ids)?;
        }
        ids.clear();
        for vip in &rules.vip {
            router.add_vip(vip, &mut ids)?;
        }
        ids.clear();
        for plan in &rules.plans {
            router.add_plan(plan, &mut ids)?;
        }
        Ok(router)
    }

    fn add_blocked(
        &mut self,
        entry: &BlockedNumber,
        ids: &mut HashSet<i64>,
    ) -> Result<(), RuleError> {
        let fail = failing(RuleRef::Blacklist { id: entry.id });
        if !ids.insert(entry.id) {
            return Err(fail("id", Problem::DuplicateId { id: entry.id }));
        }
        let (canonical, map) = match entry.match_kind {
            MatchKind::Exact => (
                rule_number(&entry.pattern, canonical_number),
                &mut self.blocked_exact,
            ),
            MatchKind::Prefix => (
                rule_number(&entry.pattern, canonical_prefix),
                &mut self.blocked_prefix,
            ),
        };
        let canonical = canonical.map_err(|p| fail("pattern", p))?;
        let blocked = Blocked {
            id: entry.id,
            reason: Arc::from(entry.reason.as_str()),
            expires_at: entry.expires_at,
        };
        insert_once(map, &canonical, blocked, |b| RuleRef::Blacklist {
            id: b.id,
        })
        .map_err(|p| fail("pattern", p))?;
        if entry.match_kind == MatchKind::Prefix {
            self.prefix_lengths |= 1 << canonical.len();
        }
        Ok(())
    }

    fn add_vip(&mut self, vip: &VipCaller, ids: &mut HashSet<i64>) -> Result<(), RuleError> {
        let fail = failing(RuleRef::Vip { id: vip.id });
        if !ids.insert(vip.id) {
            return Err(fail("id", Problem::DuplicateId { id: vip.id }));
        }
        let canonical =
            rule_number(&vip.number, canonical_number).map_err(|p| fail("number", p))?;
        let operator =
            check_target(&vip.operator).map_err(|(f, p)| fail(&format!("operator{f}"), p))?;
        let compiled = Vip {
            id: vip.id,
            name: Arc::from(vip.name.as_str()),
            operator: Arc::from([operator]),
        };
        insert_once(&mut self.vips, &canonical, compiled, |v| RuleRef::Vip {
            id: v.id,
        })
        .map_err(|p| fail("number", p))
    }

    fn add_plan(&mut self, plan: &ForwardingPlan, ids: &mut HashSet<i64>) -> Result<(), RuleError> {
        let fail = failing(RuleRef::Plan { id: plan.id });
        if !ids.insert(plan.id) {
            return Err(fail("id", Problem::DuplicateId { id: plan.id }));
        }
        let canonical = rule_number(&plan.line, canonical_number).map_err(|p| fail("line", p))?;
        let targets = check_targets(plan.mode, &plan.targets).map_err(|(f, p)| fail(&f, p))?;
        let open = if plan.schedule.is_empty() {
            None
        } else {
            let week = Week::build(&plan.schedule);
            Some(week.map_err(|(f, p)| fail(&format!("schedule{f}"), p))?)
        };
        let after_hours = match &plan.after_hours {
            AfterHours::Reject => Closed::Reject,
            AfterHours::ProviderDefault => Closed::ProviderDefault,
            AfterHours::Forward { mode, targets } => {
                let targets = check_targets(*mode, targets)
                    .map_err(|(f, p)| fail(&format!("after_hours.{f}"), p))?;
                Closed::Forward(*mode, targets)
            }
        };
        let compiled = Plan {
            id: plan.id,
            mode: plan.mode,
            targets,
            open,
            after_hours,
        };
        insert_once(&mut self.plans, &canonical, compiled, |p| RuleRef::Plan {
            id: p.id,
        })
        .map_err(|p| fail("line", p))
    }

    /// Where this call goes. Never fails: a request nothing matches gets
    /// [`DefaultWhy::NoRule`].
    pub fn route(&self, request: &RouteRequest<'_>) -> Decision {
        let caller = Probe::new(request.caller);
        if let Some(entry) = self.blocked(&caller, request.at) {
            return Decision::Reject {
                why: RejectWhy::Blacklisted {
                    id: entry.id,
                    reason: entry.reason.clone(),
                },
                prompt: self.reject_prompt.clone(),
            };
        }
        if let Some(vip) = caller.whole_key().and_then(|key| self.vips.get(&key)) {
            return Decision::Forward {
                mode: RingMode::Single,
                targets: vip.operator.clone(),
                why: ForwardWhy::Vip {
                    id: vip.id,
                    name: vip.name.clone(),
                },
            };
        }
        let line = Probe::new(request.called).whole_key();
        let Some(plan) = line.and_then(|key| self.plans.get(&key)) else {
            return Decision::ProviderDefault {
                why: DefaultWhy::NoRule,
            };
        };
        let open = match &plan.open {
            None => true,
            Some(week) => week.contains(self.minute_of_week(request.at)),
        };
        if open {
            return Decision::Forward {
                mode: plan.mode,
                targets: plan.targets.clone(),
                why: ForwardWhy::Plan { id: plan.id },
            };
        }
        let plan_id = plan.id;
        match &plan.after_hours {
            Closed::Reject => Decision::Reject {
                why: RejectWhy::AfterHours { plan_id },
                prompt: self.reject_prompt.clone(),
            },
            Closed::Forward(mode, targets) => Decision::Forward {
                mode: *mode,
                targets: targets.clone(),
                why: ForwardWhy::AfterHours { plan_id },
            },
            Closed::ProviderDefault => Decision::ProviderDefault {
                why: DefaultWhy::AfterHours { plan_id },
            },
        }
    }

    /// The live entry matching the caller: exact first, then the longest prefix.
    fn blocked(&self, caller: &Probe, at: DateTime<Utc>) -> Option<&Blocked> {
        if let Some(entry) = caller
            .whole_key()
            .and_then(|key| self.blocked_exact.get(&key))
            .filter(|entry| entry.live_at(at))
        {
            return Some(entry);
        }
        // Only the lengths some entry has, and no longer than the caller's number.
        let mut lengths = self.prefix_lengths & ((2u32 << caller.prefix_len()) - 1);
        if lengths == 0 {
            return None;
        }
        let keys = caller.prefix_keys();
        while lengths != 0 {
            let n = 31 - lengths.leading_zeros() as usize;
            lengths &= !(1 << n);
            if let Some(entry) = self.blocked_prefix.get(&keys[n])
                && entry.live_at(at)
            {
                return Some(entry);
            }
        }
        None
    }

    /// Minutes since Monday 00:00 on the routing zone's wall clock.
    fn minute_of_week(&self, at: DateTime<Utc>) -> u16 {
        let local = at.with_timezone(&self.tz);
        let minutes = local.weekday().num_days_from_monday() * u32::from(MINUTES_PER_DAY)
            + local.hour() * 60
            + local.minute();
        minutes as u16
    }
}

/// Adds a rule under its number, unless another rule of its kind holds that number.
fn insert_once<V>(
    map: &mut KeyMap<V>,
    canonical: &str,
    value: V,
    rule_of: impl Fn(&V) -> RuleRef,
) -> Result<(), Problem> {
    match map.entry(key_of(canonical)) {
        Entry::Occupied(taken) => Err(Problem::Duplicate {
            canonical: canonical.to_string(),
            other: rule_of(taken.get()),
        }),
        Entry::Vacant(slot) => {
            slot.insert(value);
            Ok(())
        }
    }
}

fn failing(rule: RuleRef) -> impl Fn(&str, Problem) -> RuleError {
    move |field, problem| RuleError {
        rule,
        field: field.to_string(),
        problem,
    }
}

/// An operator-written number, checked and canonicalized.
fn rule_number(raw: &str, canonical: fn(&str) -> String) -> Result<String, Problem> {
    if let Some(found) = stray_char(raw) {
        return Err(Problem::StrayCharacter {
            value: raw.to_string(),
            found,
        });
    }
    let digits = canonical(raw);
    if digits.is_empty() {
        return Err(Problem::NoDigits {
            value: raw.to_string(),
        });
    }
    if digits.len() > MAX_DIGITS {
        return Err(Problem::TooLong {
            value: raw.to_string(),
            digits: digits.len(),
        });
    }
    Ok(digits)
}

/// A checked target, its number in canonical form; errors name the field under it.
fn check_target(t: &Target) -> Result<Target, (String, Problem)> {
    let number = rule_number(&t.number, canonical_number).map_err(|p| (".number".into(), p))?;
    if !TIMEOUT_SECS.contains(&t.timeout_secs) {
        return Err((
            ".timeout_secs".into(),
            Problem::Timeout {
                secs: t.timeout_secs,
            },
        ));
    }
    Ok(Target {
        number,
        name: t.name.clone(),
        timeout_secs: t.timeout_secs,
    })
}

/// A checked target list; errors name the field (`mode`, `targets[1].number`).
fn check_targets(mode: RingMode, list: &[Target]) -> Result<Arc<[Target]>, (String, Problem)> {
    if list.is_empty() {
        return Err(("targets".into(), Problem::NoTargets));
    }
    if mode == RingMode::Single && list.len() > 1 {
        return Err(("mode".into(), Problem::SingleWithMany { count: list.len() }));
    }
    list.iter()
        .enumerate()
        .map(|(i, t)| check_target(t).map_err(|(f, p)| (format!("targets[{i}]{f}"), p)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_router_can_be_shared_between_request_threads() {
        fn shared<T: Send + Sync>() {}
        shared::<Router>();
        shared::<Decision>();
    }

    #[test]
    fn default_rules_compile_to_a_router_that_knows_nothing() {
        let router = Router::compile(&RoutingRules::default()).unwrap();
        assert_eq!(
            format!("{router:?}"),
            "Router { time_zone: \"Europe/Moscow\", blocked_exact: 0, blocked_prefix: 0, \
             vips: 0, plans: 0, .. }"
        );
        let at = DateTime::parse_from_rfc3339("2024-05-06T10:00:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(
            router.route(&RouteRequest {
                caller: "79161234567",
                called: " 74996480000",
                at
            }),
            Decision::ProviderDefault {
                why: DefaultWhy::NoRule
            }
        );
    }
}
