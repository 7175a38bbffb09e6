//! The call history as a CSV file for Excel, produced a batch at a time.
//!
//! Russian-locale Excel opens a `.csv` by double click with the list separator of the
//! system's regional settings, which is `;` there (`,` is the decimal separator), and
//! reads it as UTF-8 only when the file starts with a byte-order mark; without one it
//! takes the ANSI code page and Cyrillic turns to mojibake. So: UTF-8 with a BOM, `;`
//! between fields, and decimal commas in costs, so that they stay numbers there.

use chrono::Local;

use callboard_model::Call;

use crate::CoreError;
use crate::store::CallBatches;

/// Rows read per store query while exporting.
pub(crate) const EXPORT_BATCH: u32 = 500;

const BOM: &[u8] = b"\xEF\xBB\xBF";

const HEADER: [&str; 12] = [
    "started_at",
    "account",
    "provider",
    "direction",
    "from",
    "to",
    "outcome",
    "talk_secs",
    "ring_secs",
    "cost",
    "has_recording",
    "provider_call_id",
];

/// An export in progress: pull [`CallsCsv::next_chunk`] until it ends. Nothing is read
/// ahead, so a slow reader (a browser download) paces the store queries.
pub struct CallsCsv {
    /// `None` once the history is exhausted or a batch failed.
    batches: Option<CallBatches>,
    header_sent: bool,
}

impl CallsCsv {
    pub(crate) fn new(batches: CallBatches) -> Self {
        Self {
            batches: Some(batches),
            header_sent: false,
        }
    }

    /// The name an export made today is offered under, by the local date.
    pub fn file_name() -> String {
        format!("callboard-calls-{}.csv", Local::now().format("%Y-%m-%d"))
    }

    /// The next piece of the file: the BOM and the header first, then one batch of rows
    /// at a time; `None` at the end (and after an error).
    pub async fn next_chunk(&mut self) -> Option<Result<Vec<u8>, CoreError>> {
        if !self.header_sent {
            self.header_sent = true;
            let mut out = BOM.to_vec();
            out.extend(encode(|w| w.write_record(HEADER)));
            return Some(Ok(out));
        }
        let mut batches = self.batches.take()?;
        let read = tokio::task::spawn_blocking(move || {
            let next = batches.next();
            (batches, next)
        })
        .await;
        let (batches, next) = match read {
            Ok(r) => r,
            Err(e) => return Some(Err(e.into())),
        };
        match next? {
            Ok(calls) => {
                self.batches = Some(batches);
                Some(Ok(encode(|w| {
                    calls.iter().try_for_each(|c| w.write_record(row(c)))
                })))
            }
            Err(e) => Some(Err(e.into())),
        }
    }
}

/// Runs `write` on a CSV writer over a buffer and returns the bytes.
fn encode(write: impl FnOnce(&mut csv::Writer<Vec<u8>>) -> csv::Result<()>) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    // Writing to memory fails on nothing but a bug.
    write(&mut w).expect("CSV into memory");
    w.into_inner().expect("CSV into memory")
}

fn row(c: &Call) -> [String; 12] {
    [
        c.started_at
            .with_timezone(&Local)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
        c.account.clone(),
        c.provider.as_str().into(),
        c.direction.as_str().into(),
        c.caller.clone(),
        c.callee.clone(),
        c.outcome.as_str().into(),
        c.talk_secs.to_string(),
        c.ring_secs.to_string(),
        c.cost
            .map(|v| v.to_string().replace('.', ","))
            .unwrap_or_default(),
        if c.has_recording { "yes" } else { "no" }.into(),
        c.provider_call_id.clone(),
    ]
}

#[cfg(test)]
mod tests {
    use callboard_model::{Direction, Outcome, ProviderKind};
    use chrono::Utc;

    use super::*;

    #[test]
    fn a_row_reads_back_in_excel_terms() {
        let call = Call {
            id: 1,
            account: "офис; Москва".into(),
            provider: ProviderKind::Mtt,
            provider_call_id: "x\"1".into(),
            direction: Direction::Incoming,
            outcome: Outcome::Answered,
            caller: "+79161234567".into(),
            callee: "+74996480000".into(),
            started_at: Utc::now(),
            ring_secs: 3,
            talk_secs: 61,
            total_secs: 64,
            cost: Some(1.25),
            currency: Some("RUB".into()),
            has_recording: true,
        };
        let bytes = encode(|w| w.write_record(row(&call)));
        let text = String::from_utf8(bytes).unwrap();
        let fields: Vec<String> = csv::ReaderBuilder::new()
            .delimiter(b';')
            .has_headers(false)
            .from_reader(text.as_bytes())
            .records()
            .next()
            .unwrap()
            .unwrap()
            .iter()
            .map(String::from)
            .collect();
        assert_eq!(
            fields[1], "офис; Москва",
            "a separator inside a field is quoted"
        );
        assert_eq!(fields[9], "1,25");
        assert_eq!(fields[10], "yes");
        assert_eq!(fields[11], "x\"1");
    }
}
