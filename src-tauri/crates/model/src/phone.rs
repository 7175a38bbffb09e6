//! Phone numbers: providers send `+7…`, `8…`, `7…` or ten bare digits; we store E.164.

use phonenumber::country::Id;

/// Normalizes a provider's number to E.164 (`+79103880489`), treating bare national
/// forms as Russian. Anything not recognisable as a phone number (`anonymous`, short
/// internal extensions, MTT account ids) is returned trimmed, unchanged.
pub fn normalize_phone(raw: &str) -> String {
    let trimmed = raw.trim();
    let digits = digits_of(trimmed);
    if digits.is_empty() {
        return trimmed.to_string();
    }
    // Russian providers drop the `+`: `7XXXXXXXXXX` is already international.
    let candidate = if !trimmed.starts_with('+') && digits.len() == 11 && digits.starts_with('7') {
        format!("+{digits}")
    } else {
        trimmed.to_string()
    };
    match phonenumber::parse(Some(Id::RU), &candidate) {
        Ok(n) if phonenumber::is_valid(&n) => n.format().mode(phonenumber::Mode::E164).to_string(),
        _ => trimmed.to_string(),
    }
}

/// The digits of a number, for substring search ("last 4 digits").
pub fn digits_of(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_russian_form_becomes_e164() {
        for raw in ["+79103880489", "79103880489", "89103880489", "9103880489", " 7 (910) 388-04-89 "] {
            assert_eq!(normalize_phone(raw), "+79103880489", "{raw}");
        }
        assert_eq!(normalize_phone("74959333223"), "+74959333223");
    }

    #[test]
    fn non_numbers_pass_through() {
        assert_eq!(normalize_phone("anonymous"), "anonymous");
        assert_eq!(normalize_phone(" 101 "), "101");
        assert_eq!(normalize_phone("883140584982783"), "883140584982783");
    }

    #[test]
    fn digits_are_extracted() {
        assert_eq!(digits_of("+7 (910) 388-04-89"), "79103880489");
    }
}
