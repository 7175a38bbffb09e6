//! The `recordings_get` success answer, rendered through quick-xml's serializer.
//!
//! Element order follows the spec's example; `uniqueid` and `source` stand where the spec
//! elides its middle (`...`), named after the request parameters that filter on them.

use chrono::{DateTime, Utc};
use chrono_tz::Europe::Moscow;
use serde::Serialize;

use super::dataset::MorCall;

/// MOR prints `date` in the server's local time; the simulated server is in Moscow.
pub const DATE_FORMAT: &str = "%Y-%m-%d %H:%M:%S";

#[derive(Serialize)]
struct Page<'a> {
    status: Status<'a>,
}

#[derive(Serialize)]
struct Status<'a> {
    recordings: Recordings<'a>,
}

#[derive(Serialize)]
struct Recordings<'a> {
    recording: Vec<Recording<'a>>,
}

#[derive(Serialize)]
struct Recording<'a> {
    id: u64,
    user_id: u32,
    dst_user_id: u32,
    src_device_id: u32,
    dst_device_id: u32,
    date: String,
    comment: &'a str,
    duration: u32,
    uniqueid: &'a str,
    source: &'a str,
    destination: &'a str,
    size: u64,
    mp3_url: String,
}

/// Where a recording's audio is served, relative to the server's base URL.
pub fn mp3_path(uniqueid: &str) -> String {
    format!("/billing/recordings/{uniqueid}.mp3")
}

/// A recording's `date` as MOR prints it.
pub fn moscow_date(t: DateTime<Utc>) -> String {
    t.with_timezone(&Moscow).format(DATE_FORMAT).to_string()
}

/// `<?xml …?><page><status><recordings>…` for `calls`, with `mp3_url`s under `base_url`.
pub fn render(calls: &[MorCall], base_url: &str) -> Result<String, quick_xml::se::SeError> {
    let page = Page {
        status: Status {
            recordings: Recordings {
                recording: calls
                    .iter()
                    .map(|c| Recording {
                        id: c.id,
                        user_id: c.user_id,
                        dst_user_id: c.dst_user_id,
                        src_device_id: c.src_device_id,
                        dst_device_id: c.dst_device_id,
                        date: moscow_date(c.date),
                        comment: &c.comment,
                        duration: c.duration,
                        uniqueid: &c.uniqueid,
                        source: &c.source,
                        destination: &c.destination,
                        size: c.size,
                        mp3_url: format!("{base_url}{}", mp3_path(&c.uniqueid)),
                    })
                    .collect(),
            },
        },
    };
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let mut ser = quick_xml::se::Serializer::with_root(&mut out, Some("page"))?;
    ser.indent(' ', 2);
    ser.expand_empty_elements(true);
    page.serialize(ser)?;
    out.push('\n');
    Ok(out)
}
