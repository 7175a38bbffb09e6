//! Demo mode: the built-in simulators stand in for real accounts, so a new user sees a
//! working dashboard with no accounts and no network: history to browse, and live calls
//! that ring, connect and end, routed by rules the user can edit.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use callboard_core::{Config, DemoCalls, RuleEdit, SecretSource, Service};
use callboard_listener::HookUrls;
use callboard_model::{
    AfterHours, BlockedNumber, Day, DemoCall, DemoCallPlaced, ForwardingPlan, MatchKind,
    ProviderKind, RingMode, Target, VipCaller, WeeklySlot, normalize_phone,
};
use callboard_sim::{Fleet, FleetOptions, LivePlayer, LiveProvider, ScriptedCall};
use secrecy::SecretString;

use crate::LaunchError;

/// The demo's spam caller: on its blacklist, dialling now and then.
pub const DEMO_SPAM_CALLER: &str = "79990006666";

/// How often a simulated live call comes, on average (`CALLBOARD_DEMO_CALL_EVERY_SECS`;
/// 0 places none by itself: only on request).
const DEFAULT_CALL_EVERY_SECS: u64 = 20;

/// The running simulators, and the live traffic once the listener is up.
pub struct Demo {
    pub fleet: Fleet,
    traffic: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl Demo {
    /// Starts the simulators on loopback (live clock: new calls keep arriving) and returns
    /// a config whose accounts point at them.
    pub async fn start() -> Result<(Self, Config), LaunchError> {
        let fleet = Fleet::start(FleetOptions::default())
            .await
            .map_err(LaunchError::Demo)?;
        let text = format!("{}\n{}", fleet.config_toml(30), fleet.live_config_toml());
        let mut config = Config::parse(&text, "demo")?;
        let accounts = fleet.accounts();
        for a in &mut config.accounts {
            a.poll_interval_secs = 15;
            let secret = accounts.iter().find(|f| f.id == a.id).map(|f| &f.password);
            if let (Some(c), Some(secret)) = (a.credentials.as_mut(), secret) {
                c.password = SecretSource::Memory(SecretString::from(secret.clone()));
            }
            // The simulators call from loopback, not from MTT's routing address.
            a.listener.allow_from = Some(Vec::new());
        }
        Ok((
            Self {
                fleet,
                traffic: Mutex::default(),
            },
            config,
        ))
    }

    /// Points the simulators' live traffic at the listener: seeds the demo's routing
    /// rules on first run, lets the UI place calls, and starts calls coming by themselves.
    pub async fn play_live(&self, hooks: &[HookUrls], service: Arc<Service>) {
        let url_of = |account: &str, purpose: &str| {
            hooks
                .iter()
                .find(|h| h.account == account)
                .and_then(|h| h.urls.iter().find(|(p, _)| p.starts_with(purpose)))
                .map(|(_, u)| u.clone())
        };
        let player = LivePlayer::new(self.fleet.live_targets(url_of), 1);
        if let Err(e) = seed_rules(&service).await {
            tracing::warn!(error = %e, "demo routing rules not seeded");
        }
        service.set_demo_calls(Arc::new(Caller {
            player: player.clone(),
        }));
        let every = std::env::var("CALLBOARD_DEMO_CALL_EVERY_SECS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_CALL_EVERY_SECS);
        if every > 0 {
            let task = player.start_traffic(
                7,
                Duration::from_secs(every),
                Some(DEMO_SPAM_CALLER.to_owned()),
            );
            *self.traffic.lock().unwrap_or_else(|p| p.into_inner()) = Some(task);
        }
    }

    pub async fn shutdown(self) {
        if let Some(t) = self
            .traffic
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        {
            t.abort();
        }
        self.fleet.shutdown().await;
    }
}

/// The demo's rules, written once (a user's edits are kept across restarts): a spam
/// caller blacklisted, a VIP, and plans for the MTT and Beeline lines with office hours.
async fn seed_rules(service: &Service) -> Result<(), callboard_core::CoreError> {
    let rules = service.routing_rules();
    if !(rules.blacklist.is_empty() && rules.vip.is_empty() && rules.plans.is_empty()) {
        return Ok(());
    }
    let target = |number: &str, name: &str, timeout_secs| Target {
        number: number.into(),
        name: name.into(),
        timeout_secs,
    };
    service
        .edit_rules(RuleEdit::Blocked(BlockedNumber {
            id: 0,
            pattern: DEMO_SPAM_CALLER.into(),
            match_kind: MatchKind::Exact,
            reason: "spam (demo)".into(),
            expires_at: None,
            created_at: chrono::Utc::now(),
        }))
        .await?;
    service
        .edit_rules(RuleEdit::Vip(VipCaller {
            id: 0,
            number: "79037770000".into(),
            name: "Key client (demo)".into(),
            operator: target("79160000001", "Anna", 30),
        }))
        .await?;
    let operators = vec![
        target("79160000001", "Anna", 20),
        target("79160000002", "Boris", 20),
    ];
    for line in [
        callboard_sim::SIP_IDS[0],
        callboard_sim::beeline::OUR_NUMBERS[0],
    ] {
        service
            .edit_rules(RuleEdit::Plan(ForwardingPlan {
                id: 0,
                line: line.into(),
                name: format!("Office line {line}"),
                mode: RingMode::Sequential,
                targets: operators.clone(),
                schedule: vec![WeeklySlot {
                    days: Day::ALL.to_vec(),
                    start: "07:00".into(),
                    end: "23:00".into(),
                }],
                after_hours: AfterHours::Forward {
                    mode: RingMode::Single,
                    targets: vec![target("79160000009", "Duty phone", 30)],
                },
            }))
            .await?;
    }
    Ok(())
}

/// Places the UI's simulated calls through the live player.
struct Caller {
    player: LivePlayer,
}

impl DemoCalls for Caller {
    fn place(&self, call: DemoCall) -> Result<DemoCallPlaced, String> {
        let provider = match call.provider {
            ProviderKind::Mtt => LiveProvider::Mtt,
            ProviderKind::Beeline => LiveProvider::Beeline,
            ProviderKind::Sprecord => LiveProvider::Sprecord,
            other => return Err(format!("{} places no live calls", other.as_str())),
        };
        if provider == LiveProvider::Sprecord && !self.player.recorder_free() {
            return Err(
                "every channel of the recorder has a call on it: try again in a moment".into(),
            );
        }
        let mut rng = rand::thread_rng();
        let mut scripted: ScriptedCall = self
            .player
            .random_call(&mut rng, None, 1)
            .ok_or("no simulator takes live calls")?;
        scripted.provider = provider;
        scripted.answered = call.answered;
        if let Some(caller) = &call.caller {
            let e164 = normalize_phone(caller);
            scripted.caller = e164.trim_start_matches('+').to_owned();
        }
        scripted.ring = Duration::from_secs(call.ring_secs.unwrap_or(3).into());
        scripted.talk = Duration::from_secs(call.talk_secs.unwrap_or(8).into());
        let placed = DemoCallPlaced {
            caller: normalize_phone(&scripted.caller),
        };
        let player = self.player.clone();
        tokio::spawn(async move {
            if let Err(e) = player.play(&scripted).await {
                tracing::warn!(error = %e, "simulated call failed");
            }
        });
        Ok(placed)
    }
}
