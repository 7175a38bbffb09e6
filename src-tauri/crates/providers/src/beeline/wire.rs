//! The offline API's JSON as it travels: the commands we send in the `api_form` part,
//! and the answers (`CDRID`, `STATCDR`'s `ConfData`, the 4.19 error body). Key case is
//! not specified (the examples say `Command`, error 400.6 says `COMMAND`), so answers are
//! read with keys matched case-insensitively.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Europe::Moscow;
use serde_json::{Map, Value, json};

use super::{ApiErrorCode, BeelineError};

/// The date form of REQCDR (4.13.3: `YYYYMMDD HH24:MI:SS`), in Moscow time.
pub(crate) const REQ_TIME: &str = "%Y%m%d %H:%M:%S";

/// A UTC instant as Beeline's Moscow wall-clock text.
pub(crate) fn moscow_text(t: DateTime<Utc>) -> String {
    t.with_timezone(&Moscow).format(REQ_TIME).to_string()
}

/// Moscow wall-clock text (any of the forms Beeline prints) → UTC.
pub(crate) fn parse_moscow(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    let naive = [
        "%Y%m%d %H:%M:%S",
        "%Y%m%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%d.%m.%Y %H:%M:%S",
        "%Y%m%d%H%M%S",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())?;
    // Moscow has kept UTC+3 all year since 2014; for older, ambiguous autumn hours the
    // earlier reading is as good as any.
    Moscow
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// `REQCDR` for all numbers (4.13.2) or for the listed ones (4.13.1).
pub(crate) fn reqcdr(from: &str, to: &str, numbers: &[String], request_id: &str) -> Value {
    let conf = if numbers.is_empty() {
        json!({ "DT_BEGIN": from, "DT_END": to })
    } else {
        json!([{ "BNumber": numbers, "DateFrom": from, "DateTo": to }])
    };
    json!({ "Command": "REQCDR", "ConfData": conf, "RequestID": request_id })
}

/// `STATCDR` exactly as 4.14 prints it.
pub(crate) fn statcdr(cdrid: &str) -> Value {
    json!({ "Command": "STATCDR", "CDRID": cdrid })
}

/// The value under `key`, whatever its case.
pub(crate) fn field<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    obj.get(key).or_else(|| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// A field as text: strings as they are, numbers printed.
pub(crate) fn text(obj: &Map<String, Value>, key: &str) -> Option<String> {
    match field(obj, key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The 4.19 error body, if `body` is one.
pub(crate) fn error_body(body: &str, status: u16) -> Option<BeelineError> {
    let Value::Object(obj) = serde_json::from_str::<Value>(body).ok()? else {
        return None;
    };
    let is_error = text(&obj, "STATUS").is_some_and(|s| s.trim().eq_ignore_ascii_case("ERROR"));
    let code = text(&obj, "ERR_CODE");
    if !is_error && code.is_none() {
        return None;
    }
    let message = text(&obj, "ERR_DESCRIPTION").unwrap_or_default();
    Some(BeelineError::Api {
        code: ApiErrorCode::from_wire(code.as_deref().unwrap_or(""), &message),
        message,
        command: text(&obj, "COMMAND").filter(|c| !c.is_empty()),
        auxcode: text(&obj, "AUXCODE").filter(|c| !c.is_empty()),
        status,
    })
}

/// A JSON object answer, or why it is not one.
pub(crate) fn object(body: &str, what: &str) -> Result<Map<String, Value>, BeelineError> {
    match serde_json::from_str::<Value>(body) {
        Ok(Value::Object(obj)) => Ok(obj),
        Ok(other) => Err(BeelineError::Decode(format!(
            "{what}: expected an object, got {other}"
        ))),
        Err(e) => Err(BeelineError::Decode(format!(
            "{what}: {e}: {}",
            crate::download::truncate(body, 200)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moscow_is_three_hours_ahead() {
        let t = Utc.with_ymd_and_hms(2024, 1, 31, 21, 30, 5).unwrap();
        assert_eq!(moscow_text(t), "20240201 00:30:05");
        assert_eq!(parse_moscow("20240201 00:30:05"), Some(t));
        assert_eq!(
            parse_moscow("20240201 00:30"),
            Some(t - chrono::Duration::seconds(5))
        );
        assert_eq!(parse_moscow("yesterday"), None);
    }

    #[test]
    fn answers_are_read_whatever_the_key_case() {
        let e = error_body(
            r#"{"status":"error","err_code":"500.1","err_description":"Execution Error"}"#,
            500,
        )
        .unwrap();
        assert!(
            matches!(
                &e,
                BeelineError::Api {
                    code: ApiErrorCode::ExecutionError,
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(error_body(r#"{"CDRID":"1"}"#, 200).is_none());
        assert!(error_body("not json", 500).is_none());
    }
}
