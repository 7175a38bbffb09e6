//! Demo mode: the built-in simulators stand in for real accounts, so a new user sees a
//! working dashboard with no accounts and no network.

use callboard_core::{Config, SecretSource};
use callboard_sim::{Fleet, FleetOptions};
use secrecy::SecretString;

use crate::LaunchError;

/// The running simulators, one per provider that polls.
pub struct Demo {
    pub fleet: Fleet,
}

impl Demo {
    /// Starts the simulators on loopback (live clock: new calls keep arriving) and returns
    /// a config whose accounts point at them.
    pub async fn start() -> Result<(Self, Config), LaunchError> {
        let fleet = Fleet::start(FleetOptions::default())
            .await
            .map_err(LaunchError::Demo)?;
        let mut config = Config::parse(&fleet.config_toml(30), "demo")?;
        let accounts = fleet.accounts();
        for a in &mut config.accounts {
            a.poll_interval_secs = 15;
            let secret = accounts.iter().find(|f| f.id == a.id).map(|f| &f.password);
            if let (Some(c), Some(secret)) = (a.credentials.as_mut(), secret) {
                c.password = SecretSource::Memory(SecretString::from(secret.clone()));
            }
        }
        Ok((Self { fleet }, config))
    }

    pub async fn shutdown(self) {
        self.fleet.shutdown().await;
    }
}
