//! Phone numbers: providers send `+7…`, `8…`, `7…` or ten bare digits; we store E.164.

use phonenumber::country::Id;

/// Normalizes a provider's number to E.164 (`+79103880489`), treating bare national
/// forms as Russian. Anything not recognisable as a phone number (`anonymous`, short
/// internal extensions, MTT account ids) is returned trimmed, unchanged.
pub fn normalize_phone(raw: &str) -> String {
    let trimmed = raw.trim();
    let digits = digits_of(trimmed);
    let plus = trimmed.starts_with('+');
    // The Russian forms: `+7`/`7` + 10 digits, trunk `8` + 10 digits, or the bare 10.
    // Ranges change faster than phone metadata, so any Russian area code is kept.
    let national = match digits.len() {
        11 if digits.starts_with('7') => Some(&digits[1..]),
        11 if !plus && digits.starts_with('8') => Some(&digits[1..]),
        10 if !plus => Some(&digits[..]),
        _ => None,
    };
    if let Some(n) = national.filter(|n| n.starts_with(['3', '4', '8', '9'])) {
        return format!("+7{n}");
    }
    // Anything else international is checked against the numbering plans.
    match phonenumber::parse(Some(Id::RU), trimmed) {
        Ok(n) if plus && phonenumber::is_valid(&n) => {
            n.format().mode(phonenumber::Mode::E164).to_string()
        }
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
        for raw in [
            "+79103880489",
            "79103880489",
            "89103880489",
            "9103880489",
            " 7 (910) 388-04-89 ",
        ] {
            assert_eq!(normalize_phone(raw), "+79103880489", "{raw}");
        }
        assert_eq!(normalize_phone("74959333223"), "+74959333223");
        assert_eq!(normalize_phone("78121252107"), "+78121252107");
        assert_eq!(normalize_phone("88121252107"), "+78121252107");
    }

    #[test]
    fn non_numbers_pass_through() {
        assert_eq!(normalize_phone("anonymous"), "anonymous");
        assert_eq!(normalize_phone(" 101 "), "101");
        assert_eq!(normalize_phone("883140584982783"), "883140584982783");
        assert_eq!(normalize_phone("+380 44 123 4567"), "+380441234567");
        assert_eq!(normalize_phone("+999"), "+999");
    }

    #[test]
    fn digits_are_extracted() {
        assert_eq!(digits_of("+7 (910) 388-04-89"), "79103880489");
    }
}
