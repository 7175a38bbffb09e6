//! The sync engine: one task per account, reading its provider's call log page by page
//! from the cursor the provider owns.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use callboard_model::{AccountCapabilities, AccountStatus, BackfillProgress, Event, SyncState};
use callboard_providers::{CallLog, Capabilities, Health, PageContext};
use chrono::{DateTime, Utc};
use rand::Rng;
use tokio::sync::broadcast;

use crate::sources::{build_capabilities, can_build};
use crate::store::{Store, UpsertStats};
use crate::{AccountConfig, Clock, CoreError, blocking};

/// What one sync pass did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncReport {
    /// The span the pass's pages covered (a backfill reads back from the top).
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Rows the provider returned, over all pages.
    pub fetched: usize,
    pub stats: UpsertStats,
    /// Pages read, each stored in its own transaction.
    pub pages: u32,
    /// Where a backfill stands when the pass ends before it does (a provider still
    /// preparing the next page); `None` once caught up.
    pub backfill: Option<BackfillProgress>,
}

/// An account as the service runs it: its config, its capabilities, its live status.
pub(crate) struct AccountRuntime {
    pub config: AccountConfig,
    /// What the account's provider can do, once built: see [`AccountRuntime::capabilities`].
    capabilities: tokio::sync::OnceCell<Capabilities>,
    pub status: Mutex<AccountStatus>,
    /// Keeps a manual pass and the task's pass from running at once.
    pub pass_lock: tokio::sync::Mutex<()>,
    /// When the service started it: a device that never reported a call is silent since.
    pub started_at: Option<DateTime<Utc>>,
}

impl AccountRuntime {
    pub fn new(config: AccountConfig, status: AccountStatus) -> Self {
        Self {
            config,
            capabilities: tokio::sync::OnceCell::new(),
            status: Mutex::new(status),
            pass_lock: tokio::sync::Mutex::new(()),
            started_at: Some(Utc::now()),
        }
    }

    /// Whether this account's provider is built into this version at all.
    pub fn supported(&self) -> bool {
        can_build(&self.config)
    }

    /// What the account's provider can do, built on first need. A build that fails (a
    /// secret that cannot be read yet: a keyring still locked after login, say) is tried
    /// again on the next need, so the account recovers without a restart.
    pub async fn capabilities(&self) -> Result<&Capabilities, CoreError> {
        self.capabilities
            .get_or_try_init(|| async {
                let config = self.config.clone();
                // A keyring read may wait on D-Bus (or an unlock prompt): off the async threads.
                tokio::task::spawn_blocking(move || build_capabilities(&config)).await?
            })
            .await
    }

    /// What the account offers, as the UI is told.
    pub fn offered(c: &Capabilities) -> AccountCapabilities {
        AccountCapabilities {
            call_log: c.call_log.is_some(),
            recordings: c.recordings.is_some(),
        }
    }

    pub fn no_sync_yet(&self) -> CoreError {
        CoreError::InvalidInput(format!(
            "account {} has no history sync yet",
            self.config.id
        ))
    }

    pub fn status(&self) -> AccountStatus {
        self.status
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn update_status(&self, events: &broadcast::Sender<Event>, f: impl FnOnce(&mut AccountStatus)) {
        let snapshot = {
            let mut s = self.status.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut s);
            s.clone()
        };
        // No subscriber is fine: nobody is watching.
        let _ = events.send(Event::AccountStatus {
            status: Box::new(snapshot),
        });
    }
}

/// Reads the account's call log from its saved cursor until caught up, storing each page
/// with the cursor after it in one transaction, so the list fills as a backfill goes and a
/// kill at any moment loses nothing stored and repeats nothing on restart.
async fn sync_pages(
    store: &Arc<Store>,
    rt: &AccountRuntime,
    log: &dyn CallLog,
    events: &broadcast::Sender<Event>,
    now: DateTime<Utc>,
) -> Result<SyncReport, CoreError> {
    let account = &rt.config;
    let id = account.id.clone();
    let mut cursor = blocking(store, move |s| s.sync_record(&id)).await?.cursor;
    let ctx = PageContext {
        now,
        backfill: chrono::Duration::days(i64::from(account.backfill_days)),
    };
    let mut report: Option<SyncReport> = None;
    loop {
        let page = log.next_page(cursor.as_ref(), ctx).await?;
        let fetched = page.calls.len();
        let (id, provider) = (account.id.clone(), account.provider);
        let (calls, next) = (page.calls, page.cursor);
        let stored = next.clone();
        let stats = blocking(store, move |s| {
            s.upsert_calls(&id, provider, &calls, Some(&stored))
        })
        .await?;
        cursor = Some(next);
        let r = report.get_or_insert(SyncReport {
            from: page.window.0,
            to: page.window.1,
            fetched: 0,
            stats: UpsertStats::default(),
            pages: 0,
            backfill: None,
        });
        r.from = r.from.min(page.window.0);
        r.to = r.to.max(page.window.1);
        r.fetched += fetched;
        r.stats.inserted += stats.inserted;
        r.stats.updated += stats.updated;
        r.pages += 1;
        r.backfill = page.progress.map(|p| BackfillProgress {
            done: p.done,
            total: p.total,
        });
        if stats.inserted > 0 || stats.updated > 0 {
            let _ = events.send(Event::CallsSynced {
                account: account.id.clone(),
                inserted: stats.inserted,
                updated: stats.updated,
            });
        }
        if page.more || page.progress.is_some() {
            let id = account.id.clone();
            let count = blocking(store, move |s| s.count_calls(&id)).await?;
            let backfill = r.backfill;
            rt.update_status(events, |s| {
                s.calls_synced = count;
                s.backfill = backfill;
            });
        }
        if !page.more {
            return Ok(report.expect("one page at least"));
        }
    }
}

/// Asks a device whether it answers, and whether it still reports calls: one that has
/// reported none for its silence period is an error too, with the time of its last one.
async fn health_pass(
    store: &Arc<Store>,
    rt: &AccountRuntime,
    health: &dyn Health,
    now: DateTime<Utc>,
) -> Result<SyncReport, CoreError> {
    health.check().await?;
    if let Some(silence) = health.silence_alert() {
        let id = rt.config.id.clone();
        let last = blocking(store, move |s| s.last_live_event(&id)).await?;
        // Counted from the first start when it never reported.
        let since = last.or(rt.started_at).unwrap_or(now);
        let silent = now - since;
        if silent > chrono::Duration::from_std(silence).unwrap_or(chrono::Duration::MAX) {
            return Err(CoreError::Silent {
                account: rt.config.id.clone(),
                since: last,
            });
        }
    }
    Ok(SyncReport {
        from: now,
        to: now,
        fetched: 0,
        stats: UpsertStats::default(),
        pages: 0,
        backfill: None,
    })
}

/// Runs one pass for `rt` and publishes its outcome (status, events, saved last error).
pub(crate) async fn run_pass(
    store: &Arc<Store>,
    rt: &AccountRuntime,
    events: &broadcast::Sender<Event>,
    clock: &dyn Clock,
) -> Result<SyncReport, CoreError> {
    // Before the status flips to syncing: an unsupported account stays so.
    if !rt.supported() {
        return Err(rt.no_sync_yet());
    }
    let _pass = rt.pass_lock.lock().await;
    pass_locked(store, rt, events, clock).await
}

/// Runs one pass for `rt` now, unless one is already running: then waits for that one to
/// end instead of reading the same pages again right after it (`None`). An operator's
/// "sync now" pressed during a pass thus costs the provider nothing more.
pub(crate) async fn run_pass_or_join(
    store: &Arc<Store>,
    rt: &AccountRuntime,
    events: &broadcast::Sender<Event>,
    clock: &dyn Clock,
) -> Result<Option<SyncReport>, CoreError> {
    if !rt.supported() {
        return Err(rt.no_sync_yet());
    }
    match rt.pass_lock.try_lock() {
        Ok(_pass) => pass_locked(store, rt, events, clock).await.map(Some),
        Err(_) => {
            drop(rt.pass_lock.lock().await);
            Ok(None)
        }
    }
}

/// One pass, its caller holding `rt.pass_lock`.
async fn pass_locked(
    store: &Arc<Store>,
    rt: &AccountRuntime,
    events: &broadcast::Sender<Event>,
    clock: &dyn Clock,
) -> Result<SyncReport, CoreError> {
    let now = clock.now();
    rt.update_status(events, |s| s.state = SyncState::Syncing);
    let offered = rt.capabilities().await.ok().map(AccountRuntime::offered);
    let result = match rt.capabilities().await {
        Ok(Capabilities {
            call_log: Some(log),
            ..
        }) => sync_pages(store, rt, log.as_ref(), events, now).await,
        // Calls that arrive live only: the pass asks the device whether it is there.
        Ok(Capabilities {
            health: Some(h), ..
        }) => health_pass(store, rt, h.as_ref(), now).await,
        Ok(_) => Err(rt.no_sync_yet()),
        Err(e) => Err(e),
    };
    let id = rt.config.id.clone();
    // A count that fails keeps the last one shown: the calls are still there.
    let count = match blocking(store, move |s| s.count_calls(&id)).await {
        Ok(n) => Some(n),
        Err(e) => {
            tracing::warn!(account = %rt.config.id, error = %e, "cannot count stored calls");
            None
        }
    };
    let (success_at, api_error) = match &result {
        Ok(report) => {
            tracing::info!(account = %rt.config.id, pages = report.pages, fetched = report.fetched,
                inserted = report.stats.inserted, updated = report.stats.updated, "sync pass done");
            (Some(report.to), None)
        }
        Err(e) => {
            tracing::warn!(account = %rt.config.id, error = %e, "sync pass failed");
            (None, Some(e.to_api_for(Some(&rt.config.id))))
        }
    };
    rt.update_status(events, |s| {
        if let Some(n) = count {
            s.calls_synced = n;
        }
        if let Some(c) = offered {
            s.capabilities = c;
        }
        // A failed pass leaves the backfill where it was; a finished one says where it is.
        if let Ok(report) = &result {
            s.backfill = report.backfill;
        }
        s.state = if api_error.is_some() {
            SyncState::Error
        } else {
            SyncState::Ok
        };
        if success_at.is_some() {
            s.last_success = success_at;
        }
        s.last_error = api_error.clone();
    });
    let id = rt.config.id.clone();
    blocking(store, move |s| {
        s.save_sync_outcome(&id, success_at, api_error.as_ref())
    })
    .await?;
    result
}

/// The account's sync loop: a pass, then the poll interval (or a backoff after errors).
pub(crate) async fn run_account(
    store: Arc<Store>,
    rt: Arc<AccountRuntime>,
    events: broadcast::Sender<Event>,
    clock: Arc<dyn Clock>,
) {
    let poll = match rt.capabilities().await {
        Ok(Capabilities {
            call_log: None,
            health: Some(h),
            ..
        }) => h.interval(),
        _ => Duration::from_secs(rt.config.poll_interval_secs),
    };
    let mut failures = 0u32;
    loop {
        let delay = match run_pass(&store, &rt, &events, clock.as_ref()).await {
            Ok(_) => {
                failures = 0;
                poll
            }
            Err(_) => {
                failures += 1;
                backoff(
                    failures,
                    Duration::from_secs(2),
                    poll.max(Duration::from_secs(600)),
                )
            }
        };
        let next = clock.now() + chrono::Duration::from_std(delay).unwrap_or_default();
        rt.update_status(&events, |s| s.next_attempt = Some(next));
        tokio::time::sleep(delay).await;
    }
}

/// Exponential backoff with jitter: `base * 2^(failures-1)`, capped, scaled by 50–100%
/// so that accounts failing together do not retry in step.
pub(crate) fn backoff(failures: u32, base: Duration, max: Duration) -> Duration {
    let exp = base
        .saturating_mul(1u32 << failures.saturating_sub(1).min(20))
        .min(max);
    exp.mul_f64(rand::thread_rng().gen_range(0.5..=1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let (base, max) = (Duration::from_secs(2), Duration::from_secs(600));
        for f in 1..30 {
            let d = backoff(f, base, max);
            let ceiling = base.saturating_mul(1 << (f - 1).min(20)).min(max);
            assert!(
                d <= ceiling && d >= ceiling / 2,
                "failure {f}: {d:?} vs {ceiling:?}"
            );
        }
        assert!(backoff(30, base, max) <= max);
    }
}
