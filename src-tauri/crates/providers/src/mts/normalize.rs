//! CDRs → the common call model.

use callboard_model::{Detail, Direction, NewCall, Outcome, normalize_phone};
use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::CdrRecord;

/// Reads MTS's local times, whose month, day and hour may lack their leading zero
/// (`2012-10-2T09:46:12`), in `tz`.
pub fn parse_local_time(s: &str, tz: Tz) -> Option<DateTime<Utc>> {
    let s = s.trim();
    let naive = [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
        "%d.%m.%Y %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S%.f",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())?;
    Some(local_to_utc(naive, tz))
}

/// A wall-clock time in `tz` as an instant. The earlier reading wins in a repeated
/// hour; a time in a skipped hour is read with the offset from before the skip.
pub(crate) fn local_to_utc(naive: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    match tz.from_local_datetime(&naive).earliest() {
        Some(t) => t.with_timezone(&Utc),
        None => {
            let before = tz
                .from_local_datetime(&(naive - Duration::hours(2)))
                .earliest()
                .map(|t| t.with_timezone(&Utc) + Duration::hours(2));
            before.unwrap_or_else(|| naive.and_utc())
        }
    }
}

/// Normalizes one CDR. Every record is a call that came in on a UN: answered when it
/// has talk time, missed otherwise. Fails (with the reason) only when the record has no
/// readable time, since such a call cannot be placed in the history.
pub fn normalize_record(rec: &CdrRecord, tz: Tz) -> Result<NewCall, String> {
    let time_text = rec.start_time.as_deref().unwrap_or("");
    let started_at = parse_local_time(time_text, tz)
        .ok_or_else(|| format!("unreadable start_time {time_text:?}"))?;
    let secs = |v: Option<u64>| u32::try_from(v.unwrap_or(0)).unwrap_or(u32::MAX);
    let talk_secs = secs(rec.talk_duration);
    let total_secs = secs(rec.duration).max(talk_secs);
    let caller = normalize_phone(rec.an.as_deref().unwrap_or(""));
    let callee = normalize_phone(rec.un.as_deref().unwrap_or(""));
    // `seqid` names the record, the thing `start_id` pages by; `id` names the call,
    // which the spec does not promise is one record only.
    let provider_call_id = match (rec.seqid, rec.id) {
        (Some(seqid), _) => seqid.to_string(),
        (None, Some(id)) => format!("call:{id}"),
        (None, None) => format!("{}:{}:{}", started_at.timestamp(), caller, callee),
    };
    let mut details = Vec::new();
    let mut push = |label: &str, value: Option<String>| {
        if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
            details.push(Detail {
                label: label.to_string(),
                value: v,
            });
        }
    };
    push("call_id", rec.id.map(|i| i.to_string()));
    push("seqid", rec.seqid.map(|i| i.to_string()));
    push("un", rec.un.clone());
    // Kept as sent, line breaks included: its fields are described only on MTS's site.
    push("log", rec.log.clone());

    Ok(NewCall {
        provider_call_id,
        direction: Direction::Incoming,
        outcome: if talk_secs > 0 {
            Outcome::Answered
        } else {
            Outcome::Missed
        },
        caller,
        callee,
        started_at,
        ring_secs: total_secs - talk_secs,
        talk_secs,
        total_secs,
        cost: None,
        currency: None,
        recording_ref: None,
        details,
    })
}

#[cfg(test)]
mod tests {
    use chrono_tz::Europe::Moscow;

    use super::*;

    #[test]
    fn unpadded_times_parse_in_moscow() {
        let t = parse_local_time("2026-3-2T9:46:12", Moscow).unwrap();
        assert_eq!(t.to_rfc3339(), "2026-03-02T06:46:12+00:00");
        // Moscow was UTC+4 from 2011 to 2014: the spec's own example is 05:46 UTC.
        let t = parse_local_time("2012-10-2T09:46:12", Moscow).unwrap();
        assert_eq!(t.to_rfc3339(), "2012-10-02T05:46:12+00:00");
        assert!(parse_local_time("yesterday", Moscow).is_none());
    }

    #[test]
    fn a_time_in_a_skipped_hour_still_reads() {
        // Moscow skipped 02:00–03:00 on 2010-03-28 (UTC+3 → UTC+4).
        let t = parse_local_time("2010-03-28T02:30:00", Moscow).unwrap();
        assert_eq!(t.to_rfc3339(), "2010-03-27T23:30:00+00:00");
    }
}
