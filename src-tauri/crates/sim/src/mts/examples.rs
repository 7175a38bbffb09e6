//! The spec's example answers, cut from the spec itself so they are served byte for byte.
//!
//! Only document breaks are undone: a fence opened or closed in the middle of an answer
//! (the lone `{` of the CDR example, the premature `}` `}` that ends the first half of
//! the UN example). Every quirk inside the payloads stays.

use super::MtsEndpoint;

/// `shared/specs/mts-autosecretary.md`, as copied into the repo's test fixtures.
pub const MTS_SPEC: &str = include_str!("../../../../../tests/fixtures/specs/mts-autosecretary.md");

/// An example answer of the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpecExample {
    /// `GET un` (L276–282): `["9854071111", "9854079998"]`.
    UnList,
    /// `GET un?phone=4954071111` (L62–109): split over two fences, `voice_email` unquoted.
    UnSettings,
    /// `cdr/bytime` (L192–213): one record, a raw line break inside `log`.
    Cdr,
    /// The next-page answer (L226–246): the key-less, backslashed `links`, `...` in `value`.
    CdrNextPage,
}

impl SpecExample {
    /// Every example.
    pub const ALL: [SpecExample; 4] = [
        SpecExample::UnList,
        SpecExample::UnSettings,
        SpecExample::Cdr,
        SpecExample::CdrNextPage,
    ];

    /// The endpoint that answers with this example.
    pub fn endpoint(self) -> MtsEndpoint {
        match self {
            Self::UnList => MtsEndpoint::UnList,
            Self::UnSettings => MtsEndpoint::UnSettings,
            Self::Cdr | Self::CdrNextPage => MtsEndpoint::CdrByTime,
        }
    }

    /// The answer body, as the spec prints it.
    pub fn body(self) -> String {
        let blocks = fences();
        let find = |needle: &str| {
            blocks
                .iter()
                .position(|b| b.contains(needle))
                .unwrap_or_else(|| panic!("the MTS spec has no example with {needle}"))
        };
        match self {
            Self::UnList => blocks[find("\"value\": [ \"9854071111\"")].to_string(),
            Self::UnSettings => {
                let first = find("\"ab_ext_enabled\"");
                let head = blocks[first]
                    .strip_suffix("  }\n}\n")
                    .expect("the first half of the UN example ends with its premature close");
                format!("{head}{}", blocks[first + 1])
            }
            Self::Cdr => {
                let rest = find("\"log\":");
                assert_eq!(
                    blocks[rest - 1],
                    "{\n",
                    "the CDR example opens in its own fence"
                );
                format!("{}{}", blocks[rest - 1], blocks[rest])
            }
            Self::CdrNextPage => blocks[find("\"links\":")].to_string(),
        }
    }
}

/// The contents of every fenced block, without the line break after the opening fence.
fn fences() -> Vec<&'static str> {
    MTS_SPEC
        .split("```")
        .skip(1)
        .step_by(2)
        .map(|b| b.strip_prefix('\n').unwrap_or(b))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_keep_their_quirks() {
        let un = SpecExample::UnSettings.body();
        assert!(un.contains("\"op_ext_enabled\":false,\n\n        \"phone\": \"4954071111\""));
        assert!(un.contains("\"voice_email\": user@mts.ru\n"));
        let cdr = SpecExample::Cdr.body();
        assert!(cdr.starts_with("{\n\n\"status_code\":200,"));
        assert!(cdr.contains("5061)-\nDNIS("), "raw line break in log");
        let next = SpecExample::CdrNextPage.body();
        assert!(next.contains("\"links\":{\"https:\\\\\\\\aa.mts.ru\\\\api"));
        assert!(next.contains("begin=201\n1-10-02"));
        assert!(SpecExample::UnList.body().ends_with("]\n}\n"));
    }
}
