//! The service: everything the UI can ask, whichever adapter carries it.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use callboard_model::{
    AccountHooks, AccountStatus, ApiError, AppInfo, CallDetail, CallPage, CallQuery, Event,
    LiveCall, MissedQueue, ProviderKind, RecordingPart, RefusedRequest, SyncState,
};
use callboard_providers::LiveEvent;
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;

use crate::live::{Live, MISSED_WINDOW, RuleEdit, Rules};
pub use crate::recordings::DEFAULT_CACHE_BYTES as DEFAULT_RECORDINGS_CACHE_BYTES;
use crate::recordings::RecordingCache;
use crate::store::{Refusal, Store, StoredCall};
use crate::sync::{AccountRuntime, SyncReport, run_account, run_pass, run_pass_or_join};
use crate::{CallsCsv, Clock, Config, CoreError, SystemClock, blocking};

/// Places simulated calls (demo mode's simulators, which the core does not know).
pub trait DemoCalls: Send + Sync {
    /// Starts the call and answers at once; `Err` says why it cannot be placed.
    fn place(
        &self,
        call: callboard_model::DemoCall,
    ) -> Result<callboard_model::DemoCallPlaced, String>;
}

/// How to run the service.
#[derive(Clone)]
pub struct ServiceOptions {
    /// Holds `callboard.db` and the recordings cache.
    pub data_dir: PathBuf,
    /// Wired to the built-in simulators; shown plainly in the UI.
    pub demo: bool,
    /// Start each account's polling task (tests drive passes by hand instead).
    pub autosync: bool,
    /// The time sync windows and re-scans are planned by.
    pub clock: Arc<dyn Clock>,
    /// Why the app runs without its accounts (shown in the UI instead of the history).
    pub startup_error: Option<ApiError>,
    /// Most bytes the recordings cache may hold; past it the least recently played
    /// recordings are removed (default [`DEFAULT_RECORDINGS_CACHE_BYTES`], 1 GiB).
    pub recordings_cache_bytes: u64,
}

impl ServiceOptions {
    /// Syncing by itself, on the system clock.
    pub fn new(data_dir: PathBuf, demo: bool) -> Self {
        Self {
            data_dir,
            demo,
            autosync: true,
            clock: Arc::new(SystemClock),
            startup_error: None,
            recordings_cache_bytes: DEFAULT_RECORDINGS_CACHE_BYTES,
        }
    }
}

pub struct Service {
    store: Arc<Store>,
    accounts: Vec<Arc<AccountRuntime>>,
    events: broadcast::Sender<Event>,
    recordings: RecordingCache,
    live: Arc<Live>,
    rules: Rules,
    /// The webhook URLs of each account, once a listener runs.
    webhooks: Mutex<Vec<AccountHooks>>,
    /// Demo mode's simulators, which place calls on request.
    demo_calls: Mutex<Option<Arc<dyn DemoCalls>>>,
    demo: bool,
    startup_error: Option<ApiError>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    clock: Arc<dyn Clock>,
    /// Flips to true on shutdown, ending long-lived streams (server-sent events).
    closing: watch::Sender<bool>,
}

impl Service {
    /// Opens the store under `data_dir`, builds each account's client and, with
    /// `autosync`, starts their sync tasks. An account whose client cannot be built
    /// (a missing secret, say) shows the error in its status; the others run.
    pub async fn start(config: Config, opts: ServiceOptions) -> Result<Arc<Self>, CoreError> {
        std::fs::create_dir_all(&opts.data_dir)
            .map_err(|e| CoreError::io(format!("creating {}", opts.data_dir.display()), e))?;
        let db = opts.data_dir.join("callboard.db");
        let store = Arc::new(tokio::task::spawn_blocking(move || Store::open(&db)).await??);
        let recordings = RecordingCache::new(
            opts.data_dir.join("recordings"),
            opts.recordings_cache_bytes,
        )?;
        let (events, _) = broadcast::channel(256);

        let mut accounts = Vec::new();
        for config in config.accounts {
            let id = config.id.clone();
            let record = blocking(&store, move |s| s.sync_record(&id)).await?;
            let id = config.id.clone();
            let calls_synced = blocking(&store, move |s| s.count_calls(&id)).await?;
            let status = AccountStatus {
                account: config.id.clone(),
                name: config.name.clone(),
                provider: config.provider,
                state: SyncState::Idle,
                last_success: record.last_success,
                last_error: record.last_error,
                calls_synced,
                next_attempt: None,
                backfill: None,
                capabilities: Default::default(),
            };
            let rt = AccountRuntime::new(config, status);
            // Build the client now, so a missing secret shows at once; the sync task tries
            // again on each pass.
            if !rt.supported() {
                rt.status.lock().unwrap_or_else(|p| p.into_inner()).state = SyncState::Unsupported;
            } else {
                match rt.capabilities().await {
                    Ok(c) => {
                        rt.status
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .capabilities = AccountRuntime::offered(c);
                    }
                    Err(e) => {
                        tracing::error!(account = %rt.config.id, error = %e, "account cannot sync yet");
                        let mut s = rt.status.lock().unwrap_or_else(|p| p.into_inner());
                        s.state = SyncState::Error;
                        s.last_error = Some(e.to_api_for(Some(&rt.config.id)));
                    }
                }
            }
            accounts.push(Arc::new(rt));
        }

        let live = Arc::new(Live::new(store.clone()));
        live.rebuild(&store, opts.clock.now()).await?;
        let rules = Rules::load(&store).await?;

        let service = Arc::new(Self {
            store,
            accounts,
            events,
            recordings,
            live,
            rules,
            webhooks: Mutex::default(),
            demo_calls: Mutex::default(),
            demo: opts.demo,
            startup_error: opts.startup_error,
            tasks: Mutex::default(),
            clock: opts.clock,
            closing: watch::Sender::new(false),
        });
        let mut tasks = service.tasks.lock().unwrap_or_else(|p| p.into_inner());
        tasks.push(tokio::spawn(heartbeat(service.events.clone())));
        tasks.push(tokio::spawn(watch_missed_queue(
            service.live.clone(),
            service.store.clone(),
            service.events.clone(),
            service.clock.clone(),
        )));
        if opts.autosync {
            for rt in service.accounts.iter().filter(|rt| rt.supported()) {
                tasks.push(tokio::spawn(run_account(
                    service.store.clone(),
                    rt.clone(),
                    service.events.clone(),
                    service.clock.clone(),
                )));
            }
        }
        drop(tasks);
        Ok(service)
    }

    pub fn info(&self) -> AppInfo {
        AppInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            demo: self.demo,
            accounts: self.accounts.len() as u32,
            startup_error: self.startup_error.clone(),
        }
    }

    pub async fn list_calls(&self, query: CallQuery) -> Result<CallPage, CoreError> {
        check_range(&query)?;
        blocking(&self.store, move |s| s.list_calls(&query)).await
    }

    /// Every call matching `query`'s filters (all pages: its `cursor` and `limit` are
    /// ignored) as a CSV file, streamed a batch at a time (see `export.rs` for the format).
    pub fn export_calls_csv(&self, query: CallQuery) -> Result<CallsCsv, CoreError> {
        check_range(&query)?;
        Ok(CallsCsv::new(
            self.store.call_batches(&query, crate::export::EXPORT_BATCH),
        ))
    }

    pub async fn call_detail(&self, id: i64) -> Result<CallDetail, CoreError> {
        let stored = self.stored_call(id).await?;
        let parts = blocking(&self.store, move |s| s.recording_parts(id)).await?;
        let account_name = self
            .account(&stored.call.account)
            .map(|a| a.config.name.clone())
            .unwrap_or_default();
        Ok(CallDetail {
            account_name,
            details: stored.details,
            recording: self.recordings.describe(&parts),
            call: stored.call,
        })
    }

    /// The recording's parts in playing order, asking the provider on first use.
    pub async fn recording_parts(&self, id: i64) -> Result<Vec<RecordingPart>, CoreError> {
        let stored = self.stored_call(id).await?;
        let Some(reference) = stored.recording_ref.as_deref() else {
            return Ok(Vec::new());
        };
        let source = self.recordings_of(&stored.call.account).await?;
        let parts = self
            .recordings
            .parts(&self.store, id, reference, source.as_ref())
            .await?;
        Ok(self.recordings.describe(&parts))
    }

    /// The cached audio file of one part (downloaded on first use) and its MIME type.
    pub async fn recording_file(
        &self,
        id: i64,
        index: u32,
    ) -> Result<(PathBuf, String), CoreError> {
        let stored = self.stored_call(id).await?;
        let reference = stored
            .recording_ref
            .as_deref()
            .ok_or_else(|| CoreError::NotFound(format!("call {id} has no recording")))?;
        let source = self.recordings_of(&stored.call.account).await?;
        self.recordings
            .file(&self.store, id, index, reference, source.as_ref())
            .await
    }

    pub fn account_statuses(&self) -> Vec<AccountStatus> {
        self.accounts.iter().map(|a| a.status()).collect()
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }

    /// Runs one sync pass of `account` now and waits for it.
    pub async fn sync_now(&self, account: &str) -> Result<SyncReport, CoreError> {
        let rt = self
            .account(account)
            .ok_or_else(|| CoreError::NotFound(format!("no account {account:?}")))?;
        run_pass(&self.store, rt, &self.events, self.clock.as_ref()).await
    }

    /// Runs one sync pass of `account` now, or waits for the pass already running, and
    /// answers the account's status after it. A failed pass is not an error here: the
    /// status carries it, as it does for the background passes.
    pub async fn sync_now_status(&self, account: &str) -> Result<AccountStatus, CoreError> {
        let rt = self
            .account(account)
            .ok_or_else(|| CoreError::NotFound(format!("no account {account:?}")))?;
        match run_pass_or_join(&self.store, rt, &self.events, self.clock.as_ref()).await {
            Ok(_) => {}
            Err(e) if rt.supported() => {
                tracing::debug!(account, error = %e, "manual pass failed; its status says so");
            }
            Err(e) => return Err(e),
        }
        Ok(rt.status())
    }

    /// Resolves once [`Service::shutdown`] has been called.
    pub fn closed(&self) -> impl std::future::Future<Output = ()> + Send + use<> {
        let mut rx = self.closing.subscribe();
        async move {
            // An error means the service is gone: closed too.
            let _ = rx.wait_for(|closing| *closing).await;
        }
    }

    /// Stops the sync tasks and ends the event streams (the store closes when the last
    /// handle goes).
    pub fn shutdown(&self) {
        self.closing.send_replace(true);
        for t in self
            .tasks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain(..)
        {
            t.abort();
        }
    }

    /// The provider of a configured account.
    pub fn account_provider(&self, account: &str) -> Option<ProviderKind> {
        self.account(account).map(|a| a.config.provider)
    }

    /// Stores events the listener received for `account`, then shows them live; answers
    /// which were new (a replay is stored already and changes nothing). Once this returns
    /// Ok the events are durable and may be acknowledged.
    pub async fn ingest_live(
        &self,
        account: &str,
        events: Vec<LiveEvent>,
    ) -> Result<Vec<bool>, CoreError> {
        let provider = self
            .account_provider(account)
            .ok_or_else(|| CoreError::NotFound(format!("no account {account:?}")))?;
        self.live
            .ingest(
                &self.store,
                &self.events,
                account,
                provider,
                events,
                self.clock.now(),
            )
            .await
    }

    /// Puts a call that asked to be routed on the live board at once, and stores its
    /// event in the background: the routing answer never waits on the store.
    pub fn arrive(&self, account: &str, event: LiveEvent) {
        if let Some(provider) = self.account_provider(account) {
            self.live.arrive(
                &self.store,
                &self.events,
                account,
                provider,
                event,
                self.clock.now(),
            );
        }
    }

    /// Where a call to `called` from `caller` goes now, from the rules in memory (no I/O:
    /// this answers while the caller waits). `Err`: the rules cannot decide (they did not
    /// compile at start), so the provider's own fallback should apply.
    pub fn route(&self, caller: &str, called: &str) -> Result<callboard_routing::Decision, String> {
        self.rules.route(caller, called, self.clock.now())
    }

    /// What the rules would answer a call from `caller` to `called` now.
    pub fn test_route(
        &self,
        probe: &callboard_model::RouteProbe,
    ) -> Result<callboard_model::RouteTest, CoreError> {
        if callboard_model::digits_of(&probe.caller).is_empty()
            || callboard_model::digits_of(&probe.called).is_empty()
        {
            return Err(CoreError::InvalidInput(
                "both the caller and the called line need a number".into(),
            ));
        }
        Ok(match self.route(&probe.caller, &probe.called) {
            Ok(d) => callboard_model::RouteTest {
                answer: crate::describe_decision(&d),
                decided: true,
            },
            Err(e) => callboard_model::RouteTest {
                answer: format!("cannot decide: {e}"),
                decided: false,
            },
        })
    }

    /// The routing rules as they stand.
    pub fn routing_rules(&self) -> callboard_model::RoutingRules {
        self.rules.rules()
    }

    /// Changes the routing rules: refused whole, naming the rule, when the result would
    /// not compile; else stored and answering at once. Returns the rules after it.
    pub async fn edit_rules(
        &self,
        edit: RuleEdit,
    ) -> Result<callboard_model::RoutingRules, CoreError> {
        self.rules.edit(&self.store, edit).await
    }

    /// Records where each account's provider must send its requests (the listener's URLs).
    pub fn set_webhooks(&self, hooks: Vec<AccountHooks>) {
        *self.webhooks.lock().unwrap_or_else(|p| p.into_inner()) = hooks;
    }

    /// Lets demo mode's simulators place calls on request ([`Service::demo_call`]).
    pub fn set_demo_calls(&self, calls: Arc<dyn DemoCalls>) {
        *self.demo_calls.lock().unwrap_or_else(|p| p.into_inner()) = Some(calls);
    }

    /// Has a simulator place a call now (demo mode only).
    pub fn demo_call(
        &self,
        call: callboard_model::DemoCall,
    ) -> Result<callboard_model::DemoCallPlaced, CoreError> {
        let calls = self
            .demo_calls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let calls = calls.ok_or_else(|| {
            CoreError::InvalidInput("simulated calls exist in demo mode only".into())
        })?;
        calls.place(call).map_err(CoreError::InvalidInput)
    }

    /// Where each account's provider must send its requests; empty without a listener.
    pub fn webhooks(&self) -> Vec<AccountHooks> {
        self.webhooks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// What is known of a caller (any form of the number): calls stored, the last one's
    /// outcome, the name the routing rules give it.
    pub async fn caller_summary(
        &self,
        number: &str,
    ) -> Result<callboard_model::CallerSummary, CoreError> {
        let e164 = callboard_model::normalize_phone(number);
        let digits = callboard_model::digits_of(&e164);
        if digits.is_empty() {
            return Err(CoreError::InvalidInput(format!("{number:?} has no digits")));
        }
        let d = digits.clone();
        let (calls, last) = blocking(&self.store, move |s| s.caller_history(&d)).await?;
        let name = self
            .routing_rules()
            .vip
            .into_iter()
            .find(|v| {
                callboard_model::digits_of(&callboard_model::normalize_phone(&v.number)) == digits
            })
            .map(|v| v.name);
        Ok(callboard_model::CallerSummary {
            number: e164,
            calls,
            last_outcome: last
                .as_ref()
                .and_then(|(o, _)| callboard_model::Outcome::parse(o)),
            last_at: last.map(|(_, at)| at),
            name,
        })
    }

    /// The calls on the live board: open ones newest first, then those ended lately.
    pub fn live_calls(&self) -> Vec<LiveCall> {
        self.live.calls(self.clock.now())
    }

    /// Missed callers not called back since, oldest first (at most `limit`).
    pub async fn missed_queue(&self, limit: u32) -> Result<MissedQueue, CoreError> {
        let since = self.clock.now() - MISSED_WINDOW;
        blocking(&self.store, move |s| s.missed_queue(since, limit)).await
    }

    /// Logs requests the listener refused, in one write.
    pub async fn log_refusals(&self, refusals: Vec<Refusal>) -> Result<(), CoreError> {
        blocking(&self.store, move |s| s.log_refusals(&refusals)).await
    }

    /// The newest refused requests (before the row `before`, when given).
    pub async fn refused_requests(
        &self,
        limit: u32,
        before: Option<i64>,
    ) -> Result<Vec<RefusedRequest>, CoreError> {
        blocking(&self.store, move |s| s.refused_requests(limit, before)).await
    }

    fn account(&self, id: &str) -> Option<&Arc<AccountRuntime>> {
        self.accounts.iter().find(|a| a.config.id == id)
    }

    /// The account's recordings capability.
    async fn recordings_of(
        &self,
        account: &str,
    ) -> Result<Arc<dyn callboard_providers::Recordings>, CoreError> {
        let rt = self.account(account).ok_or_else(|| {
            CoreError::NotFound(format!(
                "account {account:?} is not configured for playback"
            ))
        })?;
        rt.capabilities()
            .await?
            .recordings
            .clone()
            .ok_or_else(|| CoreError::NotFound(format!("account {account:?} offers no recordings")))
    }

    async fn stored_call(&self, id: i64) -> Result<StoredCall, CoreError> {
        blocking(&self.store, move |s| s.call(id))
            .await?
            .ok_or_else(|| CoreError::NotFound(format!("no call {id}")))
    }
}

fn check_range(query: &CallQuery) -> Result<(), CoreError> {
    match (query.from, query.to) {
        (Some(from), Some(to)) if from > to => {
            Err(CoreError::InvalidInput("`from` is after `to`".into()))
        }
        _ => Ok(()),
    }
}

/// The least time between two counts of the missed queue: a count reads the week's missed
/// calls (about 0.1 s at 2 million calls), and a busy hour stores calls every second.
const MISSED_RECOUNT_GAP: Duration = Duration::from_secs(2);

/// Re-counts the missed queue whenever calls are stored (a sync pass, a call that ended
/// live), and tells the UI when it changed. Stores that come while a count runs, or in the
/// gap after it, are counted once, after it.
async fn watch_missed_queue(
    live: Arc<Live>,
    store: Arc<Store>,
    events: broadcast::Sender<Event>,
    clock: Arc<dyn Clock>,
) {
    let mut rx = events.subscribe();
    let mut first = true;
    loop {
        if !first {
            match rx.recv().await {
                Ok(Event::CallsSynced { .. }) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                Ok(_) => continue,
                Err(broadcast::error::RecvError::Closed) => return,
            }
            // What piled up meanwhile is in this count too.
            while let Ok(_) | Err(broadcast::error::TryRecvError::Lagged(_)) = rx.try_recv() {}
        }
        first = false;
        if let Err(e) = live.tell_queue(&store, &events, clock.now()).await {
            tracing::warn!(error = %e, "missed queue not counted");
        }
        tokio::time::sleep(MISSED_RECOUNT_GAP).await;
    }
}

/// How often [`Event::Heartbeat`] goes out: a UI that hears nothing for a few of these
/// knows its event stream is down.
pub const HEARTBEAT_EVERY: Duration = Duration::from_secs(10);

async fn heartbeat(events: broadcast::Sender<Event>) {
    let mut tick = tokio::time::interval(HEARTBEAT_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        // No subscriber is fine: nobody is watching.
        let _ = events.send(Event::Heartbeat);
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        self.shutdown();
    }
}
