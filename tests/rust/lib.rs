//! Helpers for the whole-system tests: a simulator and a service wired to it.

use std::sync::{Arc, Mutex};

use callboard_core::{Clock, Config, SecretSource, Service, ServiceOptions};
use callboard_sim::{MorSim, MorSimOptions, MttSim, SimOptions, config_toml};
use chrono::{DateTime, SubsecRound, Utc};
use secrecy::SecretString;

/// A running simulator and a service (no background sync) pointed at it.
pub struct World {
    pub sim: MttSim,
    /// The simulator's frozen clock: the start of the test, so the service's own clock
    /// (a little later) asks for every call the simulator holds, and none appear meanwhile.
    pub now: DateTime<Utc>,
    pub service: Arc<Service>,
    /// The service's clock, which only the test moves.
    pub clock: Arc<ManualClock>,
    pub account: String,
    _dir: tempfile::TempDir,
}

impl World {
    /// The service's SQLite file, for a test that reaches under the service.
    pub fn db_path(&self) -> std::path::PathBuf {
        self._dir.path().join("callboard.db")
    }

    pub async fn start(days: u32, calls_per_day: u32) -> World {
        Self::start_with_rate(days, calls_per_day, None).await
    }

    /// As [`World::start`], with the MTT client's request rate set (default: the config's).
    pub async fn start_with_rate(
        days: u32,
        calls_per_day: u32,
        requests_per_sec: Option<u32>,
    ) -> World {
        let now = Utc::now().trunc_subsecs(0);
        let sim = MttSim::start(SimOptions {
            days,
            calls_per_day,
            now: Some(now),
            ..Default::default()
        })
        .await
        .expect("simulator starts");
        let mut config = sim_config(&sim, days + 2);
        let a = &mut config.accounts[0];
        if let (Some(rate), Some(mtt)) = (requests_per_sec, a.section.as_mut()) {
            mtt.insert("requests_per_sec".into(), i64::from(rate).into());
        }
        let id = a.id.clone();
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(ManualClock(Mutex::new(Utc::now().trunc_subsecs(3))));
        let service = Service::start(
            config,
            ServiceOptions {
                autosync: false,
                clock: clock.clone(),
                ..ServiceOptions::new(dir.path().into(), false)
            },
        )
        .await
        .expect("service starts");
        World {
            sim,
            now,
            service,
            clock,
            account: id,
            _dir: dir,
        }
    }
}

/// The config `toml`, every account's password held in memory as `password`.
pub fn config_with_password(toml: &str, password: &str) -> Config {
    let mut config = Config::parse(toml, "test").expect("config parses");
    for a in &mut config.accounts {
        if let Some(c) = a.credentials.as_mut() {
            c.password = SecretSource::Memory(SecretString::from(password.to_string()));
        }
    }
    config
}

/// One MOR account, id `mor`, on the simulator started with `opts`, reading
/// `backfill_days` back.
pub fn mor_config(sim: &MorSim, opts: &MorSimOptions, backfill_days: u32) -> Config {
    config_with_password(
        &format!(
            r#"[[accounts]]
id = "mor"
provider = "mor"
name = "MOR"
backfill_days = {backfill_days}
[accounts.credentials]
login = "{user}"
password = {{ env = "UNUSED_IN_TESTS" }}
[accounts.hosts]
server = "{server}"
"#,
            user = opts.user,
            server = sim.base_url()
        ),
        &opts.secret,
    )
}

/// A service over `dir` whose passes the test runs by hand.
pub async fn manual_service(config: Config, dir: &std::path::Path) -> Arc<Service> {
    Service::start(
        config,
        ServiceOptions {
            autosync: false,
            ..ServiceOptions::new(dir.into(), false)
        },
    )
    .await
    .expect("service starts")
}

/// A config with the simulator's one account (its password in memory), reading
/// `backfill_days` back.
pub fn sim_config(sim: &MttSim, backfill_days: u32) -> Config {
    let account = sim.account();
    let mut config = Config::parse(
        &config_toml(&sim.base_url(), &account, "UNUSED_IN_TESTS"),
        "sim",
    )
    .expect("sim config parses");
    let a = &mut config.accounts[0];
    a.backfill_days = backfill_days;
    a.credentials.as_mut().unwrap().password =
        SecretSource::Memory(SecretString::from(account.password.clone()));
    config
}

/// A provider's spec as shipped with the repo (`tests/fixtures/specs/<file>`), so a clone
/// tests alone; where the providers' documents sit beside the repo (`shared/specs`, or
/// `CALLBOARD_SPECS_DIR`), the fixture must be their copy.
pub fn spec_fixture(file: &str) -> String {
    // At run time: a binary built in another checkout (a shared target dir) reads this one.
    let here = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("run by cargo"));
    let text = std::fs::read_to_string(here.join("fixtures/specs").join(file))
        .unwrap_or_else(|e| panic!("spec fixture {file}: {e}"));
    let shared = std::env::var_os("CALLBOARD_SPECS_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| here.join("../../shared/specs"));
    if let Ok(upstream) = std::fs::read_to_string(shared.join(file)) {
        assert!(
            upstream == text,
            "shared/specs/{file} changed: copy it to tests/fixtures/specs"
        );
    }
    text
}

/// A small simulator (two days, 50 calls a day) on the live clock.
pub async fn small_sim() -> MttSim {
    MttSim::start(SimOptions {
        days: 2,
        calls_per_day: 50,
        ..Default::default()
    })
    .await
    .expect("simulator starts")
}

/// A service (no background sync) over `config_toml`, with its data in a temp dir that
/// lives as long as the returned handle.
pub async fn start_service(config_toml: &str) -> (Arc<Service>, tempfile::TempDir) {
    let config = Config::parse(config_toml, "test config").expect("config parses");
    let dir = tempfile::tempdir().unwrap();
    let service = Service::start(
        config,
        ServiceOptions {
            autosync: false,
            ..ServiceOptions::new(dir.path().into(), false)
        },
    )
    .await
    .expect("service starts");
    (service, dir)
}

/// A clock that stands still until the test moves it.
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    pub fn advance(&self, by: chrono::Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

/// A served recording as an independent decoder reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioInfo {
    /// symphonia's short name of the codec (`pcm_s16le`, `mp3`, ...).
    pub codec: String,
    /// `true` for a RIFF WAV container.
    pub wav: bool,
    pub sample_rate: u32,
    pub frames: u64,
}

/// Decodes a whole audio file, panicking with the decoder's reason if it does not decode.
pub fn decode_audio(path: &std::path::Path) -> AudioInfo {
    use symphonia::core::codecs::DecoderOptions;
    use symphonia::core::errors::Error;
    let bytes = std::fs::read(path).expect("audio file reads");
    let wav = bytes.starts_with(b"RIFF");
    let mss = symphonia::core::io::MediaSourceStream::new(
        Box::new(std::io::Cursor::new(bytes)),
        Default::default(),
    );
    let mut format = symphonia::default::get_probe()
        .format(
            &Default::default(),
            mss,
            &Default::default(),
            &Default::default(),
        )
        .expect("a known container")
        .format;
    let params = format
        .default_track()
        .expect("a track")
        .codec_params
        .clone();
    let codecs = symphonia::default::get_codecs();
    let codec = codecs
        .get_codec(params.codec)
        .expect("known codec")
        .short_name;
    let mut decoder = codecs
        .make(&params, &DecoderOptions::default())
        .expect("a decoder");
    let (mut frames, mut sample_rate) = (0u64, 0);
    loop {
        match format.next_packet() {
            Ok(p) => {
                let buf = decoder.decode(&p).expect("decodes");
                frames += buf.frames() as u64;
                sample_rate = buf.spec().rate;
            }
            Err(Error::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => panic!("reading: {e}"),
        }
    }
    AudioInfo {
        codec: codec.to_string(),
        wav,
        sample_rate,
        frames,
    }
}
