//! Synthesised "speech" for call recordings.
//!
//! Real recordings can't ship with the simulator, yet the player, waveform
//! view and downloads need something that looks and sounds like a phone call
//! rather than silence or a sine. So we run a tiny source–filter voice: a
//! glottal-pulse train through three formant resonators, cut into syllables
//! with envelopes and pauses. Everything is seeded from `(record id, part)` so
//! a link always returns the same bytes and each part sounds different.

use std::f32::consts::PI;
use std::io::Cursor;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::ids::{hash_str, mix_all};

/// Telephone narrowband rate, as MTT's WAV recordings use.
pub const SAMPLE_RATE: u32 = 8000;
const SR: f32 = SAMPLE_RATE as f32;

/// (F1, F2, F3) targets in Hz for Russian-like vowels а, о, у, э, и, ы.
const VOWELS: [[f32; 3]; 6] = [
    [700.0, 1250.0, 2600.0],
    [500.0, 900.0, 2500.0],
    [320.0, 750.0, 2400.0],
    [500.0, 1800.0, 2550.0],
    [280.0, 2250.0, 2900.0],
    [300.0, 1500.0, 2400.0],
];
const BANDWIDTHS: [f32; 3] = [80.0, 110.0, 160.0];
/// Peak level after normalisation (fraction of full scale).
const PEAK: f32 = 0.7;
/// Constant low line hiss so pauses are not digital silence, like real calls.
const HISS_LSB: f32 = 24.0;

/// How a simulated recording is encoded: providers send all of these, so the player's
/// path from download to playback is exercised with each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AudioFormat {
    /// RIFF WAV, 16-bit linear PCM.
    PcmWav,
    /// RIFF WAV, G.711 A-law (format tag 6), as telephone switches record.
    ALawWav,
    /// RIFF WAV, G.711 µ-law (format tag 7).
    MuLawWav,
    /// MPEG-2.5 Layer III, 32 kbit/s CBR.
    Mp3,
}

impl AudioFormat {
    pub fn mime(self) -> &'static str {
        match self {
            Self::Mp3 => "audio/mpeg",
            _ => "audio/wav",
        }
    }

    /// The WAV flavour a provider that sends WAV uses for one recording: mostly PCM,
    /// one in six A-law and one in six µ-law, fixed by the record id so a link always
    /// returns the same bytes.
    pub fn wav_for(record_id: &str) -> Self {
        match hash_str(record_id) % 6 {
            0 => Self::ALawWav,
            1 => Self::MuLawWav,
            _ => Self::PcmWav,
        }
    }
}

/// Why a recording could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    #[error("wav: {0}")]
    Wav(#[from] hound::Error),
    #[error("mp3 encoder: {0}")]
    Mp3(String),
}

/// Renders one recording part in `format`.
pub fn synthesize_as(
    record_id: &str,
    part: u32,
    format: AudioFormat,
) -> Result<Vec<u8>, AudioError> {
    let samples = synthesize(record_id, part);
    Ok(match format {
        AudioFormat::PcmWav => pcm_wav(&samples)?,
        AudioFormat::ALawWav => g711_wav(&samples, ALAW_TAG, linear_to_alaw),
        AudioFormat::MuLawWav => g711_wav(&samples, MULAW_TAG, linear_to_ulaw),
        AudioFormat::Mp3 => mp3(&samples)?,
    })
}

/// Renders a WAV file (RIFF, PCM 16-bit mono 8 kHz) for one recording part.
pub fn synthesize_wav(record_id: &str, part: u32) -> Result<Vec<u8>, hound::Error> {
    pcm_wav(&synthesize(record_id, part))
}

fn pcm_wav(samples: &[i16]) -> Result<Vec<u8>, hound::Error> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: SAMPLE_RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut cursor = Cursor::new(Vec::with_capacity(samples.len() * 2 + 44));
    let mut writer = hound::WavWriter::new(&mut cursor, spec)?;
    for &s in samples {
        writer.write_sample(s)?;
    }
    writer.finalize()?;
    Ok(cursor.into_inner())
}

const ALAW_TAG: u16 = 6;
const MULAW_TAG: u16 = 7;

/// A G.711 WAV: `fmt ` with the codec's tag (18 bytes, as non-PCM formats carry
/// `cbSize`), the `fact` chunk non-PCM WAVs must have, then one byte per sample.
fn g711_wav(samples: &[i16], tag: u16, encode: fn(i16) -> u8) -> Vec<u8> {
    let n = u32::try_from(samples.len()).unwrap_or(u32::MAX);
    let pad = n % 2;
    let riff_len = 4 + (8 + 18) + (8 + 4) + (8 + n + pad);
    let mut out = Vec::with_capacity(riff_len as usize + 8);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&riff_len.to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&18u32.to_le_bytes());
    out.extend_from_slice(&tag.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // channels
    out.extend_from_slice(&SAMPLE_RATE.to_le_bytes());
    out.extend_from_slice(&SAMPLE_RATE.to_le_bytes()); // bytes per second
    out.extend_from_slice(&1u16.to_le_bytes()); // block align
    out.extend_from_slice(&8u16.to_le_bytes()); // bits per sample
    out.extend_from_slice(&0u16.to_le_bytes()); // cbSize
    out.extend_from_slice(b"fact");
    out.extend_from_slice(&4u32.to_le_bytes());
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&n.to_le_bytes());
    out.extend(samples.iter().map(|&s| encode(s)));
    if pad == 1 {
        out.push(0);
    }
    out
}

/// The segment of a G.711 magnitude: the first end it does not exceed.
fn segment(value: i32, ends: &[i32; 8]) -> usize {
    ends.iter().position(|&e| value <= e).unwrap_or(8)
}

/// ITU-T G.711 A-law, as in the reference `linear2alaw`.
fn linear_to_alaw(sample: i16) -> u8 {
    const ENDS: [i32; 8] = [0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF];
    let mut v = i32::from(sample) >> 3;
    let mask = if v >= 0 {
        0xD5
    } else {
        v = -v - 1;
        0x55
    };
    let seg = segment(v, &ENDS);
    if seg >= 8 {
        return 0x7F ^ mask;
    }
    let shift = if seg < 2 { 1 } else { seg };
    let aval = ((seg as i32) << 4) | ((v >> shift) & 0x0F);
    (aval as u8) ^ mask
}

/// ITU-T G.711 µ-law, as in the reference `linear2ulaw`.
fn linear_to_ulaw(sample: i16) -> u8 {
    const ENDS: [i32; 8] = [0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF];
    const BIAS: i32 = 0x84 >> 2;
    const CLIP: i32 = 8159;
    let mut v = i32::from(sample) >> 2;
    let mask = if v < 0 {
        v = -v;
        0x7F
    } else {
        0xFF
    };
    v = v.min(CLIP) + BIAS;
    let seg = segment(v, &ENDS);
    if seg >= 8 {
        return 0x7F ^ mask;
    }
    let uval = ((seg as i32) << 4) | ((v >> (seg + 1)) & 0x0F);
    (uval as u8) ^ mask
}

/// MP3 through LAME: mono 8 kHz (MPEG-2.5) at 32 kbit/s CBR, without a Xing tag,
/// like a telephony recorder's files.
fn mp3(samples: &[i16]) -> Result<Vec<u8>, AudioError> {
    use mp3lame_encoder::{Bitrate, Builder, FlushNoGap, MonoPcm, Quality};
    let err = |e: &dyn std::fmt::Display| AudioError::Mp3(e.to_string());
    let mut b = Builder::new().ok_or_else(|| AudioError::Mp3("LAME did not start".into()))?;
    b.set_num_channels(1).map_err(|e| err(&e))?;
    b.set_sample_rate(SAMPLE_RATE).map_err(|e| err(&e))?;
    b.set_brate(Bitrate::Kbps32).map_err(|e| err(&e))?;
    b.set_quality(Quality::Good).map_err(|e| err(&e))?;
    b.set_to_write_vbr_tag(false).map_err(|e| err(&e))?;
    let mut enc = b.build().map_err(|e| err(&e))?;
    let mut out = Vec::with_capacity(mp3lame_encoder::max_required_buffer_size(samples.len()));
    enc.encode_to_vec(MonoPcm(samples), &mut out)
        .map_err(|e| err(&e))?;
    enc.flush_to_vec::<FlushNoGap>(&mut out)
        .map_err(|e| err(&e))?;
    Ok(out)
}

/// Two-pole resonator (Klatt style) with unity gain at DC.
#[derive(Default)]
struct Resonator {
    a: f32,
    b: f32,
    c: f32,
    y1: f32,
    y2: f32,
}

impl Resonator {
    fn tune(&mut self, freq: f32, bw: f32) {
        let r = (-PI * bw / SR).exp();
        self.c = -r * r;
        self.b = 2.0 * r * (2.0 * PI * freq / SR).cos();
        self.a = 1.0 - self.b - self.c;
    }

    fn step(&mut self, x: f32) -> f32 {
        let y = self.a * x + self.b * self.y1 + self.c * self.y2;
        self.y2 = self.y1;
        self.y1 = y;
        y
    }
}

/// Rosenberg glottal pulse shape over one period, `phase` in [0, 1).
fn glottal(phase: f32) -> f32 {
    const OPEN: f32 = 0.4;
    const CLOSE: f32 = 0.16;
    if phase < OPEN {
        0.5 * (1.0 - (PI * phase / OPEN).cos())
    } else if phase < OPEN + CLOSE {
        (PI * (phase - OPEN) / (2.0 * CLOSE)).cos()
    } else {
        0.0
    }
}

/// A speaker's fixed traits.
struct Voice {
    f0: f32,
    /// Vocal-tract length factor applied to formants.
    tract: f32,
}

/// Renders the samples for one part; 3–8 s long.
fn synthesize(record_id: &str, part: u32) -> Vec<i16> {
    let mut rng = StdRng::seed_from_u64(mix_all(&[hash_str(record_id), u64::from(part)]));
    let total = (rng.gen_range(3.0..8.0f32) * SR) as usize;
    let voice = Voice {
        f0: rng.gen_range(100.0..220.0),
        tract: rng.gen_range(0.9..1.15),
    };
    let mut buf = vec![0.0f32; total];

    let mut t = (rng.gen_range(0.08..0.3f32) * SR) as usize;
    let mut prev_vowel = rng.gen_range(0..VOWELS.len());
    let tail = (0.2 * SR) as usize;
    while t + tail < total {
        let syllables = rng.gen_range(1..=4);
        let word_f0 = voice.f0 * rng.gen_range(0.92..1.12);
        for s in 0..syllables {
            let len = (rng.gen_range(0.12..0.30f32) * SR) as usize;
            if t + len >= total {
                break;
            }
            let vowel = rng.gen_range(0..VOWELS.len());
            // Declination: pitch falls across the word.
            let f0 = word_f0 * (1.0 - 0.05 * s as f32);
            let syl = Syllable {
                from: VOWELS[prev_vowel],
                to: VOWELS[vowel],
                f0_start: f0,
                f0_end: f0 * rng.gen_range(0.85..1.0),
                amp: rng.gen_range(0.5..1.0),
                fricative: rng.gen_bool(0.45).then(|| rng.gen_range(2400.0..3500.0)),
            };
            syl.render(&mut buf[t..t + len], &voice, &mut rng);
            prev_vowel = vowel;
            t += len + (rng.gen_range(0.0..0.03f32) * SR) as usize;
        }
        let pause = if rng.gen_bool(0.15) {
            rng.gen_range(0.3..0.7f32)
        } else {
            rng.gen_range(0.05..0.2f32)
        };
        t += (pause * SR) as usize;
    }

    let peak = buf.iter().fold(0.0f32, |m, x| m.max(x.abs())).max(1e-6);
    let gain = PEAK * f32::from(i16::MAX) / peak;
    buf.iter()
        .map(|x| {
            let hiss = rng.gen_range(-HISS_LSB..HISS_LSB);
            (x * gain + hiss).clamp(f32::from(i16::MIN), f32::from(i16::MAX)) as i16
        })
        .collect()
}

struct Syllable {
    from: [f32; 3],
    to: [f32; 3],
    f0_start: f32,
    f0_end: f32,
    amp: f32,
    /// Centre frequency of an initial fricative consonant, if any.
    fricative: Option<f32>,
}

impl Syllable {
    fn render(&self, out: &mut [f32], voice: &Voice, rng: &mut StdRng) {
        let n = out.len();
        let consonant = if self.fricative.is_some() {
            (rng.gen_range(0.03..0.07f32) * SR) as usize
        } else {
            0
        }
        .min(n / 3);
        let mut noise_res = Resonator::default();
        noise_res.tune(self.fricative.unwrap_or(3000.0), 600.0);
        let mut formants: [Resonator; 3] = Default::default();
        let attack = (0.02 * SR) as usize;
        let release = (0.045 * SR) as usize;
        let mut phase = 0.0f32;
        let mut prev_pulse = 0.0f32;

        for (i, sample) in out.iter_mut().enumerate() {
            let x = i as f32 / n as f32;
            if i % 16 == 0 {
                // Formants glide from the previous vowel during the first 40%.
                let glide = (x / 0.4).min(1.0);
                for (k, res) in formants.iter_mut().enumerate() {
                    let f = self.from[k] + (self.to[k] - self.from[k]) * glide;
                    res.tune((f * voice.tract).min(3600.0), BANDWIDTHS[k]);
                }
            }
            let f0 = self.f0_start + (self.f0_end - self.f0_start) * x;
            let jitter = 1.0 + rng.gen_range(-0.01..0.01f32);
            phase += f0 * jitter / SR;
            if phase >= 1.0 {
                phase -= 1.0;
            }
            let pulse = glottal(phase);
            // Differentiate: lip radiation turns the flow into pressure.
            let excitation = (pulse - prev_pulse) * 8.0 + rng.gen_range(-0.02..0.02f32);
            prev_pulse = pulse;
            let mut voiced = excitation;
            for res in formants.iter_mut() {
                voiced = res.step(voiced);
            }

            let voiced_env = if i < consonant {
                0.0
            } else {
                let j = i - consonant;
                let rise = (j as f32 / attack as f32).min(1.0);
                let fall = ((n - i) as f32 / release as f32).min(1.0);
                // Vowels swell and fade rather than sit at a flat level.
                raised(rise) * raised(fall) * (0.6 + 0.4 * (PI * x).sin())
            };
            let fric = if i < consonant + attack && consonant > 0 {
                let k = i as f32 / (consonant + attack) as f32;
                noise_res.step(rng.gen_range(-1.0..1.0f32)) * (PI * k).sin() * 0.15
            } else {
                0.0
            };
            *sample += self.amp * (voiced * voiced_env + fric);
        }
    }
}

/// Raised-cosine ramp for click-free envelopes.
fn raised(x: f32) -> f32 {
    0.5 - 0.5 * (PI * x).cos()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rms(s: &[i16]) -> f64 {
        (s.iter().map(|&v| f64::from(v).powi(2)).sum::<f64>() / s.len() as f64).sqrt()
    }

    #[test]
    fn deterministic_and_parts_differ() {
        let a = synthesize("07A9B59A_05F65003_13B136EE_D90263EE", 1);
        let b = synthesize("07A9B59A_05F65003_13B136EE_D90263EE", 1);
        let c = synthesize("07A9B59A_05F65003_13B136EE_D90263EE", 2);
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn g711_matches_the_reference_tables() {
        // Values from the ITU reference code (g711.c).
        assert_eq!(linear_to_alaw(0), 0xD5);
        assert_eq!(linear_to_alaw(-1), 0x55);
        assert_eq!(linear_to_alaw(i16::MAX), 0xAA);
        assert_eq!(linear_to_alaw(i16::MIN), 0x2A);
        assert_eq!(linear_to_ulaw(0), 0xFF);
        assert_eq!(linear_to_ulaw(i16::MAX), 0x80);
        assert_eq!(linear_to_ulaw(i16::MIN), 0x00);
    }

    #[test]
    fn every_format_renders_with_its_own_header() {
        let id = "07A9B59A_05F65003_13B136EE_D90263EE";
        let alaw = synthesize_as(id, 1, AudioFormat::ALawWav).unwrap();
        assert_eq!(&alaw[..4], b"RIFF");
        assert_eq!(u16::from_le_bytes([alaw[20], alaw[21]]), ALAW_TAG);
        let riff = u32::from_le_bytes([alaw[4], alaw[5], alaw[6], alaw[7]]) as usize;
        assert_eq!(riff + 8, alaw.len());
        let mulaw = synthesize_as(id, 1, AudioFormat::MuLawWav).unwrap();
        assert_eq!(u16::from_le_bytes([mulaw[20], mulaw[21]]), MULAW_TAG);
        let mp3 = synthesize_as(id, 1, AudioFormat::Mp3).unwrap();
        // An MPEG audio frame sync: 11 set bits.
        assert!(
            mp3[0] == 0xFF && mp3[1] & 0xE0 == 0xE0,
            "{:02x?}",
            &mp3[..4]
        );
    }

    #[test]
    fn loud_enough_and_bounded_length() {
        for part in 1..=5 {
            let s = synthesize("AA7C6C7E_932911E9_B87E5CB9_01FED6FC", part);
            let secs = s.len() as f32 / SR;
            assert!((3.0..=8.0).contains(&secs), "{secs}");
            assert!(rms(&s) > 1000.0, "rms {}", rms(&s));
        }
    }
}
