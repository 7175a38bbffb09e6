//! One digit string per number, whatever form a provider or an operator wrote it in, and
//! an integer key per digit string so lookups hash eight bytes, not a string.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The most digits a rule's number or prefix may have (E.164's limit).
pub const MAX_DIGITS: usize = 15;

/// The canonical digits of a whole number (a caller, a line, an exact pattern, a target).
///
/// Without a leading `+`, eleven digits starting with `8` are the Russian trunk form
/// (`8` → `7`) and ten bare digits are a Russian national number (`7` prepended); every
/// other number, and every number written with `+`, is its digits as written. Spaces,
/// dashes, brackets and a `+` decoded into a space are ignored.
pub fn canonical_number(raw: &str) -> String {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    if written_international(raw) {
        return digits;
    }
    match digits.len() {
        11 if digits.starts_with('8') => format!("7{}", &digits[1..]),
        10 => format!("7{digits}"),
        _ => digits,
    }
}

/// The canonical digits of a prefix pattern, which may be national (`495`) as well as
/// international.
///
/// With a leading `+` the digits are international, as written. Without it a leading `8`
/// is the Russian trunk prefix (`8` → `7`), a leading `7` is the country code and is
/// kept, and any other leading digit starts a national number (`7` prepended): `495`,
/// `8495`, `7495` and `+7495` are one prefix.
pub fn canonical_prefix(raw: &str) -> String {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    if written_international(raw) || digits.is_empty() || digits.starts_with('7') {
        digits
    } else if let Some(rest) = digits.strip_prefix('8') {
        format!("7{rest}")
    } else {
        format!("7{digits}")
    }
}

fn written_international(raw: &str) -> bool {
    raw.trim_start().starts_with('+')
}

/// The first character of an operator-written number that is neither a digit nor
/// punctuation people put in numbers (so `495*` or `7916l234567` is refused, not
/// silently read as other digits).
pub(crate) fn stray_char(raw: &str) -> Option<char> {
    let body = raw.trim_start();
    let body = body.strip_prefix('+').unwrap_or(body);
    body.chars()
        .find(|c| !(c.is_ascii_digit() || c.is_whitespace() || matches!(c, '-' | '(' | ')' | '.')))
}

/// A digit string of at most [`MAX_DIGITS`] digits as one integer: a leading 1 then the
/// digits, so `"07"` and `"7"` stay apart.
pub(crate) fn key_of(digits: &str) -> u64 {
    debug_assert!(digits.len() <= MAX_DIGITS && digits.bytes().all(|b| b.is_ascii_digit()));
    digits
        .bytes()
        .fold(1, |key, d| key * 10 + u64::from(d - b'0'))
}

/// A request's number canonicalized without allocating: the first [`MAX_DIGITS`]
/// canonical digits and the canonical length, enough for every key a rule can have.
pub(crate) struct Probe {
    digits: [u8; MAX_DIGITS],
    /// Digits held in `digits`.
    held: usize,
    /// Length of the whole canonical number, possibly more than `held`.
    len: usize,
}

impl Probe {
    /// Same rule as [`canonical_number`].
    pub(crate) fn new(raw: &str) -> Self {
        let mut raw_digits = [0u8; MAX_DIGITS];
        let mut count = 0;
        for b in raw.bytes() {
            if b.is_ascii_digit() {
                if count < MAX_DIGITS {
                    raw_digits[count] = b - b'0';
                }
                count += 1;
            }
        }
        let national = !written_international(raw);
        let mut probe = Probe {
            digits: [0; MAX_DIGITS],
            held: 0,
            len: count,
        };
        let rest = if national && count == 11 && raw_digits[0] == 8 {
            probe.push(7);
            &raw_digits[1..11]
        } else if national && count == 10 {
            probe.len += 1;
            probe.push(7);
            &raw_digits[..10]
        } else {
            &raw_digits[..count.min(MAX_DIGITS)]
        };
        for &d in rest {
            probe.push(d);
        }
        probe
    }

    fn push(&mut self, d: u8) {
        if self.held < MAX_DIGITS {
            self.digits[self.held] = d;
            self.held += 1;
        }
    }

    /// The key of the whole number, when it is short enough for a rule to name it.
    pub(crate) fn whole_key(&self) -> Option<u64> {
        (self.len <= MAX_DIGITS && self.len > 0).then(|| self.prefix_keys()[self.len])
    }

    /// `keys[n]` is the key of the first `n` canonical digits, for `n` up to
    /// [`Probe::prefix_len`].
    pub(crate) fn prefix_keys(&self) -> [u64; MAX_DIGITS + 1] {
        let mut keys = [1u64; MAX_DIGITS + 1];
        for (n, &d) in self.digits[..self.held].iter().enumerate() {
            keys[n + 1] = keys[n] * 10 + u64::from(d);
        }
        keys
    }

    /// How many leading digits a prefix rule can be compared with.
    pub(crate) fn prefix_len(&self) -> usize {
        self.held
    }
}

/// Finalizer of SplitMix64: numbers differing in one digit land far apart. Keys come
/// from the operators' rules, so a caller cannot grow a bucket, only probe one.
#[derive(Default, Clone, Copy)]
pub(crate) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(self.0 ^ u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        let mut z = n.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        self.0 = z ^ (z >> 31);
    }
}

pub(crate) type KeyMap<V> = HashMap<u64, V, BuildHasherDefault<KeyHasher>>;

#[cfg(test)]
mod tests {
    use super::*;

    fn probe_string(raw: &str) -> String {
        let p = Probe::new(raw);
        p.digits[..p.held]
            .iter()
            .map(|d| char::from(b'0' + d))
            .collect()
    }

    #[test]
    fn every_russian_form_is_one_number() {
        for raw in [
            "+79161234567",
            "79161234567",
            "89161234567",
            "9161234567",
            " 79161234567",
            "+7 916 123-45-67",
            "8 (916) 123 45 67",
            "  +7(916)1234567 ",
        ] {
            assert_eq!(canonical_number(raw), "79161234567", "{raw:?}");
            assert_eq!(probe_string(raw), "79161234567", "{raw:?}");
            assert_eq!(Probe::new(raw).whole_key(), Some(key_of("79161234567")));
        }
    }

    #[test]
    fn other_numbers_are_their_digits() {
        for (raw, want) in [
            ("+380 44 123 4567", "380441234567"),
            ("101", "101"),
            ("+89161234567", "89161234567"),
            ("+9161234567", "9161234567"),
            ("anonymous", ""),
            ("883140584982783", "883140584982783"),
        ] {
            assert_eq!(canonical_number(raw), want, "{raw:?}");
            assert_eq!(probe_string(raw), want, "{raw:?}");
        }
        assert_eq!(Probe::new("anonymous").whole_key(), None);
    }

    #[test]
    fn overlong_numbers_keep_their_first_digits_for_prefixes() {
        let p = Probe::new("1234567890123456789");
        assert_eq!(p.whole_key(), None);
        assert_eq!(p.prefix_len(), MAX_DIGITS);
        assert_eq!(p.prefix_keys()[3], key_of("123"));
    }

    #[test]
    fn national_prefixes_get_the_country_code() {
        for raw in ["495", "8495", "7495", "+7495", "+7 (495)", " 7495"] {
            assert_eq!(canonical_prefix(raw), "7495", "{raw:?}");
        }
        assert_eq!(canonical_prefix("+380"), "380");
        assert_eq!(canonical_prefix("8"), "7");
        assert_eq!(canonical_prefix("+8"), "8");
        assert_eq!(canonical_prefix("101"), "7101");
    }

    #[test]
    fn keys_tell_leading_zeros_apart() {
        assert_ne!(key_of("07"), key_of("7"));
        assert_ne!(key_of(""), key_of("0"));
        assert_eq!(key_of("999999999999999"), 1_999_999_999_999_999);
    }

    #[test]
    fn stray_characters_are_found() {
        assert_eq!(stray_char("+7 (916) 123-45.67"), None);
        assert_eq!(stray_char("495*"), Some('*'));
        assert_eq!(stray_char("7916l234567"), Some('l'));
        assert_eq!(stray_char("7+916"), Some('+'));
    }
}
