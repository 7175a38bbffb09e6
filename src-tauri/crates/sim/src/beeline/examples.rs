//! The spec's CDR examples, cut verbatim out of the spec itself so the simulator can
//! serve them byte for byte: the spec is the fixture, nothing is retyped.

/// The Beeline spec as shipped in `tests/fixtures/specs`.
pub const SPEC: &str = include_str!("../../../../../tests/fixtures/specs/beeline-cloudcc.md");

/// One example payload of the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecExample {
    /// 4.13.1 REQCDR for listed numbers (not valid JSON as printed: `"..."` placeholders).
    ReqcdrByNumbers,
    /// 4.13.2 REQCDR for all numbers.
    ReqcdrAll,
    /// 4.13 answer `{"CDRID":"cdrid"}` (with the spec's blank line).
    ReqcdrAnswer,
    /// 4.14 STATCDR request.
    StatcdrRequest,
    /// 4.14 answer `{"ConfData":{"CDRID":"cdrid","STATUS":"status","URL":"url"}}`.
    StatcdrAnswer,
    /// 4.19 error body (with the spec's line break).
    ErrorBody,
}

impl SpecExample {
    /// Every CDR example, in the spec's order.
    pub const ALL: [SpecExample; 6] = [
        Self::ReqcdrByNumbers,
        Self::ReqcdrAll,
        Self::ReqcdrAnswer,
        Self::StatcdrRequest,
        Self::StatcdrAnswer,
        Self::ErrorBody,
    ];

    /// The example's bytes exactly as the spec prints them.
    pub fn text(self) -> &'static str {
        match self {
            Self::ReqcdrByNumbers => object_after("4.13.1."),
            Self::ReqcdrAll => object_after("4.13.2."),
            Self::ReqcdrAnswer => answer_after("4.13.5."),
            Self::StatcdrRequest => object_after("функция STATCDR проверяет"),
            Self::StatcdrAnswer => line_starting("{\"ConfData\":{\"CDRID\""),
            Self::ErrorBody => object_after("SN возвращает в качестве ответа"),
        }
    }
}

/// The balanced `{…}` that starts first after `marker` (the spec's heading text).
fn object_after(marker: &str) -> &'static str {
    let Some(at) = SPEC.find(marker) else {
        return "";
    };
    balanced_from(at)
}

/// The object after the `HTTP ответ:` label that follows `marker`.
fn answer_after(marker: &str) -> &'static str {
    let Some(at) = SPEC.find(marker) else {
        return "";
    };
    match SPEC[at..].find("HTTP ответ:") {
        Some(label) => balanced_from(at + label),
        None => "",
    }
}

fn balanced_from(at: usize) -> &'static str {
    let Some(open) = SPEC[at..].find('{').map(|i| at + i) else {
        return "";
    };
    let mut depth = 0usize;
    for (i, c) in SPEC[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return &SPEC[open..=open + i];
                }
            }
            _ => {}
        }
    }
    ""
}

fn line_starting(prefix: &str) -> &'static str {
    SPEC.lines().find(|l| l.starts_with(prefix)).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_example_is_found() {
        for ex in SpecExample::ALL {
            assert!(
                ex.text().starts_with('{') && ex.text().ends_with('}'),
                "{ex:?}"
            );
        }
        assert_eq!(
            SpecExample::ReqcdrAnswer.text(),
            "{\n\n\"CDRID\":\"cdrid\"\n}"
        );
        assert_eq!(
            SpecExample::StatcdrAnswer.text(),
            r#"{"ConfData":{"CDRID":"cdrid","STATUS":"status","URL":"url"}}"#
        );
        assert!(
            SpecExample::ErrorBody
                .text()
                .contains("\n\"ERR_DESCRIPTION\"")
        );
        assert!(
            SpecExample::ReqcdrAll
                .text()
                .contains("\"DT_BEGIN\":\"datefrom\"")
        );
        assert!(
            SpecExample::ReqcdrByNumbers
                .text()
                .contains("\"bnumber_n1\"")
        );
        assert!(SpecExample::StatcdrRequest.text().contains("\"STATCDR\""));
    }
}
