//! The simulators play live traffic against a real listener in front of a real service:
//! MTT and Beeline ask where to send their calls and get the rules' answers, the calls
//! ring, connect and end on the board and land in the history; a blacklisted caller is
//! refused; an unanswered recorder call joins the missed queue; the recording of a
//! recorder call plays from the device.

use std::sync::Arc;
use std::time::Duration;

use callboard_core::config::ListenerConfig;
use callboard_core::{Config, RuleEdit, SecretSource, Service, ServiceOptions};
use callboard_listener::Listener;
use callboard_model::{
    AfterHours, BlockedNumber, ForwardingPlan, LiveState, MatchKind, Outcome, RingMode, Target,
};
use callboard_sim::{Fleet, FleetOptions, LivePlayer, LiveProvider, Played, ScriptedCall};
use secrecy::SecretString;

struct Live {
    _dir: tempfile::TempDir,
    _fleet: Fleet,
    service: Arc<Service>,
    _listener: Listener,
    player: LivePlayer,
}

async fn start() -> Live {
    let fleet = Fleet::start(FleetOptions {
        days: 1,
        calls_per_day: 10,
        ..Default::default()
    })
    .await
    .unwrap();
    let text = format!("{}\n{}", fleet.config_toml(1), fleet.live_config_toml());
    let mut config = Config::parse(&text, "live").unwrap();
    let passwords = fleet.accounts();
    for a in &mut config.accounts {
        if let (Some(c), Some(f)) = (
            a.credentials.as_mut(),
            passwords.iter().find(|f| f.id == a.id),
        ) {
            c.password = SecretSource::Memory(SecretString::from(f.password.clone()));
        }
        a.listener.allow_from = Some(Vec::new());
    }
    let dir = tempfile::tempdir().unwrap();
    let accounts = config.accounts.clone();
    let service = Service::start(
        config,
        ServiceOptions {
            autosync: false,
            ..ServiceOptions::new(dir.path().into(), false)
        },
    )
    .await
    .unwrap();
    let listener = Listener::start(
        &ListenerConfig::plain("127.0.0.1:0".parse().unwrap()),
        &accounts,
        dir.path(),
        service.clone(),
    )
    .await
    .unwrap();
    let targets = fleet.live_targets(|account, purpose| {
        listener
            .hooks
            .iter()
            .find(|h| h.account == account)
            .and_then(|h| h.urls.iter().find(|(p, _)| p.starts_with(purpose)))
            .map(|(_, u)| u.clone())
    });
    let operator = |n: &str| Target {
        number: n.into(),
        name: "op".into(),
        timeout_secs: 20,
    };
    service
        .edit_rules(RuleEdit::Blocked(BlockedNumber {
            id: 0,
            pattern: "79990006666".into(),
            match_kind: MatchKind::Exact,
            reason: "spam".into(),
            expires_at: None,
            created_at: chrono::Utc::now(),
        }))
        .await
        .unwrap();
    for line in [
        callboard_sim::SIP_IDS[0],
        callboard_sim::beeline::OUR_NUMBERS[0],
    ] {
        service
            .edit_rules(RuleEdit::Plan(ForwardingPlan {
                id: 0,
                line: line.into(),
                name: line.into(),
                mode: RingMode::Sequential,
                targets: vec![operator("79160000001"), operator("79160000002")],
                schedule: Vec::new(),
                after_hours: AfterHours::ProviderDefault,
            }))
            .await
            .unwrap();
    }
    Live {
        player: LivePlayer::new(targets, 1),
        _dir: dir,
        _fleet: fleet,
        service,
        _listener: listener,
    }
}

fn call(provider: LiveProvider, caller: &str, answered: bool) -> ScriptedCall {
    ScriptedCall {
        provider,
        caller: caller.into(),
        answered,
        ring: Duration::from_millis(20),
        talk: Duration::from_millis(1100),
    }
}

/// The board's call of `caller`, the newest.
fn board(live: &Live, caller: &str) -> callboard_model::LiveCall {
    live.service
        .live_calls()
        .into_iter()
        .find(|c| c.caller == format!("+{caller}"))
        .unwrap_or_else(|| panic!("no call of {caller} on {:?}", live.service.live_calls()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mtt_calls_are_routed_by_the_rules_and_end_in_the_history() {
    let live = start().await;
    let played = live
        .player
        .play(&call(LiveProvider::Mtt, "79031112233", true))
        .await
        .unwrap();
    // Sequential: the first target rings out, the second answers.
    assert_eq!(
        played,
        Played::Connected {
            target: "79160000002".into(),
            answered: true
        }
    );
    let c = board(&live, "79031112233");
    assert_eq!(
        (c.state, c.outcome),
        (LiveState::Ended, Some(Outcome::Answered))
    );
    assert!(c.history_id.is_some());
    // What the app answered MTT, kept by the simulator: the spec's format, both targets.
    let answer = &live.player.exchanges()[0];
    let a: serde_json::Value = serde_json::from_str(&answer.answer).unwrap();
    assert_eq!(a["result"]["redirect_type"], 2);
    assert_eq!(a["result"]["followme_struct"][0], 2);

    assert_eq!(
        live.player
            .play(&call(LiveProvider::Mtt, "79990006666", true))
            .await
            .unwrap(),
        Played::Rejected
    );
    let spam = board(&live, "79990006666");
    assert_eq!(spam.outcome, Some(Outcome::Failed));
    assert_eq!(
        spam.routing.as_deref(),
        Some("rejected: blacklisted (spam)")
    );

    // A click-to-call's progress: the operator's leg (its `+` kept), then the client's.
    live.player
        .play(&call(LiveProvider::MttCallback, "79035556677", true))
        .await
        .unwrap();
    let cb = live
        .service
        .live_calls()
        .into_iter()
        .find(|c| c.key.starts_with("mtt-callback:"))
        .expect("the callback on the board");
    assert_eq!(cb.caller, "+79160000001");
    assert_eq!(
        (cb.state, cb.outcome),
        (LiveState::Ended, Some(Outcome::Answered))
    );
    assert!(cb.answered_at.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn beeline_and_recorder_calls_play_through() {
    let live = start().await;
    assert!(matches!(
        live.player
            .play(&call(LiveProvider::Beeline, "79032223344", true))
            .await
            .unwrap(),
        Played::Connected { answered: true, .. }
    ));
    let c = board(&live, "79032223344");
    assert_eq!(
        (c.state, c.outcome),
        (LiveState::Ended, Some(Outcome::Answered))
    );
    assert_eq!(c.target.as_deref(), Some("+79160000001"));
    assert_eq!(
        live.player
            .play(&call(LiveProvider::Beeline, "79990006666", false))
            .await
            .unwrap(),
        Played::Rejected
    );

    // An unanswered recorder call: in the missed queue until someone talks to the caller.
    let played = live
        .player
        .play(&call(LiveProvider::Sprecord, "79034445566", false))
        .await
        .unwrap();
    assert!(matches!(
        played,
        Played::Recorded {
            answered: false,
            ..
        }
    ));
    let queue = live.service.missed_queue(1000).await.unwrap();
    assert!(
        queue.callers.iter().any(|m| m.number == "+79034445566"),
        "{queue:?}"
    );
    // Called again, answered: its start is seconds after the missed one's (the device
    // writes whole seconds), so the queue sees an answered call after the missed one.
    let again = ScriptedCall {
        ring: Duration::from_millis(2200),
        ..call(LiveProvider::Sprecord, "79034445566", true)
    };
    live.player.play(&again).await.unwrap();
    let queue = live.service.missed_queue(1000).await.unwrap();
    assert!(
        !queue.callers.iter().any(|m| m.number == "+79034445566"),
        "called back: {queue:?}"
    );

    // The answered one's recording comes from the device.
    let c = board(&live, "79034445566");
    let id = c.history_id.expect("in the history");
    let parts = live.service.recording_parts(id).await.unwrap();
    assert_eq!(parts.len(), 1);
    let (file, mime) = live.service.recording_file(id, 0).await.unwrap();
    assert_eq!(mime, "audio/wav");
    assert!(std::fs::metadata(file).unwrap().len() > 1000);
}
