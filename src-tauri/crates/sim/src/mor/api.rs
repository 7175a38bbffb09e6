//! `recordings_get`: the checks in the order MOR documents its errors, then the listing.

use std::sync::Arc;

use axum::Form;
use axum::body::Body;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Days, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::Moscow;
use sha1::{Digest, Sha1};

use super::dataset::MorCall;
use super::hooks::MorHook;
use super::server::MorState;
use super::spec::{MorSpecError, recordings_example};
use super::xml;

/// The parameters that go into `hash`, in the spec's order; `u` never does. The hash is
/// SHA1 over the values of those present, concatenated in this order, then the secret.
pub const HASHED_PARAMS: [&str; 8] = [
    "date_from",
    "date_till",
    "destination",
    "source",
    "user",
    "device",
    "uniqueid",
    "callback_uniqueid",
];

/// The `hash` MOR expects for `params` (name, value) and `secret`.
pub fn expected_hash(params: &[(String, String)], secret: &str) -> String {
    let mut sha = Sha1::new();
    for name in HASHED_PARAMS {
        if let Some(v) = lookup(params, name) {
            sha.update(v.as_bytes());
        }
    }
    sha.update(secret.as_bytes());
    hex::encode(sha.finalize())
}

fn lookup<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn xml_response(body: String) -> Response {
    (
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        Body::from(body),
    )
        .into_response()
}

fn error(e: MorSpecError) -> Response {
    xml_response(e.body())
}

/// `{prefix}recordings_get`. Parameters come from the form body or, as in the spec's
/// request example, the query string; the body wins where both carry one.
pub(crate) async fn recordings_get(
    State(st): State<Arc<MorState>>,
    method: Method,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    st.hooks.count_request();
    match st.hooks.take() {
        Some(MorHook::Error(e)) => return error(e),
        Some(MorHook::Http(code)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return (status, format!("simulated HTTP {code}")).into_response();
        }
        Some(MorHook::SpecExample) => return xml_response(recordings_example().to_string()),
        None => {}
    }
    if method != Method::POST {
        return error(MorSpecError::GetDisabled);
    }
    // Axum reads a GET's form from the query, so only a POST's body is taken here.
    let mut params: Vec<(String, String)> = form.map(|Form(f)| f).unwrap_or_default();
    params.extend(query.map(|Query(q)| q).unwrap_or_default());

    if lookup(&params, "u") != Some(st.user.as_str()) {
        return error(MorSpecError::AccessDenied);
    }
    let hash = lookup(&params, "hash").unwrap_or("");
    if !hash.eq_ignore_ascii_case(&expected_hash(&params, &st.secret)) {
        return error(MorSpecError::IncorrectHash);
    }
    let now = st.now();
    let found = match lookup(&params, "uniqueid") {
        // "Other parameters are ignored in this case."
        Some(id) => st.dataset.find(id.trim(), now).into_iter().collect(),
        None => match window(&params, now) {
            Ok((from, till)) => filtered(st.dataset.recordings(from, till, now), &params),
            Err(e) => return error(e),
        },
    };
    if found.is_empty() {
        return error(MorSpecError::NoRecordings);
    }
    match xml::render(&found, &st.base_url) {
        Ok(body) => xml_response(body),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// `[date_from, date_till]`, defaulting to today 00:00:00–23:59:59 in the server's zone.
fn window(
    params: &[(String, String)],
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, DateTime<Utc>), MorSpecError> {
    let today = now.with_timezone(&Moscow).date_naive();
    let local = |d: chrono::NaiveDate, t: NaiveTime| {
        Moscow
            .from_local_datetime(&d.and_time(t))
            .single()
            .map(|t| t.with_timezone(&Utc))
    };
    let start = local(today, NaiveTime::MIN).unwrap_or(now);
    let end = today
        .checked_add_days(Days::new(1))
        .and_then(|d| local(d, NaiveTime::MIN))
        .map(|t| t - chrono::Duration::seconds(1))
        .unwrap_or(now);
    let from = match lookup(params, "date_from") {
        Some(v) => unix(v).ok_or(MorSpecError::DateFromFormat)?,
        None => start,
    };
    let till = match lookup(params, "date_till") {
        Some(v) => unix(v).ok_or(MorSpecError::DateTillFormat)?,
        None => end,
    };
    if from > till {
        return Err(MorSpecError::DateFromAfterTill);
    }
    Ok((from, till))
}

/// A Unix time stamp: digits only.
fn unix(v: &str) -> Option<DateTime<Utc>> {
    let v = v.trim();
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    DateTime::from_timestamp(v.parse().ok()?, 0)
}

/// The spec's filters: exact numbers, and a user or device on either end of the call.
fn filtered(mut calls: Vec<MorCall>, params: &[(String, String)]) -> Vec<MorCall> {
    let id = |name: &str| lookup(params, name).map(|v| v.trim().parse::<u32>().ok());
    if let Some(v) = lookup(params, "source") {
        calls.retain(|c| c.source == v.trim());
    }
    if let Some(v) = lookup(params, "destination") {
        calls.retain(|c| c.destination == v.trim());
    }
    if let Some(user) = id("user") {
        calls.retain(|c| user.is_some_and(|u| c.user_id == u || c.dst_user_id == u));
    }
    if let Some(device) = id("device") {
        calls.retain(|c| device.is_some_and(|d| c.src_device_id == d || c.dst_device_id == d));
    }
    calls
}

/// `GET /billing/recordings/{uniqueid}.mp3`: the recording's audio.
///
/// Real MP3, as the link's name and the spec's `mp3_url` say.
pub(crate) async fn recording_file(
    State(st): State<Arc<MorState>>,
    Path(file): Path<String>,
) -> Response {
    st.hooks.count_file();
    let call = file
        .strip_suffix(".mp3")
        .and_then(|id| st.dataset.find(id, st.now()));
    let Some(call) = call else {
        return (StatusCode::NOT_FOUND, "no such recording").into_response();
    };
    let format = crate::audio::AudioFormat::Mp3;
    match crate::audio::synthesize_as(&call.uniqueid, 1, format) {
        Ok(mp3) => ([(header::CONTENT_TYPE, format.mime())], mp3).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_spec_vector_holds() {
        assert_eq!(
            expected_hash(&p(&[("u", "admin")]), "secret"),
            "e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4"
        );
    }

    #[test]
    fn hashed_values_follow_the_spec_order_not_the_wire_order() {
        let a = expected_hash(&p(&[("date_till", "2"), ("date_from", "1")]), "s");
        let b = expected_hash(&p(&[("date_from", "1"), ("date_till", "2")]), "s");
        assert_eq!(a, b);
        assert_eq!(a, hex::encode(Sha1::digest(b"12s")));
    }

    #[test]
    fn dates_must_be_unix_seconds() {
        assert!(unix("1700000000").is_some());
        assert!(unix(" 1700000000 ").is_some());
        assert!(unix("2023-11-14").is_none());
        assert!(unix("-5").is_none());
        assert!(unix("").is_none());
    }
}
