//! MTT history rows → the common call model.

use callboard_model::{Detail, Direction, NewCall, Outcome, normalize_phone};
use chrono::{DateTime, NaiveDateTime, Utc};

use super::{HistoryKind, HistoryRow};

/// `h323_conf_id` arrives with spaces between its groups and sometimes padded with
/// spaces around; this is its canonical form (single spaces, trimmed).
pub fn normalize_conf_id(raw: &str) -> String {
    raw.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Parses MTT's platform times (UTC): `YYYY-MM-DD HH:MM:SS` or `dd.mm.yyyy HH:MM:SS`.
pub(crate) fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    [
        "%Y-%m-%d %H:%M:%S",
        "%d.%m.%Y %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
    .map(|n| n.and_utc())
}

/// Q.850 disconnect causes that tell an unanswered outgoing call apart.
pub(crate) fn dialed_outcome(talk_secs: u32, cause: Option<u32>) -> Outcome {
    if talk_secs > 0 {
        return Outcome::Answered;
    }
    match cause {
        Some(17) => Outcome::Busy,
        Some(16 | 18 | 19 | 31) | None => Outcome::Missed,
        Some(_) => Outcome::Failed,
    }
}

fn secs(v: Option<f64>) -> u32 {
    v.filter(|x| x.is_finite() && *x > 0.0)
        .map(|x| x.round() as u32)
        .unwrap_or(0)
}

/// Normalizes one row of the `kind` list. Fails (with the reason) only when the row
/// has no readable time, since such a call cannot be placed in the history.
pub fn normalize_row(kind: HistoryKind, row: &HistoryRow) -> Result<NewCall, String> {
    let time_text = row
        .connect_time
        .as_deref()
        .or(row.customer_local_time.as_deref())
        .unwrap_or("");
    let started_at =
        parse_time(time_text).ok_or_else(|| format!("unreadable connect_time {time_text:?}"))?;
    let talk_secs = secs(row.used_quantity);
    let ring_secs = secs(row.setup_time_ms.map(|ms| ms / 1000.0));
    let cause = row.disconnect_cause.map(|c| c as u32);
    let (direction, outcome) = match kind {
        HistoryKind::Incoming => (Direction::Incoming, Outcome::Answered),
        HistoryKind::Missed => (Direction::Incoming, Outcome::Missed),
        HistoryKind::Dialed | HistoryKind::Callback => {
            (Direction::Outgoing, dialed_outcome(talk_secs, cause))
        }
        HistoryKind::Forwarded => (Direction::Incoming, Outcome::Forwarded),
    };
    let caller = normalize_phone(row.cli.as_deref().unwrap_or(""));
    let callee = normalize_phone(row.callee().unwrap_or(""));
    let conf_id = row
        .h323_conf_id
        .as_deref()
        .map(normalize_conf_id)
        .filter(|s| !s.is_empty());
    let provider_call_id = match &conf_id {
        Some(id) => id.clone(),
        // Rows without a call id (the spec's second getCallHistory example) get a stable
        // id of their own, so re-syncing them never duplicates.
        None => format!(
            "{}:{}:{}:{}",
            kind.as_str(),
            started_at.timestamp(),
            caller,
            callee
        ),
    };
    // `getCallHistory` has no `voice_record_exist`: any answered call with an id may have one.
    let has_recording = row.voice_record_exist.unwrap_or(talk_secs > 0);
    let recording_ref = conf_id.clone().filter(|_| has_recording);

    let mut details = Vec::new();
    let mut push = |label: &str, value: Option<String>| {
        if let Some(v) = value
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
        {
            details.push(Detail {
                label: label.to_string(),
                value: v,
            });
        }
    };
    push("list", Some(kind.as_str().to_string()));
    push("destination", row.destination.clone());
    push("disconnect_cause", cause.map(|c| c.to_string()));
    push("account_id", row.account_id.clone());
    push("h323_conf_id", conf_id);
    push(
        "h323_incoming_conf_id",
        row.h323_incoming_conf_id.as_deref().map(normalize_conf_id),
    );
    push("charged_time", row.charged_time.map(|c| c.to_string()));
    push("setup_time_ms", row.setup_time_ms.map(|c| c.to_string()));

    Ok(NewCall {
        provider_call_id,
        direction,
        outcome,
        caller,
        callee,
        started_at,
        ring_secs,
        talk_secs,
        total_secs: ring_secs + talk_secs,
        cost: row.charged,
        currency: row.curr.clone().filter(|c| !c.trim().is_empty()),
        recording_ref,
        details,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conf_ids_lose_padding() {
        assert_eq!(
            normalize_conf_id(" BC5F236C 5AD211E9 81BA5CB9 01FED6FC "),
            "BC5F236C 5AD211E9 81BA5CB9 01FED6FC"
        );
    }

    #[test]
    fn both_date_forms_parse() {
        assert_eq!(
            parse_time("2017-09-14 16:01:09").unwrap().to_rfc3339(),
            "2017-09-14T16:01:09+00:00"
        );
        assert_eq!(
            parse_time("30.10.2019 10:23:35").unwrap().to_rfc3339(),
            "2019-10-30T10:23:35+00:00"
        );
        assert!(parse_time("yesterday").is_none());
    }

    #[test]
    fn dialed_outcomes_follow_the_cause() {
        assert_eq!(dialed_outcome(10, Some(16)), Outcome::Answered);
        assert_eq!(dialed_outcome(0, Some(17)), Outcome::Busy);
        assert_eq!(dialed_outcome(0, Some(19)), Outcome::Missed);
        assert_eq!(dialed_outcome(0, Some(34)), Outcome::Failed);
    }

    #[test]
    fn a_blank_connect_time_falls_back_to_the_platform_time() {
        let row: HistoryRow = serde_json::from_str(
            r#"{"cli": "79103880489", "connect_time": "", "customer_local_time": "2018-02-06 16:51:17"}"#,
        )
        .unwrap();
        let call = normalize_row(HistoryKind::Missed, &row).unwrap();
        assert_eq!(call.started_at.to_rfc3339(), "2018-02-06T16:51:17+00:00");
    }

    #[test]
    fn a_row_without_a_time_is_refused_with_a_reason() {
        let err = normalize_row(HistoryKind::Incoming, &HistoryRow::default()).unwrap_err();
        assert!(err.contains("connect_time"), "{err}");
    }
}
