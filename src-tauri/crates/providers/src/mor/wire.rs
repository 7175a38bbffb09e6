//! MOR's XML as it arrives. Successes are `<page><status><recordings>…`; errors are
//! `<status> <error>…</error> </status>` (the spec's example has no `<page>`), and either
//! root is read by the same envelope.

use serde::Deserialize;

use super::{MorApiError, MorError};
use crate::download::truncate;

/// One `<recording>`. Every field is text as sent (the spec types none of them); fields
/// the spec elides (`uniqueid`, `source`) are taken where present.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct Recording {
    pub id: Option<String>,
    pub user_id: Option<String>,
    pub dst_user_id: Option<String>,
    pub src_device_id: Option<String>,
    pub dst_device_id: Option<String>,
    pub date: Option<String>,
    pub comment: Option<String>,
    pub duration: Option<String>,
    pub uniqueid: Option<String>,
    pub source: Option<String>,
    pub destination: Option<String>,
    pub size: Option<String>,
    pub mp3_url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Recordings {
    recording: Vec<Recording>,
}

/// `<status>`, or the root when the answer is a bare `<status>`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Status {
    error: Option<String>,
    recordings: Option<Recordings>,
}

/// `<page>` around a `<status>`, or a bare `<status>` (then its children are ours).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Envelope {
    status: Option<Status>,
    error: Option<String>,
    recordings: Option<Recordings>,
}

/// Reads a `recordings_get` answer: its recordings, or its `<error>` as [`MorError::Api`].
pub fn parse_answer(xml: &str) -> Result<Vec<Recording>, MorError> {
    let envelope: Envelope = quick_xml::de::from_str(xml)
        .map_err(|e| MorError::Decode(format!("not MOR's XML ({e}): {}", truncate(xml, 200))))?;
    let status = envelope.status.unwrap_or(Status {
        error: envelope.error,
        recordings: envelope.recordings,
    });
    if let Some(error) = status.error {
        return Err(MorError::Api(MorApiError::parse(&error)));
    }
    match status.recordings {
        Some(r) => Ok(r.recording),
        None => Err(MorError::Decode(format!(
            "neither <recordings> nor <error> in: {}",
            truncate(xml, 200)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_reads_with_or_without_page() {
        for xml in [
            "<status> <error>Incorrect hash</error> </status>",
            "<?xml version=\"1.0\"?><page><status><error>Incorrect hash</error></status></page>",
        ] {
            match parse_answer(xml) {
                Err(MorError::Api(MorApiError::IncorrectHash)) => {}
                other => panic!("{xml}: {other:?}"),
            }
        }
    }

    #[test]
    fn recordings_read_with_unknown_fields_and_escapes() {
        let xml = "<page><status><recordings>\
            <recording><id>7</id><extra>x</extra><comment>A &amp; B</comment><mp3_url></mp3_url></recording>\
            <recording><id>8</id></recording>\
            </recordings></status></page>";
        let rows = parse_answer(xml).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].id.as_deref(), Some("7"));
        assert_eq!(rows[0].comment.as_deref(), Some("A & B"));
        assert_eq!(rows[1].id.as_deref(), Some("8"));
    }

    #[test]
    fn empty_recordings_are_an_empty_list_and_html_is_unreadable() {
        assert_eq!(
            parse_answer("<page><status><recordings></recordings></status></page>").unwrap(),
            vec![]
        );
        assert!(matches!(
            parse_answer("<html><body>502 Bad Gateway</body></html>"),
            Err(MorError::Decode(_))
        ));
        assert!(matches!(
            parse_answer("not xml <<"),
            Err(MorError::Decode(_))
        ));
    }
}
