//! Every provider's events through the listener over loopback HTTP: the spec's examples
//! end in the expected live state and stored call; replays change nothing; what is
//! acknowledged is already on disk.

mod common;

use callboard_core::Store;
use callboard_model::{LiveState, Outcome};
use common::{ACCOUNTS, Env};

const FORM: &str = "application/x-www-form-urlencoded";

#[tokio::test]
async fn an_sprecord_call_rings_ends_and_lands_in_the_history_once() {
    let env = Env::start(ACCOUNTS).await;
    let url = env.url("rec", "device");
    let ring = "msg=1&datetime=2026-12-01+10%3A00%3A00&number=89161234567&channel_hard_name=ch1&channel_user_name=Reception";
    assert_eq!(env.post(&url, FORM, ring).await, (200, "OK".into()));
    let live = env.live("sprecord:rec:ch1");
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].state, LiveState::Ringing);
    assert_eq!(live[0].caller, "+79161234567");

    let end = "msg=2&datetime=2026-12-01+10%3A01%3A05&phone_from=89161234567&channel_hard_name=ch1&channel_user_name=Reception&call_type=in&duration_sec=60&idr=1001";
    assert_eq!(env.post(&url, FORM, end).await.0, 200);
    let live = env.live("sprecord:rec:ch1");
    assert_eq!(live.len(), 1, "{live:?}");
    assert_eq!(
        (live[0].state, live[0].outcome),
        (LiveState::Ended, Some(Outcome::Answered))
    );
    let history = env.history("rec").await;
    assert_eq!(history.len(), 1);
    let call = &history[0];
    assert_eq!(call.provider_call_id, "1001");
    // The device's Moscow end time less the talk time.
    assert_eq!(call.started_at.to_rfc3339(), "2026-12-01T07:00:05+00:00");
    assert_eq!(call.talk_secs, 60);
    assert!(call.has_recording);
    assert_eq!(live[0].history_id, Some(call.id));

    // A replayed end changes nothing.
    assert_eq!(env.post(&url, FORM, end).await.0, 200);
    assert_eq!(env.history("rec").await.len(), 1);
    assert_eq!(env.live("sprecord:rec:ch1"), live);
}

/// The eight call-control examples of the MTT spec (L1879–2016), in order.
const MTT_EVENTS: [&str; 8] = [
    r#"{"date_time":1558613711,"data":"event=sp_79154368886_2019-05-23-15-15-11","event":{"type":"sp","side":"A"},"h323_conf_id":"BC5F236C 5AD211E9 81BA5CB9 01FED6FC","numberA":"79154368886","sip_id":"79586488002","client_id":"1235"}"#,
    r#"{"date_time":1558613711,"data":"event=ep_79154368886_2019-05-23-15-15-18","event":{"type":"ep","side":"A"},"h323_conf_id":"BC5F236C 5AD211E9 81BA5CB9 01FED6FC","numberA":"79154368886","sip_id":"79586488002","client_id":"1235"}"#,
    r#"{"date_time":1558613711,"data":"event=o_79684881033_2019-05-23-15-15-19","event":{"type":"o"},"redirect_number":"79684881033","h323_conf_id":"BC5F236C 5AD211E9 81BA5CB9 01FED6FC","numberA":"79154368886","sip_id":"79586488002","client_id":"1235"}"#,
    r#"{"date_time":1558624521,"data":"event=s_79684881033_2019-05-23-15-15-30&cause=16","event":{"type":"s"},"redirect_number":"79684881033","h323_conf_id":"BC5F236C 5AD211E9 81BA5CB9 01FED6FC","numberA":"79154368886","sip_id":"79586488002","client_id":"1235"}"#,
    r#"{"date_time":1558613711,"data":"event=sp_79684881033_2019-05-23-15-15-30","event":{"type":"sp","side":"B"},"redirect_number":"79684881033","h323_conf_id":"BC5F236C 5AD211E9 81BA5CB9 01FED6FC","numberA":"79154368886","sip_id":"79586488002","client_id":"1235"}"#,
    r#"{"date_time":1558613711,"data":"event=ep_79684881033_2019-05-23-15-15-39","event":{"type":"ep","side":"B"},"redirect_number":"79684881033","h323_conf_id":"BC5F236C 5AD211E9 81BA5CB9 01FED6FC","numberA":"79154368886","sip_id":"79586488002","client_id":"1235"}"#,
    r#"{"date_time":1558613711,"data":"event=t_79684881033_2019-05-23-15-15-40","event":{"type":"t"},"redirect_number":"79684881033","h323_conf_id":"BC5F236C 5AD211E9 81BA5CB9 01FED6FC","numberA":"79154368886","sip_id":"79586488002","client_id":"1235"}"#,
    r#"{"date_time":1558624559,"data":"event=h_79684881033_2019-05-23-15-16-59&cause=16","event":{"type":"h","cause":"16","side":"B"},"redirect_number":"79684881033","h323_conf_id":" BC5F236C 5AD211E9 81BA5CB9 01FED6FC ","numberA":"79154368886","sip_id":"79586488002","client_id":"1235","extension":"0001"}"#,
];

#[tokio::test]
async fn the_mtt_call_control_examples_make_one_answered_call() {
    let env = Env::start(ACCOUNTS).await;
    let url = env.url("mtt", "call events");
    for (i, body) in MTT_EVENTS.iter().enumerate() {
        assert_eq!(
            env.post(&url, "application/json", *body).await,
            (200, "OK".into()),
            "example {}",
            i + 1
        );
        let live = env.live("mtt:BC5F236C");
        let want = match i {
            0..=2 => LiveState::Ringing,
            3..=6 => LiveState::Talking,
            _ => LiveState::Ended,
        };
        assert_eq!(live[0].state, want, "after example {}", i + 1);
    }
    let live = &env.live("mtt:BC5F236C")[0];
    assert_eq!(live.target.as_deref(), Some("+79684881033"));
    assert_eq!(live.outcome, Some(Outcome::Answered));
    let history = env.history("mtt").await;
    assert_eq!(history.len(), 1);
    // Under MTT's own call id, so that the poll's row for it is this one.
    assert_eq!(
        history[0].provider_call_id,
        "BC5F236C 5AD211E9 81BA5CB9 01FED6FC"
    );
    assert_eq!(
        (history[0].caller.as_str(), history[0].callee.as_str()),
        ("+79154368886", "+79586488002")
    );
    // Answered at 15:15:30, hung up at 15:16:59 (Moscow), per the events' `data`.
    assert_eq!(history[0].talk_secs, 89);

    // Every example again: nothing changes.
    let steps = live.steps.len();
    for body in MTT_EVENTS {
        assert_eq!(env.post(&url, "application/json", body).await.0, 200);
    }
    assert_eq!(env.live("mtt:BC5F236C")[0].steps.len(), steps);
    assert_eq!(env.history("mtt").await.len(), 1);
}

#[tokio::test]
async fn mtt_callback_progress_keeps_a_raw_plus() {
    let env = Env::start(ACCOUNTS).await;
    let url = env.url("mtt", "callback");
    for q in [
        "event=start_side_A&id=e031c89159fba8b80025cd6fb534a77",
        "event=pickup_side_A&id=e031c89159fba8b80025cd6fb534a77&phone_A=+79161234567",
        "event=start_side_B&id=e031c89159fba8b80025cd6fb534a77",
        "event=start_talk&id=e031c89159fba8b80025cd6fb534a77",
    ] {
        let r = env.http.get(format!("{url}?{q}")).send().await.unwrap();
        assert_eq!(r.status(), 200, "{q}");
    }
    let live = &env.live("mtt-callback:e031c89159fba8b80025cd6fb534a77")[0];
    assert_eq!(live.state, LiveState::Talking);
    assert_eq!(live.caller, "+79161234567", "the + of phone_A survived");
}

#[tokio::test]
async fn an_acknowledged_event_is_on_disk_before_the_answer() {
    let env = Env::start(ACCOUNTS).await;
    let url = env.url("rec", "device");
    let end = "msg=2&datetime=2026-12-01+11%3A00%3A00&phone_from=89160000001&channel_hard_name=ch2&call_type=in&duration_sec=0&idr=2002";
    assert_eq!(env.post(&url, FORM, end).await.0, 200);
    // Another connection to the same file, as a restarted process would open it.
    let store = Store::open(&env.dir.path().join("callboard.db")).unwrap();
    let stored = store
        .live_events_since(chrono::Utc::now() - chrono::Duration::hours(1))
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert!(store.call_id_of("rec", "2002").unwrap().is_some());
}

#[tokio::test]
async fn a_restart_rebuilds_the_board_from_stored_events() {
    let env = Env::start(ACCOUNTS).await;
    let url = env.url("mtt", "call events");
    for body in &MTT_EVENTS[..4] {
        assert_eq!(env.post(&url, "application/json", *body).await.0, 200);
    }
    let before = env.live("mtt:BC5F236C");
    let dir = env.dir;
    env.listener.stop();
    drop(env.service);
    let config = callboard_core::Config::parse(ACCOUNTS, "test").unwrap();
    let service = callboard_core::Service::start(
        config,
        callboard_core::ServiceOptions {
            autosync: false,
            ..callboard_core::ServiceOptions::new(dir.path().into(), false)
        },
    )
    .await
    .unwrap();
    let after: Vec<_> = service
        .live_calls()
        .into_iter()
        .filter(|c| c.key.starts_with("mtt:BC5F236C"))
        .collect();
    // Rebuilt from the events received (their provider times are of 2019: the board ages
    // calls by arrival, not by the provider's clock).
    assert_eq!(before.len(), 1);
    assert_eq!(after, before);
}
