//! Beeline's online part (`shared/specs/beeline-cloudcc.md`, part 1): the XML that SPN
//! posts to us (`callStatus` 2.3, `AgentRequest` 2.4) and the `AgentInfo` we answer
//! with (2.4, 2.5). Pure functions: the listener owns the HTTP.
//!
//! Both requests arrive at the one address the client registers (1.4), so they are told
//! apart by their root element. Attributes are picked by name only, case-insensitively,
//! and unknown ones are kept aside (1.8, 1.10: new parameters may appear).
//!
//! The spec's examples are not all well-formed as printed (SPEC-NOTES §8), and servers
//! that print them that way exist, so [`repair`] fixes two defects before quick-xml sees
//! the text: an unquoted attribute value (`CallDuration=duration`, 2.3 L177) and a space
//! after `<` (`< AgentInfo`, 2.4 L246). Spaces around `=` are legal XML and need nothing.
//! Everything else malformed is an [`OnlineError`].

use std::borrow::Cow;

use callboard_model::{Detail, Outcome, normalize_phone};
use chrono::{DateTime, Utc};
use quick_xml::events::{BytesStart, Event};

use super::wire::parse_moscow;
use crate::{LiveEvent, Stage};

/// How much of the input (or of the parser's message about it) an error may quote:
/// requests come from the internet, and errors end up in logs.
const QUOTE_MAX: usize = 100;

/// Why a body is not a request we can read. The text never quotes more than a few dozen
/// bytes of the body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OnlineError {
    #[error("empty body")]
    Empty,
    /// The declared encoding is unknown, or the bytes do not fit it.
    #[error("cannot decode the body: {0}")]
    Encoding(String),
    /// Not XML even after the documented repairs.
    #[error("malformed XML: {0}")]
    Malformed(String),
    /// Well-formed, but neither `callStatus` nor `AgentRequest`.
    #[error("unexpected root element <{0}>")]
    UnknownRoot(String),
}

/// What SPN posted to us.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OnlineRequest {
    /// 2.3: a call's state changed; no answer is defined.
    CallStatus(CallStatus),
    /// 2.4: a call is waiting for us to say where it goes; answer with [`AgentInfo`].
    AgentRequest(AgentRequest),
}

/// A leg's state in `callStatus` (2.3: `CALLING`, `CONNECTED`, `FAILED`, `SUCCESS` or
/// an empty string).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LegState {
    Calling,
    Connected,
    Failed,
    Success,
    /// Empty or absent: the leg has not started (2.3 table, "Пустая строка").
    Empty,
    /// A value the spec does not list, kept as sent (the state diagram of 2.3.2 is not
    /// in the document).
    Other(String),
}

impl LegState {
    /// Read case-insensitively, surrounding spaces ignored.
    pub fn parse(s: &str) -> Self {
        let t = s.trim();
        match t.to_ascii_uppercase().as_str() {
            "" => Self::Empty,
            "CALLING" => Self::Calling,
            "CONNECTED" => Self::Connected,
            "FAILED" => Self::Failed,
            "SUCCESS" => Self::Success,
            _ => Self::Other(t.to_string()),
        }
    }

    /// As the spec spells it.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Calling => "CALLING",
            Self::Connected => "CONNECTED",
            Self::Failed => "FAILED",
            Self::Success => "SUCCESS",
            Self::Empty => "",
            Self::Other(s) => s,
        }
    }
}

/// `callStatus` (2.3). Side 0 is the operator, side 1 the subscriber (2.1, 2.3 table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallStatus {
    pub request_id: String,
    pub b0_state: LegState,
    pub b1_state: LegState,
    /// The failure code after `FAILED` (2.3.3; the code table is not in the document), or
    /// the side that hung up after `SUCCESS`, `0` or `1` (2.3.5).
    pub reason: String,
    /// `TimeStamp`, `YYYYMMDDHHMISS` in Moscow time (2.3.6), as UTC; `None` when absent
    /// or unreadable (the event then takes the time it arrived).
    pub timestamp: Option<DateTime<Utc>>,
    /// `TimeStamp` as sent, for the event key.
    pub timestamp_raw: String,
    /// Talk seconds: filled only after `SUCCESS` on both sides, `0` otherwise (2.3.7);
    /// `None` when absent or not a number.
    pub call_duration: Option<u32>,
    pub script_id: String,
    pub host_id: String,
    pub sys_id: String,
    pub add_par: String,
    /// Attributes the spec does not name (1.10), as sent.
    pub extra: Vec<(String, String)>,
}

/// `AgentRequest` (2.4): SPN asks which operator number an incoming call goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentRequest {
    pub script_id: String,
    pub host_id: String,
    pub sys_id: String,
    /// The caller, as sent (format not specified).
    pub a1: String,
    /// The called client number, as sent (the spec's `B1="bnumber 1"` has a space).
    pub b1: String,
    pub add_par: String,
    /// Attributes the spec does not name (1.10), as sent.
    pub extra: Vec<(String, String)>,
}

impl AgentRequest {
    /// The caller in E.164 where it reads as a number.
    pub fn caller(&self) -> String {
        normalize_phone(&self.a1)
    }

    /// The called number in E.164 where it reads as a number.
    pub fn called(&self) -> String {
        normalize_phone(&self.b1)
    }

    /// The incoming call as a live event: ringing, from `A1` to `B1`. The request has no
    /// time and no call id (`SysID` names the SPN, not the call): the call is the
    /// `request_id` our answer gives it (`request_id`), which its `callStatus` requests
    /// then carry (2.5.1), and the time is when it arrived.
    pub fn to_live_event(&self, request_id: &str, received: DateTime<Utc>) -> LiveEvent {
        let key = format!("beeline:agent-request:{}", request_id.trim());
        let mut details = Vec::new();
        push(&mut details, "ScriptID", &self.script_id);
        push(&mut details, "HostID", &self.host_id);
        push(&mut details, "SysID", &self.sys_id);
        push(&mut details, "AddPar", &self.add_par);
        for (k, v) in &self.extra {
            push(&mut details, k, v);
        }
        LiveEvent {
            key,
            call: call_id(&self.sys_id, request_id),
            provider_call_id: None,
            at: received,
            stage: Stage::Ringing {
                target: non_empty(&self.b1).map(normalize_phone),
            },
            caller: non_empty(&self.a1).map(normalize_phone),
            callee: non_empty(&self.b1).map(normalize_phone),
            direction: Some(callboard_model::Direction::Incoming),
            details,
            completed: None,
        }
    }
}

/// The call id of a Beeline live call: the `request_id` we gave it (in `InitCall`, or in
/// the `AgentInfo` answer to an incoming call), else `SysID` (which names the SPN that
/// handles the call, 2.3, and so may be shared by calls).
fn call_id(sys_id: &str, request_id: &str) -> String {
    match non_empty(request_id) {
        Some(r) => format!("beeline-req:{r}"),
        None => format!("beeline:{}", sys_id.trim()),
    }
}

fn non_empty(s: &str) -> Option<&str> {
    Some(s.trim()).filter(|s| !s.is_empty())
}

fn push(details: &mut Vec<Detail>, label: &str, value: &str) {
    if let Some(v) = non_empty(value) {
        details.push(Detail {
            label: label.to_string(),
            value: v.to_string(),
        });
    }
}

impl CallStatus {
    /// What the status means for the call:
    ///
    /// - `FAILED` on either side ends it (2.3.3), with `Reason` as the cause. Outcome:
    ///   `Missed` when side 1, the subscriber, failed (the customer was never reached, or
    ///   gave up before an operator answered: the calls an operator calls back), else
    ///   `Failed` (the operator's leg failed). callStatus does not say whether the call
    ///   was our `InitCall` or an incoming one (2.5.1); the core, which issued the
    ///   `request_id` either way, may refine this.
    /// - `SUCCESS` on both sides ends it answered (2.3.5), `CallDuration` being the talk
    ///   time and `Reason` the side that hung up.
    /// - `CONNECTED` on both sides is a conversation (2.3.4).
    /// - `CALLING` on a side, no side connected: ringing.
    /// - Anything else (one side connected while the other is rung, one side `SUCCESS`,
    ///   states the spec does not list) is a note that changes nothing: the state
    ///   diagram (2.3.2) is not in the document, so nothing more is guessed.
    pub fn to_live_event(&self, received: DateTime<Utc>) -> LiveEvent {
        use LegState::*;
        let states = [&self.b0_state, &self.b1_state];
        let reason = non_empty(&self.reason).map(str::to_string);
        let stage = if states.contains(&&Failed) {
            Stage::Ended {
                outcome: if self.b1_state == Failed {
                    Outcome::Missed
                } else {
                    Outcome::Failed
                },
                talk_secs: None,
                cause: reason,
            }
        } else if states == [&Success, &Success] {
            Stage::Ended {
                outcome: Outcome::Answered,
                talk_secs: self.call_duration,
                cause: reason.map(|side| format!("hung up by side {side}")),
            }
        } else if states == [&Connected, &Connected] {
            Stage::Talking
        } else if states.contains(&&Calling) && !states.contains(&&Connected) {
            Stage::Ringing { target: None }
        } else {
            Stage::Note {
                text: format!(
                    "side 0 {}, side 1 {}",
                    state_text(&self.b0_state),
                    state_text(&self.b1_state)
                ),
            }
        };
        let key = format!(
            "beeline:call-status:{}|{}|{}|{}|{}",
            self.request_id.trim(),
            self.sys_id.trim(),
            self.b0_state.as_str(),
            self.b1_state.as_str(),
            self.timestamp_raw.trim()
        );
        let mut details = Vec::new();
        push(&mut details, "request_id", &self.request_id);
        push(&mut details, "b0_state", self.b0_state.as_str());
        push(&mut details, "b1_state", self.b1_state.as_str());
        push(&mut details, "Reason", &self.reason);
        if let Some(d) = self.call_duration.filter(|d| *d > 0) {
            push(&mut details, "CallDuration", &d.to_string());
        }
        push(&mut details, "ScriptID", &self.script_id);
        push(&mut details, "HostID", &self.host_id);
        push(&mut details, "SysID", &self.sys_id);
        push(&mut details, "AddPar", &self.add_par);
        for (k, v) in &self.extra {
            push(&mut details, k, v);
        }
        LiveEvent {
            key,
            call: call_id(&self.sys_id, &self.request_id),
            provider_call_id: None,
            at: self.timestamp.unwrap_or(received),
            stage,
            caller: None,
            callee: None,
            direction: None,
            details,
            completed: None,
        }
    }
}

fn state_text(s: &LegState) -> &str {
    match s {
        LegState::Empty => "idle",
        other => other.as_str(),
    }
}

/// `AgentInfo`: our answer to an [`AgentRequest`] (2.4), or the deferred request that
/// follows a deferral (2.5, no `F0`/`F1`/`REC`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentInfo {
    /// Our id for the call (1.7: unique; SPN only logs it).
    pub request_id: String,
    /// The number shown to the operator.
    pub a0: String,
    /// The operator number to ring; empty rejects the call (2.4.4).
    pub b0: String,
    /// Echoed from the request (2.4.1).
    pub script_id: String,
    pub host_id: String,
    /// Files for side 0 / side 1. `None` leaves the attribute out: then PREMEDIA applies
    /// (2.4.5); what an empty value would mean is not specified.
    pub f0: Option<String>,
    pub f1: Option<String>,
    /// Record the call. `None` leaves `REC` out: then ARECORD applies (2.4.5).
    pub rec: Option<bool>,
    pub add_par: String,
}

impl AgentInfo {
    /// Sends the call to `operator_number`, showing the operator the caller's number;
    /// files and recording left to the account's PREMEDIA/ARECORD settings (2.4.5).
    /// `ScriptID`, `HostID` and `AddPar` are echoed (2.4.1, 1.8).
    pub fn route(req: &AgentRequest, request_id: &str, operator_number: &str) -> Self {
        Self {
            request_id: request_id.to_string(),
            a0: req.a1.clone(),
            b0: operator_number.to_string(),
            script_id: req.script_id.clone(),
            host_id: req.host_id.clone(),
            f0: None,
            f1: None,
            rec: None,
            add_par: req.add_par.clone(),
        }
    }

    /// Rejects the call: `B0=""` (2.4.4). `request_id` must not be empty, since empty
    /// `request_id`, `A0` and `B0` together mean "answer later" (2.4.2); an empty one is
    /// replaced by `reject-<SysID>`.
    pub fn reject(req: &AgentRequest, request_id: &str) -> Self {
        let request_id = match non_empty(request_id) {
            Some(id) => id.to_string(),
            None => format!("reject-{}", req.sys_id.trim()),
        };
        Self {
            request_id,
            a0: String::new(),
            b0: String::new(),
            script_id: req.script_id.clone(),
            host_id: req.host_id.clone(),
            f0: None,
            f1: None,
            rec: None,
            add_par: req.add_par.clone(),
        }
    }

    /// Asks SPN to wait for a later `AgentInfo` request (2.4.2, 2.5): `request_id`, `A0`
    /// and `B0` all empty.
    pub fn defer(req: &AgentRequest) -> Self {
        let mut info = Self::reject(req, "-");
        info.request_id.clear();
        info
    }
}

/// The `AgentInfo` element, attributes in the spec's order (2.4), values escaped for a
/// double-quoted attribute. UTF-8, without an XML declaration.
pub fn render_agent_info(info: &AgentInfo) -> String {
    let mut out = String::from("<AgentInfo");
    let mut attr = |name: &str, value: &str| {
        out.push(' ');
        out.push_str(name);
        out.push_str("=\"");
        escape_attr(value, &mut out);
        out.push('"');
    };
    attr("request_id", &info.request_id);
    attr("A0", &info.a0);
    attr("B0", &info.b0);
    attr("ScriptID", &info.script_id);
    attr("HostID", &info.host_id);
    if let Some(f) = &info.f0 {
        attr("F0", f);
    }
    if let Some(f) = &info.f1 {
        attr("F1", f);
    }
    if let Some(rec) = info.rec {
        attr("REC", if rec { "1" } else { "0" });
    }
    attr("AddPar", &info.add_par);
    out.push_str("/>");
    out
}

/// Escapes what a double-quoted attribute value cannot hold literally; line breaks and
/// tabs as character references, since a parser would turn them into spaces.
fn escape_attr(value: &str, out: &mut String) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
}

/// Reads a request SPN posted: `callStatus` or `AgentRequest`, by root element.
/// `received` is unused by the parse itself and kept for symmetry with the other
/// providers' parsers; [`CallStatus::to_live_event`] takes it again.
pub fn parse_online(body: &[u8], _received: DateTime<Utc>) -> Result<OnlineRequest, OnlineError> {
    let (root, attrs) = parse_root(body)?;
    let get = |name: &str| attr(&attrs, name).unwrap_or_default().to_string();
    let known = |names: &[&str]| -> Vec<(String, String)> {
        attrs
            .iter()
            .filter(|(k, _)| !names.iter().any(|n| n.eq_ignore_ascii_case(k)))
            .cloned()
            .collect()
    };
    if root.eq_ignore_ascii_case("callStatus") {
        const NAMES: [&str; 10] = [
            "request_id",
            "b0_state",
            "b1_state",
            "Reason",
            "TimeStamp",
            "CallDuration",
            "ScriptID",
            "HostID",
            "SysID",
            "AddPar",
        ];
        let timestamp_raw = get("TimeStamp");
        Ok(OnlineRequest::CallStatus(CallStatus {
            request_id: get("request_id"),
            b0_state: LegState::parse(&get("b0_state")),
            b1_state: LegState::parse(&get("b1_state")),
            reason: get("Reason"),
            timestamp: parse_timestamp(&timestamp_raw),
            timestamp_raw,
            call_duration: get("CallDuration").trim().parse().ok(),
            script_id: get("ScriptID"),
            host_id: get("HostID"),
            sys_id: get("SysID"),
            add_par: get("AddPar"),
            extra: known(&NAMES),
        }))
    } else if root.eq_ignore_ascii_case("AgentRequest") {
        const NAMES: [&str; 6] = ["ScriptID", "HostID", "SysID", "A1", "B1", "AddPar"];
        Ok(OnlineRequest::AgentRequest(AgentRequest {
            script_id: get("ScriptID"),
            host_id: get("HostID"),
            sys_id: get("SysID"),
            a1: get("A1"),
            b1: get("B1"),
            add_par: get("AddPar"),
            extra: known(&NAMES),
        }))
    } else {
        Err(OnlineError::UnknownRoot(quote(&root)))
    }
}

/// Reads an `AgentInfo` element (ours, or a 2.5 request): for the simulator and tests.
/// A `REC` other than `0`/`1` reads as absent.
pub fn parse_agent_info(body: &[u8]) -> Result<AgentInfo, OnlineError> {
    let (root, attrs) = parse_root(body)?;
    if !root.eq_ignore_ascii_case("AgentInfo") {
        return Err(OnlineError::UnknownRoot(quote(&root)));
    }
    let get = |name: &str| attr(&attrs, name).unwrap_or_default().to_string();
    let opt = |name: &str| attr(&attrs, name).map(str::to_string);
    Ok(AgentInfo {
        request_id: get("request_id"),
        a0: get("A0"),
        b0: get("B0"),
        script_id: get("ScriptID"),
        host_id: get("HostID"),
        f0: opt("F0"),
        f1: opt("F1"),
        rec: match attr(&attrs, "REC").map(str::trim) {
            Some("1") => Some(true),
            Some("0") => Some(false),
            _ => None,
        },
        add_par: get("AddPar"),
    })
}

/// `TimeStamp` (2.3.6: `YYYYMMDDHHMISS`, Moscow, UTC+3) as UTC; the other forms Beeline
/// prints elsewhere are read too.
fn parse_timestamp(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if s.len() == 14 && s.bytes().all(|b| b.is_ascii_digit()) {
        // `%Y` is greedy without separators: split the date from the time first.
        return parse_moscow(&format!(
            "{} {}:{}:{}",
            &s[..8],
            &s[8..10],
            &s[10..12],
            &s[12..]
        ));
    }
    parse_moscow(s)
}

/// The value of attribute `name`, whatever its case.
fn attr<'a>(attrs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// At most [`QUOTE_MAX`] bytes of untrusted text (cut on a character boundary), for an
/// error message.
fn quote(s: &str) -> String {
    if s.len() <= QUOTE_MAX {
        return s.to_string();
    }
    let mut end = QUOTE_MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// The root element's name and attributes (name, unescaped value), in document order.
fn parse_root(body: &[u8]) -> Result<(String, Vec<(String, String)>), OnlineError> {
    let text = decode(body)?;
    if text.trim().is_empty() {
        return Err(OnlineError::Empty);
    }
    let repaired = repair(&text);
    let mut reader = quick_xml::Reader::from_str(&repaired);
    let mut root: Option<(String, Vec<(String, String)>)> = None;
    let mut depth = 0usize;
    loop {
        let event = reader.read_event().map_err(|e| {
            OnlineError::Malformed(quote(&format!("{e} (byte {})", reader.error_position())))
        })?;
        match event {
            Event::Start(e) => {
                if root.is_none() {
                    root = Some(element(&e)?);
                }
                depth += 1;
            }
            Event::Empty(e) if root.is_none() => root = Some(element(&e)?),
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Eof => break,
            // Declarations, comments, whitespace and text around the element: nothing of
            // ours is in them.
            _ => {}
        }
        if root.is_some() && depth == 0 {
            break;
        }
    }
    if depth > 0 {
        return Err(OnlineError::Malformed(
            "the root element is not closed".into(),
        ));
    }
    root.ok_or_else(|| OnlineError::Malformed("no element".into()))
}

fn element(e: &BytesStart<'_>) -> Result<(String, Vec<(String, String)>), OnlineError> {
    let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|err| OnlineError::Malformed(quote(&err.to_string())))?;
        let key = String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned();
        let value = a
            .unescape_value()
            .map_err(|err| OnlineError::Malformed(quote(&format!("{key}: {err}"))))?
            .into_owned();
        attrs.push((key, value));
    }
    Ok((name, attrs))
}

/// The body as text. The spec names no encoding (SPEC-NOTES §2), and Russian servers
/// often send windows-1251: a declared encoding is honoured (any label the WHATWG
/// Encoding Standard knows); without one, UTF-8, else windows-1251. A byte-order mark
/// wins over the declaration. The XML declaration is dropped from the result, since the
/// text is no longer in the encoding it names.
fn decode(body: &[u8]) -> Result<String, OnlineError> {
    if body.is_empty() {
        return Err(OnlineError::Empty);
    }
    let (encoding, bom) = match encoding_rs::Encoding::for_bom(body) {
        Some((enc, len)) => (Some(enc), len),
        None => (None, 0),
    };
    let body = &body[bom..];
    let declared = declared_encoding(body);
    let encoding = match (encoding, declared) {
        (Some(enc), _) => enc,
        (None, Some(label)) => encoding_rs::Encoding::for_label(label.trim().as_bytes())
            .ok_or_else(|| {
                OnlineError::Encoding(format!(
                    "unknown encoding {:?}",
                    quote(&String::from_utf8_lossy(label.as_bytes()))
                ))
            })?,
        (None, None) => match std::str::from_utf8(body) {
            Ok(_) => encoding_rs::UTF_8,
            Err(_) => encoding_rs::WINDOWS_1251,
        },
    };
    let text = encoding
        .decode_without_bom_handling_and_without_replacement(body)
        .ok_or_else(|| {
            OnlineError::Encoding(format!("the body is not valid {}", encoding.name()))
        })?;
    Ok(strip_declaration(&text).to_string())
}

/// The `encoding` of a leading XML declaration, if any. Labels are ASCII, so the
/// declaration can be read before the body is decoded.
fn declared_encoding(body: &[u8]) -> Option<String> {
    let head = &body[..body.len().min(200)];
    let head = String::from_utf8_lossy(head);
    let decl = head.trim_start().strip_prefix("<?xml")?;
    let decl = &decl[..decl.find("?>")?];
    let at = decl.to_ascii_lowercase().find("encoding")?;
    let rest = decl[at + "encoding".len()..]
        .trim_start()
        .strip_prefix('=')?;
    let rest = rest.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let rest = &rest[1..];
    Some(rest[..rest.find(quote)?].to_string())
}

fn strip_declaration(text: &str) -> &str {
    let t = text.trim_start();
    if t.starts_with("<?xml")
        && let Some(end) = t.find("?>")
    {
        return &t[end + 2..];
    }
    text
}

/// The documented repairs, each touching only text that XML forbids, so well-formed
/// input comes out unchanged:
///
/// - whitespace between `<` (or `</`) and a name is dropped: the 2.4 answer is printed
///   `< AgentInfo …` (L246);
/// - an unquoted attribute value is quoted, up to the next whitespace, `>` or `/>`: 2.3
///   prints `CallDuration=duration` (L177). A `"` or `<` inside it is escaped, and an
///   `&` that does not start an entity becomes `&amp;`.
///
/// Declarations, comments and quoted values are copied as they are.
pub fn repair(text: &str) -> Cow<'_, str> {
    let c: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    let mut changed = false;
    let mut i = 0;
    while i < c.len() {
        if c[i] != '<' {
            out.push(c[i]);
            i += 1;
            continue;
        }
        // Markup that is not an element: copied to its end.
        if matches!(c.get(i + 1), Some('?' | '!')) {
            let end_marker: &[char] = if c[i + 1..].starts_with(&['!', '-', '-']) {
                &['-', '-', '>']
            } else if c[i + 1] == '?' {
                &['?', '>']
            } else {
                &['>']
            };
            let end = find(&c, i + 2, end_marker).map_or(c.len(), |e| e + end_marker.len());
            out.extend(&c[i..end]);
            i = end;
            continue;
        }
        out.push('<');
        i += 1;
        let close = c.get(skip_ws(&c, i)) == Some(&'/');
        let name_at = if close {
            skip_ws(&c, skip_ws(&c, i) + 1)
        } else {
            skip_ws(&c, i)
        };
        if c.get(name_at)
            .is_some_and(|ch| ch.is_alphabetic() || *ch == '_')
        {
            if close {
                out.push('/');
            }
            changed |= name_at != i + usize::from(close);
            i = name_at;
        } else {
            // Not a tag we can mend; the parser will say what is wrong.
            continue;
        }
        // Inside the tag, up to its `>`.
        while i < c.len() && c[i] != '>' {
            match c[i] {
                q @ ('"' | '\'') => {
                    let end = c[i + 1..]
                        .iter()
                        .position(|&x| x == q)
                        .map_or(c.len(), |p| i + 1 + p + 1);
                    out.extend(&c[i..end]);
                    i = end;
                }
                '=' => {
                    out.push('=');
                    let start = skip_ws(&c, i + 1);
                    out.extend(&c[i + 1..start]);
                    i = start;
                    if i < c.len() && !matches!(c[i], '"' | '\'' | '>') {
                        let end = (i..c.len())
                            .find(|&k| {
                                c[k].is_whitespace()
                                    || c[k] == '>'
                                    || (c[k] == '/' && c.get(k + 1) == Some(&'>'))
                            })
                            .unwrap_or(c.len());
                        out.push('"');
                        for k in i..end {
                            match c[k] {
                                '"' => out.push_str("&quot;"),
                                '<' => out.push_str("&lt;"),
                                '&' if !starts_entity(&c[k..end]) => out.push_str("&amp;"),
                                ch => out.push(ch),
                            }
                        }
                        out.push('"');
                        changed = true;
                        i = end;
                    }
                }
                ch => {
                    out.push(ch);
                    i += 1;
                }
            }
        }
    }
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(text)
    }
}

fn skip_ws(c: &[char], mut i: usize) -> usize {
    while i < c.len() && c[i].is_whitespace() {
        i += 1;
    }
    i
}

fn find(c: &[char], from: usize, pat: &[char]) -> Option<usize> {
    (from..c.len()).find(|&k| c[k..].starts_with(pat))
}

/// `&name;` or `&#digits;` / `&#xhex;` at the start of `s`.
fn starts_entity(s: &[char]) -> bool {
    let Some(end) = s.iter().position(|&x| x == ';') else {
        return false;
    };
    let body = &s[1..end];
    match body {
        [] => false,
        ['#', 'x' | 'X', hex @ ..] => !hex.is_empty() && hex.iter().all(char::is_ascii_hexdigit),
        ['#', dec @ ..] => !dec.is_empty() && dec.iter().all(char::is_ascii_digit),
        name => name.iter().all(|ch| ch.is_ascii_alphanumeric()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 3, 1, 12, 0, 0).unwrap()
    }

    fn status(xml: &str) -> CallStatus {
        match parse_online(xml.as_bytes(), now()).unwrap() {
            OnlineRequest::CallStatus(s) => s,
            other => panic!("not a callStatus: {other:?}"),
        }
    }

    fn agent_request(xml: &str) -> AgentRequest {
        match parse_online(xml.as_bytes(), now()).unwrap() {
            OnlineRequest::AgentRequest(r) => r,
            other => panic!("not an AgentRequest: {other:?}"),
        }
    }

    /// 2.3, L176–178, exactly as printed (line break and the unquoted `CallDuration`).
    const SPEC_CALL_STATUS: &str = "<callStatus request_id = \"reqid\" b0_state = \"statusb_0\" b1_state=\"statusb_1\" Reason=\"reason\"\nTimeStamp=\"YYYYMMDDHHMISS\" CallDuration=duration ScriptID=\"scriptid\" HostID=\"hostid\"\nSysID=\"sysid\" AddPar=\"addpar\" />";

    /// 2.4, L223–224.
    const SPEC_AGENT_REQUEST: &str = "<AgentRequest ScriptID=\"scriptid\" HostID=\"hostid\" SysID=\"sysid\" A1=\"anumber_1\"\nB1=\"bnumber 1\" AddPar=\"addpar\"/>";

    /// 2.4, L246, as printed: inside `$…$`, with `< AgentInfo`.
    const SPEC_AGENT_INFO: &str = "$< AgentInfo request_id = \"reqid\" A0=\"anumber_0\" B0=\"bnumber_0\" ScriptID=\"scriptid\" HostID=\"hostid\" F0=\"file_0\" F1=\"file_1\" REC=\"rec\" AddPar=\"addpar\"/>$";

    #[test]
    fn the_spec_call_status_parses_with_its_unquoted_duration() {
        let s = status(SPEC_CALL_STATUS);
        assert_eq!(s.request_id, "reqid");
        assert_eq!(s.b0_state, LegState::Other("statusb_0".into()));
        assert_eq!(s.b1_state, LegState::Other("statusb_1".into()));
        assert_eq!(s.reason, "reason");
        assert_eq!(s.timestamp_raw, "YYYYMMDDHHMISS");
        assert_eq!(s.timestamp, None, "a placeholder, not a time");
        assert_eq!(s.call_duration, None, "`duration` is a placeholder");
        assert_eq!(
            (
                s.script_id.as_str(),
                s.host_id.as_str(),
                s.sys_id.as_str(),
                s.add_par.as_str()
            ),
            ("scriptid", "hostid", "sysid", "addpar")
        );
        assert!(s.extra.is_empty());
    }

    #[test]
    fn a_real_call_status_reads_numbers_and_moscow_time() {
        let s = status(
            r#"<?xml version="1.0" encoding="UTF-8"?>
            <callStatus request_id="r-1" b0_state="SUCCESS" b1_state="SUCCESS" Reason="1"
              TimeStamp="20240301153005" CallDuration=42 ScriptID="s" HostID="h" SysID="77" AddPar=""/>"#,
        );
        assert_eq!(s.call_duration, Some(42));
        // 15:30:05 in Moscow (UTC+3).
        assert_eq!(
            s.timestamp,
            Some(Utc.with_ymd_and_hms(2024, 3, 1, 12, 30, 5).unwrap())
        );
        let e = s.to_live_event(now());
        assert_eq!(e.at, s.timestamp.unwrap());
        assert_eq!(e.call, "beeline-req:r-1");
        assert_eq!(
            e.stage,
            Stage::Ended {
                outcome: Outcome::Answered,
                talk_secs: Some(42),
                cause: Some("hung up by side 1".into())
            }
        );
    }

    #[test]
    fn the_spec_agent_request_keeps_the_space_in_b1() {
        let r = agent_request(SPEC_AGENT_REQUEST);
        assert_eq!(r.script_id, "scriptid");
        assert_eq!(r.host_id, "hostid");
        assert_eq!(r.sys_id, "sysid");
        assert_eq!(r.a1, "anumber_1");
        assert_eq!(r.b1, "bnumber 1");
        assert_eq!(r.add_par, "addpar");
    }

    #[test]
    fn the_spec_initcall_info_and_anncall_are_well_formed_but_not_ours_to_receive() {
        // 2.1 L63–64, L91–92; 2.2 L121–122, L150–151: CS→SPN requests and their answers.
        for (xml, root) in [
            (
                "<InitCall request_id = \"reqid\" A0=\"anumber_0\" B0=\"bnumber_0\" A1=\"anumber_1\"\nB1=\"bnumber_1\" F0=\"file_0\" F1=\"file_1\" REC=\"rec\" AddPar=\"addpar\"/>",
                "InitCall",
            ),
            (
                "<Info request_id = \"reqid\" ScriptID=\"scriptid\" HostID=\"hostid\" SysID=\"sysid\" AddPar=\"addpar\"\n/>",
                "Info",
            ),
            (
                "<AnnCall request_id = \"reqid\" A0=\"anumber_0\" B0=\"bnumber_0\" A1=\"anumber_1\"\nB1=\"bnumber_1\" btn = \"button\" AddPar=\"text\"/>",
                "AnnCall",
            ),
        ] {
            assert_eq!(repair(xml), xml, "valid as printed");
            assert_eq!(
                parse_online(xml.as_bytes(), now()),
                Err(OnlineError::UnknownRoot(root.into()))
            );
        }
    }

    #[test]
    fn agent_info_renders_as_the_spec_prints_it_once_repaired() {
        // The print repaired: `$…$` and the space after `<` removed, `request_id = ` as
        // `request_id=`; `REC="rec"` is a placeholder for the flag, rendered `1`.
        let printed = SPEC_AGENT_INFO
            .trim_matches('$')
            .replace("< AgentInfo", "<AgentInfo");
        let expected = printed
            .replace("request_id = ", "request_id=")
            .replace("REC=\"rec\"", "REC=\"1\"");
        let info = AgentInfo {
            request_id: "reqid".into(),
            a0: "anumber_0".into(),
            b0: "bnumber_0".into(),
            script_id: "scriptid".into(),
            host_id: "hostid".into(),
            f0: Some("file_0".into()),
            f1: Some("file_1".into()),
            rec: Some(true),
            add_par: "addpar".into(),
        };
        assert_eq!(render_agent_info(&info), expected);
        // And the print itself reads back (after the `$` are gone) as the same answer,
        // the space after `<` repaired.
        let back = parse_agent_info(printed.replace("REC=\"rec\"", "REC=\"1\"").as_bytes());
        assert_eq!(back, Ok(info));
        let raw = parse_agent_info(SPEC_AGENT_INFO.trim_matches('$').as_bytes()).unwrap();
        assert_eq!(raw.rec, None, "`rec` is a placeholder");
        assert_eq!(raw.b0, "bnumber_0");
    }

    #[test]
    fn route_reject_and_defer_follow_2_4() {
        let req = agent_request(
            r#"<AgentRequest ScriptID="S1" HostID="H1" SysID="9" A1="+7 916 000-11-22" B1="74951234567" AddPar="x"/>"#,
        );
        assert_eq!(req.caller(), "+79160001122");
        assert_eq!(req.called(), "+74951234567");

        let route = AgentInfo::route(&req, "cb-1", "79031112233");
        assert_eq!(
            render_agent_info(&route),
            r#"<AgentInfo request_id="cb-1" A0="+7 916 000-11-22" B0="79031112233" ScriptID="S1" HostID="H1" AddPar="x"/>"#,
            "F0, F1 and REC left out: PREMEDIA and ARECORD apply (2.4.5)"
        );

        let reject = AgentInfo::reject(&req, "cb-2");
        assert_eq!(
            render_agent_info(&reject),
            r#"<AgentInfo request_id="cb-2" A0="" B0="" ScriptID="S1" HostID="H1" AddPar="x"/>"#
        );
        // Never the all-empty deferral, even when given no id.
        let reject = AgentInfo::reject(&req, " ");
        assert_eq!(reject.request_id, "reject-9");
        assert_eq!(reject.b0, "");

        let defer = AgentInfo::defer(&req);
        assert_eq!(
            (
                defer.request_id.as_str(),
                defer.a0.as_str(),
                defer.b0.as_str()
            ),
            ("", "", "")
        );
        assert_eq!(
            (defer.script_id.as_str(), defer.host_id.as_str()),
            ("S1", "H1")
        );
    }

    #[test]
    fn agent_info_escapes_attribute_values() {
        let info = AgentInfo {
            request_id: "a\"b".into(),
            a0: "<&>".into(),
            b0: "1".into(),
            script_id: "it's".into(),
            host_id: "x\ny".into(),
            f0: None,
            f1: Some("".into()),
            rec: Some(false),
            add_par: "&amp;".into(),
        };
        let xml = render_agent_info(&info);
        assert_eq!(
            xml,
            r#"<AgentInfo request_id="a&quot;b" A0="&lt;&amp;&gt;" B0="1" ScriptID="it&apos;s" HostID="x&#10;y" F1="" REC="0" AddPar="&amp;amp;"/>"#
        );
        assert_eq!(parse_agent_info(xml.as_bytes()), Ok(info));
    }

    #[test]
    fn unknown_attributes_are_kept_and_names_read_in_any_case() {
        let s = status(
            r#"<CALLSTATUS REQUEST_ID="r" B0_STATE="connected" b1_state="CONNECTED" NewParam="v" sysid="5" timestamp="20240301100000"/>"#,
        );
        assert_eq!(s.request_id, "r");
        assert_eq!(s.b0_state, LegState::Connected);
        assert_eq!(s.sys_id, "5");
        assert_eq!(s.extra, vec![("NewParam".to_string(), "v".to_string())]);
        let e = s.to_live_event(now());
        assert_eq!(e.stage, Stage::Talking);
        assert!(
            e.details
                .iter()
                .any(|d| d.label == "NewParam" && d.value == "v")
        );
    }

    #[test]
    fn states_map_to_stages() {
        let ev = |b0: &str, b1: &str, reason: &str| {
            status(&format!(
                r#"<callStatus request_id="q" b0_state="{b0}" b1_state="{b1}" Reason="{reason}" CallDuration="0" TimeStamp="20240301100000"/>"#
            ))
            .to_live_event(now())
            .stage
        };
        assert_eq!(ev("CALLING", "", ""), Stage::Ringing { target: None });
        assert_eq!(ev("", "CALLING", ""), Stage::Ringing { target: None });
        assert!(matches!(ev("CONNECTED", "CALLING", ""), Stage::Note { .. }));
        assert_eq!(ev("CONNECTED", "CONNECTED", ""), Stage::Talking);
        assert_eq!(
            ev("CONNECTED", "FAILED", "17"),
            Stage::Ended {
                outcome: Outcome::Missed,
                talk_secs: None,
                cause: Some("17".into())
            }
        );
        assert_eq!(
            ev("FAILED", "", "19"),
            Stage::Ended {
                outcome: Outcome::Failed,
                talk_secs: None,
                cause: Some("19".into())
            }
        );
        assert_eq!(
            ev("SUCCESS", "SUCCESS", "0"),
            Stage::Ended {
                outcome: Outcome::Answered,
                talk_secs: Some(0),
                cause: Some("hung up by side 0".into())
            }
        );
        assert!(matches!(ev("", "", ""), Stage::Note { .. }));
        assert!(matches!(ev("SUCCESS", "", ""), Stage::Note { .. }));
    }

    #[test]
    fn keys_and_call_ids() {
        let xml = r#"<callStatus request_id="q" b0_state="CALLING" b1_state="" SysID="" TimeStamp="20240301100000"/>"#;
        let a = status(xml).to_live_event(now());
        // A replay, received later, is the same event.
        let b = status(xml).to_live_event(now() + chrono::Duration::minutes(5));
        assert_eq!(a.key, b.key);
        assert_eq!(a.call, "beeline-req:q", "no SysID: the request id");
        let c = status(&xml.replace("b1_state=\"\"", "b1_state=\"CALLING\"")).to_live_event(now());
        assert_ne!(a.key, c.key);
        let d = status(&xml.replace("20240301100000", "20240301100001")).to_live_event(now());
        assert_ne!(a.key, d.key);
        // No time sent: the time it arrived.
        let e = status(r#"<callStatus request_id="q" b0_state="CALLING"/>"#).to_live_event(now());
        assert_eq!(e.at, now());
    }

    #[test]
    fn agent_request_is_a_ringing_incoming_call() {
        let r = agent_request(
            r#"<AgentRequest ScriptID="S" HostID="H" SysID="12" A1="89160001122" B1="4951234567"/>"#,
        );
        let e = r.to_live_event("cb-1", now());
        assert_eq!(e.call, "beeline-req:cb-1");
        assert_eq!(e.caller.as_deref(), Some("+79160001122"));
        assert_eq!(e.callee.as_deref(), Some("+74951234567"));
        assert_eq!(
            e.stage,
            Stage::Ringing {
                target: Some("+74951234567".into())
            }
        );
        // A replay of our answer's request is the same event; another call is another.
        assert_eq!(
            e.key,
            r.to_live_event("cb-1", now() + chrono::Duration::seconds(3))
                .key
        );
        assert_ne!(e.key, r.to_live_event("cb-2", now()).key);
    }

    #[test]
    fn windows_1251_is_decoded_when_declared_or_when_not_utf8() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode("Привет");
        let mut declared =
            b"<?xml version=\"1.0\" encoding=\"windows-1251\"?><AgentRequest AddPar=\"".to_vec();
        declared.extend_from_slice(&bytes);
        declared.extend_from_slice(b"\"/>");
        let OnlineRequest::AgentRequest(r) = parse_online(&declared, now()).unwrap() else {
            panic!()
        };
        assert_eq!(r.add_par, "Привет");

        let mut bare = b"<AgentRequest AddPar='".to_vec();
        bare.extend_from_slice(&bytes);
        bare.extend_from_slice(b"'/>");
        let OnlineRequest::AgentRequest(r) = parse_online(&bare, now()).unwrap() else {
            panic!()
        };
        assert_eq!(r.add_par, "Привет");

        let utf8 = "<?xml version='1.0' encoding='utf-8'?>\n<AgentRequest AddPar=\"Привет\"/>";
        let OnlineRequest::AgentRequest(r) = parse_online(utf8.as_bytes(), now()).unwrap() else {
            panic!()
        };
        assert_eq!(r.add_par, "Привет");

        // Declared UTF-8 but not: refused rather than guessed.
        let mut lying =
            b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><AgentRequest AddPar=\"".to_vec();
        lying.extend_from_slice(&bytes);
        lying.extend_from_slice(b"\"/>");
        assert!(matches!(
            parse_online(&lying, now()),
            Err(OnlineError::Encoding(_))
        ));
        assert!(matches!(
            parse_online(b"<?xml version='1.0' encoding='klingon'?><a/>", now()),
            Err(OnlineError::Encoding(_))
        ));
    }

    #[test]
    fn repairs_touch_only_what_xml_forbids() {
        let ok = r#"<a b = "1" c='x=y' d="&amp;"/>"#;
        assert!(matches!(repair(ok), Cow::Borrowed(_)));
        assert_eq!(repair("<a b=1 c=two/>"), r#"<a b="1" c="two"/>"#);
        assert_eq!(repair("<a b=1>"), r#"<a b="1">"#);
        assert_eq!(repair("< a b=x&y></ a>"), r#"<a b="x&amp;y"></a>"#);
        assert_eq!(repair("<a b=&lt;/>"), r#"<a b="&lt;"/>"#);
        assert_eq!(repair("<!-- b=1 --><a/>"), "<!-- b=1 --><a/>");
    }

    #[test]
    fn malformed_bodies_are_errors_that_quote_little() {
        let long = format!("<callStatus request_id=\"{}", "x".repeat(5000));
        for bad in [
            "",
            "   ",
            "not xml at all",
            "<callStatus request_id=\"1\" request_id=\"2\"/>",
            "<callStatus request_id=\"1\">",
            "<callStatus request_id=\"unterminated/>",
            "<callStatus a/>",
            long.as_str(),
            "<callStatus b=\"&bogus;\"/>",
        ] {
            let err = parse_online(bad.as_bytes(), now()).expect_err(bad);
            assert!(err.to_string().len() < 140, "{err}");
        }
        let huge_root = format!("<{}/>", "R".repeat(3000));
        let err = parse_online(huge_root.as_bytes(), now()).unwrap_err();
        assert!(matches!(err, OnlineError::UnknownRoot(_)));
        assert!(err.to_string().len() < 140, "{err}");
        let cyrillic_root = format!("<{}/>", "Я".repeat(3000));
        let err = parse_online(cyrillic_root.as_bytes(), now()).unwrap_err();
        assert!(err.to_string().len() < 140, "{err}");
    }
}
