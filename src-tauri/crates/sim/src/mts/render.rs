//! Answers rendered as @втосекретарь prints them, quirks included: Moscow times with
//! unpadded month and day, a raw line break inside `log`, `links` as a key-less object
//! of a backslashed URL broken over two lines, and `voice_email` unquoted.

use chrono::{DateTime, Datelike, Timelike, Utc};
use chrono_tz::Europe::Moscow;

use super::MtsRecord;

/// `2012-10-2T09:46:12`: Moscow time, month and day unpadded (spec L206).
pub(crate) fn time(t: DateTime<Utc>) -> String {
    let m = t.with_timezone(&Moscow);
    format!(
        "{}-{}-{}T{:02}:{:02}:{:02}",
        m.year(),
        m.month(),
        m.day(),
        m.hour(),
        m.minute(),
        m.second()
    )
}

/// The date form of the spec's own next-page link (`2011-10-02T00:00:00`, Moscow time).
pub(crate) fn link_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&Moscow)
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string()
}

/// A JSON string literal.
fn quoted(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

/// A JSON string literal whose line breaks stay raw, as in the spec's `log` (L203–204).
fn quoted_raw_breaks(s: &str) -> String {
    let lines: Vec<String> = s
        .split('\n')
        .map(|l| {
            let q = quoted(l);
            q[1..q.len() - 1].to_string()
        })
        .collect();
    format!("\"{}\"", lines.join("\n"))
}

/// One CDR in the spec's key order.
pub(crate) fn record(r: &MtsRecord) -> String {
    format!(
        "{{\"an\":{},\n\"duration\":{},\n\"id\":{},\n\"log\":{},\n\"seqid\":{},\n\"start_time\":{},\n\"talk_duration\":{},\n\"un\":{}\n}}",
        quoted(&r.an),
        r.duration,
        r.id,
        quoted_raw_breaks(&r.log),
        r.seqid,
        quoted(&time(r.start_time)),
        r.talk_duration,
        quoted(&r.un),
    )
}

/// The next-page link as the spec prints it (L236–237): slashes turned into
/// backslashes, escaped, wrapped in a key-less object, and broken by a raw line break
/// three characters into the value of `break_in`.
pub(crate) fn malformed_link(url: &str, break_in: &str) -> String {
    let backslashed = url.replace('/', "\\");
    let mut escaped = quoted(&backslashed);
    let key = format!("{break_in}=");
    if let Some(at) = escaped.find(&key) {
        let cut = at + key.len() + 3;
        if cut < escaped.len() && escaped.is_char_boundary(cut) {
            escaped.insert(cut, '\n');
        }
    }
    format!("{{{escaped}}}")
}

/// A successful answer: `value` is rendered JSON, `links` a rendered link object.
pub(crate) fn ok(value: &str, links: Option<&str>) -> String {
    match links {
        Some(l) => format!(
            "{{\n\"status_code\":200,\n\"status_msg\":\"OK\",\n\"links\":{l},\n\"value\":{value}\n}}\n"
        ),
        None => {
            format!("{{\n\"status_code\":200,\n\"status_msg\":\"OK\",\n\"value\":{value}\n}}\n")
        }
    }
}

/// An error envelope.
pub(crate) fn error(status_code: u16, status_msg: &str) -> String {
    format!(
        "{{\n\"status_code\":{status_code},\n\"status_msg\":{},\n\"value\":null\n}}\n",
        quoted(status_msg)
    )
}

/// A list of CDRs.
pub(crate) fn records(rs: &[MtsRecord]) -> String {
    let items: Vec<String> = rs.iter().map(record).collect();
    format!("[{}]", items.join(",\n"))
}

/// A UN's settings in the layout of the spec's example (L62–107), `ab_ext_enabled`
/// spelled as there, `updated_on` unpadded and `voice_email` unquoted.
pub(crate) fn un_settings(un: &str, dns: &[String], updated_on: DateTime<Utc>) -> String {
    let dn_list: Vec<String> = dns
        .iter()
        .enumerate()
        .map(|(i, dn)| {
            format!(
                "      {{\n        \"begin\":\"{}\",\n        \"channels\":1,\n        \"day\":0,\n        \"end\":\"{}\",\n        \"locked\":false,\n        \"phone\":{},\n        \"priority\":{i},\n        \"record\":false\n      }}",
                if i == 2 { "19:00:00" } else { "00:00:00" },
                if i == 2 { "23:59:59" } else { "18:59:59" },
                quoted(dn),
            )
        })
        .collect();
    format!(
        "{{\n  \"status_code\":200,\n  \"status_msg\":\"OK\",\n  \"value\":\n  {{\n    \"ab_ext_enabled\":false,\n    \"conf_email\":\"operators@example.ru\",\n    \"description\":\"callboard simulator {un}\",\n    \"dn_list\":[\n{}\n    ],\n    \"menu_allowed\":true,\n    \"make_call_time\":30,\n    \"need_begin_ivr\":true,\n    \"enabled\":true,\n    \"ext_queue\":true,\n    \"fax_email\":\"fax@example.ru\",\n    \"max_queue_time\":20,\n    \"need_advert\":false,\n    \"need_record\":false,\n    \"op_ext_enabled\":false,\n        \"phone\": {},\n        \"say_ani\": false,\n        \"say_tone\": false,\n        \"time_zone\": 0,\n        \"updated_by\": \"user\",\n        \"updated_on\": {},\n        \"voice_email\": voice@example.ru\n    }}\n}}\n",
        dn_list.join(",\n"),
        quoted(un),
        quoted(&time(updated_on)),
    )
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn times_are_moscow_and_unpadded() {
        let t = Utc.with_ymd_and_hms(2026, 3, 2, 6, 46, 12).unwrap();
        assert_eq!(time(t), "2026-3-2T09:46:12");
    }

    #[test]
    fn links_look_like_the_spec() {
        let l = malformed_link(
            "https://aa.mts.ru/api/v1/cdr/bytime?phone=9854071111&begin=2011-10-02T00:00:00",
            "begin",
        );
        assert_eq!(
            l,
            "{\"https:\\\\\\\\aa.mts.ru\\\\api\\\\v1\\\\cdr\\\\bytime?phone=9854071111&begin=201\n1-10-02T00:00:00\"}"
        );
    }
}
