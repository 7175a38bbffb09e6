//! Start-up shared by both adapters: find the config and the data dir, decide on demo
//! mode, start the simulators when it is on, and start the [`Service`].

mod demo;

use std::path::PathBuf;
use std::sync::Arc;

use callboard_core::config::ListenerConfig;
use callboard_core::{Config, ConfigError, CoreError, Service, ServiceOptions};
use callboard_listener::{Listener, ListenerError};
use callboard_model::{AccountHooks, ApiError, HookUrl};
pub use demo::Demo;

/// What the user asked for on the command line (or the environment); both the desktop
/// app and `callboard-server` take these flags.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct LaunchOptions {
    /// Config file (TOML) listing provider accounts.
    #[arg(long, env = "CALLBOARD_CONFIG")]
    pub config: Option<PathBuf>,
    /// Where the database and the recordings cache live.
    #[arg(long, env = "CALLBOARD_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Run against the built-in simulators even if accounts are configured.
    #[arg(long)]
    pub demo: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Core(#[from] CoreError),
    #[error("cannot start the demo simulator: {0}")]
    Demo(std::io::Error),
    #[error(transparent)]
    Listener(#[from] ListenerError),
}

/// A started backend: the service, the webhook listener when configured (always in demo
/// mode), and the simulators when in demo mode.
pub struct Launched {
    pub service: Arc<Service>,
    pub listener: Option<Listener>,
    pub demo: Option<Demo>,
}

impl Launched {
    pub async fn shutdown(self) {
        if let Some(l) = &self.listener {
            l.stop();
        }
        self.service.shutdown();
        if let Some(d) = self.demo {
            d.shutdown().await;
        }
    }
}

/// What [`prepare`] decided from the flags and the config file, before anything starts.
pub struct Prepared {
    config: Config,
    data_dir: PathBuf,
    demo: bool,
    startup_error: Option<ApiError>,
}

impl Prepared {
    /// Where the database, the recordings cache and the logs live (`…/demo` in demo mode,
    /// so the demo never mixes with real accounts).
    pub fn data_dir(&self) -> &std::path::Path {
        &self.data_dir
    }

    /// Why the run goes on without its accounts, when it does (see [`prepare_broken`]).
    pub fn startup_error(&self) -> Option<&ApiError> {
        self.startup_error.as_ref()
    }

    /// Where [`init_logging`] keeps log files for this run.
    pub fn log_dir(&self) -> PathBuf {
        self.data_dir.join("logs")
    }
}

/// Reads the config and decides the data dir and the mode. With no config file, or one
/// without accounts, or `--demo`, the run is a demo against the built-in simulators.
pub fn prepare(opts: &LaunchOptions) -> Result<Prepared, LaunchError> {
    let config = match &opts.config {
        Some(path) => Config::load(path)?,
        None => Config::default(),
    };
    let data_dir = opts
        .data_dir
        .clone()
        .or_else(|| config.data_dir.clone())
        .unwrap_or_else(default_data_dir);
    let demo = opts.demo || config.is_demo();
    let data_dir = callboard_core::run_data_dir(&data_dir, demo);
    Ok(Prepared {
        config,
        data_dir,
        demo,
        startup_error: None,
    })
}

/// The run after [`prepare`] refused the config file, for the desktop app, whose user
/// sees no stderr: no accounts and no demo (the user meant real ones), the calls already
/// stored still readable, and the error carried to the window to say what to fix.
pub fn prepare_broken(opts: &LaunchOptions, error: ConfigError) -> Prepared {
    let data_dir = opts.data_dir.clone().unwrap_or_else(default_data_dir);
    Prepared {
        config: Config::default(),
        data_dir,
        demo: false,
        startup_error: Some(CoreError::Config(error).to_api()),
    }
}

/// Starts the backend, and the simulators first when the run is a demo.
pub async fn launch(prepared: Prepared) -> Result<Launched, LaunchError> {
    let Prepared {
        config,
        data_dir,
        demo: demo_mode,
        startup_error,
    } = prepared;
    let (config, demo) = if demo_mode {
        tracing::info!(
            "no accounts configured (or --demo): starting in demo mode against the simulators"
        );
        let (demo, config) = Demo::start().await?;
        (config, Some(demo))
    } else {
        (config, None)
    };
    let options = ServiceOptions {
        startup_error,
        recordings_cache_bytes: config.recordings_cache_bytes(),
        ..ServiceOptions::new(data_dir.clone(), demo_mode)
    };
    // The demo's listener is on loopback, for the simulators' live traffic only.
    let listener_config = match (&config.listener, demo_mode) {
        (_, true) => Some(ListenerConfig::plain(([127, 0, 0, 1], 0).into())),
        (Some(c), false) => Some(c.clone()),
        (None, false) => None,
    };
    let accounts = config.accounts.clone();
    let service = Service::start(config, options).await?;
    let listener = match listener_config {
        Some(c) => {
            let l = Listener::start(&c, &accounts, &data_dir, service.clone()).await?;
            service.set_webhooks(
                l.hooks
                    .iter()
                    .map(|h| AccountHooks {
                        account: h.account.clone(),
                        provider: h.provider,
                        urls: h
                            .urls
                            .iter()
                            .map(|(purpose, url)| HookUrl {
                                purpose: purpose.clone(),
                                url: url.clone(),
                            })
                            .collect(),
                    })
                    .collect(),
            );
            Some(l)
        }
        None => None,
    };
    if let (Some(demo), Some(l)) = (&demo, &listener) {
        demo.play_live(&l.hooks, service.clone()).await;
    }
    Ok(Launched {
        service,
        listener,
        demo,
    })
}

/// How many daily log files are kept.
const LOG_FILES_KEPT: usize = 7;

/// Logs to stderr, filtered by `RUST_LOG` (default: info, hyper quiet), and with `file_dir`
/// also to a file there rotated daily (the last week kept). Lines are written as they come,
/// not buffered, so a crash or a kill loses none.
pub fn init_logging(file_dir: Option<&std::path::Path>) {
    use std::io::IsTerminal;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,hyper=warn,symphonia=warn".into());
    let stderr = tracing_subscriber::fmt::layer()
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let file = match file_dir.map(rolling_file) {
        Some(Ok(appender)) => Some(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(appender),
        ),
        Some(Err(e)) => {
            eprintln!("callboard: logging to stderr only: {e}");
            None
        }
        None => None,
    };
    tracing_subscriber::registry()
        .with(filter)
        .with(stderr)
        .with(file)
        .init();
}

fn rolling_file(
    dir: &std::path::Path,
) -> Result<tracing_appender::rolling::RollingFileAppender, tracing_appender::rolling::InitError> {
    tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("callboard")
        .filename_suffix("log")
        .max_log_files(LOG_FILES_KEPT)
        .build(dir)
}

/// `$XDG_DATA_HOME/callboard`, else `~/.local/share/callboard`, else `./callboard-data`.
pub fn default_data_dir() -> PathBuf {
    std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .map(|d| d.join("callboard"))
        .unwrap_or_else(|| PathBuf::from("callboard-data"))
}
