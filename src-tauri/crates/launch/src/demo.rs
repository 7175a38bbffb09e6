//! Demo mode: the built-in simulators stand in for real accounts, so a new user sees a
//! working dashboard with no accounts and no network.

use callboard_core::{Config, SecretSource};
use callboard_sim::beeline::BEELINE_SIM_LOGIN;
use callboard_sim::mts::{MTS_SIM_LOGIN, MTS_SIM_PASSWORD};
use callboard_sim::{
    BeelineSim, BeelineSimOptions, MorSim, MorSimOptions, MtsSim, MtsSimOptions, MttSim,
    SIM_PASSWORD, SimOptions, config_toml,
};
use secrecy::SecretString;

use crate::LaunchError;

/// The running simulators, one per provider that polls.
pub struct Demo {
    pub mtt: MttSim,
    pub beeline: BeelineSim,
    pub mts: MtsSim,
    pub mor: MorSim,
}

impl Demo {
    /// Starts the simulators on loopback (live clock: new calls keep arriving) and returns
    /// a config whose accounts point at them.
    pub async fn start() -> Result<(Self, Config), LaunchError> {
        let mtt = MttSim::start(SimOptions::default())
            .await
            .map_err(LaunchError::Demo)?;
        let beeline = BeelineSim::start(BeelineSimOptions::default())
            .await
            .map_err(LaunchError::Demo)?;
        let mts = MtsSim::start(MtsSimOptions::default())
            .await
            .map_err(LaunchError::Demo)?;
        let mor_options = MorSimOptions::default();
        let mor = MorSim::start(mor_options.clone())
            .await
            .map_err(LaunchError::Demo)?;
        let account = mtt.account();
        let toml = [
            config_toml(&mtt.base_url(), &account, "CALLBOARD_SIM_PASSWORD"),
            beeline_account_toml(&beeline.base_url()),
            mts_account_toml(&mts.api_url()),
            mor_account_toml(&mor.base_url(), &mor_options),
        ]
        .join("\n");
        let mut config = Config::parse(&toml, "demo")?;
        for a in &mut config.accounts {
            a.poll_interval_secs = 15;
            let secret = match a.id.as_str() {
                "beeline-sim" => SIM_PASSWORD.to_string(),
                "mts-sim" => MTS_SIM_PASSWORD.to_string(),
                "mor-sim" => mor_options.secret.clone(),
                _ => account.password.clone(),
            };
            if let Some(c) = a.credentials.as_mut() {
                c.password = SecretSource::Memory(SecretString::from(secret));
            }
        }
        Ok((
            Self {
                mtt,
                beeline,
                mts,
                mor,
            },
            config,
        ))
    }

    pub async fn shutdown(self) {
        self.mtt.shutdown().await;
        self.beeline.shutdown().await;
        self.mts.shutdown().await;
        self.mor.shutdown().await;
    }
}

/// A Beeline account pointing at the simulator, polling its CDR jobs every second.
fn beeline_account_toml(base_url: &str) -> String {
    format!(
        r#"[[accounts]]
id = "beeline-sim"
provider = "beeline"
name = "Beeline (simulator)"

[accounts.credentials]
login = "{BEELINE_SIM_LOGIN}"
password = {{ env = "CALLBOARD_SIM_BEELINE_PASSWORD" }}

[accounts.beeline]
poll_every_secs = 1

[accounts.hosts]
api = "{base_url}"
"#
    )
}

/// An MTS account pointing at the simulator.
fn mts_account_toml(api_url: &str) -> String {
    format!(
        r#"[[accounts]]
id = "mts-sim"
provider = "mts"
name = "MTS (simulator)"

[accounts.credentials]
login = "{MTS_SIM_LOGIN}"
password = {{ env = "CALLBOARD_SIM_MTS_PASSWORD" }}

[accounts.hosts]
api = "{api_url}"
"#
    )
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
