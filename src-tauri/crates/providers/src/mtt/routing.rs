//! `getControlCallFollowMe` (spec L1594–1767): on each incoming call MTT asks, while the
//! caller waits, where to send it; the answer lists the numbers to ring, or rejects.
//! Reading the request and writing the answer only: the rules live elsewhere.

use callboard_model::normalize_phone;
use serde::Serialize;
use serde_json::{Map, Value};

use super::normalize_conf_id;
use super::webhook::{WebhookError, call_control_call, text};

/// The JSON-RPC method MTT calls.
pub const ROUTING_METHOD: &str = "getControlCallFollowMe";

/// One routing question (L1608–1620).
#[derive(Debug, Clone, PartialEq)]
pub struct RoutingRequest {
    /// The request's `id` exactly as sent (string or number), for the answer to echo.
    pub id: Value,
    /// The account's number, trimmed: the example sends `" 79586488002"` (L1615).
    pub sip_id: String,
    /// `sip_id` in E.164.
    pub callee: String,
    /// `numberA` as sent: "+7/8/7 + 10 цифр" (L1628), or whatever the network passed on.
    pub number_a: String,
    /// `numberA` in E.164 (trimmed as sent when it is no phone number).
    pub caller: String,
    /// `h323_conf_id`, canonical (single spaces, no padding).
    pub h323_conf_id: String,
}

impl RoutingRequest {
    /// The call id its call-control events will carry ([`super::parse_call_event`]), so
    /// the routing decision and the live call meet.
    pub fn call(&self) -> String {
        call_control_call(&self.h323_conf_id)
    }
}

/// Reads MTT's routing request. Any error means MTT's own fallback applies (the reserve
/// "offline" forwarding, L2090), so the listener answers it with a 4xx and the reason.
pub fn parse_routing_request(body: &[u8]) -> Result<RoutingRequest, WebhookError> {
    let root: Value =
        serde_json::from_slice(body).map_err(|e| WebhookError::malformed("JSON", e.to_string()))?;
    let root = root
        .as_object()
        .ok_or_else(|| WebhookError::malformed("JSON-RPC", "expected an object"))?;
    let method = root
        .get("method")
        .ok_or(WebhookError::MissingField("method"))?;
    match method.as_str() {
        Some(ROUTING_METHOD) => {}
        Some(other) => return Err(WebhookError::wrong_method(other)),
        None => return Err(WebhookError::invalid("method", "not a string")),
    }
    let id = match root.get("id") {
        None | Some(Value::Null) => return Err(WebhookError::MissingField("id")),
        Some(v @ (Value::String(_) | Value::Number(_))) => v.clone(),
        Some(_) => return Err(WebhookError::invalid("id", "not a string or number")),
    };
    let params = root
        .get("params")
        .ok_or(WebhookError::MissingField("params"))?
        .as_object()
        .ok_or_else(|| WebhookError::invalid("params", "not an object"))?;
    let field = |name: &'static str| text(params.get(name)).ok_or(WebhookError::MissingField(name));
    let sip_id = field("sip_id")?;
    let number_a = raw_text(params, "numberA").ok_or(WebhookError::MissingField("numberA"))?;
    let h323_conf_id = normalize_conf_id(&field("h323_conf_id")?);
    Ok(RoutingRequest {
        id,
        callee: normalize_phone(&sip_id),
        caller: normalize_phone(&number_a),
        sip_id,
        number_a,
        h323_conf_id,
    })
}

/// A field as sent (not trimmed), present only when it holds more than blanks.
fn raw_text(obj: &Map<String, Value>, name: &str) -> Option<String> {
    match obj.get(name)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// How MTT rings several targets (`redirect_type`, L1668).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RedirectType {
    #[default]
    Single = 1,
    Sequential = 2,
    /// MTT advises a ring timeout of 55–60 s at least, plus the prompts' length (L1691–1697).
    Parallel = 3,
}

/// One number to ring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowTarget {
    /// Any form `normalize_phone` reads; written as MTT's 11 digits without `+`.
    pub number: String,
    /// MTT's symbolic name for the target; blank writes the number (as the spec's
    /// example does, L1648).
    pub name: String,
    /// Ring time before MTT gives up on this target (`TIMEOUT`).
    pub timeout_secs: u32,
}

/// The answer to one routing request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RoutingAnswer {
    pub redirect_type: RedirectType,
    /// Rung in this order (`I_FOLLOW_ORDER` counts from 1).
    pub targets: Vec<FollowTarget>,
    /// Reject the call: MTT hangs up, after `file_to_a` when given (L1710–1767). With
    /// targets, they are written with `ACTIVE: N` (the spec's second form, L1729).
    pub reject: bool,
    /// Where MTT sends this call's events (`event_URL`).
    pub event_url: Option<String>,
    /// Ask for the extended events (`sp`, `ep`, `t`).
    pub event_extended: bool,
    /// Our own id for the call, echoed in every event.
    pub client_id: Option<String>,
    /// Premedia `file_id`s (from `getCustomerPrompts`, not prompt names) to play to the
    /// caller / to the answering side.
    pub file_to_a: Option<String>,
    pub file_to_b: Option<String>,
    /// `Y` hides the caller's number from the target; MTT shows it when absent.
    pub masking: Option<bool>,
    /// `Y` plays the prompts after answering the caller; MTT plays them pre-answer when absent.
    pub answer: Option<bool>,
}

impl RoutingAnswer {
    /// Ring `targets` as `redirect_type` says.
    pub fn forward(redirect_type: RedirectType, targets: Vec<FollowTarget>) -> Self {
        Self {
            redirect_type,
            targets,
            ..Self::default()
        }
    }

    /// Refuse the call.
    pub fn reject() -> Self {
        Self {
            reject: true,
            ..Self::default()
        }
    }
}

/// The answer's JSON-RPC body, in the spec's exact form (L1633–1658): upper-case target
/// keys, every target value a string, `followme_struct` as `[count, [targets]]`, flags
/// as `Y`/`N`, optional keys left out when unset. An answer with no target can only
/// reject, so it is written as the spec's bare rejection (L1714–1725).
pub fn render_routing_answer(id: &Value, answer: &RoutingAnswer) -> Vec<u8> {
    let targets: Vec<TargetWire> = if answer.targets.is_empty() {
        vec![TargetWire {
            active: "N",
            ..TargetWire::default()
        }]
    } else {
        answer
            .targets
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let number = mtt_number(&t.number);
                let name = if t.name.trim().is_empty() {
                    number.clone()
                } else {
                    t.name.clone()
                };
                TargetWire {
                    // A string, though one reject example prints the number 1 (L1736):
                    // the table types it string (L1682).
                    i_follow_order: Some((i + 1).to_string()),
                    active: if answer.reject { "N" } else { "Y" },
                    name: Some(name),
                    redirect_number: Some(number),
                    period: Some("always"),
                    period_description: Some("always"),
                    timeout: Some(t.timeout_secs.to_string()),
                }
            })
            .collect()
    };
    let body = Envelope {
        jsonrpc: "2.0",
        id,
        result: ResultWire {
            redirect_type: answer.redirect_type as u8,
            // The count comes first and equals the list's length, as getFollowme prints it.
            followme_struct: (targets.len(), targets),
            event_url: answer.event_url.as_deref(),
            event_extended: answer.event_extended.then_some("Y"),
            client_id: answer.client_id.as_deref(),
            file_to_a: answer.file_to_a.as_deref(),
            file_to_b: answer.file_to_b.as_deref(),
            masking: answer.masking.map(yes_no),
            answer: answer.answer.map(yes_no),
        },
    };
    serde_json::to_vec(&body).expect("strings and numbers always serialize")
}

/// The number as MTT writes it (L1649, `"79684881033"`): E.164 without the `+`; text
/// that is no phone number goes as given, trimmed.
fn mtt_number(raw: &str) -> String {
    match super::webhook::e164(raw) {
        Some(n) => n.trim_start_matches('+').to_string(),
        None => raw.trim().to_string(),
    }
}

fn yes_no(b: bool) -> &'static str {
    if b { "Y" } else { "N" }
}

#[derive(Serialize)]
struct Envelope<'a> {
    jsonrpc: &'static str,
    id: &'a Value,
    result: ResultWire<'a>,
}

#[derive(Serialize)]
struct ResultWire<'a> {
    redirect_type: u8,
    followme_struct: (usize, Vec<TargetWire>),
    #[serde(rename = "event_URL", skip_serializing_if = "Option::is_none")]
    event_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    event_extended: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_id: Option<&'a str>,
    #[serde(rename = "file_to_A", skip_serializing_if = "Option::is_none")]
    file_to_a: Option<&'a str>,
    #[serde(rename = "file_to_B", skip_serializing_if = "Option::is_none")]
    file_to_b: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    masking: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    answer: Option<&'static str>,
}

#[derive(Serialize, Default)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
struct TargetWire {
    #[serde(skip_serializing_if = "Option::is_none")]
    i_follow_order: Option<String>,
    active: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    redirect_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    period: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    period_description: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timeout: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// L1608–1620, verbatim.
    const SPEC_REQUEST: &str = r#"{
  "id": "1",
  "jsonrpc": "2.0",
  "method": "getControlCallFollowMe",
  "params":
  {
    "sip_id": " 79586488002",
    "numberA": "79154368886",
    "h323_conf_id": "BC5F236C 5AD211E9 81BA5CB9 01FED6FC"
  }
}"#;

    fn value(bytes: &[u8]) -> Value {
        serde_json::from_slice(bytes).unwrap()
    }

    #[test]
    fn the_spec_request_parses() {
        let req = parse_routing_request(SPEC_REQUEST.as_bytes()).unwrap();
        assert_eq!(
            req,
            RoutingRequest {
                id: json!("1"),
                sip_id: "79586488002".into(),
                callee: "+79586488002".into(),
                number_a: "79154368886".into(),
                caller: "+79154368886".into(),
                h323_conf_id: "BC5F236C 5AD211E9 81BA5CB9 01FED6FC".into(),
            }
        );
        assert_eq!(req.call(), "mtt:BC5F236C 5AD211E9 81BA5CB9 01FED6FC");
    }

    #[test]
    fn numeric_ids_and_numbers_are_kept_as_sent() {
        let req = parse_routing_request(
            br#"{"jsonrpc":"2.0","id":42,"method":"getControlCallFollowMe",
                "params":{"sip_id":79586488002,"numberA":"+7 915 436-88-86",
                "h323_conf_id":" BC5F236C  5AD211E9 81BA5CB9 01FED6FC "}}"#,
        )
        .unwrap();
        assert_eq!(req.id, json!(42));
        assert_eq!(req.sip_id, "79586488002");
        assert_eq!(req.number_a, "+7 915 436-88-86");
        assert_eq!(req.caller, "+79154368886");
        assert_eq!(req.h323_conf_id, "BC5F236C 5AD211E9 81BA5CB9 01FED6FC");
        // The answer echoes the id's type too.
        let out = value(&render_routing_answer(&req.id, &RoutingAnswer::reject()));
        assert_eq!(out["id"], json!(42));
    }

    #[test]
    fn bad_requests_say_why() {
        let cases: [(&[u8], &str); 8] = [
            (b"<xml/>", "malformed JSON: expected value at line 1 column 1"),
            (b"[1]", "malformed JSON-RPC: expected an object"),
            (
                br#"{"id":"1","method":"getFollowme","params":{}}"#,
                r#"unexpected method "getFollowme""#,
            ),
            (br#"{"id":"1","params":{}}"#, "missing field method"),
            (
                br#"{"method":"getControlCallFollowMe","params":{}}"#,
                "missing field id",
            ),
            (
                br#"{"id":"1","method":"getControlCallFollowMe"}"#,
                "missing field params",
            ),
            (
                br#"{"id":"1","method":"getControlCallFollowMe","params":{"sip_id":"7958","h323_conf_id":"X"}}"#,
                "missing field numberA",
            ),
            (
                br#"{"id":{},"method":"getControlCallFollowMe","params":{}}"#,
                "invalid field id: not a string or number",
            ),
        ];
        for (body, reason) in cases {
            assert_eq!(
                parse_routing_request(body).unwrap_err().to_string(),
                reason,
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn a_blank_field_counts_as_missing() {
        let err = parse_routing_request(
            br#"{"id":"1","method":"getControlCallFollowMe","params":{"sip_id":" ","numberA":"7","h323_conf_id":"X"}}"#,
        )
        .unwrap_err();
        assert_eq!(err, WebhookError::MissingField("sip_id"));
    }

    #[test]
    fn the_spec_answer_is_reproduced() {
        // L1633–1658.
        let spec = json!({
            "jsonrpc": "2.0",
            "id": "1",
            "result": {
                "redirect_type": 1,
                "event_URL": "http://домен/stub.php",
                "client_id": "1235",
                "file_to_A": "47f51cac1b50fd136334697b11aa406a",
                "file_to_B": "3806efe36d0f1bfccb45ffae8e152c7c",
                "followme_struct": [1, [{
                    "I_FOLLOW_ORDER": "1",
                    "ACTIVE": "Y",
                    "NAME": "79684881033",
                    "REDIRECT_NUMBER": "79684881033",
                    "PERIOD": "always",
                    "PERIOD_DESCRIPTION": "always",
                    "TIMEOUT": "15"
                }]]
            }
        });
        let answer = RoutingAnswer {
            event_url: Some("http://домен/stub.php".into()),
            client_id: Some("1235".into()),
            file_to_a: Some("47f51cac1b50fd136334697b11aa406a".into()),
            file_to_b: Some("3806efe36d0f1bfccb45ffae8e152c7c".into()),
            ..RoutingAnswer::forward(
                RedirectType::Single,
                vec![FollowTarget {
                    // Any form reads; MTT gets its 11 digits.
                    number: "+7 968 488-10-33".into(),
                    name: "79684881033".into(),
                    timeout_secs: 15,
                }],
            )
        };
        assert_eq!(value(&render_routing_answer(&json!("1"), &answer)), spec);
    }

    #[test]
    fn the_bare_rejection_is_reproduced() {
        // L1714–1725.
        let spec = json!({
            "jsonrpc": "2.0",
            "id": "12345",
            "result": {"redirect_type": 1, "followme_struct": [1, [{"ACTIVE": "N"}]]}
        });
        let out = render_routing_answer(&json!("12345"), &RoutingAnswer::reject());
        assert_eq!(value(&out), spec);
        // Compact and in the spec's key order.
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"jsonrpc":"2.0","id":"12345","result":{"redirect_type":1,"followme_struct":[1,[{"ACTIVE":"N"}]]}}"#
        );
    }

    #[test]
    fn the_rejection_with_a_target_is_reproduced() {
        // L1729–1746, with the two places where the example strays from the table:
        // `I_FOLLOW_ORDER` is the number 1 there (the table types it string, L1682) and
        // `PERIOD_DESCRIPTION` is "Always" (free text; we always write "always").
        let mut spec = json!({
            "jsonrpc": "2.0",
            "id": "12345",
            "result": {
                "redirect_type": 1,
                "followme_struct": [1, [{
                    "I_FOLLOW_ORDER": 1,
                    "ACTIVE": "N",
                    "NAME": "имя",
                    "REDIRECT_NUMBER": "номер",
                    "PERIOD": "always",
                    "PERIOD_DESCRIPTION": "Always",
                    "TIMEOUT": "30"
                }]]
            }
        });
        let target = &mut spec["result"]["followme_struct"][1][0];
        target["I_FOLLOW_ORDER"] = json!("1");
        target["PERIOD_DESCRIPTION"] = json!("always");
        let answer = RoutingAnswer {
            reject: true,
            ..RoutingAnswer::forward(
                RedirectType::Single,
                vec![FollowTarget {
                    number: "номер".into(),
                    name: "имя".into(),
                    timeout_secs: 30,
                }],
            )
        };
        assert_eq!(
            value(&render_routing_answer(&json!("12345"), &answer)),
            spec
        );
    }

    #[test]
    fn the_rejection_with_a_prompt_is_reproduced() {
        // L1750–1763.
        let spec = json!({
            "jsonrpc": "2.0",
            "id": "12345",
            "result": {
                "redirect_type": 1,
                "file_to_A": "3d221eb1aadf4d035bd87891abc82de7",
                "event_URL": "https://url/events/prod.php",
                "followme_struct": [1, [{"ACTIVE": "N"}]]
            }
        });
        let answer = RoutingAnswer {
            file_to_a: Some("3d221eb1aadf4d035bd87891abc82de7".into()),
            event_url: Some("https://url/events/prod.php".into()),
            ..RoutingAnswer::reject()
        };
        assert_eq!(
            value(&render_routing_answer(&json!("12345"), &answer)),
            spec
        );
    }

    #[test]
    fn flags_are_y_or_n_and_a_blank_name_is_the_number() {
        let answer = RoutingAnswer {
            event_extended: true,
            masking: Some(false),
            answer: Some(true),
            ..RoutingAnswer::forward(
                RedirectType::Parallel,
                vec![
                    FollowTarget {
                        number: "89684881033".into(),
                        name: String::new(),
                        timeout_secs: 60,
                    },
                    FollowTarget {
                        number: "4951234567".into(),
                        name: "Desk 2".into(),
                        timeout_secs: 60,
                    },
                ],
            )
        };
        let out = value(&render_routing_answer(&json!(7), &answer));
        let result = &out["result"];
        assert_eq!(result["redirect_type"], json!(3));
        assert_eq!(result["event_extended"], json!("Y"));
        assert_eq!(result["masking"], json!("N"));
        assert_eq!(result["answer"], json!("Y"));
        assert_eq!(result["followme_struct"][0], json!(2));
        let targets = &result["followme_struct"][1];
        assert_eq!(targets[0]["NAME"], json!("79684881033"));
        assert_eq!(targets[0]["REDIRECT_NUMBER"], json!("79684881033"));
        assert_eq!(targets[1]["I_FOLLOW_ORDER"], json!("2"));
        assert_eq!(targets[1]["REDIRECT_NUMBER"], json!("74951234567"));
        assert_eq!(targets[1]["TIMEOUT"], json!("60"));
    }

    /// Reads an answer the way MTT's table describes it (L1662–1689), strictly: what it
    /// reads back is what MTT would act on.
    fn mtt_reads(body: &[u8]) -> (Value, RoutingAnswer) {
        let root = value(body);
        assert_eq!(root["jsonrpc"], json!("2.0"));
        let r = root["result"].as_object().unwrap();
        let keys = [
            "redirect_type",
            "followme_struct",
            "event_URL",
            "event_extended",
            "client_id",
            "file_to_A",
            "file_to_B",
            "masking",
            "answer",
        ];
        assert!(r.keys().all(|k| keys.contains(&k.as_str())), "{r:?}");
        let redirect_type = match r["redirect_type"].as_u64().unwrap() {
            1 => RedirectType::Single,
            2 => RedirectType::Sequential,
            3 => RedirectType::Parallel,
            n => panic!("redirect_type {n}"),
        };
        let fs = r["followme_struct"].as_array().unwrap();
        assert_eq!(fs.len(), 2);
        let list = fs[1].as_array().unwrap();
        assert_eq!(fs[0].as_u64().unwrap() as usize, list.len());
        let flag = |k: &str| {
            r.get(k).map(|v| match v.as_str().unwrap() {
                "Y" => true,
                "N" => false,
                other => panic!("{k}: {other}"),
            })
        };
        let string = |k: &str| r.get(k).map(|v| v.as_str().unwrap().to_string());
        let mut answer = RoutingAnswer {
            redirect_type,
            event_url: string("event_URL"),
            event_extended: flag("event_extended").unwrap_or(false),
            client_id: string("client_id"),
            file_to_a: string("file_to_A"),
            file_to_b: string("file_to_B"),
            masking: flag("masking"),
            answer: flag("answer"),
            ..RoutingAnswer::default()
        };
        let mut active = Vec::new();
        for (i, t) in list.iter().enumerate() {
            let t = t.as_object().unwrap();
            assert!(t.values().all(Value::is_string), "{t:?}");
            assert!(t.keys().all(|k| k == &k.to_uppercase()), "{t:?}");
            active.push(t["ACTIVE"].as_str().unwrap() == "Y");
            if t.len() == 1 {
                continue; // the bare rejection
            }
            assert_eq!(t["I_FOLLOW_ORDER"], json!((i + 1).to_string()));
            assert_eq!(t["PERIOD"], json!("always"));
            let number = t["REDIRECT_NUMBER"].as_str().unwrap();
            assert!(
                number.len() == 11 && number.bytes().all(|b| b.is_ascii_digit()),
                "{number}"
            );
            answer.targets.push(FollowTarget {
                number: format!("+{number}"),
                name: t["NAME"].as_str().unwrap().to_string(),
                timeout_secs: t["TIMEOUT"].as_str().unwrap().parse().unwrap(),
            });
        }
        assert!(active.iter().all(|a| *a == active[0]), "mixed ACTIVE");
        answer.reject = !active[0];
        (root["id"].clone(), answer)
    }

    /// A small deterministic generator, so the test needs no extra crate.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
        fn maybe(&mut self, s: impl FnOnce(&mut Self) -> String) -> Option<String> {
            (self.below(2) == 0).then(|| s(self))
        }
        fn flag(&mut self) -> Option<bool> {
            [None, Some(true), Some(false)][self.below(3) as usize]
        }
    }

    #[test]
    fn random_answers_read_back_as_written() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for round in 0..500 {
            let targets: Vec<FollowTarget> = (0..rng.below(5))
                .map(|i| {
                    let national = format!("9{:09}", rng.below(1_000_000_000));
                    let number = match rng.below(4) {
                        0 => format!("+7{national}"),
                        1 => format!("8{national}"),
                        2 => format!("7{national}"),
                        _ => national,
                    };
                    FollowTarget {
                        number,
                        name: ["оператор", "Desk \"A\"", "x"][i as usize % 3].to_string(),
                        timeout_secs: rng.below(120) as u32,
                    }
                })
                .collect();
            let answer = RoutingAnswer {
                redirect_type: [
                    RedirectType::Single,
                    RedirectType::Sequential,
                    RedirectType::Parallel,
                ][rng.below(3) as usize],
                reject: targets.is_empty() || rng.below(4) == 0,
                targets,
                event_url: rng.maybe(|_| format!("https://cb.example/ev/{round}?a=1&b=2")),
                event_extended: rng.below(2) == 0,
                client_id: rng.maybe(|_| format!("c-{round}")),
                file_to_a: rng.maybe(|r| format!("{:032x}", r.next())),
                file_to_b: rng.maybe(|r| format!("{:032x}", r.next())),
                masking: rng.flag(),
                answer: rng.flag(),
            };
            let id = if round % 2 == 0 {
                json!(round)
            } else {
                json!(round.to_string())
            };
            let (echo, read) = mtt_reads(&render_routing_answer(&id, &answer));
            assert_eq!(echo, id);
            let mut expected = answer.clone();
            for t in &mut expected.targets {
                t.number = normalize_phone(&t.number);
            }
            assert_eq!(read, expected, "round {round}");
        }
    }
}
