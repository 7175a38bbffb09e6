-- How the provider encoded a cached part, as the decoder found it (`pcm_s16le`,
-- `pcm_alaw`, `pcm_mulaw`, `mp3`); NULL until the part has been downloaded and probed.
ALTER TABLE recording_parts ADD COLUMN source_codec TEXT;
