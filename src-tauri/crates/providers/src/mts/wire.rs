//! @втосекретарь's JSON as it arrives: the envelope, CDRs, UN settings and the
//! next-page link. Everything lenient is decided here, once.

use serde::{Deserialize, Deserializer};
use serde_json::Value;
use url::Url;

use super::repair::repair;

/// `{value, status_code, status_msg}` plus the next-page `links`.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    pub status_code: Option<i64>,
    pub status_msg: Option<String>,
    pub value: Value,
    pub links: Option<Value>,
}

impl Envelope {
    /// Reads an answer: as JSON when it is, else after the repairs of [`repair`].
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut v: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(_) => serde_json::from_str(&repair(text)).map_err(|e| e.to_string())?,
        };
        let Some(obj) = v.as_object_mut() else {
            return Err("the answer is not a JSON object".into());
        };
        let status_code = obj.get("status_code").and_then(|c| {
            c.as_i64()
                .or_else(|| c.as_str().and_then(|s| s.trim().parse().ok()))
        });
        let status_msg = obj.get("status_msg").and_then(|m| match m {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        });
        let links = obj.remove("links").filter(|l| !l.is_null());
        Ok(Self {
            status_code,
            status_msg,
            value: obj.remove("value").unwrap_or(Value::Null),
            links,
        })
    }

    /// The next page's URL, if the answer links one.
    pub fn next_page(&self) -> Result<Option<Url>, String> {
        let text = match &self.links {
            None => return Ok(None),
            Some(Value::String(s)) => s.clone(),
            // `{"next": "…"}` or `["…"]`: the first string inside.
            Some(Value::Object(m)) => match m.values().find_map(Value::as_str) {
                Some(s) => s.to_string(),
                None => m.keys().next().cloned().unwrap_or_default(),
            },
            Some(Value::Array(a)) => a.iter().find_map(Value::as_str).unwrap_or("").to_string(),
            Some(other) => return Err(format!("links is neither text nor an object: {other}")),
        };
        parse_link(&text)
    }
}

/// A link as MTS prints it: backslashes for slashes (`https:\\aa.mts.ru\api\…`) and
/// line breaks anywhere (`begin=201⏎1-10-02…`). URLs hold no whitespace and no
/// backslashes, so both are undone without guessing. `None` for an empty link.
pub fn parse_link(raw: &str) -> Result<Option<Url>, String> {
    let text: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c == '\\' { '/' } else { c })
        .collect();
    if text.is_empty() {
        return Ok(None);
    }
    // Relative links are read against a placeholder: only their query is used.
    let base = Url::parse("http://link.invalid/").expect("static URL");
    base.join(&text)
        .map(Some)
        .map_err(|e| format!("unreadable next-page link {raw:?}: {e}"))
}

/// One CDR (call detail record).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct CdrRecord {
    /// Caller (АОН).
    #[serde(deserialize_with = "text")]
    pub an: Option<String>,
    /// The UN the call came in on.
    #[serde(deserialize_with = "text")]
    pub un: Option<String>,
    /// Call id.
    #[serde(deserialize_with = "uint")]
    pub id: Option<u64>,
    /// Record id: what `start_id` names.
    #[serde(deserialize_with = "uint")]
    pub seqid: Option<u64>,
    /// Service trace (its fields are documented only on MTS's own site); kept as sent.
    #[serde(deserialize_with = "text")]
    pub log: Option<String>,
    /// Whole call.
    #[serde(deserialize_with = "uint")]
    pub duration: Option<u64>,
    #[serde(deserialize_with = "uint")]
    pub talk_duration: Option<u64>,
    /// Arrival time, local, with month and day possibly unpadded (`2012-10-2T09:46:12`).
    #[serde(deserialize_with = "text")]
    pub start_time: Option<String>,
}

/// A UN's settings (`GET un?phone=`). Fields the spec's table and example disagree on
/// are read under both names.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct UnSettings {
    #[serde(deserialize_with = "text")]
    pub phone: Option<String>,
    #[serde(deserialize_with = "text")]
    pub description: Option<String>,
    pub enabled: Option<bool>,
    /// "часовой пояс"; the spec gives no unit (its example is `0`).
    #[serde(deserialize_with = "int")]
    pub time_zone: Option<i64>,
    pub need_record: Option<bool>,
    pub say_tone: Option<bool>,
    pub say_ani: Option<bool>,
    #[serde(deserialize_with = "int")]
    pub max_queue_time: Option<i64>,
    #[serde(deserialize_with = "int")]
    pub make_call_time: Option<i64>,
    pub menu_allowed: Option<bool>,
    pub need_advert: Option<bool>,
    pub need_begin_ivr: Option<bool>,
    pub op_ext_enabled: Option<bool>,
    /// `ab_ext_enabled` in the example, `ap_ext_enabled` in the table.
    #[serde(alias = "ap_ext_enabled")]
    pub ab_ext_enabled: Option<bool>,
    pub ext_queue: Option<bool>,
    #[serde(deserialize_with = "text")]
    pub voice_email: Option<String>,
    #[serde(deserialize_with = "text")]
    pub conf_email: Option<String>,
    #[serde(deserialize_with = "text")]
    pub fax_email: Option<String>,
    #[serde(deserialize_with = "text")]
    pub updated_by: Option<String>,
    /// Local time, unpadded like `start_time` (`2012-10-1T11:25:06`).
    #[serde(deserialize_with = "text")]
    pub updated_on: Option<String>,
    pub dn_list: Vec<DnEntry>,
}

/// A destination number (DN) of a UN.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct DnEntry {
    #[serde(deserialize_with = "text")]
    pub phone: Option<String>,
    /// Short number.
    #[serde(deserialize_with = "text")]
    pub ext: Option<String>,
    /// `HH:MM:SS`.
    #[serde(deserialize_with = "text")]
    pub begin: Option<String>,
    #[serde(deserialize_with = "text")]
    pub end: Option<String>,
    #[serde(deserialize_with = "int")]
    pub channels: Option<i64>,
    /// Weekday; its encoding is not specified (the example is `0`).
    #[serde(deserialize_with = "int")]
    pub day: Option<i64>,
    pub locked: Option<bool>,
    /// -1 for short numbers.
    #[serde(deserialize_with = "int")]
    pub priority: Option<i64>,
    pub record: Option<bool>,
}

fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

fn int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

fn uint<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(int(d)?.and_then(|i| u64::try_from(i).ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_in_every_shape_point_to_the_same_page() {
        for links in [
            r#""https:\\\\aa.mts.ru\\api\\v1\\cdr\\bytime?start_id=7&limit=100""#,
            r#"{"https:\\\\aa.mts.ru\\api\\v1\\cdr\\bytime?start_id=7&limit=100"}"#,
            r#"{"next": "https://aa.mts.ru/api/v1/cdr/bytime?start_id=7&limit=100"}"#,
            r#"["https://aa.mts.ru/api/v1/cdr/bytime?start_id=7&limit=100"]"#,
        ] {
            let env = Envelope::parse(&format!(
                "{{\"status_code\":200,\"links\":{links},\"value\":[]}}"
            ))
            .unwrap();
            let url = env.next_page().unwrap().unwrap();
            assert_eq!(url.host_str(), Some("aa.mts.ru"), "{links}");
            assert_eq!(url.path(), "/api/v1/cdr/bytime");
            assert_eq!(url.query(), Some("start_id=7&limit=100"));
        }
    }

    #[test]
    fn numbers_may_come_as_text() {
        let r: CdrRecord =
            serde_json::from_str(r#"{"an": 9161000932, "seqid": "315001021", "duration": 1.0}"#)
                .unwrap();
        assert_eq!(r.an.as_deref(), Some("9161000932"));
        assert_eq!(r.seqid, Some(315001021));
        assert_eq!(r.duration, Some(1));
    }
}
