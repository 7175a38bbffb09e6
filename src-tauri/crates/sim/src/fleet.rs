//! The fleet: one simulator per provider that polls (MTT, Beeline, MTS, MOR), started
//! together on loopback from one seed, so one population of callers rings through all of
//! them (the same client calls through MTT one day and Beeline the next). Demo mode and
//! the whole-system tests start it; [`Fleet::config_toml`] points callboard at it.

use chrono::{DateTime, Utc};

use crate::beeline::BEELINE_SIM_LOGIN;
use crate::config::{config_toml, quote};
use crate::mts::{MTS_SIM_LOGIN, MTS_SIM_PASSWORD};
use crate::{
    BeelineSim, BeelineSimOptions, MorSim, MorSimOptions, MtsSim, MtsSimOptions, MttSim,
    SIM_PASSWORD, SPRECORD_CHANNELS, SimOptions, SpRecordSim,
};

/// How to start a fleet.
#[derive(Debug, Clone)]
pub struct FleetOptions {
    /// Shared by every simulator: the same seed, the same callers.
    pub seed: u64,
    /// How many days back each simulator keeps calls.
    pub days: u32,
    /// Long-run average calls per day, per provider.
    pub calls_per_day: u32,
    /// Fixed clock for reproducible tests; `None` follows the wall clock.
    pub now: Option<DateTime<Utc>>,
}

impl Default for FleetOptions {
    fn default() -> Self {
        Self {
            seed: 1,
            days: 28,
            calls_per_day: 150,
            now: None,
        }
    }
}

/// The running simulators.
#[derive(Debug)]
pub struct Fleet {
    /// MTT Telecom API.
    pub mtt: MttSim,
    /// Beeline cloud call center.
    pub beeline: BeelineSim,
    /// MTS @втосекретарь.
    pub mts: MtsSim,
    /// Kolmisoft MOR.
    pub mor: MorSim,
    /// An SpRecord recorder: its calls come live only (see [`crate::LivePlayer`]).
    pub sprecord: SpRecordSim,
    mor_options: MorSimOptions,
}

/// The SpRecord account of [`Fleet::live_config_toml`].
pub const SPRECORD_SIM_ACCOUNT: &str = "sprecord-sim";

/// One account of the fleet's config: its id, and the password the simulator accepts
/// (never written into the config; a caller puts it in memory or an env variable).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FleetAccount {
    /// The account's id in the config.
    pub id: &'static str,
    /// The env variable the config reads the password from.
    pub password_env: &'static str,
    /// The password itself.
    pub password: String,
}

impl Fleet {
    /// Starts the four simulators on loopback ports of their own.
    pub async fn start(opts: FleetOptions) -> std::io::Result<Fleet> {
        let FleetOptions {
            seed,
            days,
            calls_per_day,
            now,
        } = opts;
        let mtt = MttSim::start(SimOptions {
            seed,
            days,
            calls_per_day,
            now,
            ..Default::default()
        })
        .await?;
        let beeline = BeelineSim::start(BeelineSimOptions {
            seed,
            days,
            calls_per_day,
            now,
            ..Default::default()
        })
        .await?;
        let mts = MtsSim::start(MtsSimOptions {
            seed,
            days,
            calls_per_day,
            now,
            ..Default::default()
        })
        .await?;
        let mor_options = MorSimOptions {
            seed,
            days,
            calls_per_day,
            now,
            ..Default::default()
        };
        let mor = MorSim::start(mor_options.clone()).await?;
        let sprecord = SpRecordSim::start().await?;
        Ok(Fleet {
            mtt,
            beeline,
            mts,
            mor,
            sprecord,
            mor_options,
        })
    }

    /// The accounts of [`Fleet::config_toml`] and their passwords.
    pub fn accounts(&self) -> Vec<FleetAccount> {
        vec![
            FleetAccount {
                id: "mtt-sim",
                password_env: "CALLBOARD_SIM_PASSWORD",
                password: self.mtt.account().password,
            },
            FleetAccount {
                id: "beeline-sim",
                password_env: "CALLBOARD_SIM_BEELINE_PASSWORD",
                password: SIM_PASSWORD.to_string(),
            },
            FleetAccount {
                id: "mts-sim",
                password_env: "CALLBOARD_SIM_MTS_PASSWORD",
                password: MTS_SIM_PASSWORD.to_string(),
            },
            FleetAccount {
                id: "mor-sim",
                password_env: "CALLBOARD_SIM_MOR_SECRET",
                password: self.mor_options.secret.clone(),
            },
        ]
    }

    /// A callboard config with one account per simulator, each reading `backfill_days`
    /// back; passwords are read from the env variables [`Fleet::accounts`] names.
    pub fn config_toml(&self, backfill_days: u32) -> String {
        let env = |id: &str| {
            self.accounts()
                .into_iter()
                .find(|a| a.id == id)
                .map(|a| a.password_env)
                .expect("a fleet account")
        };
        let mtt = config_toml(&self.mtt.base_url(), &self.mtt.account(), env("mtt-sim"));
        let beeline = account_toml(
            ("beeline-sim", "beeline", "Beeline (simulator)"),
            (BEELINE_SIM_LOGIN, env("beeline-sim")),
            "poll_every_secs = 1",
            &format!("api = {}", quote(&self.beeline.base_url())),
        );
        let mts = account_toml(
            ("mts-sim", "mts", "MTS (simulator)"),
            (MTS_SIM_LOGIN, env("mts-sim")),
            "",
            &format!("api = {}", quote(&self.mts.api_url())),
        );
        let mor = account_toml(
            ("mor-sim", "mor", "MOR (simulator)"),
            (&self.mor_options.user, env("mor-sim")),
            &format!("path_prefix = {}", quote(&self.mor_options.path_prefix)),
            &format!("server = {}", quote(&self.mor.base_url())),
        );
        let text = [mtt, beeline, mts, mor].join("\n");
        text.replace(
            "[[accounts]]\n",
            &format!("[[accounts]]\nbackfill_days = {backfill_days}\n"),
        )
    }

    /// The accounts whose calls come live only (the SpRecord recorder), as config TOML.
    pub fn live_config_toml(&self) -> String {
        format!(
            "[[accounts]]\nid = {id}\nprovider = \"sprecord\"\nname = \"SpRecord (simulator)\"\n\n\
             [accounts.sprecord]\nstatus_interval_secs = 30\n\n[accounts.hosts]\ndevice = {device}\n",
            id = quote(SPRECORD_SIM_ACCOUNT),
            device = quote(&self.sprecord.base_url()),
        )
    }

    /// Where the live player sends each provider's calls, given the listener's URL for
    /// each account's purpose (`url_of(account, purpose prefix)`).
    pub fn live_targets(
        &self,
        url_of: impl Fn(&str, &str) -> Option<String>,
    ) -> crate::LiveTargets {
        let channels = SPRECORD_CHANNELS
            .iter()
            .map(|(h, u)| (h.to_string(), u.to_string()))
            .collect();
        crate::LiveTargets {
            mtt: url_of("mtt-sim", "call-control").map(|u| (u, crate::SIP_IDS[0].to_owned())),
            mtt_callback: url_of("mtt-sim", "callback").map(|u| (u, "79160000001".to_owned())),
            beeline: url_of("beeline-sim", "callStatus")
                .map(|u| (u, crate::beeline::OUR_NUMBERS[0].to_owned())),
            sprecord: url_of(SPRECORD_SIM_ACCOUNT, "device").map(|u| (u, channels)),
        }
    }

    /// Stops every simulator and waits for its port to be released.
    pub async fn shutdown(self) {
        self.sprecord.shutdown().await;
        self.mtt.shutdown().await;
        self.beeline.shutdown().await;
        self.mts.shutdown().await;
        self.mor.shutdown().await;
    }
}

/// One account of the fleet's config: `(id, provider, name)`, `(login, password env)`,
/// the provider's section and the hosts section, each as TOML lines.
fn account_toml(
    (id, provider, name): (&str, &str, &str),
    (login, password_env): (&str, &str),
    section: &str,
    hosts: &str,
) -> String {
    format!(
        "[[accounts]]\nid = {id}\nprovider = {provider_q}\nname = {name}\n\n\
         [accounts.credentials]\nlogin = {login}\npassword = {{ env = {env} }}\n\n\
         [accounts.{provider}]\n{section}\n\n[accounts.hosts]\n{hosts}\n",
        id = quote(id),
        provider_q = quote(provider),
        name = quote(name),
        login = quote(login),
        env = quote(password_env),
    )
}
