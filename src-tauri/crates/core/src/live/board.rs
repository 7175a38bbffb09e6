//! The live board: providers' events folded into one [`LiveCall`] per call, from the
//! first event heard of it to its end. Pure state, no I/O: the service feeds it events
//! as they are stored (and, at start, the last day's events again, which rebuilds it).

use std::collections::{HashMap, VecDeque};

use callboard_model::{
    Detail, Direction, LiveCall, LiveState, LiveStep, NewCall, Outcome, ProviderKind,
};
use callboard_providers::{LiveEvent, Stage};
use chrono::{DateTime, Duration, Utc};

/// How long an ended call stays on the board (and takes late events of its own).
const ENDED_KEPT: Duration = Duration::minutes(15);
/// Most ended calls kept, newest first.
const ENDED_MAX: usize = 200;
/// A call that never ended (its last event lost) leaves the board after this.
const STALE_AFTER: Duration = Duration::hours(4);
/// Most steps kept per call.
const MAX_STEPS: usize = 40;

/// What applying one event did.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    /// The call as it stands now.
    pub call: LiveCall,
    /// The event ended the call: its history row is due (unless the event carried one).
    pub ended_now: bool,
}

/// Open calls, and the ones that ended lately, each with when its last event arrived
/// (providers' clocks are not trusted to age calls: MTT's `date_time` lags by hours).
#[derive(Default)]
pub struct Board {
    /// By (account, provider's call key).
    open: HashMap<(String, String), (LiveCall, DateTime<Utc>)>,
    /// Newest first.
    ended: VecDeque<(LiveCall, DateTime<Utc>)>,
}

impl Board {
    /// Folds one stored event of `account`, received at `received`, into its call.
    pub fn apply(
        &mut self,
        account: &str,
        provider: ProviderKind,
        e: &LiveEvent,
        received: DateTime<Utc>,
    ) -> Applied {
        let id = (account.to_owned(), e.call.clone());
        if !self.open.contains_key(&id) {
            // A late event of a call that ended lately belongs to it; a new ring on the
            // same key after that end (the next call on an SpRecord channel) does not.
            let late = self.ended.iter().position(|(c, _)| {
                c.account == account
                    && c.key_base() == e.call
                    && !(matches!(e.stage, Stage::Ringing { .. })
                        && c.ended_at.is_some_and(|end| e.at > end))
            });
            if let Some(i) = late {
                let mut call = self.ended[i].0.clone();
                note(&mut call, e);
                merge_parties(&mut call, e);
                self.ended[i].0 = call.clone();
                return Applied {
                    call,
                    ended_now: false,
                };
            }
        }
        let (call, seen) = self
            .open
            .entry(id.clone())
            .or_insert_with(|| (new_call(account, provider, e), received));
        *seen = received;
        merge_parties(call, e);
        note(call, e);
        match &e.stage {
            Stage::Ringing { target } => {
                if target.is_some() {
                    call.target = target.clone();
                }
            }
            Stage::Talking => {
                call.state = LiveState::Talking;
                call.answered_at.get_or_insert(e.at);
            }
            Stage::Ended {
                outcome, talk_secs, ..
            } => {
                call.state = LiveState::Ended;
                call.ended_at = Some(e.at.max(call.started_at));
                // Providers that end calls without saying whether anyone answered (MTT's
                // `h`) report Answered: what the call went through decides.
                let talked = call.answered_at.is_some() || talk_secs.is_some_and(|t| t > 0);
                call.outcome = Some(match outcome {
                    Outcome::Answered if !talked && e.completed.is_none() => Outcome::Missed,
                    // An incoming call whose operator leg failed is one the caller missed
                    // being answered on (Beeline's FAILED on side 0).
                    Outcome::Failed if !talked && call.direction == Direction::Incoming => {
                        Outcome::Missed
                    }
                    o => *o,
                });
                // The provider's own talk time, when it sends one, is the one to keep.
                if let (Some(t), Some(end)) = (talk_secs.filter(|t| *t > 0), call.ended_at) {
                    call.answered_at = Some(end - Duration::seconds(i64::from(t)));
                }
            }
            Stage::Rejected { .. } => {
                call.state = LiveState::Ended;
                call.ended_at = Some(e.at.max(call.started_at));
                // Refused by our rules: not a call anyone missed.
                call.outcome = Some(Outcome::Failed);
            }
            Stage::Note { .. } => {}
        }
        if let Some(c) = &e.completed {
            call.started_at = call.started_at.min(c.started_at);
        }
        let snapshot = call.clone();
        if snapshot.state == LiveState::Ended {
            self.open.remove(&id);
            let mut ended = snapshot.clone();
            // Distinct from the next call on the same provider key.
            ended.key = format!("{}@{}", e.call, ended.started_at.timestamp_millis());
            self.ended.push_front((ended.clone(), received));
            self.ended.truncate(ENDED_MAX);
            return Applied {
                call: ended,
                ended_now: true,
            };
        }
        Applied {
            call: snapshot,
            ended_now: false,
        }
    }

    /// Records the history row a call ended into.
    pub fn set_history_id(&mut self, key: &str, id: i64) -> Option<LiveCall> {
        let (call, _) = self.ended.iter_mut().find(|(c, _)| c.key == key)?;
        call.history_id = Some(id);
        Some(call.clone())
    }

    /// The calls on the board at `now`: open ones first (newest first), then those that
    /// ended lately. Drops what has aged out.
    pub fn calls(&mut self, now: DateTime<Utc>) -> Vec<LiveCall> {
        self.open.retain(|_, (_, seen)| now - *seen < STALE_AFTER);
        self.ended.retain(|(_, seen)| now - *seen < ENDED_KEPT);
        let mut open: Vec<LiveCall> = self.open.values().map(|(c, _)| c.clone()).collect();
        open.sort_by(|a, b| b.started_at.cmp(&a.started_at).then(a.key.cmp(&b.key)));
        open.extend(self.ended.iter().map(|(c, _)| c.clone()));
        open
    }
}

impl LiveCallExt for LiveCall {
    fn key_base(&self) -> &str {
        self.key
            .rsplit_once('@')
            .map_or(&self.key, |(base, _)| base)
    }
}

trait LiveCallExt {
    /// The provider's call key, without the start time an ended call's key carries.
    fn key_base(&self) -> &str;
}

fn new_call(account: &str, provider: ProviderKind, e: &LiveEvent) -> LiveCall {
    LiveCall {
        key: e.call.clone(),
        account: account.to_owned(),
        provider,
        state: LiveState::Ringing,
        direction: e.direction.unwrap_or(Direction::Incoming),
        caller: String::new(),
        callee: String::new(),
        target: None,
        started_at: e.completed.as_ref().map_or(e.at, |c| c.started_at),
        answered_at: None,
        ended_at: None,
        outcome: None,
        history_id: None,
        routing: None,
        steps: Vec::new(),
        details: Vec::new(),
    }
}

/// The detail a routing request's event carries: what the rules answered.
pub const ROUTING_DETAIL: &str = "routing";

/// Numbers, direction and details the call did not have yet.
fn merge_parties(call: &mut LiveCall, e: &LiveEvent) {
    if let Some(d) = e.details.iter().find(|d| d.label == ROUTING_DETAIL) {
        call.routing = Some(d.value.clone());
    }
    if call.caller.is_empty()
        && let Some(n) = &e.caller
    {
        call.caller = n.clone();
    }
    if call.callee.is_empty()
        && let Some(n) = &e.callee
    {
        call.callee = n.clone();
    }
    if let Some(d) = e.direction {
        call.direction = d;
    }
    for d in &e.details {
        match call.details.iter_mut().find(|x| x.label == d.label) {
            Some(x) => x.value = d.value.clone(),
            None => call.details.push(d.clone()),
        }
    }
}

fn note(call: &mut LiveCall, e: &LiveEvent) {
    let text = match &e.stage {
        Stage::Ringing { target: Some(t) } => format!("ringing {t}"),
        Stage::Ringing { target: None } => "ringing".to_owned(),
        Stage::Talking => "talking".to_owned(),
        Stage::Ended { cause: Some(c), .. } => format!("ended ({c})"),
        Stage::Ended { cause: None, .. } => "ended".to_owned(),
        Stage::Rejected { reason } => format!("rejected: {reason}"),
        Stage::Note { text } => text.clone(),
    };
    if call.steps.len() < MAX_STEPS {
        call.steps.push(LiveStep { at: e.at, text });
    }
}

/// The history row of a call that ended live without one from the provider.
pub fn history_row(call: &LiveCall, provider_call_id: Option<&str>) -> NewCall {
    let end = call.ended_at.unwrap_or(call.started_at);
    let ring_end = call.answered_at.unwrap_or(end);
    let secs = |d: Duration| d.num_seconds().max(0) as u32;
    let mut details = vec![Detail {
        label: "source".into(),
        value: "live events".into(),
    }];
    details.extend(call.details.iter().cloned());
    if let Some(t) = &call.target {
        details.push(Detail {
            label: "target".into(),
            value: t.clone(),
        });
    }
    NewCall {
        provider_call_id: provider_call_id
            .map(str::to_owned)
            .unwrap_or_else(|| format!("live:{}", call.key)),
        direction: call.direction,
        outcome: call.outcome.unwrap_or(Outcome::Missed),
        caller: call.caller.clone(),
        callee: call.callee.clone(),
        started_at: call.started_at,
        ring_secs: secs(ring_end - call.started_at),
        talk_secs: call.answered_at.map_or(0, |a| secs(end - a)),
        total_secs: secs(end - call.started_at),
        cost: None,
        currency: None,
        recording_ref: None,
        details,
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(s: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).unwrap() + Duration::seconds(s)
    }

    fn ev(call: &str, key: &str, t: i64, stage: Stage) -> LiveEvent {
        LiveEvent {
            key: key.into(),
            call: call.into(),
            provider_call_id: None,
            at: at(t),
            stage,
            caller: Some("+79161234567".into()),
            callee: Some("+74996480000".into()),
            direction: Some(Direction::Incoming),
            details: Vec::new(),
            completed: None,
        }
    }

    /// Applies `e` as received at its own time.
    fn apply(b: &mut Board, account: &str, p: ProviderKind, e: &LiveEvent) -> Applied {
        b.apply(account, p, e, e.at)
    }

    fn ended(outcome: Outcome) -> Stage {
        Stage::Ended {
            outcome,
            talk_secs: None,
            cause: Some("16".into()),
        }
    }

    #[test]
    fn a_call_rings_talks_and_ends_once() {
        let mut b = Board::default();
        let r = apply(
            &mut b,
            "a",
            ProviderKind::Mtt,
            &ev(
                "c1",
                "k1",
                0,
                Stage::Ringing {
                    target: Some("+79001112233".into()),
                },
            ),
        );
        assert_eq!(r.call.state, LiveState::Ringing);
        assert_eq!(r.call.target.as_deref(), Some("+79001112233"));
        let r = apply(
            &mut b,
            "a",
            ProviderKind::Mtt,
            &ev("c1", "k2", 5, Stage::Talking),
        );
        assert_eq!(
            (r.call.state, r.call.answered_at),
            (LiveState::Talking, Some(at(5)))
        );
        let r = apply(
            &mut b,
            "a",
            ProviderKind::Mtt,
            &ev("c1", "k3", 65, ended(Outcome::Answered)),
        );
        assert!(r.ended_now);
        assert_eq!(r.call.outcome, Some(Outcome::Answered));
        // MTT sends `h` for each side: the second is a late event of the same call.
        let r = apply(
            &mut b,
            "a",
            ProviderKind::Mtt,
            &ev("c1", "k4", 66, ended(Outcome::Answered)),
        );
        assert!(!r.ended_now);
        let calls = b.calls(at(70));
        assert_eq!(calls.len(), 1);
        let row = history_row(&calls[0], Some("C1"));
        assert_eq!((row.ring_secs, row.talk_secs, row.total_secs), (5, 60, 65));
        assert_eq!(row.provider_call_id, "C1");
    }

    #[test]
    fn an_end_without_an_answer_is_missed() {
        let mut b = Board::default();
        apply(
            &mut b,
            "a",
            ProviderKind::Mtt,
            &ev("c1", "k1", 0, Stage::Ringing { target: None }),
        );
        let r = apply(
            &mut b,
            "a",
            ProviderKind::Mtt,
            &ev("c1", "k2", 20, ended(Outcome::Answered)),
        );
        assert_eq!(r.call.outcome, Some(Outcome::Missed));
        assert_eq!(history_row(&r.call, None).talk_secs, 0);
    }

    #[test]
    fn the_next_ring_on_a_channel_is_a_new_call() {
        let mut b = Board::default();
        apply(
            &mut b,
            "s",
            ProviderKind::Sprecord,
            &ev("ch1", "k1", 0, Stage::Ringing { target: None }),
        );
        apply(
            &mut b,
            "s",
            ProviderKind::Sprecord,
            &ev("ch1", "k2", 30, ended(Outcome::Missed)),
        );
        let r = apply(
            &mut b,
            "s",
            ProviderKind::Sprecord,
            &ev("ch1", "k3", 40, Stage::Ringing { target: None }),
        );
        assert_eq!(r.call.state, LiveState::Ringing);
        let calls = b.calls(at(41));
        assert_eq!(calls.len(), 2);
        assert_ne!(calls[0].key, calls[1].key);
    }

    #[test]
    fn old_calls_leave_the_board() {
        let mut b = Board::default();
        apply(
            &mut b,
            "a",
            ProviderKind::Mtt,
            &ev("c1", "k1", 0, Stage::Ringing { target: None }),
        );
        apply(
            &mut b,
            "a",
            ProviderKind::Mtt,
            &ev("c2", "k2", 0, Stage::Ringing { target: None }),
        );
        apply(
            &mut b,
            "a",
            ProviderKind::Mtt,
            &ev("c2", "k3", 10, ended(Outcome::Missed)),
        );
        assert_eq!(b.calls(at(60)).len(), 2);
        assert_eq!(
            b.calls(at(10 + 16 * 60)).len(),
            1,
            "the ended call aged out"
        );
        assert!(
            b.calls(at(5 * 3600)).is_empty(),
            "a call never ended goes stale"
        );
    }
}
