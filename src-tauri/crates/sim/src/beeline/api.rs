//! `POST /api/request`: the offline commands, as `multipart/form-data` with the JSON in the
//! part `api_form` (3.2, 3.6). Only the CDR commands are simulated (REQCDR, STATCDR);
//! any other command answers 501.1.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequest, Multipart, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Europe::Moscow;
use serde_json::{Map, Value, json};

use super::dataset::OUR_NUMBERS;
use super::errors::{self, SpecError};
use super::examples::SpecExample;
use super::state::{Armed, Selection, SimState};

/// Largest `api_form` accepted before 413.1 "Data size too big".
pub const MAX_FORM_BYTES: usize = 64 * 1024;
/// The CDRID whose STATCDR answer is the spec's own example, verbatim.
pub const SPEC_CDRID: &str = "cdrid";

type Refusal = (&'static SpecError, String);

fn refuse(st: &SimState, (err, command): Refusal) -> Response {
    errors::answer(err, &command, st.next_number())
}

/// Answers what a test armed for `command`, if anything.
pub(crate) fn armed_answer(st: &SimState, command: &str) -> Option<Response> {
    Some(match st.take_armed(command)? {
        Armed::Error(err) => refuse(st, (err, command.to_string())),
        Armed::Example(ex) => verbatim(ex),
    })
}

/// An example's bytes exactly as printed; the error body comes with HTTP 400, answers 200.
pub(crate) fn verbatim(ex: SpecExample) -> Response {
    let status = if ex == SpecExample::ErrorBody {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        ex.text().to_string(),
    )
        .into_response()
}

pub(crate) async fn handle(
    State(st): State<Arc<SimState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
) -> Response {
    if !st.authorized(req.headers(), peer.ip()) {
        return refuse(&st, (errors::row("401.1"), String::new()));
    }
    let form = match read_form(req).await {
        Ok(form) => form,
        Err(refusal) => return refuse(&st, refusal),
    };
    st.remember_form(&form);
    let cmd = match parse_command(&form) {
        Ok(cmd) => cmd,
        Err(refusal) => return refuse(&st, refusal),
    };
    let name = text(&cmd, "Command").unwrap_or_default();
    st.count(&name);
    if let Some(resp) = armed_answer(&st, &name) {
        return resp;
    }
    let answer = match name.as_str() {
        "REQCDR" => reqcdr(&st, &cmd),
        "STATCDR" => return statcdr(&st, &cmd),
        _ => Err(errors::row("501.1")),
    };
    match answer {
        Ok(body) => axum::Json(body).into_response(),
        Err(err) => refuse(&st, (err, name)),
    }
}

/// The `api_form` part's text, or the 400.7 / 400.8 / 413.1 refusal.
async fn read_form(req: Request) -> Result<String, Refusal> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if !content_type.starts_with("multipart/form-data") || !content_type.contains("boundary=") {
        return Err((errors::row("400.7"), String::new()));
    }
    let incorrect = || (errors::incorrect_form(), String::new());
    let mut multipart = Multipart::from_request(req, &())
        .await
        .map_err(|_| incorrect())?;
    let mut form = None;
    while let Some(field) = multipart.next_field().await.map_err(|_| incorrect())? {
        if field.name() == Some("api_form") {
            let bytes = field.bytes().await.map_err(|_| incorrect())?;
            if bytes.len() > MAX_FORM_BYTES {
                return Err((errors::row("413.1"), String::new()));
            }
            form = Some(String::from_utf8(bytes.to_vec()).map_err(|_| incorrect())?);
        }
    }
    form.ok_or_else(|| (errors::row("400.8"), String::new()))
}

fn parse_command(form: &str) -> Result<Map<String, Value>, Refusal> {
    let Ok(Value::Object(cmd)) = serde_json::from_str::<Value>(form) else {
        return Err((errors::row("400.2"), String::new()));
    };
    match text(&cmd, "Command") {
        Some(c) if !c.trim().is_empty() => Ok(cmd),
        _ => Err((errors::row("400.6"), String::new())),
    }
}

/// A field whatever its key's case (the spec writes both `Command` and `COMMAND`).
fn field<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    obj.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

fn text(obj: &Map<String, Value>, key: &str) -> Option<String> {
    field(obj, key).and_then(Value::as_str).map(str::to_string)
}

/// Which edge of a window a date bounds: a coarse date covers its whole minute or day.
#[derive(Clone, Copy, PartialEq)]
enum Edge {
    From,
    To,
}

/// A 4.13.3 date (`YYYYMMDD HH24:MI:SS`, `YYYYMMDD HH24:MI` or `YYYYMMDD`, Moscow):
/// the wrong shape is 400.3, an impossible date 400.4.
fn parse_date(v: Option<&Value>, edge: Edge) -> Result<DateTime<Utc>, &'static SpecError> {
    let s = v.and_then(Value::as_str).unwrap_or("").trim();
    let shaped = |template: &str| {
        s.len() == template.len()
            && s.bytes().zip(template.bytes()).all(|(c, t)| {
                if t == b'D' {
                    c.is_ascii_digit()
                } else {
                    c == t
                }
            })
    };
    let naive = if shaped("DDDDDDDD DD:DD:DD") {
        NaiveDateTime::parse_from_str(s, "%Y%m%d %H:%M:%S").ok()
    } else if shaped("DDDDDDDD DD:DD") {
        NaiveDateTime::parse_from_str(s, "%Y%m%d %H:%M")
            .ok()
            .map(|t| match edge {
                Edge::From => t,
                Edge::To => t + chrono::Duration::seconds(59),
            })
    } else if shaped("DDDDDDDD") {
        NaiveDate::parse_from_str(s, "%Y%m%d")
            .ok()
            .and_then(|d| match edge {
                Edge::From => d.and_hms_opt(0, 0, 0),
                Edge::To => d.and_hms_opt(23, 59, 59),
            })
    } else {
        return Err(errors::row("400.3"));
    };
    naive
        .and_then(|n| Moscow.from_local_datetime(&n).earliest())
        .map(|t| t.with_timezone(&Utc))
        .ok_or(errors::row("400.4"))
}

fn window(
    obj: &Map<String, Value>,
    from_key: &str,
    to_key: &str,
) -> Result<(DateTime<Utc>, DateTime<Utc>), &'static SpecError> {
    let from = parse_date(field(obj, from_key), Edge::From)?;
    let to = parse_date(field(obj, to_key), Edge::To)?;
    if from > to {
        return Err(errors::row("400.4"));
    }
    Ok((from, to))
}

/// Our number in canonical form, if `raw` is one of ours (in any of the usual forms).
fn our_number(raw: &str) -> Option<&'static str> {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let canonical = match digits.len() {
        11 if digits.starts_with('8') => format!("7{}", &digits[1..]),
        10 => format!("7{digits}"),
        _ => digits,
    };
    OUR_NUMBERS.iter().copied().find(|n| *n == canonical)
}

/// REQCDR (4.13): both request shapes; the answer is `{"CDRID": ...}`.
fn reqcdr(st: &SimState, cmd: &Map<String, Value>) -> Result<Value, &'static SpecError> {
    let selection = match field(cmd, "ConfData") {
        Some(Value::Object(conf)) => {
            let (from, to) = window(conf, "DT_BEGIN", "DT_END")?;
            Selection::All(from, to)
        }
        Some(Value::Array(entries)) if !entries.is_empty() => {
            let mut numbers: BTreeMap<String, (DateTime<Utc>, DateTime<Utc>)> = BTreeMap::new();
            for entry in entries {
                let Value::Object(entry) = entry else {
                    return Err(errors::row("400.1"));
                };
                let list = match field(entry, "BNumber") {
                    Some(Value::Array(list)) if !list.is_empty() => list,
                    _ => return Err(errors::row("404.110")),
                };
                let (from, to) = window(entry, "DateFrom", "DateTo")?;
                for n in list {
                    let raw = n.as_str().ok_or(errors::row("404.110"))?;
                    let ours = our_number(raw).ok_or(errors::row("404.100"))?;
                    // 4.13.4: a number listed twice gets the widest of its windows.
                    numbers
                        .entry(ours.to_string())
                        .and_modify(|w| *w = (w.0.min(from), w.1.max(to)))
                        .or_insert((from, to));
                }
            }
            Selection::Numbers(numbers)
        }
        _ => return Err(errors::row("400.1")),
    };
    Ok(json!({ "CDRID": st.open_job(selection) }))
}

/// STATCDR (4.14): `NOT READY` (with the space), `READY` with the file's URL, `EXPIRED`.
fn statcdr(st: &SimState, cmd: &Map<String, Value>) -> Response {
    let id = text(cmd, "CDRID").unwrap_or_default();
    if id.trim().is_empty() {
        return refuse(st, (errors::row("404.111"), "STATCDR".into()));
    }
    if id == SPEC_CDRID {
        return verbatim(SpecExample::StatcdrAnswer);
    }
    let Some(job) = st.poll_job(&id) else {
        return refuse(st, (errors::row("404.106"), "STATCDR".into()));
    };
    let (status, url) = if job.expired {
        ("EXPIRED", String::new())
    } else if job.ready {
        ("READY", format!("{}/api/download?cdrid={id}", st.base_url))
    } else {
        ("NOT READY", String::new())
    };
    axum::Json(json!({ "ConfData": { "CDRID": id, "STATUS": status, "URL": url } })).into_response()
}
