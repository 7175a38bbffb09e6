//! `GET /api/download` (3.3): CDR files of ready jobs (`?cdrid=<CDRID>`) and recordings
//! (`?record=<CALL_ID>`). The spec leaves the query open; these names are ours.
//!
//! The CDR file's layout is not in the spec either: this is the layout the client reads
//! by default, a `;`-delimited file with a header row, Moscow times as `YYYYMMDD HH:MM:SS`
//! (REQCDR's own form) and a recording link per recorded call.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use chrono_tz::Europe::Moscow;

use super::api::armed_answer;
use super::dataset::BeelineCall;
use super::errors;
use super::state::{Selection, SimState};
use crate::audio::synthesize_wav;

/// Counter / arming name of CDR file downloads.
pub const CDR_FILE: &str = "cdr_file";
/// Counter / arming name of recording downloads.
pub const RECORDING: &str = "recording";
/// The header row of the simulated CDR file.
pub const CDR_HEADER: [&str; 10] = [
    "CALL_ID",
    "DT_BEGIN",
    "DT_END",
    "DIRECTION",
    "ANUMBER",
    "BNUMBER",
    "RNUMBER",
    "STATUS",
    "DURATION",
    "RECORD_URL",
];

pub(crate) async fn handle(
    State(st): State<Arc<SimState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if !st.authorized(&headers, peer.ip()) {
        return errors::answer(errors::row("401.1"), "", st.next_number());
    }
    let refuse = |code: &str| errors::answer(errors::row(code), "", st.next_number());
    match (query.get("cdrid"), query.get("record")) {
        (Some(id), None) => {
            st.count(CDR_FILE);
            if let Some(resp) = armed_answer(&st, CDR_FILE) {
                return resp;
            }
            match st.job(id).filter(|j| j.ready && !j.expired) {
                Some(job) => cdr_file(&st, &job.selection, id),
                None => refuse("404.113"),
            }
        }
        (None, Some(call_id)) => {
            st.count(RECORDING);
            if let Some(resp) = armed_answer(&st, RECORDING) {
                return resp;
            }
            let Some(call) = st.dataset.find(call_id, st.now()).filter(|c| c.recorded) else {
                return refuse("404.113");
            };
            match synthesize_wav(&call.call_id, 1) {
                Ok(wav) => (
                    [
                        (header::CONTENT_TYPE, HeaderValue::from_static("audio/wav")),
                        (header::CONTENT_LENGTH, HeaderValue::from(wav.len())),
                    ],
                    wav,
                )
                    .into_response(),
                Err(e) => {
                    tracing::error!(error = %e, "wav synthesis failed");
                    refuse("500.1")
                }
            }
        }
        _ => refuse("404.112"),
    }
}

/// The calls a job selects, as the server holds them now.
pub(crate) fn selected(st: &SimState, selection: &Selection) -> Vec<BeelineCall> {
    let now = st.now();
    match selection {
        Selection::All(from, to) => st.dataset.calls_ended(*from, *to, now),
        Selection::Numbers(numbers) => {
            let (Some(lo), Some(hi)) = (
                numbers.values().map(|w| w.0).min(),
                numbers.values().map(|w| w.1).max(),
            ) else {
                return Vec::new();
            };
            st.dataset
                .calls_ended(lo, hi, now)
                .into_iter()
                .filter(|c| {
                    numbers
                        .get(&c.our_number)
                        .is_some_and(|(from, to)| c.end >= *from && c.end <= *to)
                })
                .collect()
        }
    }
}

fn moscow(t: DateTime<Utc>) -> String {
    t.with_timezone(&Moscow)
        .format("%Y%m%d %H:%M:%S")
        .to_string()
}

/// Renders the CDR file of `calls` with recording links under `base_url`.
pub fn render_cdr_file(calls: &[BeelineCall], base_url: &str) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    w.write_record(CDR_HEADER)?;
    for c in calls {
        let link = if c.recorded {
            format!("{base_url}/api/download?record={}", c.call_id)
        } else {
            String::new()
        };
        w.write_record([
            c.call_id.as_str(),
            &moscow(c.begin),
            &moscow(c.end),
            c.direction.as_str(),
            &c.a_number,
            &c.b_number,
            &c.operator,
            c.status.as_str(),
            &c.talk_secs.to_string(),
            &link,
        ])?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

fn cdr_file(st: &SimState, selection: &Selection, id: &str) -> Response {
    match render_cdr_file(&selected(st, selection), &st.base_url) {
        Ok(bytes) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/csv; charset=utf-8"),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    HeaderValue::from_str(&format!("attachment; filename=\"cdr_{id}.csv\""))
                        .unwrap_or(HeaderValue::from_static("attachment")),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "CDR file rendering failed");
            errors::answer(errors::row("500.1"), "", st.next_number())
        }
    }
}
