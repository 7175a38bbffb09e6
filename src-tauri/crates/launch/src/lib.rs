//! Start-up shared by both adapters: find the config and the data dir, decide on demo
//! mode, start the simulators when it is on, and start the [`Service`].

mod demo;

use std::path::PathBuf;
use std::sync::Arc;

use callboard_core::{Config, ConfigError, CoreError, Service, ServiceOptions};
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
}

/// A started backend: the service, and the simulators when in demo mode.
pub struct Launched {
    pub service: Arc<Service>,
    pub demo: Option<Demo>,
}

impl Launched {
    pub async fn shutdown(self) {
        self.service.shutdown();
        if let Some(d) = self.demo {
            d.shutdown().await;
        }
    }
}

/// Starts the backend. With no config file, or one without accounts, or `--demo`, it
/// runs against the built-in simulators and says so.
pub async fn launch(opts: LaunchOptions) -> Result<Launched, LaunchError> {
    let config = match &opts.config {
        Some(path) => Config::load(path)?,
        None => Config::default(),
    };
    let data_dir = opts
        .data_dir
        .clone()
        .or_else(|| config.data_dir.clone())
        .unwrap_or_else(default_data_dir);
    let demo_mode = opts.demo || config.accounts.is_empty();
    let (config, demo, data_dir) = if demo_mode {
        tracing::info!(
            "no accounts configured (or --demo): starting in demo mode against the simulators"
        );
        let (demo, config) = Demo::start().await?;
        (config, Some(demo), data_dir.join("demo"))
    } else {
        (config, None, data_dir)
    };
    let service = Service::start(
        config,
        ServiceOptions {
            data_dir,
            demo: demo_mode,
            autosync: true,
        },
    )
    .await?;
    Ok(Launched { service, demo })
}

/// Logs to stderr, filtered by `RUST_LOG` (default: info, hyper quiet).
pub fn init_logging() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,hyper=warn".into()),
        )
        .init();
}

/// `$XDG_DATA_HOME/callboard`, else `~/.local/share/callboard`, else `./callboard-data`.
pub fn default_data_dir() -> PathBuf {
    std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .map(|d| d.join("callboard"))
        .unwrap_or_else(|| PathBuf::from("callboard-data"))
}
