//! Conference ids (`h323_conf_id`) and the stable hashing the dataset is built on.
//!
//! The first 8 bytes of every simulated `h323_conf_id` are a keyed Feistel
//! permutation of `(hour slot, index in slot, check)`. That lets the recording
//! endpoints find a call from its id in O(1) without storing any history, while
//! the ids still look as random as MTT's.

/// A 128-bit MTT conference id.
pub type ConfId = [u8; 16];

/// SplitMix64 finaliser: a fast, well-mixed, *stable* 64-bit hash step.
///
/// We deliberately avoid `std`'s `DefaultHasher`, whose algorithm may change
/// between Rust releases and would silently change every simulated dataset.
pub(crate) fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Hashes a sequence of words into one seed.
pub(crate) fn mix_all(words: &[u64]) -> u64 {
    words
        .iter()
        .fold(0x243F_6A88_85A3_08D3, |acc, w| mix64(acc ^ mix64(*w)))
}

/// Stable FNV-1a hash of a string, used to seed audio from a record id.
pub(crate) fn hash_str(s: &str) -> u64 {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    mix64(h)
}

/// Keyed 4-round Feistel permutation on 64-bit blocks.
#[derive(Debug, Clone)]
pub(crate) struct Feistel {
    keys: [u64; 4],
}

impl Feistel {
    pub(crate) fn new(seed: u64) -> Self {
        let mut keys = [0u64; 4];
        for (i, k) in keys.iter_mut().enumerate() {
            *k = mix_all(&[seed, 0x0FE1_57E1, i as u64]);
        }
        Self { keys }
    }

    fn round(key: u64, half: u32) -> u32 {
        (mix64(key ^ u64::from(half)) >> 16) as u32
    }

    pub(crate) fn encrypt(&self, block: u64) -> u64 {
        let (mut l, mut r) = ((block >> 32) as u32, block as u32);
        for k in self.keys {
            (l, r) = (r, l ^ Self::round(k, r));
        }
        (u64::from(l) << 32) | u64::from(r)
    }

    pub(crate) fn decrypt(&self, block: u64) -> u64 {
        let (mut l, mut r) = ((block >> 32) as u32, block as u32);
        for k in self.keys.iter().rev() {
            (l, r) = (r ^ Self::round(*k, l), l);
        }
        (u64::from(l) << 32) | u64::from(r)
    }
}

/// Formats an id as MTT does in history rows: four groups of 8 uppercase hex
/// digits separated by spaces (`"07A9B59A 05F65003 13B136EE D90263EE"`).
pub fn format_conf_id(id: &ConfId) -> String {
    format_groups(id, ' ')
}

/// Formats an id as the recording service wants it in URLs and file names:
/// groups joined by underscores (`"0000B3A4_55F311E4_A2420025_9062EDC4"`).
pub fn record_id(id: &ConfId) -> String {
    format_groups(id, '_')
}

fn format_groups(id: &ConfId, sep: char) -> String {
    let mut out = String::with_capacity(35);
    for (i, b) in id.iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push(sep);
        }
        out.push_str(&format!("{b:02X}"));
    }
    out
}

/// Parses an id in either the spaced or the underscored form (any hex case).
///
/// Returns `None` for anything else, so request handlers can answer 404
/// instead of panicking on hostile input.
pub fn parse_conf_id(s: &str) -> Option<ConfId> {
    let groups: Vec<&str> = s.split([' ', '_']).collect();
    if groups.len() != 4 || groups.iter().any(|g| g.len() != 8) {
        return None;
    }
    let hex: String = groups.concat();
    let mut id = [0u8; 16];
    for (i, byte) in id.iter_mut().enumerate() {
        let pair = hex.get(i * 2..i * 2 + 2)?;
        *byte = u8::from_str_radix(pair, 16).ok()?;
    }
    Some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feistel_roundtrips() {
        let f = Feistel::new(7);
        for v in [0u64, 1, 0xDEAD_BEEF, u64::MAX, 123_456_789_012] {
            assert_eq!(f.decrypt(f.encrypt(v)), v);
        }
    }

    #[test]
    fn conf_id_formats_roundtrip() {
        let id = parse_conf_id("07A9B59A 05F65003 13B136EE D90263EE").expect("valid id");
        assert_eq!(format_conf_id(&id), "07A9B59A 05F65003 13B136EE D90263EE");
        assert_eq!(record_id(&id), "07A9B59A_05F65003_13B136EE_D90263EE");
        assert_eq!(
            parse_conf_id("07a9b59a_05f65003_13b136ee_d90263ee"),
            Some(id)
        );
        assert_eq!(parse_conf_id("07A9B59A 05F65003 13B136EE"), None);
        assert_eq!(parse_conf_id("07A9B59G 05F65003 13B136EE D90263EE"), None);
        assert_eq!(parse_conf_id("ÿÿÿÿÿÿÿÿ 05F65003 13B136EE D90263EE"), None);
    }
}
