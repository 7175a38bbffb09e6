//! Routing questions through the listener: MTT's `getControlCallFollowMe` and Beeline's
//! `AgentRequest` answered from rules edited through the service, in the exact formats
//! the specs require, read back as the provider would read them.

mod common;

use callboard_core::RuleEdit;
use callboard_model::{
    AfterHours, BlockedNumber, Day, ForwardingPlan, LiveState, MatchKind, Outcome, RingMode,
    RoutingSettings, Target, VipCaller, WeeklySlot,
};
use chrono::Utc;
use common::{ACCOUNTS, Env};
use serde_json::{Value, json};

fn target(number: &str, name: &str) -> Target {
    Target {
        number: number.into(),
        name: name.into(),
        timeout_secs: 20,
    }
}

/// Blacklist +7 999 000-66-66 (with a rejection prompt), a VIP, and a plan for the MTT
/// line 74996480000 and the Beeline line 74957850000: open around the clock, or (for the
/// closed line 74990000000) never, with after-hours forwarding to a duty phone.
async fn rules(env: &Env) {
    let s = &env.service;
    s.edit_rules(RuleEdit::Settings(RoutingSettings {
        time_zone: "Europe/Moscow".into(),
        reject_prompt: Some("3d221eb1aadf4d035bd87891abc82de7".into()),
    }))
    .await
    .unwrap();
    s.edit_rules(RuleEdit::Blocked(BlockedNumber {
        id: 0,
        pattern: "8 999 000-66-66".into(),
        match_kind: MatchKind::Exact,
        reason: "spam".into(),
        expires_at: None,
        created_at: Utc::now(),
    }))
    .await
    .unwrap();
    s.edit_rules(RuleEdit::Vip(VipCaller {
        id: 0,
        number: "+79037770000".into(),
        name: "Big client".into(),
        operator: target("79160000001", "Anna"),
    }))
    .await
    .unwrap();
    for (line, schedule) in [
        ("74996480000", vec![]),
        ("74957850000", vec![]),
        // Open one minute a week, at a time no test runs in.
        (
            "74990000000",
            vec![WeeklySlot {
                days: vec![Day::Su],
                start: "03:00".into(),
                end: "03:01".into(),
            }],
        ),
    ] {
        s.edit_rules(RuleEdit::Plan(ForwardingPlan {
            id: 0,
            line: line.into(),
            name: format!("line {line}"),
            mode: RingMode::Sequential,
            targets: vec![
                target("79161112233", "Boris"),
                target("79161112244", "Vera"),
            ],
            schedule,
            after_hours: AfterHours::Forward {
                mode: RingMode::Single,
                targets: vec![target("79169990000", "duty")],
            },
        }))
        .await
        .unwrap();
    }
}

fn route_request(id: Value, caller: &str, line: &str, conf: &str) -> String {
    json!({"id": id, "jsonrpc": "2.0", "method": "getControlCallFollowMe",
        "params": {"sip_id": format!(" {line}"), "numberA": caller, "h323_conf_id": conf}})
    .to_string()
}

/// Posts a routing request, answers (status, body as JSON when it is).
async fn ask_mtt(env: &Env, body: String) -> (u16, Value) {
    let (status, text) = env
        .post(&env.url("mtt", "call-control"), "application/json", body)
        .await;
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// The targets of an MTT answer as MTT reads them: `[count, [targets]]`, count first.
fn followme(answer: &Value) -> Vec<(String, String, String)> {
    let s = &answer["result"]["followme_struct"];
    let list = s[1].as_array().expect("[count, [targets]]");
    assert_eq!(
        s[0].as_u64(),
        Some(list.len() as u64),
        "the count is the list's length"
    );
    list.iter()
        .map(|t| {
            (
                t["ACTIVE"].as_str().unwrap().to_owned(),
                t["REDIRECT_NUMBER"].as_str().unwrap_or("").to_owned(),
                t["TIMEOUT"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn mtt_gets_each_kind_of_answer_in_its_format() {
    let env = Env::start(ACCOUNTS).await;
    rules(&env).await;
    let events_url = env.url("mtt", "call events");

    // A planned line: sequential, both targets, events back to us, the id echoed as sent.
    let (status, a) = ask_mtt(
        &env,
        route_request(json!("1"), "89035550101", "74996480000", "AA 01"),
    )
    .await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(a["jsonrpc"], "2.0");
    assert_eq!(a["id"], json!("1"));
    assert_eq!(a["result"]["redirect_type"], 2);
    assert_eq!(
        followme(&a),
        [
            ("Y".into(), "79161112233".into(), "20".into()),
            ("Y".into(), "79161112244".into(), "20".into())
        ]
    );
    assert_eq!(a["result"]["event_URL"], json!(events_url));
    assert_eq!(a["result"]["event_extended"], "Y");
    assert!(
        a["result"]["client_id"]
            .as_str()
            .is_some_and(|c| !c.is_empty())
    );

    // A number id is echoed as a number.
    let (_, a) = ask_mtt(
        &env,
        route_request(json!(55585), "89035550101", "74996480000", "AA 02"),
    )
    .await;
    assert_eq!(a["id"], json!(55585));

    // Blacklisted, in another written form: rejected with the prompt played first.
    let (status, a) = ask_mtt(
        &env,
        route_request(json!("2"), "+79990006666", "74996480000", "AA 03"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(followme(&a), [("N".into(), String::new(), String::new())]);
    assert_eq!(a["result"]["file_to_A"], "3d221eb1aadf4d035bd87891abc82de7");

    // A VIP goes to its operator whatever the line.
    let (_, a) = ask_mtt(
        &env,
        route_request(json!("3"), "79037770000", "74990000000", "AA 04"),
    )
    .await;
    assert_eq!(a["result"]["redirect_type"], 1);
    assert_eq!(
        followme(&a),
        [("Y".into(), "79160000001".into(), "20".into())]
    );

    // Out of hours: the plan's duty phone.
    let (_, a) = ask_mtt(
        &env,
        route_request(json!("4"), "79035550101", "74990000000", "AA 05"),
    )
    .await;
    assert_eq!(
        followme(&a),
        [("Y".into(), "79169990000".into(), "20".into())]
    );

    // No rule for the line: any status but 200 leaves the call to MTT's reserve.
    let (status, _) = ask_mtt(
        &env,
        route_request(json!("5"), "79035550101", "74951111111", "AA 06"),
    )
    .await;
    assert_ne!(status, 200);

    // Left to MTT's reserve, the call ends here: nothing more of it will come.
    let left = &env.live("mtt:AA 06")[0];
    assert_eq!(
        (left.state, left.outcome),
        (LiveState::Ended, Some(Outcome::Forwarded))
    );
    // Each question put its call on the board before it was answered, with the answer.
    let rejected = &env.live("mtt:AA 03")[0];
    assert_eq!(
        rejected.routing.as_deref(),
        Some("rejected: blacklisted (spam)")
    );
    assert_eq!(
        (rejected.state, rejected.outcome),
        (LiveState::Ended, Some(Outcome::Failed))
    );
    env.eventually("the rejected call is in the history", |e| {
        e.live("mtt:AA 03")[0].history_id.is_some()
    })
    .await;
    let planned = &env.live("mtt:AA 01")[0];
    assert_eq!(planned.state, LiveState::Ringing);
    assert_eq!(planned.target.as_deref(), Some("+79161112233"));
    assert_eq!(planned.caller, "+79035550101");
}

#[tokio::test]
async fn an_edit_that_does_not_compile_is_refused_and_the_old_rules_answer() {
    let env = Env::start(ACCOUNTS).await;
    rules(&env).await;
    let bad = env
        .service
        .edit_rules(RuleEdit::Settings(RoutingSettings {
            time_zone: "Mars/Olympus".into(),
            reject_prompt: None,
        }))
        .await
        .unwrap_err();
    assert!(bad.to_string().contains("Mars/Olympus"), "{bad}");
    let (_, a) = ask_mtt(
        &env,
        route_request(json!("1"), "89990006666", "74996480000", "BB 01"),
    )
    .await;
    assert_eq!(followme(&a)[0].0, "N", "the blacklist still answers");
    assert_eq!(
        env.service.routing_rules().settings.time_zone,
        "Europe/Moscow"
    );
}

#[tokio::test]
async fn beeline_gets_agent_info_and_its_call_status_ends_the_call() {
    let env = Env::start(ACCOUNTS).await;
    rules(&env).await;
    let bare = format!("http://{}/", env.addr());
    let ask = |a1: &str| {
        format!(
            r#"<AgentRequest ScriptID="script-7" HostID="spn-2" SysID="9" A1="{a1}" B1="74957850000" AddPar="x"/>"#
        )
    };
    // Beeline is given host and port only: `/` finds the account by the source address.
    let (status, xml) = env.post(&bare, "text/xml", ask("89035550101")).await;
    assert_eq!(status, 200, "{xml}");
    let info = callboard_providers::beeline::parse_agent_info(xml.as_bytes()).unwrap();
    assert_eq!(
        (info.script_id.as_str(), info.host_id.as_str()),
        ("script-7", "spn-2")
    );
    assert_eq!(info.b0, "79161112233", "the plan's first target");
    assert!(!info.request_id.is_empty());

    let (_, xml) = env.post(&bare, "text/xml", ask("+79990006666")).await;
    let reject = callboard_providers::beeline::parse_agent_info(xml.as_bytes()).unwrap();
    assert_eq!(reject.b0, "", "an empty B0 rejects (2.4.4)");
    assert!(
        !reject.request_id.is_empty(),
        "and is not a deferral (2.4.2)"
    );

    // The answered call's progress, by the request_id we gave it.
    let status = |b0: &str, b1: &str, extra: &str| {
        format!(
            r#"<callStatus request_id="{}" b0_state="{b0}" b1_state="{b1}" Reason="1" TimeStamp="20261201103000" {extra} ScriptID="script-7" HostID="spn-2" SysID="9" AddPar=""/>"#,
            info.request_id
        )
    };
    let call = format!("beeline-req:{}", info.request_id);
    assert_eq!(env.live(&call)[0].target.as_deref(), Some("+79161112233"));
    assert_eq!(
        env.post(
            &bare,
            "text/xml",
            status("CONNECTED", "CONNECTED", "CallDuration=0")
        )
        .await
        .0,
        200
    );
    assert_eq!(env.live(&call)[0].state, LiveState::Talking);
    assert_eq!(
        env.post(
            &bare,
            "text/xml",
            status("SUCCESS", "SUCCESS", "CallDuration=42")
        )
        .await
        .0,
        200
    );
    let ended = &env.live(&call)[0];
    assert_eq!(ended.state, LiveState::Ended);
    let history = env.history("beeline").await;
    assert_eq!(history.len(), 2, "the answered call and the rejected one");
    let answered = history.iter().find(|c| c.caller == "+79035550101").unwrap();
    assert_eq!(
        (answered.outcome, answered.talk_secs),
        (Outcome::Answered, 42)
    );
    // Refused by the rules: on record, but no call anyone missed.
    let refused = history.iter().find(|c| c.caller == "+79990006666").unwrap();
    assert_eq!(refused.outcome, Outcome::Failed);
}
