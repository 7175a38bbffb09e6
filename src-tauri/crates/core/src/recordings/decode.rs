//! What a provider sent, made playable: each download is decoded whole (so a truncated or
//! corrupt file is caught before it is cached), then served as it is when both Chromium
//! and WebKitGTK play it (16-bit PCM WAV, MP3), else re-encoded as 16-bit PCM WAV.

use std::fs::File;
use std::path::{Path, PathBuf};

use symphonia::core::audio::{AudioBufferRef, SampleBuffer};
use symphonia::core::codecs::{CODEC_TYPE_MP3, CODEC_TYPE_PCM_S16LE, CodecType, DecoderOptions};
use symphonia::core::errors::Error as SymphoniaError;
use symphonia::core::formats::FormatOptions;
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;

/// A part ready in the cache folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Playable {
    pub path: PathBuf,
    pub mime: &'static str,
    /// The provider's encoding, by symphonia's short name (`pcm_alaw`, `mp3`, ...).
    pub source_codec: String,
    pub bytes: u64,
}

/// Why a download cannot be cached.
#[derive(Debug, thiserror::Error)]
pub(crate) enum DecodeError {
    /// The file itself is at fault: the reason is for the user.
    #[error("{0}")]
    Unplayable(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
}

fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> DecodeError {
    let context = context.into();
    move |source| DecodeError::Io { context, source }
}

/// Checks `download` decodes and moves it into place as `<stem>.wav` or `<stem>.mp3`,
/// re-encoding what a browser may not play. The result appears by an atomic rename, so
/// the cache never holds half a file; `download` is gone afterwards, whatever happened.
pub(crate) fn make_playable(download: &Path, stem: &str) -> Result<Playable, DecodeError> {
    let result = convert(download, stem);
    if download.exists() {
        let _ = std::fs::remove_file(download);
    }
    result
}

fn convert(download: &Path, stem: &str) -> Result<Playable, DecodeError> {
    let dir = download.parent().unwrap_or(Path::new("."));
    let file = File::open(download).map_err(io(format!("opening {}", download.display())))?;
    let mss = MediaSourceStream::new(Box::new(file), Default::default());
    let probed = symphonia::default::get_probe()
        .format(
            &Hint::new(),
            mss,
            &FormatOptions::default(),
            &MetadataOptions::default(),
        )
        .map_err(|e| unplayable("not a WAV or MP3 file", e))?;
    let mut format = probed.format;
    let track = format
        .default_track()
        .ok_or_else(|| DecodeError::Unplayable("the file holds no audio track".into()))?
        .clone();
    let params = track.codec_params.clone();
    let codec_name = codec_name(params.codec);
    let is_wav = is_riff(download)?;
    let (keep, mime, ext) = match params.codec {
        CODEC_TYPE_PCM_S16LE if is_wav => (true, "audio/wav", "wav"),
        CODEC_TYPE_MP3 => (true, "audio/mpeg", "mp3"),
        _ => (false, "audio/wav", "wav"),
    };
    let mut decoder = symphonia::default::get_codecs()
        .make(&params, &DecoderOptions::default())
        .map_err(|e| unplayable(&format!("no decoder for {codec_name}"), e))?;

    let tmp = dir.join(format!("{stem}.tmp"));
    let mut writer: Option<hound::WavWriter<std::io::BufWriter<File>>> = None;
    let mut samples: Option<SampleBuffer<i16>> = None;
    let mut frames = 0u64;
    let mut first_error: Option<String> = None;
    let outcome = (|| -> Result<(), DecodeError> {
        loop {
            let packet = match format.next_packet() {
                Ok(p) => p,
                Err(SymphoniaError::IoError(e))
                    if e.kind() == std::io::ErrorKind::UnexpectedEof =>
                {
                    break;
                }
                Err(SymphoniaError::ResetRequired) => break,
                Err(e) => return Err(unplayable("reading the file failed", e)),
            };
            if packet.track_id() != track.id {
                continue;
            }
            let buf = match decoder.decode(&packet) {
                Ok(b) => b,
                // A damaged frame: players skip it, and so do we, unless nothing decodes.
                Err(SymphoniaError::DecodeError(e)) => {
                    first_error.get_or_insert_with(|| e.to_string());
                    continue;
                }
                Err(e) => return Err(unplayable("decoding failed", e)),
            };
            frames += buf.frames() as u64;
            if !keep {
                write_pcm(&tmp, buf, &mut writer, &mut samples)?;
            }
        }
        Ok(())
    })();
    let finished = outcome.and_then(|()| {
        if frames == 0 {
            let why = first_error.as_deref().unwrap_or("no audio in it");
            return Err(DecodeError::Unplayable(format!("{codec_name}: {why}")));
        }
        // A WAV says how long it is: fewer frames means the download was cut short.
        if let (true, Some(declared)) = (is_wav, params.n_frames)
            && frames < declared
        {
            return Err(DecodeError::Unplayable(format!(
                "the file is truncated: {frames} of {declared} frames"
            )));
        }
        Ok(())
    });
    let finished = finished.and_then(|()| {
        if let Some(w) = writer.take() {
            w.finalize()
                .map_err(|e| unplayable("writing the re-encoded WAV failed", e))?;
            File::open(&tmp)
                .and_then(|f| f.sync_all())
                .map_err(io(format!("syncing {}", tmp.display())))?;
        }
        Ok(())
    });
    if let Err(e) = finished {
        drop(writer);
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }

    let path = dir.join(format!("{stem}.{ext}"));
    let from = if keep { download } else { tmp.as_path() };
    std::fs::rename(from, &path).map_err(io(format!("moving into {}", path.display())))?;
    let bytes = std::fs::metadata(&path)
        .map_err(io(format!("reading {}", path.display())))?
        .len();
    Ok(Playable {
        path,
        mime,
        source_codec: codec_name,
        bytes,
    })
}

/// Appends one decoded buffer to the PCM WAV being written, creating it on the first.
fn write_pcm(
    tmp: &Path,
    buf: AudioBufferRef<'_>,
    writer: &mut Option<hound::WavWriter<std::io::BufWriter<File>>>,
    samples: &mut Option<SampleBuffer<i16>>,
) -> Result<(), DecodeError> {
    let spec = *buf.spec();
    if writer.is_none() {
        let wav = hound::WavSpec {
            channels: u16::try_from(spec.channels.count()).unwrap_or(1),
            sample_rate: spec.rate,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        *writer = Some(
            hound::WavWriter::create(tmp, wav)
                .map_err(|e| unplayable("writing the re-encoded WAV failed", e))?,
        );
    }
    let needed = buf.capacity() as u64;
    let out = match samples {
        Some(s) if s.capacity() as u64 >= needed * spec.channels.count() as u64 => s,
        _ => samples.insert(SampleBuffer::new(needed, spec)),
    };
    out.copy_interleaved_ref(buf);
    let w = writer.as_mut().expect("created above");
    for &s in out.samples() {
        w.write_sample(s)
            .map_err(|e| unplayable("writing the re-encoded WAV failed", e))?;
    }
    Ok(())
}

/// Whether the file is a RIFF container (PCM in anything else is re-wrapped as WAV).
fn is_riff(path: &Path) -> Result<bool, DecodeError> {
    use std::io::Read;
    let mut head = [0u8; 4];
    let mut f = File::open(path).map_err(io(format!("opening {}", path.display())))?;
    Ok(f.read_exact(&mut head).is_ok() && &head == b"RIFF")
}

fn codec_name(codec: CodecType) -> String {
    symphonia::default::get_codecs()
        .get_codec(codec)
        .map(|d| d.short_name.to_string())
        .unwrap_or_else(|| format!("codec {codec}"))
}

fn unplayable(what: &str, e: impl std::fmt::Display) -> DecodeError {
    DecodeError::Unplayable(format!("{what}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wav(dir: &Path, name: &str, bits: u16, frames: usize) -> PathBuf {
        let path = dir.join(name);
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 8000,
            bits_per_sample: bits,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(&path, spec).unwrap();
        for i in 0..frames {
            let s = ((i as f32 / 10.0).sin() * 100.0) as i32;
            if bits == 8 {
                w.write_sample(s as i8).unwrap();
            } else {
                w.write_sample(s as i16).unwrap();
            }
        }
        w.finalize().unwrap();
        path
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn pcm16_wav_is_served_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        let src = wav(dir.path(), "7_0.download", 16, 8000);
        let original = std::fs::read(&src).unwrap();
        let p = make_playable(&src, "7_0").unwrap();
        assert_eq!(
            (p.mime, p.source_codec.as_str()),
            ("audio/wav", "pcm_s16le")
        );
        assert_eq!(std::fs::read(&p.path).unwrap(), original);
        assert_eq!(names(dir.path()), ["7_0.wav"]);
    }

    #[test]
    fn other_pcm_is_re_encoded_as_16_bit() {
        let dir = tempfile::tempdir().unwrap();
        let src = wav(dir.path(), "7_0.download", 8, 8000);
        let p = make_playable(&src, "7_0").unwrap();
        assert_eq!(p.source_codec, "pcm_u8");
        let r = hound::WavReader::open(&p.path).unwrap();
        assert_eq!((r.spec().bits_per_sample, r.spec().sample_rate), (16, 8000));
        assert_eq!(r.duration(), 8000);
        assert_eq!(names(dir.path()), ["7_0.wav"]);
    }

    #[test]
    fn a_truncated_wav_is_refused_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let src = wav(dir.path(), "7_0.download", 16, 8000);
        let bytes = std::fs::read(&src).unwrap();
        std::fs::write(&src, &bytes[..bytes.len() / 2]).unwrap();
        let e = make_playable(&src, "7_0").unwrap_err();
        assert!(e.to_string().contains("truncated"), "{e}");
        assert!(names(dir.path()).is_empty());
    }

    #[test]
    fn what_is_not_audio_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("7_0.download");
        std::fs::write(&src, br#"{"error":"storage unavailable"}"#).unwrap();
        let e = make_playable(&src, "7_0").unwrap_err();
        assert!(matches!(e, DecodeError::Unplayable(_)), "{e}");
        assert!(e.to_string().starts_with("not a WAV or MP3 file"), "{e}");
        assert!(names(dir.path()).is_empty());
    }
}
