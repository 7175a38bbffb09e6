//! What MTT pushes while calls happen: call-control events to the routing answer's
//! `event_URL` (L1846–2016), and click-to-call progress to `callBackURL` (L1572–1592).
//! Neither carries an event id (SPEC-NOTES §7), so each event's key is built from what
//! tells it apart, and a replay builds the same one.
//!
//! Hang-ups: an event alone cannot say whether anyone ever answered; MTT's `h` cause 16
//! ("normal clearing") ends answered calls and abandoned ones alike, and a callback's
//! `end_side_*` carries nothing at all. So those `Ended` events say
//! [`Outcome::Answered`] (unless the cause itself rules an answer out), provisionally:
//! the core, which has seen the call's earlier events, makes it `Missed` when it never
//! saw `Talking`.

use callboard_model::{Detail, Direction, Outcome};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::webhook::{
    WebhookError, call_control_call, e164, pair, parse_moscow_dashed, query_pairs, text, unix_time,
};
use crate::{LiveEvent, Stage};

/// One call-control event (types `o`, `s`, `h`; with `event_extended` also `sp`, `ep`,
/// `t`) → a [`LiveEvent`] of the incoming call the routing answer sent on. `received`
/// is the time of arrival, used only when the event names no time of its own.
pub fn parse_call_event(body: &[u8], received: DateTime<Utc>) -> Result<LiveEvent, WebhookError> {
    let root: Value =
        serde_json::from_slice(body).map_err(|e| WebhookError::malformed("JSON", e.to_string()))?;
    let obj = root
        .as_object()
        .ok_or_else(|| WebhookError::malformed("event", "expected a JSON object"))?;
    let (kind, side, cause) = match obj.get("event") {
        Some(Value::Object(e)) => (
            text(e.get("type")),
            text(e.get("side")),
            text(e.get("cause")),
        ),
        // Not in the spec, but a flat `"event": "o"` says the same.
        Some(v @ Value::String(_)) => (text(Some(v)), None, None),
        _ => (None, None, None),
    };
    let data_text = text(obj.get("data"));
    let data = data_text
        .as_deref()
        .map(ControlData::parse)
        .unwrap_or_default();
    let kind = kind
        .or(data.kind.clone())
        .ok_or(WebhookError::MissingField("event.type"))?;
    let conf_id =
        text(obj.get("h323_conf_id")).ok_or(WebhookError::MissingField("h323_conf_id"))?;
    let call = call_control_call(&conf_id);
    let redirect = text(obj.get("redirect_number"));
    // `s` and `h` carry `&cause=16` in `data` (L1933, L2003), only `h` in `event` too.
    let cause = cause.or(data.cause.clone());

    let stage = match kind.to_ascii_lowercase().as_str() {
        "o" => Stage::Ringing {
            target: redirect
                .as_deref()
                .or(data.number.as_deref())
                .map(|n| e164(n).unwrap_or_else(|| n.to_string())),
        },
        "s" | "t" => Stage::Talking,
        "h" => Stage::Ended {
            outcome: hangup_outcome(cause.as_deref()),
            talk_secs: None,
            cause: cause.clone(),
        },
        "sp" => Stage::Note {
            text: premedia_note("started", side.as_deref()),
        },
        "ep" => Stage::Note {
            text: premedia_note("ended", side.as_deref()),
        },
        _ => return Err(WebhookError::unknown_event(&kind)),
    };

    // `date_time` is reused across events (1558613711 on six of the eight examples,
    // L1881–1985), so only the `data` string tells two events of one type apart.
    let moment = data_text
        .clone()
        .or_else(|| text(obj.get("date_time")))
        .unwrap_or_default();
    let key = format!(
        "{call}|{kind}|{}|{}|{moment}",
        side.as_deref().unwrap_or(""),
        redirect.as_deref().unwrap_or("")
    );
    // `data`'s time is Moscow wall-clock (L1868) and moves with each event; `date_time`
    // (Unix) lags it by seconds or is hours off (L1932 vs L1933: 18:15:21 MSK against
    // 15:15:30), so it is only the fallback.
    let at = data
        .at
        .or_else(|| obj.get("date_time").and_then(unix_time))
        .unwrap_or(received);

    let mut details = Vec::new();
    push(&mut details, "side", side);
    push(&mut details, "cause", cause);
    push(&mut details, "redirect_number", redirect);
    push(&mut details, "client_id", text(obj.get("client_id")));
    // Undocumented, seen on the `h` example only (L2014).
    push(&mut details, "extension", text(obj.get("extension")));

    Ok(LiveEvent {
        key,
        call,
        // The history's id for the call: the poll's row and this call's are one.
        provider_call_id: Some(super::normalize_conf_id(&conf_id)),
        at,
        stage,
        caller: number(obj, "numberA"),
        callee: number(obj, "sip_id"),
        direction: Some(Direction::Incoming),
        details,
        completed: None,
    })
}

/// What `data` says: `event=<type>_<number>_<YYYY-MM-DD-HH-MM-SS>[&cause=<n>]` (L1868).
#[derive(Debug, Default)]
struct ControlData {
    kind: Option<String>,
    number: Option<String>,
    at: Option<DateTime<Utc>>,
    cause: Option<String>,
}

impl ControlData {
    fn parse(data: &str) -> Self {
        let mut out = Self::default();
        for part in data.split('&') {
            match part.split_once('=') {
                Some(("event", value)) => {
                    let (kind, rest) = value.split_once('_').unwrap_or((value, ""));
                    out.kind = Some(kind.trim().to_string()).filter(|k| !k.is_empty());
                    let (number, time) = rest.rsplit_once('_').unwrap_or((rest, ""));
                    out.number = Some(number.trim().to_string()).filter(|n| !n.is_empty());
                    out.at = parse_moscow_dashed(time);
                }
                Some(("cause", value)) if !value.trim().is_empty() => {
                    out.cause = Some(value.trim().to_string());
                }
                _ => {}
            }
        }
        out
    }
}

/// Q.850 causes that can only end a call nobody answered (busy, no response, no answer,
/// absent, rejected) are `Missed` for sure; any other is provisionally `Answered` (see
/// the module docs).
fn hangup_outcome(cause: Option<&str>) -> Outcome {
    match cause.and_then(|c| c.trim().parse::<u32>().ok()) {
        Some(17..=21) => Outcome::Missed,
        _ => Outcome::Answered,
    }
}

fn premedia_note(what: &str, side: Option<&str>) -> String {
    match side {
        Some(s) if s.eq_ignore_ascii_case("A") => format!("prompt to the caller {what}"),
        Some(s) if s.eq_ignore_ascii_case("B") => format!("prompt to the answering side {what}"),
        _ => format!("prompt {what}"),
    }
}

fn number(obj: &Map<String, Value>, key: &str) -> Option<String> {
    text(obj.get(key)).and_then(|n| e164(&n))
}

fn push(details: &mut Vec<Detail>, label: &str, value: Option<String>) {
    if let Some(value) = value {
        details.push(Detail {
            label: label.to_string(),
            value,
        });
    }
}

/// One click-to-call progress event (L1572–1592) from the query string of MTT's GET,
/// raw (a full URL is accepted too). Leg A is our operator, rung first; leg B the client.
/// The events carry no time, cause or duration: `at` is always `received`.
pub fn parse_callback_event(
    raw_query: &str,
    received: DateTime<Utc>,
) -> Result<LiveEvent, WebhookError> {
    let raw = raw_query.trim();
    let query = raw.split_once('?').map_or(raw, |(_, q)| q);
    let query = query.split_once('#').map_or(query, |(q, _)| q);
    // `phone_A=+7…` arrives with a bare `+` (L1576); query_pairs keeps it.
    let pairs = query_pairs(query);
    let id = pair(&pairs, "id").ok_or(WebhookError::MissingField("id"))?;
    let event = pair(&pairs, "event").ok_or(WebhookError::MissingField("event"))?;
    let phone_a = pair(&pairs, "phone_A");
    let caller = phone_a.and_then(e164);

    let (leg, stage) = match event {
        "start_side_A" => ("A", Stage::Ringing { target: None }),
        "pickup_side_A" => (
            "A",
            Stage::Note {
                text: match caller.as_deref().or(phone_a) {
                    Some(n) => format!("operator picked up ({n})"),
                    None => "operator picked up".to_string(),
                },
            },
        ),
        "start_side_B" => ("B", Stage::Ringing { target: None }),
        "start_talk" => ("", Stage::Talking),
        // Both legs report their end (B first in the example, L1580–1581); each is an
        // `Ended`, the first one ends the call and the second changes nothing.
        "end_side_B" | "end_side_A" => (
            if event.ends_with('A') { "A" } else { "B" },
            Stage::Ended {
                outcome: Outcome::Answered,
                talk_secs: None,
                cause: Some(event.to_string()),
            },
        ),
        other => return Err(WebhookError::unknown_event(other)),
    };

    let call = format!("mtt-callback:{id}");
    // Two pickups on one callback (a leg A queue) differ by the phone that answered.
    let key = match phone_a {
        Some(p) => format!("{call}|{event}|{p}"),
        None => format!("{call}|{event}"),
    };
    let mut details = Vec::new();
    push(
        &mut details,
        "leg",
        Some(leg.to_string()).filter(|l| !l.is_empty()),
    );
    push(&mut details, "phone_A", phone_a.map(str::to_string));
    Ok(LiveEvent {
        key,
        call,
        provider_call_id: None,
        at: received,
        stage,
        caller,
        callee: None,
        direction: Some(Direction::Outgoing),
        details,
        completed: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn received() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap()
    }

    fn utc(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2019, 5, 23, h, m, s).unwrap()
    }

    fn details(pairs: &[(&str, &str)]) -> Vec<Detail> {
        pairs
            .iter()
            .map(|(l, v)| Detail {
                label: l.to_string(),
                value: v.to_string(),
            })
            .collect()
    }

    const CALL: &str = "mtt:BC5F236C 5AD211E9 81BA5CB9 01FED6FC";

    fn control(key: &str, at: DateTime<Utc>, stage: Stage, d: &[(&str, &str)]) -> LiveEvent {
        LiveEvent {
            key: format!("{CALL}|{key}"),
            call: CALL.to_string(),
            provider_call_id: Some(CALL["mtt:".len()..].to_string()),
            at,
            stage,
            caller: Some("+79154368886".into()),
            callee: Some("+79586488002".into()),
            direction: Some(Direction::Incoming),
            details: details(d),
            completed: None,
        }
    }

    /// The eight examples of L1879–2016, verbatim, with what each must become.
    #[test]
    fn every_call_control_example_parses() {
        let cases: [(&str, LiveEvent); 8] = [
            (
                // 1. `sp`, side A (L1879–1892).
                r#"{
  "date_time": 1558613711,
  "data": "event=sp_79154368886_2019-05-23-15-15-11",
  "event": {
    "type": "sp",
    "side": "A"
  },
  "h323_conf_id": "BC5F236C 5AD211E9 81BA5CB9 01FED6FC",
  "numberA": "79154368886",
  "sip_id": "79586488002",
  "client_id": "1235"
}"#,
                control(
                    "sp|A||event=sp_79154368886_2019-05-23-15-15-11",
                    utc(12, 15, 11),
                    Stage::Note {
                        text: "prompt to the caller started".into(),
                    },
                    &[("side", "A"), ("client_id", "1235")],
                ),
            ),
            (
                // 2. `ep`, side A (L1896–1909).
                r#"{
  "date_time": 1558613711,
  "data": "event=ep_79154368886_2019-05-23-15-15-18",
  "event": {
    "type": "ep",
    "side": "A"
  },
  "h323_conf_id": "BC5F236C 5AD211E9 81BA5CB9 01FED6FC",
  "numberA": "79154368886",
  "sip_id": "79586488002",
  "client_id": "1235"
}"#,
                control(
                    "ep|A||event=ep_79154368886_2019-05-23-15-15-18",
                    utc(12, 15, 18),
                    Stage::Note {
                        text: "prompt to the caller ended".into(),
                    },
                    &[("side", "A"), ("client_id", "1235")],
                ),
            ),
            (
                // 3. `o` (L1913–1926).
                r#"{
  "date_time": 1558613711,
  "data": "event=o_79684881033_2019-05-23-15-15-19",
  "event": {
    "type": "o"
  },
  "redirect_number": "79684881033",
  "h323_conf_id": "BC5F236C 5AD211E9 81BA5CB9 01FED6FC",
  "numberA": "79154368886",
  "sip_id": "79586488002",
  "client_id": "1235"
}"#,
                control(
                    "o||79684881033|event=o_79684881033_2019-05-23-15-15-19",
                    utc(12, 15, 19),
                    Stage::Ringing {
                        target: Some("+79684881033".into()),
                    },
                    &[("redirect_number", "79684881033"), ("client_id", "1235")],
                ),
            ),
            (
                // 4. `s`: the cause rides in `data` only (L1930–1943).
                r#"{
  "date_time": 1558624521,
  "data": "event=s_79684881033_2019-05-23-15-15-30&cause=16",
  "event": {
    "type": "s"
  },
  "redirect_number": "79684881033",
  "h323_conf_id": "BC5F236C 5AD211E9 81BA5CB9 01FED6FC",
  "numberA": "79154368886",
  "sip_id": "79586488002",
  "client_id": "1235"
}"#,
                control(
                    "s||79684881033|event=s_79684881033_2019-05-23-15-15-30&cause=16",
                    utc(12, 15, 30),
                    Stage::Talking,
                    &[
                        ("cause", "16"),
                        ("redirect_number", "79684881033"),
                        ("client_id", "1235"),
                    ],
                ),
            ),
            (
                // 5. `sp`, side B (L1947–1961).
                r#"{
  "date_time": 1558613711,
  "data": "event=sp_79684881033_2019-05-23-15-15-30",
  "event": {
    "type": "sp",
    "side": "B"
  },
  "redirect_number": "79684881033",
  "h323_conf_id": "BC5F236C 5AD211E9 81BA5CB9 01FED6FC",
  "numberA": "79154368886",
  "sip_id": "79586488002",
  "client_id": "1235"
}"#,
                control(
                    "sp|B|79684881033|event=sp_79684881033_2019-05-23-15-15-30",
                    utc(12, 15, 30),
                    Stage::Note {
                        text: "prompt to the answering side started".into(),
                    },
                    &[
                        ("side", "B"),
                        ("redirect_number", "79684881033"),
                        ("client_id", "1235"),
                    ],
                ),
            ),
            (
                // 6. `ep`, side B (L1965–1979).
                r#"{
  "date_time": 1558613711,
  "data": "event=ep_79684881033_2019-05-23-15-15-39",
  "event": {
    "type": "ep",
    "side": "B"
  },
  "redirect_number": "79684881033",
  "h323_conf_id": "BC5F236C 5AD211E9 81BA5CB9 01FED6FC",
  "numberA": "79154368886",
  "sip_id": "79586488002",
  "client_id": "1235"
}"#,
                control(
                    "ep|B|79684881033|event=ep_79684881033_2019-05-23-15-15-39",
                    utc(12, 15, 39),
                    Stage::Note {
                        text: "prompt to the answering side ended".into(),
                    },
                    &[
                        ("side", "B"),
                        ("redirect_number", "79684881033"),
                        ("client_id", "1235"),
                    ],
                ),
            ),
            (
                // 7. `t` (L1983–1996).
                r#"{
  "date_time": 1558613711,
  "data": "event=t_79684881033_2019-05-23-15-15-40",
  "event": {
    "type": "t"
  },
  "redirect_number": "79684881033",
  "h323_conf_id": "BC5F236C 5AD211E9 81BA5CB9 01FED6FC",
  "numberA": "79154368886",
  "sip_id": "79586488002",
  "client_id": "1235"
}"#,
                control(
                    "t||79684881033|event=t_79684881033_2019-05-23-15-15-40",
                    utc(12, 15, 40),
                    Stage::Talking,
                    &[("redirect_number", "79684881033"), ("client_id", "1235")],
                ),
            ),
            (
                // 8. `h`: padded id, `extension` (L2000–2016).
                r#"{
  "date_time": 1558624559,
  "data": "event=h_79684881033_2019-05-23-15-16-59&cause=16",
  "event": {
    "type": "h",
    "cause": "16",
    "side": "B"
  },
  "redirect_number": "79684881033",
  "h323_conf_id": " BC5F236C 5AD211E9 81BA5CB9 01FED6FC ",
  "numberA": "79154368886",
  "sip_id": "79586488002",
  "client_id": "1235",
  "extension": "0001"
}"#,
                control(
                    "h|B|79684881033|event=h_79684881033_2019-05-23-15-16-59&cause=16",
                    utc(12, 16, 59),
                    Stage::Ended {
                        outcome: Outcome::Answered,
                        talk_secs: None,
                        cause: Some("16".into()),
                    },
                    &[
                        ("side", "B"),
                        ("cause", "16"),
                        ("redirect_number", "79684881033"),
                        ("client_id", "1235"),
                        ("extension", "0001"),
                    ],
                ),
            ),
        ];
        let mut keys = std::collections::HashSet::new();
        for (body, expected) in cases {
            let got = parse_call_event(body.as_bytes(), received()).unwrap();
            assert_eq!(got, expected, "{body}");
            // A replay gives the same event, key included.
            assert_eq!(parse_call_event(body.as_bytes(), received()).unwrap(), got);
            assert!(keys.insert(got.key), "two events share a key");
        }
    }

    #[test]
    fn without_data_the_unix_time_then_the_arrival_time_serve() {
        let with_unix = br#"{"date_time": 1558613711, "event": {"type": "o"},
            "redirect_number": "79684881033", "h323_conf_id": "A B"}"#;
        let e = parse_call_event(with_unix, received()).unwrap();
        assert_eq!(e.at, utc(12, 15, 11));
        assert_eq!(e.key, "mtt:A B|o||79684881033|1558613711");
        let bare = br#"{"event": {"type": "s"}, "h323_conf_id": "A B"}"#;
        let e = parse_call_event(bare, received()).unwrap();
        assert_eq!(e.at, received());
        assert_eq!((e.caller, e.callee), (None, None));
    }

    #[test]
    fn the_type_can_come_from_data_alone() {
        let e = parse_call_event(
            br#"{"data": "event=h_79684881033_2019-05-23-15-16-59&cause=19", "h323_conf_id": "A"}"#,
            received(),
        )
        .unwrap();
        assert_eq!(
            e.stage,
            Stage::Ended {
                outcome: Outcome::Missed,
                talk_secs: None,
                cause: Some("19".into())
            }
        );
    }

    #[test]
    fn a_busy_or_unanswered_hangup_is_missed_for_sure() {
        for (cause, outcome) in [
            ("16", Outcome::Answered),
            ("17", Outcome::Missed),
            ("19", Outcome::Missed),
            ("21", Outcome::Missed),
            ("31", Outcome::Answered),
        ] {
            assert_eq!(hangup_outcome(Some(cause)), outcome, "{cause}");
        }
        assert_eq!(hangup_outcome(None), Outcome::Answered);
    }

    #[test]
    fn bad_call_events_say_why() {
        let cases: [(&[u8], &str); 5] = [
            (
                b"{",
                "malformed JSON: EOF while parsing an object at line 1 column 1",
            ),
            (b"[]", "malformed event: expected a JSON object"),
            (br#"{"h323_conf_id": "A"}"#, "missing field event.type"),
            (br#"{"event": {"type": "o"}}"#, "missing field h323_conf_id"),
            (
                br#"{"event": {"type": "x"}, "h323_conf_id": "A"}"#,
                r#"unknown event type "x""#,
            ),
        ];
        for (body, reason) in cases {
            assert_eq!(
                parse_call_event(body, received()).unwrap_err().to_string(),
                reason
            );
        }
    }

    /// L1575–1582, the log lines as printed (the second broken by prose over two lines).
    const CALLBACK_LOG: &str = "\
2015/08/13 11:45:26 http://xxx.xxx.xxx.xxx/listener/event.php?event=start_side_A&id=e031c89159fba8b80025cd6fb534a77
2015/08/13 11:45:28 http://xxx.xxx.xxx.xxx/listener/event.php?event=pickup_side_A&id=e031c89159fba8b80025cd6fb534a77&phone_A=+номер телефона,
поднявший трубку ( плечо А)
2015/08/13 11:45:28 http://xxx.xxx.xxx.xxx/listener/event.php?event=start_side_B&id=e031c89159fba8b80025cd6fb534a77
2015/08/13 11:45:32 http://xxx.xxx.xxx.xxx/listener/event.php?event=start_talk&id=e031c89159fba8b80025cd6fb534a77
2015/08/13 11:45:36 http://xxx.xxx.xxx.xxx/listener/event.php?event=end_side_B&id=e031c89159fba8b80025cd6fb534a77
2015/08/13 11:45:36 http://xxx.xxx.xxx.xxx/listener/event.php?event=end_side_A&id=e031c89159fba8b80025cd6fb534a77";

    const CB_CALL: &str = "mtt-callback:e031c89159fba8b80025cd6fb534a77";

    fn callback(event: &str, stage: Stage, caller: Option<&str>, d: &[(&str, &str)]) -> LiveEvent {
        LiveEvent {
            key: format!("{CB_CALL}|{event}"),
            call: CB_CALL.to_string(),
            provider_call_id: None,
            at: received(),
            stage,
            caller: caller.map(str::to_string),
            callee: None,
            direction: Some(Direction::Outgoing),
            details: details(d),
            completed: None,
        }
    }

    #[test]
    fn every_callback_log_line_parses() {
        // The URL part of each log line (the third word); the prose line has none.
        let queries: Vec<&str> = CALLBACK_LOG
            .lines()
            .filter_map(|l| l.split_whitespace().nth(2))
            .filter(|u| u.starts_with("http"))
            .map(|u| u.split_once('?').unwrap().1)
            .collect();
        let ended = |side: &str| Stage::Ended {
            outcome: Outcome::Answered,
            talk_secs: None,
            cause: Some(format!("end_side_{side}")),
        };
        let mut pickup = callback(
            "pickup_side_A",
            Stage::Note {
                text: "operator picked up (+номер)".into(),
            },
            None,
            &[("leg", "A"), ("phone_A", "+номер")],
        );
        pickup.key.push_str("|+номер");
        let expected = [
            callback(
                "start_side_A",
                Stage::Ringing { target: None },
                None,
                &[("leg", "A")],
            ),
            pickup,
            callback(
                "start_side_B",
                Stage::Ringing { target: None },
                None,
                &[("leg", "B")],
            ),
            callback("start_talk", Stage::Talking, None, &[]),
            callback("end_side_B", ended("B"), None, &[("leg", "B")]),
            callback("end_side_A", ended("A"), None, &[("leg", "A")]),
        ];
        assert_eq!(queries.len(), expected.len());
        for (query, expected) in queries.into_iter().zip(expected) {
            assert_eq!(parse_callback_event(query, received()).unwrap(), expected);
        }
    }

    #[test]
    fn a_raw_or_escaped_plus_survives_in_phone_a() {
        let expected = callback(
            "pickup_side_A",
            Stage::Note {
                text: "operator picked up (+79161234567)".into(),
            },
            Some("+79161234567"),
            &[("leg", "A"), ("phone_A", "+79161234567")],
        );
        let mut expected = expected;
        expected.key.push_str("|+79161234567");
        for query in [
            "event=pickup_side_A&id=e031c89159fba8b80025cd6fb534a77&phone_A=+79161234567",
            "event=pickup_side_A&id=e031c89159fba8b80025cd6fb534a77&phone_A=%2B79161234567",
            "?event=pickup_side_A&id=e031c89159fba8b80025cd6fb534a77&phone_A=+79161234567",
            "http://h/listener/event.php?event=pickup_side_A&id=e031c89159fba8b80025cd6fb534a77&phone_A=+79161234567",
        ] {
            assert_eq!(
                parse_callback_event(query, received()).unwrap(),
                expected,
                "{query}"
            );
        }
    }

    #[test]
    fn bad_callback_queries_say_why() {
        for (query, reason) in [
            ("event=start_talk", "missing field id"),
            ("id=abc", "missing field event"),
            ("id=abc&event=", "missing field event"),
            ("id=abc&event=teleport", r#"unknown event type "teleport""#),
        ] {
            assert_eq!(
                parse_callback_event(query, received())
                    .unwrap_err()
                    .to_string(),
                reason
            );
        }
    }
}
