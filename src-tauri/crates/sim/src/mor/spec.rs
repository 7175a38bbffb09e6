//! The MOR spec as shipped in `tests/fixtures/specs`: its example payloads are served
//! from the document itself, so the simulator cannot drift from what the spec prints.

/// The `recordings_get` document, verbatim.
pub const SPEC: &str = include_str!("../../../../../tests/fixtures/specs/mor-recordings-get.md");

/// The error strings of the spec's "Errors:" list, each answered as `<error>…</error>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MorSpecError {
    /// "API Requests are disabled": the Allow API setting is off.
    ApiDisabled,
    /// "GET Requests are disabled": the Allow GET API setting is off.
    GetDisabled,
    /// "Access Denied": unknown user, or one not allowed this method.
    AccessDenied,
    /// "Incorrect hash".
    IncorrectHash,
    /// "No Recordings found": nothing matches the parameters.
    NoRecordings,
    /// "Date from is incorrect format".
    DateFromFormat,
    /// "Date till is incorrect format".
    DateTillFormat,
    /// "Date from is greater than date till".
    DateFromAfterTill,
}

impl MorSpecError {
    /// Every error, in the spec's order.
    pub const ALL: [MorSpecError; 8] = [
        Self::ApiDisabled,
        Self::GetDisabled,
        Self::AccessDenied,
        Self::IncorrectHash,
        Self::NoRecordings,
        Self::DateFromFormat,
        Self::DateTillFormat,
        Self::DateFromAfterTill,
    ];

    /// The exact `<error>` text.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ApiDisabled => "API Requests are disabled",
            Self::GetDisabled => "GET Requests are disabled",
            Self::AccessDenied => "Access Denied",
            Self::IncorrectHash => "Incorrect hash",
            Self::NoRecordings => "No Recordings found",
            Self::DateFromFormat => "Date from is incorrect format",
            Self::DateTillFormat => "Date till is incorrect format",
            Self::DateFromAfterTill => "Date from is greater than date till",
        }
    }

    /// The whole answer: the spec's error example with this error's text in it, so the
    /// example's own error comes out byte for byte.
    pub fn body(self) -> String {
        let example = error_example();
        let example_error = "API Requests are disabled";
        example.replacen(example_error, self.as_str(), 1)
    }
}

/// The spec's error strings, read from its "Errors:" list.
pub fn error_strings() -> Vec<&'static str> {
    SPEC.lines()
        .filter_map(|l| l.trim().strip_prefix("- <error>"))
        .filter_map(|l| l.split_once("</error>").map(|(text, _)| text))
        .collect()
}

/// The example success answer (the lines from the XML declaration to `</page>`).
pub fn recordings_example() -> &'static str {
    let start = SPEC.find("<?xml").expect("the spec has a response example");
    let end = SPEC[start..]
        .find("</page>")
        .map(|i| start + i + "</page>".len())
        .expect("the response example ends with </page>");
    &SPEC[start..end]
}

/// The example error answer (the line after "Example:").
pub fn error_example() -> &'static str {
    let at = SPEC
        .rfind("Example:")
        .expect("the spec has an error example");
    SPEC[at + "Example:".len()..].trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_enum_is_the_spec_list() {
        let ours: Vec<&str> = MorSpecError::ALL.iter().map(|e| e.as_str()).collect();
        assert_eq!(ours, error_strings());
    }

    #[test]
    fn examples_are_cut_where_the_spec_puts_them() {
        assert_eq!(
            error_example(),
            "<status> <error>API Requests are disabled</error> </status>"
        );
        assert_eq!(MorSpecError::ApiDisabled.body(), error_example());
        assert_eq!(
            MorSpecError::IncorrectHash.body(),
            "<status> <error>Incorrect hash</error> </status>"
        );
        let ex = recordings_example();
        assert!(ex.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?> <page>"));
        assert!(ex.contains("\n...\n<destination>"));
        assert!(ex.ends_with("</status> </page>"));
    }
}
