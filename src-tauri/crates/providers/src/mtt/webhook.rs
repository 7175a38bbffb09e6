//! What MTT's inbound requests share: one error whose text a 4xx answer can carry, and
//! the small readers the parsers have in common (Moscow wall-clock text, raw query
//! strings, numbers, call ids).

use callboard_model::normalize_phone;
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Europe::Moscow;

use super::normalize_conf_id;

/// Longest piece of the request an error quotes: the text goes back to whoever sent the
/// request and into logs, so it never carries more than a glimpse of the input.
const QUOTE_MAX: usize = 100;

/// Why an inbound MTT request could not be read. Its text is short and meant for the
/// body of the 4xx answer (`missing field numberA`, `unknown event type "x"`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// The body is not the syntax it should be (`what`: JSON, query string, ...).
    #[error("malformed {what}: {reason}")]
    Malformed { what: &'static str, reason: String },
    #[error("missing field {0}")]
    MissingField(&'static str),
    #[error("invalid field {field}: {reason}")]
    InvalidField { field: &'static str, reason: String },
    /// A JSON-RPC request for a method other than the one this endpoint answers.
    #[error("unexpected method {0:?}")]
    WrongMethod(String),
    #[error("unknown event type {0:?}")]
    UnknownEvent(String),
}

impl WebhookError {
    pub(crate) fn malformed(what: &'static str, reason: impl AsRef<str>) -> Self {
        Self::Malformed {
            what,
            reason: clip(reason.as_ref()),
        }
    }

    pub(crate) fn invalid(field: &'static str, reason: impl AsRef<str>) -> Self {
        Self::InvalidField {
            field,
            reason: clip(reason.as_ref()),
        }
    }

    pub(crate) fn wrong_method(method: &str) -> Self {
        Self::WrongMethod(clip(method))
    }

    pub(crate) fn unknown_event(kind: &str) -> Self {
        Self::UnknownEvent(clip(kind))
    }
}

/// At most [`QUOTE_MAX`] bytes of `s`, cut at a character boundary.
pub(crate) fn clip(s: &str) -> String {
    if s.len() <= QUOTE_MAX {
        return s.to_string();
    }
    let mut end = QUOTE_MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// The call id the call-control events and the routing request share: MTT's
/// `h323_conf_id`, whose padding varies between events (L2010), in its canonical form.
pub(crate) fn call_control_call(h323_conf_id: &str) -> String {
    format!("mtt:{}", normalize_conf_id(h323_conf_id))
}

/// `YYYY-MM-DD-HH-MM-SS` in Moscow time (call-control `data`, "по МСК", L1868; the
/// sb-api `date_time`, whose zone the spec leaves out, L2483–2726) → UTC.
pub(crate) fn parse_moscow_dashed(s: &str) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%d-%H-%M-%S").ok()?;
    // Moscow has kept UTC+3 all year since 2014; for older, ambiguous autumn hours the
    // earlier reading is as good as any.
    Moscow
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// A Unix time in seconds, as a JSON number or a numeric string.
pub(crate) fn unix_time(v: &serde_json::Value) -> Option<DateTime<Utc>> {
    let secs = match v {
        serde_json::Value::Number(n) => n.as_i64()?,
        serde_json::Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    DateTime::from_timestamp(secs, 0)
}

/// A field as text: MTT prints numbers as strings and strings as numbers (SPEC-NOTES
/// §1.2), so both are read; blank counts as absent.
pub(crate) fn text(v: Option<&serde_json::Value>) -> Option<String> {
    let s = match v? {
        serde_json::Value::String(s) => s.trim().to_string(),
        serde_json::Value::Number(n) => n.to_string(),
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}

/// A number in E.164, or `None` when what was sent is no phone number (a template's
/// placeholder, prose, a hidden caller): the raw text then stays in the details.
pub(crate) fn e164(raw: &str) -> Option<String> {
    let n = normalize_phone(raw);
    let digits = n.strip_prefix('+')?;
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some(n)
}

/// The pairs of a query string as it arrives, with `+` kept as a plus: MTT writes
/// `phone_A=+7916…` unencoded (L1575), which form decoding would turn into a space.
/// `%2B` and other escapes decode as usual.
pub(crate) fn query_pairs(raw: &str) -> Vec<(String, String)> {
    let protected = raw.replace('+', "%2B");
    url::form_urlencoded::parse(protected.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The first value of `key` among `pairs`, trimmed; blank counts as absent.
pub(crate) fn pair<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_quote_at_most_a_hundred_bytes() {
        let long = "ж".repeat(500);
        let text = WebhookError::unknown_event(&long).to_string();
        assert!(text.len() < 130, "{} bytes", text.len());
        assert!(text.starts_with("unknown event type \"жжж"), "{text}");
        assert_eq!(
            WebhookError::MissingField("numberA").to_string(),
            "missing field numberA"
        );
        assert_eq!(
            WebhookError::unknown_event("x").to_string(),
            r#"unknown event type "x""#
        );
    }

    #[test]
    fn a_plus_survives_the_query_and_percent_escapes_decode() {
        let pairs = query_pairs("phone_A=+79161234567&b=%2B79161234567&c=a%20b");
        assert_eq!(pair(&pairs, "phone_A"), Some("+79161234567"));
        assert_eq!(pair(&pairs, "b"), Some("+79161234567"));
        assert_eq!(pair(&pairs, "c"), Some("a b"));
        assert_eq!(pair(&pairs, "d"), None);
    }

    #[test]
    fn moscow_text_is_three_hours_ahead() {
        assert_eq!(
            parse_moscow_dashed("2019-05-23-15-15-11")
                .unwrap()
                .to_rfc3339(),
            "2019-05-23T12:15:11+00:00"
        );
        assert_eq!(parse_moscow_dashed("date_time"), None);
    }

    #[test]
    fn only_phone_numbers_become_e164() {
        assert_eq!(e164("79154368886").as_deref(), Some("+79154368886"));
        assert_eq!(e164(" 89154368886").as_deref(), Some("+79154368886"));
        assert_eq!(e164("b_number"), None);
        assert_eq!(e164("+номер телефона,"), None);
        assert_eq!(e164(""), None);
    }
}
