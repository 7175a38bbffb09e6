//! `POST /index.php`: MTT's JSON-RPC 2.0 history methods.
//!
//! Payloads mirror the spec's examples including their quirks: numbers as
//! strings, `charged` as a bare `0`, the callee under `cld` or `clid`, and a
//! hard cap of 1000 rows that clients must work around by splitting windows.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::{Map, Number, Value};

use crate::dataset::{CUSTOMER_NAME, CallKind, SIP_IDS, SimCall, fmt_time};
use crate::hooks::{FailureForm, InjectedFailure};
use crate::server::{AppState, authorized, challenge};

/// MTT never returns more rows than this per list, whatever `record_count` says.
pub const RECORD_LIMIT: usize = 1000;
/// Window `getCallHistory` uses when dates are omitted.
const DEFAULT_WINDOW_MINUTES: i64 = 30;

/// A JSON-RPC error object.
#[derive(Debug, Clone, Serialize)]
struct RpcError {
    code: i64,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<String>,
}

impl RpcError {
    fn new(code: i64, message: &str, data: Option<&str>) -> Self {
        Self {
            code,
            message: message.to_string(),
            data: data.map(str::to_string),
        }
    }
    fn parse_error() -> Self {
        Self::new(-32700, "Parse error", None)
    }
    fn invalid_request(why: &str) -> Self {
        Self::new(-32600, "Invalid Request", Some(why))
    }
    fn method_not_found() -> Self {
        Self::new(-32601, "Method not found", None)
    }
    fn invalid_params(why: &str) -> Self {
        Self::new(-32602, "Invalid params", Some(why))
    }
    fn data_not_found() -> Self {
        Self::new(-32001, "Data not found", Some("No data found"))
    }
    fn permission_denied() -> Self {
        Self::new(-32002, "Permission denied", None)
    }
}

#[derive(Serialize)]
struct Envelope {
    jsonrpc: &'static str,
    id: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<RpcResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<RpcError>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum RpcResult {
    Service(ServiceResult),
    History(HistoryResult),
    /// MTT's "soft" failure: HTTP 200, `result: {"error": 1, "message": ...}`.
    Failure {
        error: u8,
        message: String,
    },
}

/// `{"<type>": [rows], "success": 1}`; hand-written so the key is dynamic
/// while rows keep the spec's field order.
struct ServiceResult {
    kind: CallKind,
    rows: Vec<ServiceRow>,
}

impl Serialize for ServiceResult {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry(self.kind.as_str(), &self.rows)?;
        map.serialize_entry("success", &1)?;
        map.end()
    }
}

#[derive(Serialize)]
struct ServiceRow {
    cli: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    cld: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    clid: Option<String>,
    customer_local_time: String,
    connect_time: String,
    charged_time: String,
    charged: Number,
    destination: String,
    h323_conf_id: String,
    h323_incoming_conf_id: String,
    curr: &'static str,
    setup_time_ms: String,
    disconnect_cause: String,
    account_id: String,
    used_quantity: String,
    voice_record_exist: bool,
}

/// The call id as MTT writes it: about one in eight padded with spaces, as in the spec's
/// `" BC5F236C 5AD211E9 81BA5CB9 01FED6FC "`, so clients must trim.
fn wire_conf_id(id: &str) -> String {
    if id.ends_with(['0', '1']) {
        format!(" {id} ")
    } else {
        id.to_string()
    }
}

impl From<&SimCall> for ServiceRow {
    fn from(c: &SimCall) -> Self {
        let (cld, clid) = if c.callee_key_is_clid {
            (None, Some(c.cld.clone()))
        } else {
            (Some(c.cld.clone()), None)
        };
        Self {
            cli: c.cli.clone(),
            cld,
            clid,
            customer_local_time: fmt_time(c.connect_time),
            connect_time: fmt_time(c.connect_time),
            charged_time: c.charged_time.to_string(),
            charged: money(c.charged),
            destination: c.destination.clone(),
            h323_conf_id: wire_conf_id(&c.h323_conf_id),
            h323_incoming_conf_id: c.h323_incoming_conf_id.clone(),
            curr: "RUB",
            setup_time_ms: c.setup_time_ms.to_string(),
            disconnect_cause: c.disconnect_cause.to_string(),
            account_id: c.sip_id.clone(),
            used_quantity: c.used_quantity.to_string(),
            voice_record_exist: c.has_recording(),
        }
    }
}

#[derive(Serialize, Default)]
struct HistoryResult {
    incoming: Vec<HistoryRow>,
    missed: Vec<HistoryRow>,
    dialed: Vec<HistoryRow>,
    callback: Vec<HistoryRow>,
    success: u8,
}

#[derive(Serialize)]
struct HistoryRow {
    cli: String,
    clid: String,
    customer_local_time: String,
    connect_time: String,
    charged_time: String,
    charged: Number,
    destination: String,
    curr: &'static str,
    disconnect_cause: String,
    used_quantity: String,
    /// Present only when there is a recording, as in the spec's second row.
    #[serde(skip_serializing_if = "Option::is_none")]
    h323_conf_id: Option<String>,
}

impl From<&SimCall> for HistoryRow {
    fn from(c: &SimCall) -> Self {
        Self {
            cli: c.cli.clone(),
            clid: c.cld.clone(),
            customer_local_time: fmt_time(c.connect_time),
            connect_time: fmt_time(c.connect_time),
            charged_time: c.charged_time.to_string(),
            charged: money(c.charged),
            destination: c.destination.clone(),
            curr: "RUB",
            disconnect_cause: c.disconnect_cause.to_string(),
            used_quantity: c.used_quantity.to_string(),
            h323_conf_id: c.has_recording().then(|| wire_conf_id(&c.h323_conf_id)),
        }
    }
}

/// `getServiceHistoryByCustomer`'s answer listing `calls` as the `kind` list, byte for
/// byte as the simulator serves it; benchmarks feed it to the client's parser.
pub fn render_service_history(kind: CallKind, calls: &[SimCall]) -> Vec<u8> {
    serde_json::to_vec(&Envelope {
        jsonrpc: "2.0",
        id: Value::from(1),
        result: Some(RpcResult::Service(ServiceResult {
            kind,
            rows: calls.iter().map(ServiceRow::from).collect(),
        })),
        error: None,
    })
    .expect("an answer serializes")
}

/// MTT prints a free call as `0`, not `0.0`.
fn money(v: f64) -> Number {
    if v == 0.0 {
        Number::from(0)
    } else {
        Number::from_f64(v).unwrap_or_else(|| Number::from(0))
    }
}

/// Axum handler for `POST /index.php`.
pub(crate) async fn handle(
    State(st): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !authorized(&headers, &st) {
        return challenge();
    }
    let request: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(_) => return reply(Value::Null, Err(RpcError::parse_error())),
    };
    let Some(obj) = request.as_object() else {
        return reply(
            Value::Null,
            Err(RpcError::invalid_request("request must be an object")),
        );
    };
    let id = obj.get("id").cloned().unwrap_or(Value::Null);
    let Some(method) = obj.get("method").and_then(Value::as_str) else {
        return reply(id, Err(RpcError::invalid_request("missing method")));
    };
    st.hooks.count(method);
    tracing::debug!(method, "json-rpc request");
    if let Some(failure) = st.hooks.take(method) {
        return injected(id, failure);
    }
    let empty = Map::new();
    let params = match obj.get("params") {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(m)) => m,
        Some(_) => {
            return reply(
                id,
                Err(RpcError::invalid_params("params must be an object")),
            );
        }
    };
    let now = st.now();
    let outcome = match method {
        "getServiceHistoryByCustomer" => service_history(&st, params, now),
        "getCallHistory" => call_history(&st, params, now),
        _ => Err(RpcError::method_not_found()),
    };
    reply(id, outcome)
}

fn reply(id: Value, outcome: Result<RpcResult, RpcError>) -> Response {
    let (result, error) = match outcome {
        Ok(r) => (Some(r), None),
        Err(e) => (None, Some(e)),
    };
    Json(Envelope {
        jsonrpc: "2.0",
        id,
        result,
        error,
    })
    .into_response()
}

fn injected(id: Value, f: InjectedFailure) -> Response {
    match f.form {
        FailureForm::Rpc => reply(id, Err(RpcError::new(f.code, &f.message, None))),
        FailureForm::Result => reply(
            id,
            Ok(RpcResult::Failure {
                error: 1,
                message: f.message,
            }),
        ),
        FailureForm::Http => http_failure(&f),
    }
}

/// Plain HTTP failure; a `code` that is no HTTP status becomes 500.
pub(crate) fn http_failure(f: &InjectedFailure) -> Response {
    let status = u16::try_from(f.code)
        .ok()
        .and_then(|c| StatusCode::from_u16(c).ok())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        f.message.clone(),
    )
        .into_response()
}

/// Exclusive end for an inclusive whole-second `to`, saturating at chrono's
/// range so absurd request dates can't panic the handler.
fn end_of_second(to: DateTime<Utc>) -> DateTime<Utc> {
    to.checked_add_signed(Duration::seconds(1)).unwrap_or(to)
}

fn str_param<'a>(params: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    params.get(key).and_then(Value::as_str)
}

/// Parses MTT's "YYYY-MM-DD HH:MM:SS", also accepting the spec's documented
/// "HH24:Mi-SS" variant with a dash before the seconds.
fn parse_service_date(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M-%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .map(|t| t.and_utc())
}

/// Parses `getCallHistory`'s "dd.mm.yyyy HH:MM:SS".
fn parse_history_date(s: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(s.trim(), "%d.%m.%Y %H:%M:%S")
        .ok()
        .map(|t| t.and_utc())
}

/// Accepts `record_count` as a positive integer or a numeric string.
fn parse_record_count(v: Option<&Value>) -> Option<usize> {
    let n = match v? {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                .map(|f| f as u64)
        })?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    (n > 0).then(|| usize::try_from(n).unwrap_or(usize::MAX))
}

fn service_history(
    st: &AppState,
    params: &Map<String, Value>,
    now: DateTime<Utc>,
) -> Result<RpcResult, RpcError> {
    let kind = str_param(params, "type")
        .and_then(CallKind::parse)
        .ok_or_else(|| RpcError::invalid_params("Invalid type"))?;
    let customer = str_param(params, "customer_name")
        .ok_or_else(|| RpcError::invalid_params("Missing customer_name"))?;
    if customer != CUSTOMER_NAME {
        return Err(RpcError::permission_denied());
    }
    let from = str_param(params, "date_from")
        .and_then(parse_service_date)
        .ok_or_else(|| RpcError::invalid_params("Invalid begin date"))?;
    let to = str_param(params, "date_to")
        .and_then(parse_service_date)
        .ok_or_else(|| RpcError::invalid_params("Invalid end date"))?;
    if from > to {
        return Err(RpcError::invalid_params("Invalid begin date"));
    }
    let ascending = match str_param(params, "order").map(str::trim) {
        None | Some("") | Some("desc") => false,
        Some("asc") => true,
        Some(_) => return Err(RpcError::invalid_params("Invalid order")),
    };
    let limit = parse_record_count(params.get("record_count"))
        .ok_or_else(|| RpcError::invalid_params("Invalid record_count"))?
        .min(RECORD_LIMIT);
    let filter: String = str_param(params, "filter")
        .unwrap_or("")
        .chars()
        .filter(char::is_ascii_digit)
        .collect();

    // Dates are inclusive and whole seconds: [from, to] == [from, to + 1 s).
    let mut calls: Vec<SimCall> = st
        .dataset
        .calls(from, end_of_second(to), now)
        .into_iter()
        .filter(|c| c.kind == kind)
        .filter(|c| filter.is_empty() || c.cli.contains(&filter) || c.cld.contains(&filter))
        .collect();
    if ascending {
        calls.reverse();
    }
    calls.truncate(limit);
    Ok(RpcResult::Service(ServiceResult {
        kind,
        rows: calls.iter().map(ServiceRow::from).collect(),
    }))
}

fn call_history(
    st: &AppState,
    params: &Map<String, Value>,
    now: DateTime<Utc>,
) -> Result<RpcResult, RpcError> {
    let sip_id =
        str_param(params, "sip_id").ok_or_else(|| RpcError::invalid_params("Missing sip_id"))?;
    if !SIP_IDS.contains(&sip_id) {
        return Err(RpcError::data_not_found());
    }
    let date = |key: &str, err: &str| match params.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_str()
            .and_then(parse_history_date)
            .map(Some)
            .ok_or_else(|| RpcError::invalid_params(err)),
    };
    let from = date("date_from", "Invalid begin date")?;
    let to = date("date_to", "Invalid end date")?;
    let window = Duration::minutes(DEFAULT_WINDOW_MINUTES);
    let (from, to) = match (from, to) {
        (Some(f), Some(t)) => (f, t),
        (Some(f), None) => (f, now.max(f)),
        (None, Some(t)) => (
            t.checked_sub_signed(window)
                .unwrap_or(DateTime::<Utc>::MIN_UTC),
            t,
        ),
        (None, None) => (now - window, now),
    };
    if from > to {
        return Err(RpcError::invalid_params("Invalid begin date"));
    }
    let mut result = HistoryResult {
        success: 1,
        ..HistoryResult::default()
    };
    for call in st.dataset.calls(from, end_of_second(to), now) {
        if call.sip_id != sip_id {
            continue;
        }
        let list = match call.kind {
            CallKind::Incoming => &mut result.incoming,
            CallKind::Missed => &mut result.missed,
            CallKind::Dialed => &mut result.dialed,
            CallKind::Forwarded => continue,
        };
        if list.len() < RECORD_LIMIT {
            list.push(HistoryRow::from(&call));
        }
    }
    Ok(RpcResult::History(result))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_in_both_service_forms() {
        let a = parse_service_date("2017-09-14 16:01:05");
        assert!(a.is_some());
        assert_eq!(parse_service_date("2017-09-14 16:01-05"), a);
        assert_eq!(parse_service_date("14.09.2017 16:01:05"), None);
        assert_eq!(parse_history_date("14.09.2017 16:01:05"), a);
    }

    #[test]
    fn record_count_forms() {
        assert_eq!(parse_record_count(Some(&Value::from(20))), Some(20));
        assert_eq!(parse_record_count(Some(&Value::from("20"))), Some(20));
        assert_eq!(parse_record_count(Some(&Value::from(0))), None);
        assert_eq!(parse_record_count(Some(&Value::from(-3))), None);
        assert_eq!(parse_record_count(Some(&Value::from(2.5))), None);
        assert_eq!(parse_record_count(None), None);
    }

    #[test]
    fn zero_cost_renders_as_integer() {
        assert_eq!(
            serde_json::to_string(&money(0.0)).ok().as_deref(),
            Some("0")
        );
        assert_eq!(
            serde_json::to_string(&money(2.48)).ok().as_deref(),
            Some("2.48")
        );
    }
}
