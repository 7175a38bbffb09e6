//! Decodes what a simulator serves with an independent decoder (symphonia), so a test
//! checks the audio a player would hear, not the bytes the simulator meant to write.

use std::io::Cursor;

use symphonia::core::audio::SampleBuffer;
use symphonia::core::codecs::{
    CODEC_TYPE_MP3, CODEC_TYPE_PCM_ALAW, CODEC_TYPE_PCM_MULAW, CODEC_TYPE_PCM_S16LE, DecoderOptions,
};
use symphonia::core::formats::FormatOptions;
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;

/// What a file holds, as the decoder found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Codec {
    Pcm16,
    ALaw,
    MuLaw,
    Mp3,
}

pub struct Decoded {
    pub codec: Codec,
    pub sample_rate: u32,
    pub channels: usize,
    pub samples: Vec<i16>,
}

/// Decodes a whole file; panics with the decoder's reason when it does not decode.
pub fn decode(bytes: Vec<u8>) -> Decoded {
    let mss = MediaSourceStream::new(Box::new(Cursor::new(bytes)), Default::default());
    let probed = symphonia::default::get_probe()
        .format(
            &Hint::new(),
            mss,
            &FormatOptions::default(),
            &MetadataOptions::default(),
        )
        .expect("a known container");
    let mut format = probed.format;
    let track = format.default_track().expect("an audio track").clone();
    let params = &track.codec_params;
    let codec = match params.codec {
        CODEC_TYPE_PCM_S16LE => Codec::Pcm16,
        CODEC_TYPE_PCM_ALAW => Codec::ALaw,
        CODEC_TYPE_PCM_MULAW => Codec::MuLaw,
        CODEC_TYPE_MP3 => Codec::Mp3,
        other => panic!("unexpected codec {other:?}"),
    };
    let mut decoder = symphonia::default::get_codecs()
        .make(params, &DecoderOptions::default())
        .expect("a decoder");
    let mut samples = Vec::new();
    let mut sample_rate = params.sample_rate.unwrap_or(0);
    let mut channels = params.channels.map(|c| c.count()).unwrap_or(0);
    loop {
        let packet = match format.next_packet() {
            Ok(p) => p,
            Err(symphonia::core::errors::Error::IoError(e))
                if e.kind() == std::io::ErrorKind::UnexpectedEof =>
            {
                break;
            }
            Err(e) => panic!("reading: {e}"),
        };
        let buf = decoder.decode(&packet).expect("a packet decodes");
        let spec = *buf.spec();
        sample_rate = spec.rate;
        channels = spec.channels.count();
        let mut out = SampleBuffer::<i16>::new(buf.capacity() as u64, spec);
        out.copy_interleaved_ref(buf);
        samples.extend_from_slice(out.samples());
    }
    Decoded {
        codec,
        sample_rate,
        channels,
        samples,
    }
}
