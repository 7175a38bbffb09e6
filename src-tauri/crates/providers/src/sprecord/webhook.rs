//! The device's posts (spec "Исходящие запросы", L28–50) as [`LiveEvent`]s.
//!
//! The spec says "HTTP POST" and lists fields, but not how they are encoded (SPEC-NOTES
//! §5), so fields are read from a form body (`application/x-www-form-urlencoded`), a
//! `multipart/form-data` body, a JSON object, and the query string, a body field
//! winning over a query field of the same name. Names are matched without case.
//!
//! The posts carry no call id: a call is the device's channel, whose current call it is
//! (`sprecord:<device>:<channel_hard_name>`), and `msg=2` carries the recording id `idr`,
//! which becomes the finished call's id.

use std::borrow::Cow;

use callboard_model::{Detail, Direction, NewCall, Outcome, normalize_phone};
use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::SpRecordSection;
use crate::{LiveEvent, Stage};

/// How much of a field an error may quote: posts come from the network.
const QUOTE_MAX: usize = 60;

/// Why a device post cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpRecordError {
    /// The body is not in a form we read (a multipart body without boundary, JSON that
    /// is not an object).
    #[error("cannot read the body: {0}")]
    Body(String),
    /// A field the request cannot do without.
    #[error("missing field {0}")]
    Missing(&'static str),
    /// A field that does not read as its type.
    #[error("field {field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    /// A `msg` code that is not 1, 2 or the configured caller-id code.
    #[error("unknown msg {0:?}")]
    UnknownMsg(String),
    /// The channel is not among `[accounts.sprecord] channels`.
    #[error("channel {0:?} is not among the accepted channels")]
    ChannelNotAccepted(String),
}

/// One field as it arrived. `plus_lost`: it came form-encoded, where a raw `+` reads as
/// a space.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Field {
    name: String,
    value: String,
    plus_lost: bool,
}

/// The fields of a post: the body's (by content type), then the query string's.
struct Fields(Vec<Field>);

impl Fields {
    fn get(&self, name: &str) -> Option<&Field> {
        self.0.iter().find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// The field trimmed, `None` when absent or blank.
    fn text(&self, name: &str) -> Option<&str> {
        self.get(name)
            .map(|f| f.value.trim())
            .filter(|v| !v.is_empty())
    }

    /// A phone number field: E.164 where it reads as one, `None` when it holds no digit
    /// ("if identified", L37, L45). Form encoding turns an unescaped `+` into a space, so
    /// in a form-encoded field a leading space before a digit is taken back as the `+`.
    fn phone(&self, name: &str) -> Option<String> {
        let f = self.get(name)?;
        let raw: Cow<str> = if f.plus_lost
            && f.value.starts_with(' ')
            && f.value
                .trim_start()
                .starts_with(|c: char| c.is_ascii_digit())
        {
            Cow::Owned(format!("+{}", f.value.trim()))
        } else {
            Cow::Borrowed(f.value.trim())
        };
        raw.chars()
            .any(|c| c.is_ascii_digit())
            .then(|| normalize_phone(&raw))
    }
}

/// The fields of a device post, name and value, body first: what
/// [`parse_device_post`] reads, for logging a post it refused.
pub fn device_fields(
    body: &[u8],
    content_type: Option<&str>,
    query: Option<&str>,
) -> Result<Vec<(String, String)>, SpRecordError> {
    Ok(read_fields(body, content_type, query)?
        .0
        .into_iter()
        .map(|f| (f.name, f.value))
        .collect())
}

fn read_fields(
    body: &[u8],
    content_type: Option<&str>,
    query: Option<&str>,
) -> Result<Fields, SpRecordError> {
    let mime = content_type
        .map(|c| {
            c.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    let trimmed = body.trim_ascii_start();
    let mut fields = if mime == "multipart/form-data" {
        let boundary = content_type
            .and_then(boundary)
            .ok_or_else(|| SpRecordError::Body("multipart/form-data without a boundary".into()))?;
        multipart(body, &boundary)
    } else if mime.is_empty() && trimmed.starts_with(b"--") {
        // No content type, but a multipart body: its first line is the delimiter.
        let line = trimmed.split(|&b| b == b'\n').next().unwrap_or_default();
        let boundary = String::from_utf8_lossy(&line[2..]).trim().to_string();
        multipart(body, &boundary)
    } else if mime == "application/json"
        || (mime != "application/x-www-form-urlencoded" && trimmed.starts_with(b"{"))
    {
        json(trimmed)?
    } else {
        form(body)
    };
    if let Some(q) = query {
        fields.extend(form(q.strip_prefix('?').unwrap_or(q).as_bytes()));
    }
    Ok(Fields(fields))
}

/// `name=value&…`, `+` as space, percent escapes as bytes; the bytes then as UTF-8,
/// else windows-1251 (the spec names no charset; the device's web UI is Russian).
fn form(body: &[u8]) -> Vec<Field> {
    body.split(|&b| b == b'&')
        .filter(|pair| !pair.trim_ascii().is_empty())
        .map(|pair| {
            let (name, value) = match pair.iter().position(|&b| b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, &b""[..]),
            };
            Field {
                name: text(&percent_decode(name)).trim().to_string(),
                value: text(&percent_decode(value)).into_owned(),
                plus_lost: true,
            }
        })
        .collect()
}

fn percent_decode(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = |b: u8| (b as char).to_digit(16);
                let (h, l) = (s.get(i + 1).copied(), s.get(i + 2).copied());
                if let (Some(h), Some(l)) = (h.and_then(hex), l.and_then(hex)) {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                // A `%` that escapes nothing stays as it is.
                out.push(b'%');
            }
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// Bytes as text: UTF-8, else windows-1251.
fn text(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => {
            encoding_rs::WINDOWS_1251
                .decode_without_bom_handling(bytes)
                .0
        }
    }
}

/// The `boundary` parameter of a content type, unquoted.
fn boundary(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_string())
            .filter(|b| !b.is_empty())
    })
}

/// The text parts of a `multipart/form-data` body (RFC 7578); file parts are skipped. A
/// body cut short keeps the parts before the cut.
fn multipart(body: &[u8], boundary: &str) -> Vec<Field> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let mut fields = Vec::new();
    let Some(start) = find(body, delimiter) else {
        return fields;
    };
    let mut rest = &body[start + delimiter.len()..];
    loop {
        if rest.starts_with(b"--") {
            break;
        }
        // The rest of the delimiter line.
        let Some(eol) = rest.iter().position(|&b| b == b'\n') else {
            break;
        };
        rest = &rest[eol + 1..];
        let (part, next) = match find(rest, delimiter) {
            Some(i) => (&rest[..i], Some(i)),
            None => (rest, None),
        };
        let part = part
            .strip_suffix(b"\r\n")
            .or_else(|| part.strip_suffix(b"\n"))
            .unwrap_or(part);
        if let Some(field) = multipart_field(part) {
            fields.push(field);
        }
        match next {
            Some(i) => rest = &rest[i + delimiter.len()..],
            None => break,
        }
    }
    fields
}

fn multipart_field(part: &[u8]) -> Option<Field> {
    let (head, content) = match find(part, b"\r\n\r\n") {
        Some(i) => (&part[..i], &part[i + 4..]),
        None => {
            let i = find(part, b"\n\n")?;
            (&part[..i], &part[i + 2..])
        }
    };
    let head = String::from_utf8_lossy(head);
    let disposition = head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case("content-disposition")
            .then_some(v)
    })?;
    let mut name = None;
    for p in disposition.split(';').skip(1) {
        let Some((k, v)) = p.split_once('=') else {
            continue;
        };
        match k.trim().to_ascii_lowercase().as_str() {
            "name" => name = Some(v.trim().trim_matches('"').to_string()),
            // A file, not a field.
            "filename" => return None,
            _ => {}
        }
    }
    Some(Field {
        name: name?,
        value: text(content).into_owned(),
        plus_lost: false,
    })
}

fn json(body: &[u8]) -> Result<Vec<Field>, SpRecordError> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| SpRecordError::Body(format!("not JSON: {}", quote(&e.to_string()))))?;
    let serde_json::Value::Object(obj) = value else {
        return Err(SpRecordError::Body("JSON that is not an object".into()));
    };
    Ok(obj
        .into_iter()
        .filter_map(|(name, v)| {
            let value = match v {
                serde_json::Value::String(s) => s,
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                _ => return None,
            };
            Some(Field {
                name,
                value,
                plus_lost: false,
            })
        })
        .collect())
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn quote(s: &str) -> String {
    crate::download::truncate(s, QUOTE_MAX)
}

/// The device's wall-clock `datetime` ("ГГГГ-мм-дд чч:мм:сс", L36, L44) in `zone`, as
/// the local text and UTC. In a repeated autumn hour the earlier instant is taken; a time
/// in a spring gap is read with the offset before the gap.
fn device_time(s: &str, zone: Tz) -> Option<(NaiveDateTime, DateTime<Utc>)> {
    let s = s.trim();
    let naive = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%d.%m.%Y %H:%M:%S",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())?;
    let utc = match zone.from_local_datetime(&naive).earliest() {
        Some(t) => t.with_timezone(&Utc),
        None => {
            let before = zone
                .from_local_datetime(&(naive - Duration::hours(2)))
                .earliest()?;
            (before + Duration::hours(2)).with_timezone(&Utc)
        }
    };
    Some((naive, utc))
}

/// `call_type` (L47, values not specified) as a direction, when it reads as one:
/// `in`, `incoming`, `inbound`, `input`, `1`, or Russian `вход…` → incoming; `out`,
/// `outgoing`, `outbound`, `output`, `2`, or `исход…` → outgoing.
pub fn call_direction(call_type: &str) -> Option<Direction> {
    let t = call_type.trim().to_lowercase();
    match t.as_str() {
        "in" | "incoming" | "inbound" | "input" | "1" => Some(Direction::Incoming),
        "out" | "outgoing" | "outbound" | "output" | "2" => Some(Direction::Outgoing),
        _ if t.starts_with("вход") => Some(Direction::Incoming),
        _ if t.starts_with("исход") => Some(Direction::Outgoing),
        _ => None,
    }
}

fn detail(details: &mut Vec<Detail>, label: &str, value: Option<&str>) {
    if let Some(v) = value {
        details.push(Detail {
            label: label.to_string(),
            value: v.to_string(),
        });
    }
}

/// Reads one post of device `device_id` (the account's id), received at `received`:
///
/// - `msg=1`, a call arrives (L32–39): [`Stage::Ringing`] at its `datetime`, from
///   `number`.
/// - `msg` = `caller_id_msg`, the caller's number is known (L16, L26; no field list, so
///   read as `msg=1`): a [`Stage::Note`] "caller identified" with the caller.
/// - `msg=2`, the call ended (L40–50): [`Stage::Ended`] with the finished call in
///   `completed`. `datetime` is the END; `duration_sec` is talk time, so the call is
///   taken to have started `duration_sec` before (the ringing before it is not sent).
///   Answered when it lasted, else missed. The number is `phone_from` (not `number`).
///
/// Calls are incoming unless `call_type` says otherwise ([`call_direction`]): the
/// device reports calls only on ports in "telephone line" mode (L30).
///
/// `received` is the time for nothing the device sends: every post has its `datetime`,
/// which is required.
pub fn parse_device_post(
    body: &[u8],
    content_type: Option<&str>,
    query: Option<&str>,
    cfg: &SpRecordSection,
    device_id: &str,
    _received: DateTime<Utc>,
) -> Result<LiveEvent, SpRecordError> {
    let f = read_fields(body, content_type, query)?;
    let msg = f.text("msg").ok_or(SpRecordError::Missing("msg"))?;
    let msg_code: Option<u32> = msg.parse().ok();
    let kind = match msg_code {
        Some(1) => Msg::Arrived,
        Some(2) => Msg::Ended,
        Some(c) if c == cfg.caller_id_msg => Msg::CallerId,
        _ => return Err(SpRecordError::UnknownMsg(quote(msg))),
    };

    let hard = f.text("channel_hard_name").unwrap_or("");
    let user = f.text("channel_user_name").unwrap_or("");
    let channel = if hard.is_empty() { user } else { hard };
    if channel.is_empty() {
        return Err(SpRecordError::Missing("channel_hard_name"));
    }
    if !cfg.accepts(hard, user) {
        return Err(SpRecordError::ChannelNotAccepted(quote(channel)));
    }

    let raw_time = f
        .text("datetime")
        .ok_or(SpRecordError::Missing("datetime"))?;
    let (local, at) =
        device_time(raw_time, cfg.time_zone).ok_or_else(|| SpRecordError::Invalid {
            field: "datetime",
            reason: format!("{:?} is not YYYY-MM-DD hh:mm:ss", quote(raw_time)),
        })?;
    let local_key = local.format("%Y-%m-%dT%H:%M:%S");
    let call = format!("sprecord:{device_id}:{channel}");

    let mut details = Vec::new();
    detail(
        &mut details,
        "channel_hard_name",
        Some(hard).filter(|s| !s.is_empty()),
    );
    detail(
        &mut details,
        "channel_user_name",
        Some(user).filter(|s| !s.is_empty()),
    );

    if kind != Msg::Ended {
        let caller = f.phone("number");
        let (stage, what) = match kind {
            Msg::Arrived => (Stage::Ringing { target: None }, "arrived"),
            _ => (
                Stage::Note {
                    text: "caller identified".into(),
                },
                "caller",
            ),
        };
        return Ok(LiveEvent {
            key: format!(
                "{call}:{what}:{local_key}:{}",
                caller.as_deref().unwrap_or("")
            ),
            call,
            provider_call_id: None,
            at,
            stage,
            caller,
            callee: None,
            direction: Some(Direction::Incoming),
            details,
            completed: None,
        });
    }

    let talk_secs: u32 = match f.text("duration_sec") {
        None => 0,
        Some(d) => d
            .parse::<u32>()
            .ok()
            .or_else(|| {
                d.replace(',', ".")
                    .parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite() && *x >= 0.0)
                    .map(|x| x.round().min(f64::from(u32::MAX)) as u32)
            })
            .ok_or_else(|| SpRecordError::Invalid {
                field: "duration_sec",
                reason: format!("{:?} is not a number of seconds", quote(d)),
            })?,
    };
    let call_type = f.text("call_type");
    let direction = call_type
        .and_then(call_direction)
        .unwrap_or(Direction::Incoming);
    let idr = f.text("idr");
    let remote = f.phone("phone_from");
    // The line: its user name when that is a number, else its names as they are.
    let line = normalize_phone(if user.is_empty() { hard } else { user });
    let line_number = (line.starts_with('+') && line.len() > 4).then(|| line.clone());
    let (caller, callee) = match direction {
        Direction::Incoming => (remote.clone(), line_number.clone()),
        Direction::Outgoing => (line_number.clone(), remote.clone()),
    };
    let outcome = if talk_secs > 0 {
        Outcome::Answered
    } else {
        Outcome::Missed
    };
    detail(&mut details, "call_type", call_type);
    detail(&mut details, "idr", idr);
    let (key, provider_call_id) = match idr {
        Some(idr) => (format!("sprecord:{device_id}:ended:{idr}"), idr.to_string()),
        None => (
            format!("{call}:ended:{local_key}"),
            format!("{device_id}:{channel}:{}", local.format("%Y%m%dT%H%M%S")),
        ),
    };
    let completed = NewCall {
        provider_call_id,
        direction,
        outcome,
        caller: match direction {
            Direction::Incoming => remote.clone().unwrap_or_default(),
            Direction::Outgoing => line.clone(),
        },
        callee: match direction {
            Direction::Incoming => line.clone(),
            Direction::Outgoing => remote.clone().unwrap_or_default(),
        },
        started_at: at - Duration::seconds(i64::from(talk_secs)),
        ring_secs: 0,
        talk_secs,
        total_secs: talk_secs,
        cost: None,
        currency: None,
        recording_ref: idr.map(str::to_string),
        details: details.clone(),
    };
    Ok(LiveEvent {
        key,
        call,
        provider_call_id: Some(completed.provider_call_id.clone()),
        at,
        stage: Stage::Ended {
            outcome,
            talk_secs: Some(talk_secs),
            cause: None,
        },
        caller,
        callee,
        direction: Some(direction),
        details,
        completed: Some(completed),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Msg {
    Arrived,
    CallerId,
    Ended,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 3, 1, 12, 0, 0).unwrap()
    }

    fn utc(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 3, 1, h, m, s).unwrap()
    }

    /// The three encodings a device might use, for the same fields.
    enum Wire {
        Form,
        Multipart,
        Query,
    }

    const WIRES: [Wire; 3] = [Wire::Form, Wire::Multipart, Wire::Query];

    /// Encodes `fields` (values as the device means them) and parses the post.
    fn post(
        wire: &Wire,
        fields: &[(&str, &str)],
        cfg: &SpRecordSection,
    ) -> Result<LiveEvent, SpRecordError> {
        let form: String = fields
            .iter()
            .map(|(k, v)| {
                let v: String = url::form_urlencoded::byte_serialize(v.as_bytes()).collect();
                format!("{k}={v}")
            })
            .collect::<Vec<_>>()
            .join("&");
        match wire {
            Wire::Form => parse_device_post(
                form.as_bytes(),
                Some("application/x-www-form-urlencoded"),
                None,
                cfg,
                "rec1",
                now(),
            ),
            Wire::Multipart => {
                let mut body = String::new();
                for (k, v) in fields {
                    body.push_str(&format!(
                        "--XyZ\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                    ));
                }
                body.push_str("--XyZ--\r\n");
                parse_device_post(
                    body.as_bytes(),
                    Some("multipart/form-data; boundary=\"XyZ\""),
                    None,
                    cfg,
                    "rec1",
                    now(),
                )
            }
            Wire::Query => parse_device_post(b"", None, Some(&form), cfg, "rec1", now()),
        }
    }

    fn cfg() -> SpRecordSection {
        SpRecordSection::default()
    }

    #[test]
    fn msg_1_is_a_ringing_call_on_the_channel() {
        for wire in &WIRES {
            let e = post(
                wire,
                &[
                    ("msg", "1"),
                    ("datetime", "2024-03-01 15:04:05"),
                    ("number", "89161234567"),
                    ("channel_hard_name", "ch1"),
                    ("channel_user_name", "Приёмная"),
                ],
                &cfg(),
            )
            .unwrap();
            assert_eq!(e.call, "sprecord:rec1:ch1");
            assert_eq!(e.stage, Stage::Ringing { target: None });
            assert_eq!(e.at, utc(12, 4, 5), "Moscow, UTC+3");
            assert_eq!(e.caller.as_deref(), Some("+79161234567"));
            assert_eq!(e.direction, Some(Direction::Incoming));
            assert!(e.completed.is_none());
            assert!(
                e.details
                    .iter()
                    .any(|d| d.label == "channel_user_name" && d.value == "Приёмная")
            );
            assert_eq!(
                e.key,
                "sprecord:rec1:ch1:arrived:2024-03-01T15:04:05:+79161234567"
            );
        }
    }

    #[test]
    fn msg_1_without_a_number_has_no_caller() {
        for wire in &WIRES {
            let e = post(
                wire,
                &[
                    ("msg", "1"),
                    ("datetime", "2024-03-01 15:04:05"),
                    ("number", ""),
                    ("channel_hard_name", "ch1"),
                ],
                &cfg(),
            )
            .unwrap();
            assert_eq!(e.caller, None);
        }
    }

    #[test]
    fn the_caller_id_request_is_a_note_with_the_caller() {
        let mut c = cfg();
        for code in ["3", "7"] {
            c.caller_id_msg = code.parse().unwrap();
            for wire in &WIRES {
                let e = post(
                    wire,
                    &[
                        ("msg", code),
                        ("datetime", "2024-03-01 15:04:06"),
                        ("number", "4951234567"),
                        ("channel_hard_name", "ch2"),
                    ],
                    &c,
                )
                .unwrap();
                assert_eq!(
                    e.stage,
                    Stage::Note {
                        text: "caller identified".into()
                    }
                );
                assert_eq!(e.caller.as_deref(), Some("+74951234567"));
                assert_eq!(e.call, "sprecord:rec1:ch2");
            }
        }
        // The default code, 3, is not a known msg once another is configured.
        assert!(matches!(
            post(
                &Wire::Form,
                &[
                    ("msg", "3"),
                    ("datetime", "2024-03-01 15:04:06"),
                    ("channel_hard_name", "c")
                ],
                &c
            ),
            Err(SpRecordError::UnknownMsg(_))
        ));
    }

    #[test]
    fn msg_2_ends_the_call_and_carries_it_whole() {
        for wire in &WIRES {
            let e = post(
                wire,
                &[
                    ("msg", "2"),
                    ("datetime", "2024-03-01 15:10:00"),
                    ("phone_from", "+7 (916) 123-45-67"),
                    ("channel_hard_name", "ch1"),
                    ("channel_user_name", "84957770001"),
                    ("call_type", "incoming"),
                    ("duration_sec", "95"),
                    ("idr", "000123"),
                ],
                &cfg(),
            )
            .unwrap();
            // `datetime` is the end: 15:10:00 MSK = 12:10:00 UTC, talk began 95 s before.
            assert_eq!(e.at, utc(12, 10, 0));
            assert_eq!(
                e.stage,
                Stage::Ended {
                    outcome: Outcome::Answered,
                    talk_secs: Some(95),
                    cause: None
                }
            );
            assert_eq!(e.key, "sprecord:rec1:ended:000123");
            assert_eq!(e.call, "sprecord:rec1:ch1");
            assert_eq!(e.caller.as_deref(), Some("+79161234567"));
            assert_eq!(
                e.callee.as_deref(),
                Some("+74957770001"),
                "the line's user name is its number"
            );
            let c = e.completed.unwrap();
            assert_eq!(c.provider_call_id, "000123");
            assert_eq!(c.started_at, utc(12, 8, 25));
            assert_eq!((c.talk_secs, c.total_secs, c.ring_secs), (95, 95, 0));
            assert_eq!(c.outcome, Outcome::Answered);
            assert_eq!(c.direction, Direction::Incoming);
            assert_eq!(c.caller, "+79161234567");
            assert_eq!(c.callee, "+74957770001");
            assert_eq!(c.recording_ref.as_deref(), Some("000123"));
            let labels: Vec<&str> = c.details.iter().map(|d| d.label.as_str()).collect();
            assert_eq!(
                labels,
                ["channel_hard_name", "channel_user_name", "call_type", "idr"]
            );
        }
    }

    #[test]
    fn msg_2_without_talk_is_missed_and_without_idr_gets_a_stable_id() {
        let fields = [
            ("msg", "2"),
            ("datetime", "2024-03-01 15:10:00"),
            ("phone_from", ""),
            ("channel_hard_name", "ch1"),
            ("channel_user_name", "Reception"),
            ("call_type", ""),
            ("duration_sec", "0"),
            ("idr", ""),
        ];
        let a = post(&Wire::Form, &fields, &cfg()).unwrap();
        let b = post(&Wire::Multipart, &fields, &cfg()).unwrap();
        assert_eq!(a.key, b.key, "the same post, however encoded");
        assert_eq!(a.key, "sprecord:rec1:ch1:ended:2024-03-01T15:10:00");
        let c = a.completed.unwrap();
        assert_eq!(c.outcome, Outcome::Missed);
        assert_eq!(c.provider_call_id, "rec1:ch1:20240301T151000");
        assert_eq!(c.started_at, utc(12, 10, 0));
        assert_eq!(c.recording_ref, None);
        assert_eq!(c.caller, "");
        assert_eq!(c.callee, "Reception", "a line named, not numbered");
        assert_eq!(a.callee, None);
    }

    #[test]
    fn call_type_sets_the_direction_and_the_sides() {
        for (call_type, direction) in [
            ("in", Direction::Incoming),
            ("INCOMING", Direction::Incoming),
            ("1", Direction::Incoming),
            ("Входящий", Direction::Incoming),
            ("out", Direction::Outgoing),
            ("outgoing", Direction::Outgoing),
            ("2", Direction::Outgoing),
            ("исходящий", Direction::Outgoing),
            ("something else", Direction::Incoming),
        ] {
            let e = post(
                &Wire::Form,
                &[
                    ("msg", "2"),
                    ("datetime", "2024-03-01 15:10:00"),
                    ("phone_from", "89161234567"),
                    ("channel_hard_name", "ch1"),
                    ("channel_user_name", "74957770001"),
                    ("call_type", call_type),
                    ("duration_sec", "5"),
                    ("idr", "9"),
                ],
                &cfg(),
            )
            .unwrap();
            let c = e.completed.unwrap();
            assert_eq!(c.direction, direction, "{call_type}");
            if direction == Direction::Outgoing {
                assert_eq!(
                    (c.caller.as_str(), c.callee.as_str()),
                    ("+74957770001", "+79161234567")
                );
            } else {
                assert_eq!(
                    (c.caller.as_str(), c.callee.as_str()),
                    ("+79161234567", "+74957770001")
                );
            }
        }
    }

    #[test]
    fn device_time_follows_the_configured_zone() {
        let fields =
            |t: &'static str| [("msg", "1"), ("datetime", t), ("channel_hard_name", "ch1")];
        let mut c = cfg();
        c.time_zone = chrono_tz::Asia::Vladivostok; // UTC+10
        let e = post(&Wire::Form, &fields("2024-03-01 22:00:00"), &c).unwrap();
        assert_eq!(e.at, utc(12, 0, 0));
        c.time_zone = chrono_tz::Europe::Berlin;
        // Winter (UTC+1) and summer (UTC+2) time.
        let e = post(&Wire::Form, &fields("2024-03-01 13:00:00"), &c).unwrap();
        assert_eq!(e.at, utc(12, 0, 0));
        let e = post(&Wire::Form, &fields("2024-07-01 14:00:00"), &c).unwrap();
        assert_eq!(e.at, Utc.with_ymd_and_hms(2024, 7, 1, 12, 0, 0).unwrap());
        // In the spring gap, the offset before it; in the repeated hour, the first.
        let e = post(&Wire::Form, &fields("2024-03-31 02:30:00"), &c).unwrap();
        assert_eq!(e.at, Utc.with_ymd_and_hms(2024, 3, 31, 1, 30, 0).unwrap());
        let e = post(&Wire::Form, &fields("2024-10-27 02:30:00"), &c).unwrap();
        assert_eq!(e.at, Utc.with_ymd_and_hms(2024, 10, 27, 0, 30, 0).unwrap());
        // msg=2's end in another zone moves its start with it.
        c.time_zone = chrono_tz::Asia::Yekaterinburg; // UTC+5
        let e = post(
            &Wire::Query,
            &[
                ("msg", "2"),
                ("datetime", "2024-03-01 17:01:00"),
                ("channel_hard_name", "ch1"),
                ("duration_sec", "60"),
                ("idr", "1"),
            ],
            &c,
        )
        .unwrap();
        assert_eq!(e.completed.unwrap().started_at, utc(12, 0, 0));
    }

    #[test]
    fn a_plus_lost_to_form_encoding_comes_back() {
        // A device that does not escape `+`: form decoding reads it as a space.
        let raw = b"msg=1&datetime=2024-03-01+15:04:05&number=+442079460000&channel_hard_name=ch1";
        for (body, query) in [
            (&raw[..], None),
            (&b""[..], Some(std::str::from_utf8(raw).unwrap())),
        ] {
            let e = parse_device_post(body, None, query, &cfg(), "rec1", now()).unwrap();
            assert_eq!(
                e.caller.as_deref(),
                Some("+442079460000"),
                "not 442079460000"
            );
            assert_eq!(e.at, utc(12, 4, 5));
        }
        // Escaped properly, the same.
        let e = parse_device_post(
            b"msg=1&datetime=2024-03-01%2015%3A04%3A05&number=%2B442079460000&channel_hard_name=ch1",
            Some("application/x-www-form-urlencoded; charset=utf-8"),
            None,
            &cfg(),
            "rec1",
            now(),
        )
        .unwrap();
        assert_eq!(e.caller.as_deref(), Some("+442079460000"));
        // In multipart a `+` is literal and a leading space is only a space.
        let body = "--b\r\nContent-Disposition: form-data; name=\"msg\"\r\n\r\n1\r\n--b\r\nContent-Disposition: form-data; name=\"datetime\"\r\n\r\n2024-03-01 15:04:05\r\n--b\r\nContent-Disposition: form-data; name=\"number\"\r\n\r\n +442079460000\r\n--b\r\nContent-Disposition: form-data; name=\"channel_hard_name\"\r\n\r\nch1\r\n--b--\r\n";
        let e = parse_device_post(
            body.as_bytes(),
            Some("multipart/form-data; boundary=b"),
            None,
            &cfg(),
            "rec1",
            now(),
        )
        .unwrap();
        assert_eq!(e.caller.as_deref(), Some("+442079460000"));
    }

    #[test]
    fn windows_1251_forms_and_json_bodies_are_read() {
        let (name, _, _) = encoding_rs::WINDOWS_1251.encode("Приёмная");
        let mut body =
            b"msg=1&datetime=2024-03-01+15:04:05&channel_hard_name=ch1&channel_user_name=".to_vec();
        for b in name.iter() {
            body.extend_from_slice(format!("%{b:02X}").as_bytes());
        }
        let e = parse_device_post(&body, None, None, &cfg(), "rec1", now()).unwrap();
        assert!(e.details.iter().any(|d| d.value == "Приёмная"));

        let json = br#"{"msg": 2, "datetime": "2024-03-01 15:10:00", "phone_from": "+442079460000", "channel_hard_name": "ch1", "duration_sec": 3, "idr": "77"}"#;
        let e =
            parse_device_post(json, Some("application/json"), None, &cfg(), "rec1", now()).unwrap();
        assert_eq!(e.caller.as_deref(), Some("+442079460000"));
        assert_eq!(e.completed.unwrap().talk_secs, 3);
    }

    #[test]
    fn body_fields_win_over_the_query() {
        let e = parse_device_post(
            b"msg=1&datetime=2024-03-01+15:04:05&channel_hard_name=ch1",
            Some("application/x-www-form-urlencoded"),
            Some("channel_hard_name=other&number=89161234567"),
            &cfg(),
            "rec1",
            now(),
        )
        .unwrap();
        assert_eq!(e.call, "sprecord:rec1:ch1");
        assert_eq!(e.caller.as_deref(), Some("+79161234567"));
    }

    #[test]
    fn errors_are_typed() {
        let base = |extra: &[(&'static str, &'static str)]| {
            let mut f = vec![
                ("msg", "1"),
                ("datetime", "2024-03-01 15:04:05"),
                ("channel_hard_name", "ch1"),
            ];
            for (k, v) in extra {
                f.retain(|(n, _)| n != k);
                if !v.is_empty() {
                    f.push((k, v));
                }
            }
            post(&Wire::Form, &f, &cfg())
        };
        assert_eq!(
            base(&[("msg", "")]).unwrap_err(),
            SpRecordError::Missing("msg")
        );
        assert_eq!(
            base(&[("msg", "9")]).unwrap_err(),
            SpRecordError::UnknownMsg("9".into())
        );
        assert_eq!(
            base(&[("msg", "call")]).unwrap_err(),
            SpRecordError::UnknownMsg("call".into())
        );
        assert_eq!(
            base(&[("datetime", "")]).unwrap_err(),
            SpRecordError::Missing("datetime")
        );
        assert!(matches!(
            base(&[("datetime", "yesterday")]).unwrap_err(),
            SpRecordError::Invalid {
                field: "datetime",
                ..
            }
        ));
        assert!(matches!(
            base(&[("datetime", "2024-02-30 10:00:00")]).unwrap_err(),
            SpRecordError::Invalid {
                field: "datetime",
                ..
            }
        ));
        assert_eq!(
            base(&[("channel_hard_name", "")]).unwrap_err(),
            SpRecordError::Missing("channel_hard_name")
        );
        assert!(matches!(
            base(&[("msg", "2"), ("duration_sec", "long")]).unwrap_err(),
            SpRecordError::Invalid {
                field: "duration_sec",
                ..
            }
        ));
        let mut only = cfg();
        only.channels = vec!["ch9".into()];
        assert_eq!(
            post(
                &Wire::Form,
                &[
                    ("msg", "1"),
                    ("datetime", "2024-03-01 15:04:05"),
                    ("channel_hard_name", "ch1")
                ],
                &only
            )
            .unwrap_err(),
            SpRecordError::ChannelNotAccepted("ch1".into())
        );
        assert!(matches!(
            parse_device_post(b"x", Some("multipart/form-data"), None, &cfg(), "r", now()),
            Err(SpRecordError::Body(_))
        ));
        assert!(matches!(
            parse_device_post(b"[1]", Some("application/json"), None, &cfg(), "r", now()),
            Err(SpRecordError::Body(_))
        ));
        // A long value is quoted short.
        let long = "9".repeat(10_000);
        let err = parse_device_post(
            format!("msg={long}").as_bytes(),
            None,
            None,
            &cfg(),
            "r",
            now(),
        )
        .unwrap_err();
        assert!(err.to_string().len() < 100, "{err}");
    }

    #[test]
    fn the_fields_can_be_listed_for_a_log() {
        let f = device_fields(b"msg=1&a=%D0%AF", None, Some("b=2")).unwrap();
        assert_eq!(
            f,
            [
                ("msg".into(), "1".into()),
                ("a".into(), "Я".into()),
                ("b".into(), "2".into())
            ]
        );
    }
}
