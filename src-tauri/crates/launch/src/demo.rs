//! Demo mode: the built-in simulators stand in for real accounts, so a new user sees a
//! working dashboard with no accounts and no network.

use callboard_core::{Config, SecretSource};
use callboard_sim::{MttSim, SimOptions, config_toml};
use secrecy::SecretString;

use crate::LaunchError;

/// The running simulators.
pub struct Demo {
    pub mtt: MttSim,
}

impl Demo {
    /// Starts the simulators on loopback (live clock: new calls keep arriving) and returns
    /// a config whose accounts point at them.
    pub async fn start() -> Result<(Self, Config), LaunchError> {
        let mtt = MttSim::start(SimOptions::default())
            .await
            .map_err(LaunchError::Demo)?;
        let account = mtt.account();
        let mut config = Config::parse(
            &config_toml(&mtt.base_url(), &account, "CALLBOARD_SIM_PASSWORD"),
            "demo",
        )?;
        for a in &mut config.accounts {
            a.poll_interval_secs = 15;
            if let Some(c) = a.credentials.as_mut() {
                c.password = SecretSource::Memory(SecretString::from(account.password.clone()));
            }
        }
        Ok((Self { mtt }, config))
    }

    pub async fn shutdown(self) {
        self.mtt.shutdown().await;
    }
}
