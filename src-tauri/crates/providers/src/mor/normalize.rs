//! MOR recordings → the common call model.

use callboard_model::{Detail, Direction, NewCall, Outcome, normalize_phone};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Europe::Moscow;

use super::Recording;

/// Reads a recording's `date`. The spec shows no value; MOR prints its server's local
/// time, taken to be Moscow. A Unix time stamp (the form of the request's dates) and a
/// time with an explicit offset are read too.
pub fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return DateTime::from_timestamp(s.parse().ok()?, 0);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    let local = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())?;
    // In the autumn's repeated hour (none since 2011) the earlier instant is taken.
    Moscow
        .from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

fn text(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A device or user id: `0` and blank both mean "none of ours".
fn ours(v: &Option<String>) -> bool {
    text(v).is_some_and(|s| s.parse::<u64>() != Ok(0))
}

fn secs(v: &Option<String>) -> u32 {
    text(v)
        .and_then(|s| s.replace(',', ".").parse::<f64>().ok())
        .filter(|x| x.is_finite() && *x > 0.0)
        .map(|x| x.round().min(f64::from(u32::MAX)) as u32)
        .unwrap_or(0)
}

/// Normalizes one recording. Fails (with the reason) only when it has no readable date,
/// since such a call cannot be placed in the history.
///
/// A recording means the call was connected, so every call is `Answered`; it is
/// `Outgoing` when one of our devices placed it (`src_device_id` set), else `Incoming`.
pub fn normalize_recording(r: &Recording) -> Result<NewCall, String> {
    let date = text(&r.date).unwrap_or("");
    let started_at = parse_date(date).ok_or_else(|| format!("unreadable date {date:?}"))?;
    let direction = if ours(&r.src_device_id) {
        Direction::Outgoing
    } else {
        Direction::Incoming
    };
    let caller = normalize_phone(text(&r.source).unwrap_or(""));
    let callee = normalize_phone(text(&r.destination).unwrap_or(""));
    let talk_secs = secs(&r.duration);
    let provider_call_id = match (text(&r.uniqueid), text(&r.id)) {
        (Some(uniqueid), _) => uniqueid.to_string(),
        (None, Some(id)) => format!("recording:{id}"),
        (None, None) => format!("{}:{caller}:{callee}", started_at.timestamp()),
    };

    let mut details = Vec::new();
    let mut push = |label: &str, value: Option<&str>| {
        if let Some(v) = value {
            details.push(Detail {
                label: label.to_string(),
                value: v.to_string(),
            });
        }
    };
    push("recording_id", text(&r.id));
    push("uniqueid", text(&r.uniqueid));
    push("user_id", text(&r.user_id));
    push("dst_user_id", text(&r.dst_user_id));
    push("src_device_id", text(&r.src_device_id));
    push("dst_device_id", text(&r.dst_device_id));
    push("comment", text(&r.comment));
    push("size", text(&r.size));

    Ok(NewCall {
        provider_call_id,
        direction,
        outcome: Outcome::Answered,
        caller,
        callee,
        started_at,
        ring_secs: 0,
        talk_secs,
        total_secs: talk_secs,
        cost: None,
        currency: None,
        recording_ref: text(&r.mp3_url).map(str::to_string),
        details,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_moscow_time_unless_they_say_otherwise() {
        let utc = |s: &str| parse_date(s).map(|t| t.to_rfc3339());
        assert_eq!(
            utc("2026-03-04 15:00:00").as_deref(),
            Some("2026-03-04T12:00:00+00:00")
        );
        // Moscow was UTC+4 in 2011-2014.
        assert_eq!(
            utc("2013-01-01 04:00:00").as_deref(),
            Some("2013-01-01T00:00:00+00:00")
        );
        assert_eq!(
            utc("1772625600").as_deref(),
            Some("2026-03-04T12:00:00+00:00")
        );
        assert_eq!(
            utc("2026-03-04T12:00:00Z").as_deref(),
            Some("2026-03-04T12:00:00+00:00")
        );
        assert_eq!(utc(" ... "), None);
    }

    #[test]
    fn an_outgoing_recording_normalizes_whole() {
        let r = Recording {
            id: Some("42".into()),
            user_id: Some("2".into()),
            dst_user_id: Some("0".into()),
            src_device_id: Some("5".into()),
            dst_device_id: Some("0".into()),
            date: Some("2026-03-04 15:00:00".into()),
            comment: Some(String::new()),
            duration: Some("61".into()),
            uniqueid: Some("1772625600.3".into()),
            source: Some("74952550100".into()),
            destination: Some("89161234567".into()),
            size: Some("61000".into()),
            mp3_url: Some(" http://mor/billing/recordings/1772625600.3.mp3 ".into()),
        };
        let c = normalize_recording(&r).unwrap();
        assert_eq!(c.provider_call_id, "1772625600.3");
        assert_eq!(
            (c.direction, c.outcome),
            (Direction::Outgoing, Outcome::Answered)
        );
        assert_eq!(
            (c.caller.as_str(), c.callee.as_str()),
            ("+74952550100", "+79161234567")
        );
        assert_eq!((c.talk_secs, c.total_secs), (61, 61));
        assert_eq!(
            c.recording_ref.as_deref(),
            Some("http://mor/billing/recordings/1772625600.3.mp3")
        );
        assert!(
            !c.details.iter().any(|d| d.label == "comment"),
            "blank is no detail"
        );
    }

    #[test]
    fn a_recording_without_a_date_is_refused_with_a_reason() {
        let err = normalize_recording(&Recording::default()).unwrap_err();
        assert!(err.contains("date"), "{err}");
    }
}
