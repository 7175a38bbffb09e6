//! Events of the calls MTT places for us through sb-api: TTS voice notifications
//! (L2297–2347) and IVR calls with DTMF choices (L2483–2726). Both come from one
//! service and share one `CallID` space, so both parsers read either wire form and give
//! the same call ids (`mtt-sb:<CallID>`).
//!
//! The two forms: IVR events are JSON objects, "POST запросом в формате JSON" (L2485);
//! voice-notification examples are no JSON at all, but a query string in braces,
//! `{"date_time=…&id=…&CallID=…&event=o_…"},` (L2323), once wrapped as
//! `{"data":{"…"}}` (L2341). The spec names neither form's Content-Type.

use callboard_model::{Detail, Direction};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::normalize::dialed_outcome;
use super::webhook::{WebhookError, e164, pair, parse_moscow_dashed, query_pairs, text, unix_time};
use crate::{LiveEvent, Stage};

/// One voice-notification event: `o_<b_number>` (dialling), `h_<b_number>_<cause>_<duration>`
/// (over; duration = time spent listening). Reads the IVR form too.
pub fn parse_voice_event(body: &[u8], received: DateTime<Utc>) -> Result<LiveEvent, WebhookError> {
    sb_event(body, received)
}

/// One IVR event: the voice events plus `n_<b_number>` (a `notify` choice, `dtmf` the
/// key or the string `"null"`) and a transfer leg's `o`/`h` to the operator's number
/// (`type: transfer`). Reads the voice-notification form too.
pub fn parse_ivr_event(body: &[u8], received: DateTime<Utc>) -> Result<LiveEvent, WebhookError> {
    sb_event(body, received)
}

/// The fields of one event, whichever form it came in.
#[derive(Debug, Default)]
struct SbFields {
    date_time: Option<Value>,
    mess_id: Option<String>,
    call_id: Option<String>,
    event: Option<String>,
    dtmf: Option<String>,
    kind: Option<String>,
}

fn sb_event(body: &[u8], received: DateTime<Utc>) -> Result<LiveEvent, WebhookError> {
    let fields = extract(body)?;
    let event = fields.event.ok_or(WebhookError::MissingField("event"))?;
    let call_id = fields.call_id.ok_or(WebhookError::MissingField("CallID"))?;
    let (letter, rest) = event.split_once('_').unwrap_or((event.as_str(), ""));
    let transfer = fields
        .kind
        .as_deref()
        .is_some_and(|k| k.eq_ignore_ascii_case("transfer"));
    // "no choice" is the string "null" (L2674, L2687).
    let dtmf = fields.dtmf.filter(|d| !d.eq_ignore_ascii_case("null"));

    let (number, stage) = match letter.to_ascii_lowercase().as_str() {
        "o" => (
            rest,
            Stage::Ringing {
                target: Some(as_number(rest)),
            },
        ),
        "h" => {
            // `h_<number>_<cause>_<duration>` (L2303): split from the right, so a number
            // with an underscore (the templates' `b_number`, L2520) stays whole.
            let mut parts = rest.rsplitn(3, '_');
            let (duration, cause, number) = match (parts.next(), parts.next(), parts.next()) {
                (Some(d), Some(c), Some(n)) => (Some(d), Some(c), n),
                _ => (None, None, rest),
            };
            let talk_secs = duration.and_then(|d| d.trim().parse::<u32>().ok());
            let cause = cause
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty());
            let code = cause.as_deref().and_then(|c| c.parse().ok());
            let stage = Stage::Ended {
                // These calls are ours, outgoing: with a duration the event itself says
                // whether the callee listened (`_16_4`), was busy (`_17_0`) or was
                // unreachable (`_20_0`, L2323–2346).
                outcome: dialed_outcome(talk_secs.unwrap_or(0), code),
                talk_secs,
                cause,
            };
            (number, stage)
        }
        "n" => {
            let text = match &dtmf {
                Some(d) => format!("pressed {d}"),
                None => "no key pressed".to_string(),
            };
            (rest, Stage::Note { text })
        }
        _ => return Err(WebhookError::unknown_event(letter)),
    };
    let number = number.trim();

    let call = format!("mtt-sb:{call_id}");
    let moment = fields.date_time.as_ref().and_then(|v| text(Some(v)));
    let key = format!(
        "{call}|{event}|{}|{}|{}",
        fields.kind.as_deref().unwrap_or(""),
        dtmf.as_deref().unwrap_or(""),
        moment.as_deref().unwrap_or("")
    );
    // The zone of `date_time` is not given (SPEC-NOTES §1.7); it has the form of the
    // call-control `data` time, which is Moscow (L1868), so Moscow it is.
    let at = moment
        .as_deref()
        .and_then(parse_moscow_dashed)
        .or_else(|| fields.date_time.as_ref().and_then(unix_time))
        .unwrap_or(received);

    let mut details = Vec::new();
    let mut push = |label: &str, value: Option<String>| {
        if let Some(value) = value {
            details.push(Detail {
                label: label.to_string(),
                value,
            });
        }
    };
    push("messId", fields.mess_id);
    push("type", fields.kind.clone());
    push("dtmf", dtmf);
    push("number", Some(number.to_string()).filter(|n| !n.is_empty()));

    Ok(LiveEvent {
        key,
        call,
        provider_call_id: None,
        at,
        stage,
        caller: None,
        // A transfer leg names the operator's number, not the callee (L2581–2607).
        callee: if transfer { None } else { e164(number) },
        direction: Some(Direction::Outgoing),
        details,
        completed: None,
    })
}

/// E.164 when it reads as a phone number, else as sent: the examples' `7910000000` has
/// ten digits where "строго 11 цифр" are promised (SPEC-NOTES §1.7).
fn as_number(raw: &str) -> String {
    e164(raw).unwrap_or_else(|| raw.trim().to_string())
}

/// The event's fields from a JSON object, or from the query string the voice examples
/// wrap in braces, quotes and trailing commas.
fn extract(body: &[u8]) -> Result<SbFields, WebhookError> {
    let text_body = String::from_utf8_lossy(body);
    let trimmed = text_body.trim().trim_end_matches(',').trim_end();
    if let Ok(Value::Object(obj)) = serde_json::from_str::<Value>(trimmed) {
        // `{"data": {…}}` (L2341) as real JSON would be.
        let obj = match obj.get("data") {
            Some(Value::Object(inner)) if !obj.contains_key("event") => inner,
            _ => &obj,
        };
        if obj.contains_key("event") || obj.contains_key("CallID") {
            return Ok(from_json(obj));
        }
    }
    let query = find_query(&text_body).ok_or_else(|| {
        WebhookError::malformed(
            "notification",
            "neither a JSON event nor date_time=…&CallID=…&event=… text",
        )
    })?;
    let pairs = query_pairs(query);
    let get = |k: &str| pair(&pairs, k).map(str::to_string);
    Ok(SbFields {
        date_time: get("date_time").map(Value::String),
        mess_id: get("id"),
        call_id: get("CallID"),
        event: get("event"),
        dtmf: get("dtmf"),
        kind: get("type"),
    })
}

fn from_json(obj: &Map<String, Value>) -> SbFields {
    SbFields {
        date_time: obj.get("date_time").cloned(),
        mess_id: text(obj.get("id")),
        call_id: text(obj.get("CallID")),
        event: text(obj.get("event")),
        dtmf: text(obj.get("dtmf")),
        kind: text(obj.get("type")),
    }
}

/// The `key=value&…` run inside the body: from its first known key to the next quote,
/// brace or blank.
fn find_query(body: &str) -> Option<&str> {
    let start = ["date_time=", "CallID=", "event=", "id="]
        .iter()
        .filter_map(|key| {
            body.match_indices(key)
                .map(|(i, _)| i)
                // A key starts the text or follows a delimiter (so `CallID=` is no `id=`).
                .find(|&i| {
                    i == 0
                        || matches!(
                            body.as_bytes()[i - 1],
                            b'"' | b'{' | b'&' | b' ' | b'\n' | b'\t' | b'\r'
                        )
                })
        })
        .min()?;
    let rest = &body[start..];
    let end = rest
        .find(|c: char| c == '"' || c == '}' || c.is_whitespace())
        .unwrap_or(rest.len());
    Some(&rest[..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use callboard_model::Outcome;
    use chrono::TimeZone;

    fn received() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap()
    }

    /// Moscow wall-clock on 2019-03-29 → UTC.
    fn msk(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2019, 3, 29, h - 3, m, s).unwrap()
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

    fn ended(outcome: Outcome, cause: &str, secs: u32) -> Stage {
        Stage::Ended {
            outcome,
            talk_secs: Some(secs),
            cause: Some(cause.to_string()),
        }
    }

    /// The six lines of L2323–2346, as printed (trailing commas and the `data` wrapper
    /// kept): (line, CallID, event, date_time, at, stage).
    #[test]
    fn every_voice_notification_example_parses() {
        let cases = [
            (
                r#"{"date_time=2019-03-29-11-37-13&id=1255490&CallID=00035c7d92bb0971&event=o_7910000000"},"#,
                "00035c7d92bb0971",
                "o_7910000000",
                "2019-03-29-11-37-13",
                msk(11, 37, 13),
                Stage::Ringing {
                    target: Some("7910000000".into()),
                },
            ),
            (
                r#"{"date_time=2019-03-29-11-37-27&id=1255490&CallID=00035c7d92bb0971&event=h_7910000000_16_4"}"#,
                "00035c7d92bb0971",
                "h_7910000000_16_4",
                "2019-03-29-11-37-27",
                msk(11, 37, 27),
                ended(Outcome::Answered, "16", 4),
            ),
            (
                r#"{"date_time=2019-03-29-09-33-46&id=1255490&CallID=00035c7d92bb0935&event=o_7910000000"},"#,
                "00035c7d92bb0935",
                "o_7910000000",
                "2019-03-29-09-33-46",
                msk(9, 33, 46),
                Stage::Ringing {
                    target: Some("7910000000".into()),
                },
            ),
            (
                r#"{"date_time=2019-03-29-09-33-53&id=1255490&CallID=00035c7d92bb0935&event=h_7910000000_17_0"}"#,
                "00035c7d92bb0935",
                "h_7910000000_17_0",
                "2019-03-29-09-33-53",
                msk(9, 33, 53),
                ended(Outcome::Busy, "17", 0),
            ),
            (
                r#"{"data":{"date_time=2019-03-29-09-41-18&id=1255490&CallID=00035c7d92bb093b&event=o_7910000000"}},"#,
                "00035c7d92bb093b",
                "o_7910000000",
                "2019-03-29-09-41-18",
                msk(9, 41, 18),
                Stage::Ringing {
                    target: Some("7910000000".into()),
                },
            ),
            (
                r#"{"date_time=2019-03-29-09-41-38&id=1255490&CallID=00035c7d92bb093b&event=h_7910000000_20_0"}"#,
                "00035c7d92bb093b",
                "h_7910000000_20_0",
                "2019-03-29-09-41-38",
                msk(9, 41, 38),
                ended(Outcome::Failed, "20", 0),
            ),
        ];
        for (body, call_id, event, date_time, at, stage) in cases {
            let expected = LiveEvent {
                key: format!("mtt-sb:{call_id}|{event}|||{date_time}"),
                call: format!("mtt-sb:{call_id}"),
                provider_call_id: None,
                at,
                stage,
                caller: None,
                // Ten digits where eleven are promised: no E.164 to be had.
                callee: None,
                direction: Some(Direction::Outgoing),
                details: details(&[("messId", "1255490"), ("number", "7910000000")]),
                completed: None,
            };
            assert_eq!(
                parse_voice_event(body.as_bytes(), received()).unwrap(),
                expected
            );
            // The IVR entry point reads the same.
            assert_eq!(
                parse_ivr_event(body.as_bytes(), received()).unwrap(),
                expected
            );
        }
    }

    #[test]
    fn a_plain_form_body_and_a_json_body_read_too() {
        let form = b"date_time=2019-03-29-11-37-27&id=1255490&CallID=00035c7d92bb0971&event=h_79103880489_16_4";
        let json = br#"{"date_time": "2019-03-29-11-37-27", "id": "1255490", "CallID": "00035c7d92bb0971", "event": "h_79103880489_16_4"}"#;
        let wrapped = br#"{"data": {"date_time": "2019-03-29-11-37-27", "id": 1255490, "CallID": "00035c7d92bb0971", "event": "h_79103880489_16_4"}}"#;
        let a = parse_voice_event(form, received()).unwrap();
        assert_eq!(parse_voice_event(json, received()).unwrap(), a);
        assert_eq!(parse_voice_event(wrapped, received()).unwrap(), a);
        assert_eq!(a.callee.as_deref(), Some("+79103880489"));
        assert_eq!(a.stage, ended(Outcome::Answered, "16", 4));
    }

    #[test]
    fn bad_notifications_say_why() {
        for (body, reason) in [
            (
                &b"hello"[..],
                "malformed notification: neither a JSON event nor date_time=…&CallID=…&event=… text",
            ),
            (br#"{"CallID": "1"}"#, "missing field event"),
            (br#"{"event": "o_79103880489"}"#, "missing field CallID"),
            (
                br#"{"CallID": "1", "event": "x_79103880489"}"#,
                r#"unknown event type "x""#,
            ),
        ] {
            assert_eq!(
                parse_voice_event(body, received()).unwrap_err().to_string(),
                reason
            );
        }
    }

    /// Splits a fence holding several objects with nothing between them (L2530–2577,
    /// L2697–2726) into one body per object.
    fn objects(fence: &str) -> Vec<Vec<u8>> {
        serde_json::Deserializer::from_str(fence)
            .into_iter::<Value>()
            .map(|v| serde_json::to_vec(&v.unwrap()).unwrap())
            .collect()
    }

    const IVR_CALL: &str = "mtt-sb:00035c7d92bb0971";

    fn ivr(
        event: &str,
        kind: &str,
        dtmf: &str,
        date_time: &str,
        stage: Stage,
        callee: Option<&str>,
        d: &[(&str, &str)],
    ) -> LiveEvent {
        let (h, m, s) = (
            date_time[11..13].parse().unwrap(),
            date_time[14..16].parse().unwrap(),
            date_time[17..19].parse().unwrap(),
        );
        LiveEvent {
            key: format!("{IVR_CALL}|{event}|{kind}|{dtmf}|{date_time}"),
            call: IVR_CALL.to_string(),
            provider_call_id: None,
            at: msk(h, m, s),
            stage,
            caller: None,
            callee: callee.map(str::to_string),
            direction: Some(Direction::Outgoing),
            details: details(d),
            completed: None,
        }
    }

    fn b_leg(event: &str, date_time: &str, stage: Stage) -> LiveEvent {
        ivr(
            event,
            "",
            "",
            date_time,
            stage,
            Some("+79103880489"),
            &[("messId", "1255490"), ("number", "79103880489")],
        )
    }

    fn ringing(n: &str) -> Stage {
        Stage::Ringing {
            target: Some(n.to_string()),
        }
    }

    fn transfer(event: &str, dtmf: &str, date_time: &str, stage: Stage, number: &str) -> LiveEvent {
        ivr(
            event,
            "transfer",
            dtmf,
            date_time,
            stage,
            None,
            &[
                ("messId", "1255490"),
                ("type", "transfer"),
                ("dtmf", dtmf),
                ("number", number),
            ],
        )
    }

    #[test]
    fn every_ivr_example_parses() {
        let fences: [(&str, Vec<LiveEvent>); 6] = [
            (
                // Answered and listened (L2530–2543).
                r#"{
  "date_time": "2019-03-29-11-37-13",
  "id": "1255490",
  "CallID": "00035c7d92bb0971",
  "event": "o_79103880489"
}
{
  "date_time": "2019-03-29-11-37-20",
  "id": "1255490",
  "CallID": "00035c7d92bb0971",
  "event": "h_79103880489_16_4"
}"#,
                vec![
                    b_leg(
                        "o_79103880489",
                        "2019-03-29-11-37-13",
                        ringing("+79103880489"),
                    ),
                    b_leg(
                        "h_79103880489_16_4",
                        "2019-03-29-11-37-20",
                        ended(Outcome::Answered, "16", 4),
                    ),
                ],
            ),
            (
                // Busy (L2547–2560).
                r#"{
  "date_time": "2019-03-29-11-37-13",
  "id": "1255490",
  "CallID": "00035c7d92bb0971",
  "event": "o_79103880489"
}
{
  "date_time": "2019-03-29-11-37-15",
  "id": "1255490",
  "CallID": "00035c7d92bb0971",
  "event": "h_79103880489_17_0"
}"#,
                vec![
                    b_leg(
                        "o_79103880489",
                        "2019-03-29-11-37-13",
                        ringing("+79103880489"),
                    ),
                    b_leg(
                        "h_79103880489_17_0",
                        "2019-03-29-11-37-15",
                        ended(Outcome::Busy, "17", 0),
                    ),
                ],
            ),
            (
                // Unreachable (L2564–2577).
                r#"{
  "date_time": "2019-03-29-11-37-13",
  "id": "1255490",
  "CallID": "00035c7d92bb0971",
  "event": "o_79103880489"
}
{
  "date_time": "2019-03-29-11-37-20",
  "id": "1255490",
  "CallID": "00035c7d92bb0971",
  "event": "h_79103880489_20_0"
}"#,
                vec![
                    b_leg(
                        "o_79103880489",
                        "2019-03-29-11-37-13",
                        ringing("+79103880489"),
                    ),
                    b_leg(
                        "h_79103880489_20_0",
                        "2019-03-29-11-37-20",
                        ended(Outcome::Failed, "20", 0),
                    ),
                ],
            ),
            (
                // Transfer after dtmf 2, two fences (L2615–2637): both events share one second.
                r#"{
  "date_time": "2019-03-29-11-38-00",
  "id": "1255490",
  "CallID": "00035c7d92bb0971",
  "dtmf": "2",
  "type": "transfer",
  "event": "o_78001000101"
}
{
  "date_time": "2019-03-29-11-38-00",
  "id": "1255490",
  "CallID": "00035c7d92bb0971",
  "dtmf": "2",
  "type": "transfer",
  "event": "h_78001000101_16_30"
}"#,
                vec![
                    transfer(
                        "o_78001000101",
                        "2",
                        "2019-03-29-11-38-00",
                        ringing("+78001000101"),
                        "78001000101",
                    ),
                    transfer(
                        "h_78001000101_16_30",
                        "2",
                        "2019-03-29-11-38-00",
                        ended(Outcome::Answered, "16", 30),
                        "78001000101",
                    ),
                ],
            ),
            (
                // A notify choice, then none: `dtmf` is the string "null" (L2654–2663,
                // L2682–2691; the heading says type:callback, L2639).
                r#"{
  "date_time": "2019-03-29-11-37-13",
  "id": "1255490",
  "CallID": "00035c7d92bb0971",
  "dtmf": "1",
  "type": "notify",
  "event": "n_79103880489"
}
{
  "date_time": "2019-03-29-11-37-13",
  "id": "1255490",
  "CallID": "00035c7d92bb0971",
  "dtmf": "null",
  "type": "notify",
  "event": "n_79103880489"
}"#,
                vec![
                    ivr(
                        "n_79103880489",
                        "notify",
                        "1",
                        "2019-03-29-11-37-13",
                        Stage::Note {
                            text: "pressed 1".into(),
                        },
                        Some("+79103880489"),
                        &[
                            ("messId", "1255490"),
                            ("type", "notify"),
                            ("dtmf", "1"),
                            ("number", "79103880489"),
                        ],
                    ),
                    ivr(
                        "n_79103880489",
                        "notify",
                        "",
                        "2019-03-29-11-37-13",
                        Stage::Note {
                            text: "no key pressed".into(),
                        },
                        Some("+79103880489"),
                        &[
                            ("messId", "1255490"),
                            ("type", "notify"),
                            ("number", "79103880489"),
                        ],
                    ),
                ],
            ),
            (
                // The whole case (L2697–2726): the final `h` is dated before the
                // transfer it follows; each event keeps its own time.
                r#"{
  "date_time": "2019-03-29-11-37-13",
  "id": "1255490",
  "CallID": "00035c7d92bb0971",
  "event": "o_79103880489"
}
{
  "date_time": "2019-03-29-11-37-55",
  "id": "1255490",
  "CallID": "00035c7d92bb0971",
  "dtmf": "3",
  "type": "transfer",
  "event": "o_74997090111"
}
{
  "date_time": "2019-03-29-11-38-45",
  "id": "1255490",
  "CallID": "00035c7d92bb0971",
  "dtmf": "3",
  "type": "transfer",
  "event": "h_74997090111_16_30"
}
{
  "date_time": "2019-03-29-11-37-20",
  "id": "1255490",
  "CallID": "00035c7d92bb0971",
  "event": "h_79103880489_16_50"
}"#,
                vec![
                    b_leg(
                        "o_79103880489",
                        "2019-03-29-11-37-13",
                        ringing("+79103880489"),
                    ),
                    transfer(
                        "o_74997090111",
                        "3",
                        "2019-03-29-11-37-55",
                        ringing("+74997090111"),
                        "74997090111",
                    ),
                    transfer(
                        "h_74997090111_16_30",
                        "3",
                        "2019-03-29-11-38-45",
                        ended(Outcome::Answered, "16", 30),
                        "74997090111",
                    ),
                    b_leg(
                        "h_79103880489_16_50",
                        "2019-03-29-11-37-20",
                        ended(Outcome::Answered, "16", 50),
                    ),
                ],
            ),
        ];
        for (fence, expected) in fences {
            let bodies = objects(fence);
            assert_eq!(bodies.len(), expected.len());
            let mut keys = std::collections::HashSet::new();
            for (body, expected) in bodies.iter().zip(expected) {
                let got = parse_ivr_event(body, received()).unwrap();
                assert_eq!(got, expected);
                assert!(keys.insert(got.key), "two events in one fence share a key");
            }
        }
    }

    /// The templates (L2502–2522, L2585–2607, L2641–2650, L2669–2678) hold placeholder
    /// strings; they still read as their kind of event, at the arrival time.
    #[test]
    fn the_ivr_templates_read_as_their_kind() {
        let templates = r#"
{"date_time": "date_time", "id": "messId", "CallID": "CallID", "event": "o_b_number"}
{"date_time": "date_time", "id": "messId", "CallID": "CallID", "event": "h_b_number_cause_duration*"}
{"date_time": "date_time", "id": "messId", "CallID": "CallID", "dtmf": "dtmf_id", "type": "transfer", "event": "o_redirect_number"}
{"date_time": "date_time", "id": "messId", "CallID": "CallID", "dtmf": "dtmf_id", "type": "transfer", "event": "h_redirect_number_cause_duration*"}
{"date_time": "date_time", "id": "messId", "CallID": "CallID", "dtmf": "dtmf_id", "type": "notify", "event": "n_b_number"}
{"date_time": "date_time", "id": "messId", "CallID": "CallID", "dtmf": "null", "type": "notify", "event": "n_b_number"}"#;
        let got: Vec<LiveEvent> = objects(templates)
            .iter()
            .map(|b| parse_ivr_event(b, received()).unwrap())
            .collect();
        assert_eq!(got.len(), 6);
        assert!(
            got.iter()
                .all(|e| e.at == received() && e.call == "mtt-sb:CallID")
        );
        assert_eq!(got[0].stage, ringing("b_number"));
        assert_eq!(
            got[1].stage,
            Stage::Ended {
                outcome: Outcome::Missed,
                talk_secs: None,
                cause: Some("cause".into())
            }
        );
        assert_eq!(got[2].stage, ringing("redirect_number"));
        assert!(matches!(got[3].stage, Stage::Ended { .. }));
        assert_eq!(got[3].details[3].value, "redirect_number");
        assert_eq!(
            got[4].stage,
            Stage::Note {
                text: "pressed dtmf_id".into()
            }
        );
        assert_eq!(
            got[5].stage,
            Stage::Note {
                text: "no key pressed".into()
            }
        );
    }
}
