//! Demo mode: the built-in simulators stand in for real accounts, so a new user sees a
//! working dashboard with no accounts and no network.

use callboard_core::{Config, SecretSource};
use callboard_sim::{MorSim, MorSimOptions, MttSim, SimOptions, config_toml};
use secrecy::SecretString;

use crate::LaunchError;

/// The running simulators.
pub struct Demo {
    pub mtt: MttSim,
    pub mor: MorSim,
}

impl Demo {
    /// Starts the simulators on loopback (live clock: new calls keep arriving) and returns
    /// a config whose accounts point at them.
    pub async fn start() -> Result<(Self, Config), LaunchError> {
        let mtt = MttSim::start(SimOptions::default())
            .await
            .map_err(LaunchError::Demo)?;
        let mor_options = MorSimOptions::default();
        let mor = MorSim::start(mor_options.clone())
            .await
            .map_err(LaunchError::Demo)?;
        let account = mtt.account();
        let toml = format!(
            "{}\n{}",
            config_toml(&mtt.base_url(), &account, "CALLBOARD_SIM_PASSWORD"),
            mor_account_toml(&mor.base_url(), &mor_options),
        );
        let mut config = Config::parse(&toml, "demo")?;
        for a in &mut config.accounts {
            a.poll_interval_secs = 15;
            let secret = match a.provider {
                callboard_model::ProviderKind::Mor => mor_options.secret.clone(),
                _ => account.password.clone(),
            };
            if let Some(c) = a.credentials.as_mut() {
                c.password = SecretSource::Memory(SecretString::from(secret));
            }
        }
        Ok((Self { mtt, mor }, config))
    }

    pub async fn shutdown(self) {
        self.mtt.shutdown().await;
        self.mor.shutdown().await;
    }
}

/// A MOR account pointing at the simulator (its secret is put in memory by the caller).
fn mor_account_toml(base_url: &str, opts: &MorSimOptions) -> String {
    format!(
        r#"[[accounts]]
id = "mor-sim"
provider = "mor"
name = "MOR (simulator)"

[accounts.credentials]
login = "{user}"
password = {{ env = "CALLBOARD_SIM_MOR_SECRET" }}

[accounts.mor]
path_prefix = "{prefix}"

[accounts.hosts]
server = "{base_url}"
"#,
        user = opts.user,
        prefix = opts.path_prefix,
    )
}
