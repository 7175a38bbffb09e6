//! The CDR file → the common call model.
//!
//! The spec fixes neither the file's layout nor its delimiter: it names only the column
//! `DT_END` (4.13.5) and says the file links to recordings (4.14). So the file is read
//! by its header names (1.10: "pick parameters by name only") with the `csv` crate, and
//! which header holds what is configurable ([`CdrColumns`]); the defaults are the layout
//! the simulator writes.

use callboard_model::{Detail, Direction, NewCall, Outcome, normalize_phone};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::BeelineError;
use super::wire::parse_moscow;

/// Which header of the CDR file holds which field. Headers match case-insensitively
/// and trimmed; columns the mapping does not use are kept as call details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CdrColumns {
    /// Field delimiter tried first (default `;`); `,` and tab are tried when the header
    /// read with it lacks the end-time column.
    pub delimiter: char,
    /// Beeline's id of the call (default `CALL_ID`). Without it, an id is built from
    /// the start time and both numbers.
    pub call_id: String,
    /// Start of the call, Moscow time (default `DT_BEGIN`). Without it, the start is
    /// the end minus the talk time.
    pub started: String,
    /// End of the call, Moscow time (default `DT_END`, the one column the spec names).
    /// Required.
    pub ended: String,
    /// `IN`/`OUT` (default `DIRECTION`); incoming when absent.
    pub direction: String,
    /// Calling number (default `ANUMBER`). Required.
    pub a_number: String,
    /// Called number (default `BNUMBER`). Required.
    pub b_number: String,
    /// How the call ended (default `STATUS`: `ANSWERED`, `NO ANSWER`, `BUSY`, `FAILED`);
    /// when absent, any talk time means answered.
    pub status: String,
    /// Talk seconds (default `DURATION`).
    pub talk_secs: String,
    /// Link to the recording (default `RECORD_URL`), empty when the call was not recorded.
    pub recording: String,
}

impl Default for CdrColumns {
    fn default() -> Self {
        Self {
            delimiter: ';',
            call_id: "CALL_ID".into(),
            started: "DT_BEGIN".into(),
            ended: "DT_END".into(),
            direction: "DIRECTION".into(),
            a_number: "ANUMBER".into(),
            b_number: "BNUMBER".into(),
            status: "STATUS".into(),
            talk_secs: "DURATION".into(),
            recording: "RECORD_URL".into(),
        }
    }
}

/// Positions of the mapped columns in one file.
struct Layout {
    call_id: Option<usize>,
    started: Option<usize>,
    ended: usize,
    direction: Option<usize>,
    a_number: usize,
    b_number: usize,
    status: Option<usize>,
    talk_secs: Option<usize>,
    recording: Option<usize>,
    /// Every other column, kept as details.
    extra: Vec<(usize, String)>,
}

impl Layout {
    fn new(headers: &csv::StringRecord, cols: &CdrColumns) -> Result<Self, BeelineError> {
        let find = |name: &str| {
            headers
                .iter()
                .position(|h| !name.is_empty() && h.trim().eq_ignore_ascii_case(name.trim()))
        };
        let required = |name: &str| {
            find(name).ok_or_else(|| {
                BeelineError::Decode(format!(
                    "the CDR file has no column {name:?} (its columns: {}); \
                     set the Beeline CDR column mapping to match",
                    headers.iter().collect::<Vec<_>>().join(", ")
                ))
            })
        };
        let mut layout = Layout {
            call_id: find(&cols.call_id),
            started: find(&cols.started),
            ended: required(&cols.ended)?,
            direction: find(&cols.direction),
            a_number: required(&cols.a_number)?,
            b_number: required(&cols.b_number)?,
            status: find(&cols.status),
            talk_secs: find(&cols.talk_secs),
            recording: find(&cols.recording),
            extra: Vec::new(),
        };
        let used = [
            layout.call_id,
            layout.started,
            Some(layout.ended),
            layout.direction,
            Some(layout.a_number),
            Some(layout.b_number),
            layout.talk_secs,
            layout.recording,
        ];
        layout.extra = headers
            .iter()
            .enumerate()
            .filter(|(i, _)| !used.contains(&Some(*i)))
            .map(|(i, h)| (i, h.trim().to_string()))
            .collect();
        Ok(layout)
    }
}

/// Parses a whole CDR file. A row without a readable end time or numbers is skipped with
/// a warning (it cannot be placed in the history); a file without the mapped columns is
/// an error, since every row would be lost.
pub fn parse_cdr_file(bytes: &[u8], cols: &CdrColumns) -> Result<Vec<NewCall>, BeelineError> {
    let (mut reader, layout) = open(bytes, cols)?;
    let mut calls = Vec::new();
    for (line, record) in reader.records().enumerate() {
        let record =
            record.map_err(|e| BeelineError::Decode(format!("CDR file row {}: {e}", line + 2)))?;
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        match normalize_record(&record, &layout) {
            Ok(call) => calls.push(call),
            Err(reason) => tracing::warn!(row = line + 2, %reason, "skipping a Beeline CDR row"),
        }
    }
    Ok(calls)
}

/// A reader positioned after the header, with the delimiter that yields the mapped
/// end-time column.
fn open<'a>(
    bytes: &'a [u8],
    cols: &CdrColumns,
) -> Result<(csv::Reader<&'a [u8]>, Layout), BeelineError> {
    let configured = u8::try_from(cols.delimiter)
        .ok()
        .filter(u8::is_ascii)
        .ok_or_else(|| {
            BeelineError::Decode(format!(
                "CDR delimiter {:?} is not one ASCII character",
                cols.delimiter
            ))
        })?;
    let mut first_error = None;
    for delimiter in [configured, b';', b',', b'\t'] {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(bytes);
        let headers = reader
            .headers()
            .map_err(|e| BeelineError::Decode(format!("CDR file header: {e}")))?
            .clone();
        match Layout::new(&headers, cols) {
            Ok(layout) => return Ok((reader, layout)),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.expect("at least one delimiter was tried"))
}

fn cell(record: &csv::StringRecord, i: Option<usize>) -> Option<&str> {
    i.and_then(|i| record.get(i))
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn direction_of(s: Option<&str>) -> Direction {
    match s.map(str::to_lowercase).as_deref() {
        Some("out" | "outgoing" | "outbound" | "исх" | "исходящий" | "o") => {
            Direction::Outgoing
        }
        _ => Direction::Incoming,
    }
}

fn outcome_of(s: Option<&str>, talk_secs: u32) -> Outcome {
    let norm = s.map(|s| {
        s.to_uppercase()
            .split(|c: char| c.is_whitespace() || c == '_' || c == '-')
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    });
    match norm.as_deref() {
        Some("ANSWERED" | "ANSWER" | "SUCCESS" | "CONNECTED" | "ОТВЕЧЕН") => {
            Outcome::Answered
        }
        Some("NO ANSWER" | "NOANSWER" | "NOT ANSWERED" | "MISSED" | "ПРОПУЩЕН") => {
            Outcome::Missed
        }
        Some("BUSY" | "ЗАНЯТО") => Outcome::Busy,
        Some("FAILED" | "FAIL" | "ERROR") => Outcome::Failed,
        Some("FORWARDED" | "REDIRECTED") => Outcome::Forwarded,
        _ if talk_secs > 0 => Outcome::Answered,
        _ => Outcome::Missed,
    }
}

fn normalize_record(record: &csv::StringRecord, l: &Layout) -> Result<NewCall, String> {
    let end_text = cell(record, Some(l.ended)).unwrap_or("");
    let ended: DateTime<Utc> =
        parse_moscow(end_text).ok_or_else(|| format!("unreadable DT_END {end_text:?}"))?;
    let talk_secs = cell(record, l.talk_secs)
        .and_then(|s| s.replace(',', ".").parse::<f64>().ok())
        .filter(|x| x.is_finite() && *x > 0.0)
        .map(|x| x.round() as u32)
        .unwrap_or(0);
    let started = match cell(record, l.started) {
        Some(s) => parse_moscow(s).ok_or_else(|| format!("unreadable DT_BEGIN {s:?}"))?,
        None => ended - chrono::Duration::seconds(i64::from(talk_secs)),
    };
    let total_secs = u32::try_from((ended - started).num_seconds().max(0)).unwrap_or(u32::MAX);
    let a = cell(record, Some(l.a_number)).unwrap_or("");
    let b = cell(record, Some(l.b_number)).unwrap_or("");
    if a.is_empty() && b.is_empty() {
        return Err("no numbers".into());
    }
    let caller = normalize_phone(a);
    let callee = normalize_phone(b);
    let provider_call_id = match cell(record, l.call_id) {
        Some(id) => id.to_string(),
        // Files without a call id still get a stable one, so replays never duplicate.
        None => format!("{}:{caller}:{callee}", started.timestamp()),
    };
    let details = l
        .extra
        .iter()
        .filter_map(|(i, label)| {
            cell(record, Some(*i)).map(|v| Detail {
                label: label.clone(),
                value: v.to_string(),
            })
        })
        .collect();
    Ok(NewCall {
        provider_call_id,
        direction: direction_of(cell(record, l.direction)),
        outcome: outcome_of(cell(record, l.status), talk_secs),
        caller,
        callee,
        started_at: started,
        ring_secs: total_secs.saturating_sub(talk_secs),
        talk_secs,
        total_secs: total_secs.max(talk_secs),
        cost: None,
        currency: None,
        recording_ref: cell(record, l.recording).map(str::to_string),
        details,
    })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn the_default_layout_reads_a_row_into_a_call() {
        let file = "\u{feff}CALL_ID;DT_BEGIN;DT_END;DIRECTION;ANUMBER;BNUMBER;RNUMBER;STATUS;DURATION;RECORD_URL\n\
                    42;20240201 00:30:00;20240201 00:31:40;IN;89161234567;74957850000;79031112233;ANSWERED;90;https://cloudcc.beeline.ru/api/download?record=42\n";
        let calls = parse_cdr_file(file.as_bytes(), &CdrColumns::default()).unwrap();
        let c = &calls[0];
        assert_eq!(c.provider_call_id, "42");
        assert_eq!(
            c.started_at,
            Utc.with_ymd_and_hms(2024, 1, 31, 21, 30, 0).unwrap()
        );
        assert_eq!((c.ring_secs, c.talk_secs, c.total_secs), (10, 90, 100));
        assert_eq!(
            (c.caller.as_str(), c.callee.as_str()),
            ("+79161234567", "+74957850000")
        );
        assert_eq!(
            (c.direction, c.outcome),
            (Direction::Incoming, Outcome::Answered)
        );
        assert!(c.recording_ref.as_deref().unwrap().ends_with("record=42"));
        let labels: Vec<&str> = c.details.iter().map(|d| d.label.as_str()).collect();
        assert_eq!(labels, ["RNUMBER", "STATUS"]);
    }

    #[test]
    fn a_custom_layout_is_read_by_its_own_names() {
        let cols = CdrColumns {
            delimiter: ',',
            call_id: "".into(),
            started: "".into(),
            ended: "end_time".into(),
            direction: "dir".into(),
            a_number: "from".into(),
            b_number: "to".into(),
            status: "result".into(),
            talk_secs: "talk".into(),
            recording: "".into(),
        };
        // Quoted fields with the delimiter inside, columns in another order, an extra one.
        let file = "to,from,\"note, free text\",end_time,talk,dir,result\n\
                    74957850000,+79161234567,\"hello, world\",2024-02-01 00:31:40,0,out,no_answer\n";
        let c = &parse_cdr_file(file.as_bytes(), &cols).unwrap()[0];
        assert_eq!(c.direction, Direction::Outgoing);
        assert_eq!(c.outcome, Outcome::Missed);
        assert_eq!(
            c.started_at,
            Utc.with_ymd_and_hms(2024, 1, 31, 21, 31, 40).unwrap(),
            "no start column and no talk: the call starts where it ends"
        );
        assert!(c.provider_call_id.ends_with(":+79161234567:+74957850000"));
        assert_eq!(c.details[0].value, "hello, world");
    }

    #[test]
    fn another_delimiter_is_found_and_a_missing_column_is_named() {
        let tabbed = "DT_END\tANUMBER\tBNUMBER\n20240201 00:31:40\t79161234567\t74957850000\n";
        assert_eq!(
            parse_cdr_file(tabbed.as_bytes(), &CdrColumns::default())
                .unwrap()
                .len(),
            1
        );
        let err = parse_cdr_file(b"END;A;B\n1;2;3\n", &CdrColumns::default()).unwrap_err();
        assert!(err.to_string().contains("\"DT_END\""), "{err}");
    }

    #[test]
    fn rows_without_a_readable_end_are_skipped() {
        let file = "DT_END;ANUMBER;BNUMBER\nsoon;79161234567;74957850000\n\n20240201 00:31:40;79161234567;74957850000\n";
        assert_eq!(
            parse_cdr_file(file.as_bytes(), &CdrColumns::default())
                .unwrap()
                .len(),
            1
        );
    }
}
